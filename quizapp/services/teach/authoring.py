"""Questions an instructor writes by hand or imports from GIFT / Moodle XML.

They are the instructor's own (``Question.owner_id``), like their edits of seed questions:
``study.seen_by`` puts them in the draws of the classes they own and the warm-ups they
host, never in anyone else's, nor in students' own practice. Each is tied to a topic of a
commentary the instructor can read, and its optional source quote must be a sentence of
that commentary.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ...database import begin_write
from ...domain import question_import
from ...domain.authoring import (
    Draft,
    DraftError,
    build_payload,
    check_draft,
    content,
    draft_from_fields,
    one_line,
)
from ...errors import ServiceError, conflict, invalid, not_found
from ...extensions import db
from ...models import Commentary, Fact, FactStatus, Question, QuestionStatus, User
from .. import study
from .courses import require_instructor
from .review import _own_version, _repoint_assignments, question_for_review


def new_uid(user: User) -> str:
    """A question id of the instructor's own, never one the generator makes."""
    return f"own-{user.id}-{secrets.token_hex(5)}"


def topic_commentary(user: User, topic: Any) -> Commentary:
    """The commentary of one of the topics ``user`` can see (``study.topic_options``)."""
    if not isinstance(topic, str) or topic not in dict(study.topic_options(user)):
        raise invalid("Choose a topic.", {"topic": "Choose one of the topics you can see."})
    commentary = db.session.scalar(select(Commentary).join(Fact).where(
        Fact.topic == topic, Fact.status == FactStatus.APPROVED,
        Commentary.id.in_(study.visible_commentary_ids(user))).limit(1))
    if commentary is None:
        raise invalid("Choose a topic.", {"topic": "Choose one of the topics you can see."})
    return commentary


def quote_found(commentary: Commentary, quote: str) -> bool:
    """The quote is the commentary's own text (parts joined by " … " each found in it)."""
    text = one_line(commentary.text)
    return all(one_line(part) in text for part in quote.split(" … ") if part.strip())


def _refused(errors: dict[str, str]):
    return invalid("The question is not complete yet: see the fields marked.", errors)


def _payload(user: User, draft: Draft, uid: str, topic: str, commentary: Commentary
             ) -> dict[str, Any]:
    errors = check_draft(draft)
    if draft.quote and not quote_found(commentary, draft.quote):
        errors["quote"] = (f"This is not a sentence of “{commentary.title[:80]}”: paste it "
                           "exactly as the commentary writes it, or leave it empty.")
    if errors:
        raise _refused(errors)
    return build_payload(draft, uid=uid, document=commentary.slug, topic=topic)


def _store(user: User, payload: dict[str, Any], commentary: Commentary) -> Question:
    question = Question(uid=payload["id"], version=1, type=payload["type"],
                        topic=payload["topic"], document_id=commentary.id, payload=payload,
                        fact_ids=[], status=QuestionStatus.ACTIVE, owner_id=user.id)
    db.session.add(question)
    return question


def create_question(user: User, data: dict[str, Any]) -> Question:
    """Store a question written by hand (fields as ``draft_from_fields`` takes them, and
    ``topic``); a 400 with one message per field that breaks a rule."""
    require_instructor(user)
    begin_write(db.session)
    errors: dict[str, str] = {}
    uid = new_uid(user)
    try:
        draft = draft_from_fields(data, uid)
    except DraftError as exc:
        errors.update(exc.fields)
        draft = None
    try:
        commentary = topic_commentary(user, data.get("topic"))
    except ServiceError:
        errors["topic"] = "Choose one of the topics you can see."
        commentary = None
    if draft is None or commentary is None:
        if draft is not None:
            errors.update({k: v for k, v in check_draft(draft).items() if k not in errors})
        raise _refused(errors)
    question = _store(user, _payload(user, draft, uid, data["topic"], commentary), commentary)
    db.session.flush()
    return question


def authored_question(user: User, question_id: int) -> Question:
    """A question ``user`` wrote or imported (404 for anyone else's, or another kind)."""
    question = question_for_review(user, question_id)
    if question.owner_id != user.id or not question.payload.get("authored"):
        raise not_found("That question of yours")
    return question


def revise_question(user: User, question_id: int, data: dict[str, Any]) -> Question:
    """Save a hand-written question's new text, key included, as a new version (the old one
    is retired and keeps its statistics; hand-picked assignments follow). Saving the same
    text again changes nothing; a retired or replaced version cannot be edited."""
    begin_write(db.session)
    question = authored_question(user, question_id)
    data = {**data, "type": question.type}
    try:
        draft = draft_from_fields(data, question.uid)
    except DraftError as exc:
        raise _refused(exc.fields) from None
    try:
        commentary = topic_commentary(user, data.get("topic"))
    except ServiceError:
        raise _refused({"topic": "Choose one of the topics you can see.",
                        **check_draft(draft)}) from None
    payload = _payload(user, draft, question.uid, data["topic"], commentary)
    if question.status is QuestionStatus.RETIRED:
        newest = db.session.get(Question, question.replaced_by_id or -1)
        if newest is not None and content(newest.payload) == content(payload) \
                and newest.topic == payload["topic"]:
            return newest  # the same form sent twice
        raise conflict("This version was replaced or retired; edit the current version.")
    if content(payload) == content(question.payload) and question.topic == payload["topic"]:
        return question
    new = _own_version(user, question, payload, QuestionStatus.ACTIVE)
    new.topic, new.document_id = payload["topic"], commentary.id
    _repoint_assignments(question.id, new.id, user.id)
    db.session.flush()
    return new


# =========================================================================== import

@dataclass
class ImportPlan:
    """What an import will store, and what it leaves out and why."""

    #: (draft, its payload) for each question that will be stored.
    ready: list[tuple[Draft, dict[str, Any]]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def plan_import(user: User, fmt: Any, data: Any, topic: Any) -> ImportPlan:
    """Read a GIFT or Moodle XML file and check each question as the form would."""
    require_instructor(user)
    fields: dict[str, str] = {}
    if fmt not in question_import.FORMATS:
        fields["format"] = "Choose GIFT or Moodle XML."
    if not isinstance(data, bytes | str) or not data:
        fields["file"] = "Choose a file to import."
    try:
        commentary = topic_commentary(user, topic)
    except ServiceError:
        fields["topic"] = "Choose one of the topics you can see."
    if fields:
        raise invalid("The import is missing something: see the fields marked.", fields)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        result = question_import.parse(fmt, raw)
    except question_import.ImportFileError as exc:
        raise invalid(str(exc), {"file": str(exc)}) from None
    plan = ImportPlan(skipped=list(result.skipped))
    for draft in result.drafts:
        if draft.quote and not quote_found(commentary, draft.quote):
            draft.notes.append("Its source quote is not in this commentary: it is kept in "
                               "the explanation instead.")
            draft.explanation = one_line(f"{draft.explanation} Source: “{draft.quote}”")
            draft.quote = ""
        errors = check_draft(draft)
        if errors:
            plan.skipped.append((draft.name, " ".join(dict.fromkeys(errors.values()))))
            continue
        uid = new_uid(user)
        plan.ready.append((draft, build_payload(draft, uid=uid, document=commentary.slug,
                                                topic=topic)))
    return plan


def import_questions(user: User, fmt: Any, data: Any, topic: Any
                     ) -> tuple[list[Question], list[tuple[str, str]]]:
    """Store every question of the file that passes the form's rules, as the instructor's
    own; (stored, skipped with reasons)."""
    begin_write(db.session)
    plan = plan_import(user, fmt, data, topic)
    if not plan.ready:
        why = "; ".join(f"{w}: {r}" for w, r in plan.skipped[:5])
        raise invalid("No question of this file can be imported.",
                      {"file": f"No question of this file can be imported ({why})."})
    commentary = topic_commentary(user, topic)
    stored = [_store(user, payload, commentary) for _draft, payload in plan.ready]
    db.session.flush()
    return stored, plan.skipped
