"""New commentaries: upload, their facts (edit, accept, reject) and question generation."""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ...database import begin_write
from ...domain import extraction
from ...domain.facts import Fact as DomainFact
from ...domain.facts import FactBase, Topic, check_fact
from ...errors import ServiceError, invalid, not_found
from ...extensions import db
from ...models import (
    Commentary,
    Fact,
    FactStatus,
    Question,
    QuestionStatus,
    User,
)
from .. import study
from ..setup import sync_questions
from .assignments import MAX_TITLE
from .courses import instructor_get, require_instructor
from .exports import _slug, export_questions

#: A commentary is ~10 KB; this leaves room for a long one and refuses a book.
MAX_COMMENTARY_CHARS = 60_000
MIN_COMMENTARY_CHARS = 200


# =========================================================================== commentaries

def _commentary_slug(title: str) -> str:
    return f"{_slug(title, 40)}-{secrets.token_hex(3)}"


def validate_commentary(title: Any, text: Any) -> tuple[str, str]:
    fields: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        fields["title"] = "Enter a title."
    elif len(title.strip()) > MAX_TITLE:
        fields["title"] = f"Use at most {MAX_TITLE} characters."
    if not isinstance(text, str) or not text.strip():
        fields["text"] = "Paste the commentary's text or upload a .txt file."
    elif len(text) > MAX_COMMENTARY_CHARS:
        fields["text"] = (f"The text has {len(text):,} characters; the limit is "
                          f"{MAX_COMMENTARY_CHARS:,}. Split it into parts.")
    elif len(text.strip()) < MIN_COMMENTARY_CHARS:
        fields["text"] = f"Paste at least {MIN_COMMENTARY_CHARS} characters of text."
    elif "\x00" in text:
        fields["text"] = "That is not plain text."
    if fields:
        raise invalid("The commentary could not be added.", fields)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(title.split()), text


def create_commentary(user: User, title: Any, text: Any) -> Commentary:
    """Store a new commentary and its rule-extracted candidate facts (none approved yet)."""
    require_instructor(user)
    title, text = validate_commentary(title, text)
    # Outside the write transaction, and within a budget: no other write waits for it.
    budget = float(current_app.config["EXTRACTION_SECONDS"])
    try:
        candidates = extraction.extract(text, deadline=time.monotonic() + budget)
    except extraction.ExtractionTooSlow:
        message = (f"Finding the facts in this text took longer than {budget:g} seconds. "
                   "Split it into smaller parts.")
        raise ServiceError(422, "too_slow", message, {"text": message}) from None
    begin_write(db.session)
    doc = Commentary(slug=_commentary_slug(title), title=title, text=text,
                     created_by_id=user.id)
    db.session.add(doc)
    db.session.flush()
    for position, candidate in enumerate(candidates):
        fact_id = f"{doc.slug}-{candidate.kind.replace('_', '-')}-{position + 1:03d}"
        db.session.add(Fact(id=fact_id, document_id=doc.id, position=position,
                            topic=doc.slug, kind=candidate.kind,
                            status=FactStatus.CANDIDATE, quote=candidate.quote,
                            data=candidate.to_record(fact_id, doc.slug)))
    db.session.flush()
    return doc


def commentaries_of(user: User) -> list[Commentary]:
    require_instructor(user)
    return list(db.session.scalars(select(Commentary).where(Commentary.created_by_id == user.id)
                                   .order_by(Commentary.created_at.desc(), Commentary.id.desc())))


def commentary_for_instructor(user: User, document_id: int) -> Commentary:
    """A commentary the user added (anyone else's is reported missing)."""
    return instructor_get(user, Commentary, document_id,
                          lambda doc: doc.created_by_id == user.id, "That commentary")


def fact_for_instructor(user: User, fact_id: Any) -> Fact:
    require_instructor(user)
    fact = db.session.get(Fact, fact_id) if isinstance(fact_id, str) else None
    if fact is None or fact.commentary.created_by_id != user.id:
        raise not_found("That fact")
    return fact


def _factbase(doc: Commentary, facts: list[Fact]) -> FactBase:
    return FactBase(document_id=doc.slug, title=doc.title, text=doc.text,
                    topics=[Topic(doc.slug, doc.title)], pools=extraction.pools(),
                    facts=[DomainFact.from_dict(f.data, doc.slug) for f in facts])


def fact_problems(doc: Commentary, fact: Fact) -> list[str]:
    """What keeps a fact from being approved: check_fact's findings or a generation error."""
    base = _factbase(doc, [fact])
    domain_fact = base.facts[0]
    problems = check_fact(domain_fact, base)
    if not problems:
        refusal = extraction.generation_problem(domain_fact, base)
        if refusal is not None:
            problems.append(refusal.split(": ", 1)[-1])
    return problems


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = value.splitlines()
    else:
        return []
    return [str(v).strip() for v in items if str(v).strip()]


FACT_FIELDS = ("question", "statement", "answer", "aliases", "distractors", "explanation",
               "event")


def update_fact(user: User, fact_id: Any, changes: dict[str, Any]) -> tuple[Fact, list[str]]:
    """Edit a candidate's wording; returns the fact and what still blocks approval.

    An approved fact that no longer passes the checks goes back to candidate.
    """
    begin_write(db.session)
    fact = fact_for_instructor(user, fact_id)
    data = dict(fact.data)
    fields: dict[str, str] = {}
    for key in ("question", "statement", "explanation", "event"):
        if key in changes and changes[key] is not None:
            value = changes[key]
            if not isinstance(value, str) or len(value) > 2000:
                fields[key] = "Use at most 2000 characters of text."
            else:
                data[key] = " ".join(value.split())
    if "answer" in changes and changes["answer"] is not None:
        answers = _lines(changes["answer"])
        if fact.kind == "entity_set":
            data["answer"] = answers
        elif len(answers) != 1:
            fields["answer"] = "Enter exactly one answer."
        else:
            data["answer"] = answers[0]
    for key in ("aliases", "distractors"):
        if key in changes and changes[key] is not None:
            data[key] = _lines(changes[key])[:20]
    if fields:
        raise invalid("Some of the changes are not valid.", fields)
    if not data.get("event"):
        data.pop("event", None)
    fact.data = data
    db.session.flush()
    problems = fact_problems(fact.commentary, fact)
    if problems and fact.status is FactStatus.APPROVED:
        fact.status = FactStatus.CANDIDATE
    if fact.status is FactStatus.APPROVED:
        regenerate(fact.commentary)
    db.session.flush()
    return fact, problems


def set_fact_status(user: User, document_id: int, fact_ids: Any,
                    status: str) -> tuple[list[str], dict[str, list[str]]]:
    """Approve or reject candidates; approving regenerates the commentary's questions.

    Returns (changed fact ids, {fact id: problems} for facts that could not be approved).
    Approving an approved fact again changes nothing.
    """
    if status not in ("approved", "rejected", "candidate"):
        raise invalid("Unknown status.", {"status": "Use approved or rejected."})
    if not isinstance(fact_ids, list) or not fact_ids or not all(
            isinstance(f, str) for f in fact_ids):
        raise invalid("Choose at least one fact.", {"fact_ids": "Send a list of fact ids."})
    begin_write(db.session)
    doc = commentary_for_instructor(user, document_id)
    facts = {f.id: f for f in db.session.scalars(select(Fact).where(
        Fact.document_id == doc.id, Fact.id.in_(fact_ids)))}
    missing = [f for f in fact_ids if f not in facts]
    if missing:
        raise not_found(f"Fact {missing[0]!r} in this commentary")
    changed: list[str] = []
    problems: dict[str, list[str]] = {}
    target = FactStatus(status)
    for fact_id in dict.fromkeys(fact_ids):
        fact = facts[fact_id]
        if fact.status is target:
            continue
        if target is FactStatus.APPROVED:
            found = fact_problems(doc, fact)
            if found:
                problems[fact_id] = found
                continue
        fact.status = target
        changed.append(fact_id)
    db.session.flush()
    if changed:
        regenerate(doc)
    return changed, problems


def regenerate(doc: Commentary, bank_seed: int | None = None) -> int:
    """(Re)generate the questions of a commentary's approved facts; return new rows.

    Each fact draws its distractors from its own seeded generator, so approving one more
    fact does not reword the questions of the others (``extraction.commentary_bank``).
    Questions that no longer come out are retired (``sync_questions``).
    """
    seed = current_app.config["BANK_SEED"] if bank_seed is None else bank_seed
    approved = list(db.session.scalars(select(Fact).where(
        Fact.document_id == doc.id, Fact.status == FactStatus.APPROVED)
        .order_by(Fact.position)))
    bank = extraction.commentary_bank(_factbase(doc, approved), seed)
    added = sync_questions(doc, bank)
    db.session.flush()
    return added


def commentary_summary(doc: Commentary) -> dict[str, Any]:
    facts = list(db.session.scalars(select(Fact).where(Fact.document_id == doc.id)
                                    .order_by(Fact.position)))
    counts = {s.value: sum(1 for f in facts if f.status is s) for s in FactStatus}
    questions = db.session.scalar(select(func.count()).select_from(Question).where(
        Question.document_id == doc.id, Question.status == QuestionStatus.ACTIVE))
    return {"id": doc.id, "slug": doc.slug, "title": doc.title, "counts": counts,
            "questions": questions, "facts": facts}


def candidate_json(fact: Fact) -> dict[str, Any]:
    data = fact.data
    return {"id": fact.id, "kind": fact.kind, "answer": data.get("answer"),
            "quote": fact.quote, "status": fact.status.value,
            "question": data.get("question"), "statement": data.get("statement"),
            "rule": data.get("rule"), "term": data.get("term"),
            "distractors": data.get("distractors", []), "aliases": data.get("aliases", []),
            # What the instructor must write before the candidate can be asked.
            "needs": data.get("needs", "")}


def commentary_export(user: User, document_id: int, fmt: Any) -> tuple[str, str, str]:
    """A whole document's active questions (and facts) as GIFT, Moodle XML or JSON."""
    doc = instructor_get(user, Commentary, document_id,
                         lambda d: d.created_by_id in (None, user.id), "That document")
    if fmt not in ("gift", "moodle_xml", "json"):
        raise invalid("Unknown export format.", {"format": "Use gift, moodle_xml or json."})
    approved = set(db.session.scalars(select(Fact.id).where(
        Fact.document_id == doc.id, Fact.status == FactStatus.APPROVED)))
    questions = [q for q in db.session.scalars(select(Question).where(
        Question.document_id == doc.id, Question.status == QuestionStatus.ACTIVE,
        study.seen_by(user.id)).order_by(Question.id)) if all(f in approved for f in q.fact_ids)]
    return export_questions(questions, fmt, doc.title, {"slug": doc.slug, "title": doc.title})
