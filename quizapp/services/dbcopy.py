"""Copy the whole database into another, empty one (``quizapp db copy --to URL``).

The usual move is from the embedded SQLite file to PostgreSQL when a course outgrows one
machine. The target is migrated to the newest schema, checked to be empty, and filled in a
single transaction with every row, ids included, so links, tokens and progress survive the
move; PostgreSQL's id sequences are then moved past the copied ids. A failure leaves the
target as empty as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Connection, Engine, Table, func, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..database import create_sqlite_file, resolve_url, sqlite_path
from ..extensions import db

#: Rows sent to the target per INSERT batch.
BATCH = 1000


class CopyRefused(RuntimeError):
    """The copy cannot start; the message says why and what to do."""


@dataclass
class CopyReport:
    """What was copied: rows per table, in the order they were written."""

    rows: dict[str, int] = field(default_factory=dict)
    revision: str | None = None

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _self_references(table: Table) -> list[str]:
    """Columns of ``table`` with a foreign key to ``table`` itself (set after the insert)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _first_nonempty(conn: Connection, tables: list[Table]) -> str | None:
    for table in tables:
        if conn.execute(select(1).select_from(table).limit(1)).first() is not None:
            return table.name
    return None


def _copy_table(src: Connection, dst: Connection, table: Table) -> int:
    """Insert every row of ``table`` from ``src`` into ``dst``, keeping ids."""
    deferred = _self_references(table)
    pk = list(table.primary_key.columns)
    query = select(table).order_by(*pk)
    count = 0
    links: list[dict] = []
    batch: list[dict] = []
    for row in src.execute(query.execution_options(yield_per=BATCH)).mappings():
        values = dict(row)
        if deferred:
            link = {c: values[c] for c in deferred if values[c] is not None}
            if link:
                links.append({**{f"pk_{c.name}": values[c.name] for c in pk}, **link})
                for c in link:
                    values[c] = None
        batch.append(values)
        if len(batch) >= BATCH:
            dst.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        dst.execute(table.insert(), batch)
        count += len(batch)
    for link in links:
        where = [c == link[f"pk_{c.name}"] for c in pk]
        dst.execute(update(table).where(*where).values(
            {c: v for c, v in link.items() if not c.startswith("pk_")}))
    return count


def _fix_sequences(dst: Connection, tables: list[Table]) -> None:
    """On PostgreSQL, move each id sequence past the largest copied id."""
    if dst.dialect.name != "postgresql":
        return
    preparer = dst.dialect.identifier_preparer
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or table.autoincrement_column is None:
            continue
        column = pk[0].name
        sequence = dst.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": preparer.quote(table.name), "c": column}).scalar()
        if sequence is None:
            continue
        top = dst.execute(select(func.max(table.c[column]))).scalar()
        # is_called=false: the next id handed out is exactly 1 on an empty table.
        dst.execute(text("SELECT setval(:s, :v, :called)"),
                    {"s": sequence, "v": top if top is not None else 1,
                     "called": top is not None})


def prepare_target(target_url: str) -> Engine:
    """Create (SQLite) and migrate the target database; return an engine for it."""
    from .. import create_app
    from .setup import upgrade_schema

    resolved = resolve_url(target_url, current_app.instance_path)
    if make_url(resolved).drivername.startswith("sqlite") and sqlite_path(resolved) is None:
        raise CopyRefused("Copy into a database file or a PostgreSQL URL, not an in-memory "
                          "database.")
    create_sqlite_file(resolved)
    config = {key: current_app.config[key] for key in ("SECRET_KEY", "TESTING",
                                                       "SQLITE_BUSY_TIMEOUT")}
    target_app = create_app({**config, "DATABASE_URL": target_url,
                             "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with target_app.app_context():
        try:
            upgrade_schema()
        except Exception:
            db.engine.dispose()
            raise
        return db.engine


def copy_database(target_url: str) -> CopyReport:
    """Copy the app's database into the empty database at ``target_url``; return the counts.

    Refuses (``CopyRefused``) when the target is the source, is not empty, or the source is
    not on the newest migration.
    """
    source = db.engine
    resolved = resolve_url(target_url, current_app.instance_path)
    src_path, dst_path = sqlite_path(str(source.url)), sqlite_path(resolved)
    if (src_path is not None and dst_path is not None
            and src_path.resolve() == dst_path.resolve()) or (
            src_path is None and make_url(resolved) == source.url):
        raise CopyRefused("The target is the database the app uses; name another one.")
    tables = list(db.metadata.sorted_tables)
    with source.connect() as src:
        src_revision = _revision(src)
    if src_revision is None:
        raise CopyRefused("The source database has no quizapp schema. "
                          "Run `quizapp init-db` on it first.")
    try:
        target = prepare_target(target_url)
    except CopyRefused:
        raise
    except Exception as exc:
        raise CopyRefused(f"Could not open or migrate the target database "
                          f"{_describe(target_url)}: {exc}") from exc
    report = CopyReport(revision=src_revision)
    try:
        with source.connect() as src, target.connect() as dst:
            src.begin()  # one snapshot of the source for the whole copy
            with dst.begin():
                dst_revision = _revision(dst)
                if dst_revision != src_revision:
                    raise CopyRefused(
                        f"The source database is at migration {src_revision} and the target "
                        f"at {dst_revision}. Run `quizapp init-db` on the source first.")
                busy = _first_nonempty(dst, tables)
                if busy is not None:
                    raise CopyRefused(
                        f"The target database {_describe(target_url)} is not empty (table "
                        f"{busy!r} has rows). Copy only into a new, empty database; "
                        "nothing was changed.")
                for table in tables:
                    try:
                        report.rows[table.name] = _copy_table(src, dst, table)
                    except SQLAlchemyError as exc:
                        reason = getattr(exc, "orig", None) or exc
                        raise CopyRefused(f"Copying table {table.name!r} failed ({reason}); "
                                          "the target was left empty.") from exc
                _fix_sequences(dst, tables)
    finally:
        target.dispose()
    return report
