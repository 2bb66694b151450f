"""Schema creation and seed loading (``quizapp init-db`` and the first start)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import JSON, Text, cast, func, inspect, select, update

from ..boundary import scrub_value
from ..database import create_sqlite_file, sqlite_path
from ..domain.facts import FactBase, load_factbase, seed_paths
from ..domain.generator import DRAW_FIELDS, content, generate_bank
from ..extensions import db
from ..models import Commentary, Fact, FactStatus, Question, QuestionStatus
from ..transactions import transaction


class DatabaseMissing(RuntimeError):
    """The configured database does not exist, has no schema, or has an older one."""


def upgrade_schema() -> None:
    """Create or migrate the schema to the newest migration (Alembic via Flask-Migrate)."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


def schema_present() -> bool:
    return inspect(db.engine).has_table("question")


def schema_behind() -> bool:
    """Whether the database's schema is older than this version's newest migration.

    Raises DatabaseMissing for a schema this version does not know (made by a newer one).
    """
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    known = {rev.revision for rev in script.walk_revisions()}
    if current - known:
        raise DatabaseMissing(
            f"The database's schema (migration {', '.join(sorted(current - known))}) is newer "
            "than this version of quizapp: install the version that made it, or restore a "
            "backup made by this one.")
    return current != set(script.get_heads())


def sync_commentary(base: FactBase, created_by_id: int | None = None,
                  bank_seed: int = 0) -> tuple[Commentary, int]:
    """Upsert a fact base's document, facts and question bank; return (document, new questions).

    A question whose generated content changed gets a new version and the old one is retired,
    so statistics of the old wording stay apart.
    """
    doc = db.session.scalar(select(Commentary).where(Commentary.slug == base.document_id))
    if doc is None:
        doc = Commentary(slug=base.document_id, title=base.title, text=base.text,
                         created_by_id=created_by_id)
        db.session.add(doc)
        db.session.flush()
    doc.title, doc.text = base.title, base.text
    existing = {f.id: f for f in db.session.scalars(select(Fact).where(Fact.document_id == doc.id))}
    for position, fact in enumerate(base.facts):
        row = existing.get(fact.id)
        data = fact.to_dict()
        if row is None:
            row = Fact(id=fact.id, document_id=doc.id)
            db.session.add(row)
        row.position, row.topic, row.kind = position, fact.topic, fact.kind
        row.quote, row.data, row.status = fact.quote, data, FactStatus.APPROVED
    kept = {f.id for f in base.facts}
    for fact_id, row in existing.items():
        if fact_id not in kept:  # dropped from the fact file (a byline, say): not asked
            row.status = FactStatus.REJECTED
    db.session.flush()
    return doc, sync_questions(doc, generate_bank(base, bank_seed))


def next_version(uid: str) -> int:
    """The next version number of a question, after every instructor's own versions too."""
    return (db.session.scalar(select(func.max(Question.version)).where(
        Question.uid == uid)) or 0) + 1


def sync_questions(doc: Commentary, bank: list[dict[str, Any]]) -> int:
    """Store generated questions for ``doc``, retiring those it no longer makes; return how
    many rows were added."""
    current: dict[str, Question] = {}
    for q in db.session.scalars(select(Question).where(Question.document_id == doc.id,
                                                       Question.owner_id.is_(None))
                                .order_by(Question.version)):  # instructors' own: theirs
        current[q.uid] = q  # the newest version wins
    added = 0
    for generated in bank:
        row = current.get(generated["id"])
        if row is not None and content(row.payload) == content(generated) \
                and row.payload != generated and not row.payload.get("edited"):
            # Same wording; only what drawing reads (importance, cues) moved with the bank.
            row.payload = {**row.payload, **{k: generated[k] for k in DRAW_FIELDS
                                             if k in generated}}
        if row is not None and (content(row.payload) == content(generated)
                                or row.status is QuestionStatus.RETIRED
                                or row.version > 1 and row.payload.get("edited")):
            continue  # unchanged, retired by an instructor, or edited by hand: keep
        version = 1 if row is None else next_version(row.uid)
        if row is not None:
            row.status = QuestionStatus.RETIRED
        new = Question(uid=generated["id"], version=version, type=generated["type"],
                       topic=generated["topic"], document_id=doc.id, payload=generated,
                       fact_ids=generated["fact_ids"])
        db.session.add(new)
        db.session.flush()
        if row is not None:
            row.replaced_by_id = new.id
        added += 1
    # A question the bank no longer makes (a form a fact is not asked in any more, a
    # group that no longer comes out) is retired, unless an instructor edited it.
    wanted = {q["id"] for q in bank}
    for row in current.values():
        if row.uid not in wanted and row.status is QuestionStatus.ACTIVE \
                and not row.payload.get("edited"):
            row.status = QuestionStatus.RETIRED
    return added


def load_seeds(seeds_dir: str | Path | None = None) -> dict[str, int]:
    """Load every fact file of the seeds folder; return new questions per document."""
    folder = seeds_dir or current_app.config["SEEDS_DIR"]
    report: dict[str, int] = {}
    for path in seed_paths(folder):
        base = load_factbase(path)
        doc, added = sync_commentary(base, bank_seed=current_app.config["BANK_SEED"])
        report[doc.slug] = added
    return report


def repair_text() -> int:
    """Replace lone UTF-16 surrogates stored before input was checked; return rows fixed.

    Only JSON columns can hold one (escaped as ``\\udXXX``): a text column's driver refuses
    to encode it. Running it again finds nothing to fix.
    """
    fixed = 0
    for table in db.metadata.sorted_tables:
        key = [c for c in table.primary_key.columns]
        for column in (c for c in table.columns if isinstance(c.type, JSON)):
            rows = db.session.execute(select(*key, column).where(
                cast(column, Text).contains("\\u", autoescape=True))).all()
            for *ids, value in rows:
                clean = scrub_value(value)
                if clean != value:
                    db.session.execute(update(table).where(
                        *(c == i for c, i in zip(key, ids, strict=True)))
                        .values({column.name: clean}))
                    fixed += 1
    return fixed


def init_db() -> dict[str, int]:
    """Create or migrate the schema and load the seeds; safe to run again.

    A whole command (``init-db``, the first start): it commits, as the CLI's commands do.
    """
    create_sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
    upgrade_schema()
    with transaction():
        repair_text()
        return load_seeds()


def ensure_database(create_default: bool = True) -> bool:
    """On first start of the embedded default, create and seed it; else require it to exist.

    Returns True when the database was created now.
    """
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    path = sqlite_path(url)
    embedded = not current_app.config.get("DATABASE_URL")
    if path is not None and not path.exists():
        if embedded and create_default:
            init_db()
            return True
        raise DatabaseMissing(f"The database file {path} does not exist. "
                              "Run `quizapp init-db` to create it.")
    if not schema_present():
        if embedded and create_default:
            init_db()
            return True
        raise DatabaseMissing("The database has no quizapp schema. Run `quizapp init-db`.")
    if schema_behind():
        if embedded and create_default:
            upgrade_schema()  # the embedded default upgrades itself, as it creates itself
            return False
        raise DatabaseMissing("The database's schema is older than this version of quizapp. "
                              "Run `quizapp init-db` to upgrade it (see docs/deploying.md).")
    return False
