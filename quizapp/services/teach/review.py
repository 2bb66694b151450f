"""Question review: the review queue, students' flags, and editing or retiring a question
(a new version; the old one stays for the answers given to it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...database import begin_write
from ...domain.question_types import QUESTION_TYPES
from ...domain.text import normalize
from ...errors import conflict, invalid, not_found
from ...extensions import db
from ...models import (
    Assignment,
    Commentary,
    Course,
    Enrollment,
    Fact,
    Question,
    QuestionFlag,
    QuestionStatus,
    Role,
    User,
)
from .. import study
from ..setup import next_version
from .courses import instructor_get, require_instructor

MAX_COMMENT = 1000
REVIEW_PAGE = 40


# =========================================================================== question review

def _reviewable(user: User, question: Question) -> bool:
    """Seed questions are shared by all instructors, a commentary's belong to its author,
    and an instructor's own version of a seed question to that instructor alone."""
    doc = db.session.get(Commentary, question.document_id)
    return doc is not None and doc.created_by_id in (None, user.id) \
        and question.owner_id in (None, user.id)


def shared_seed(question: Question) -> bool:
    """A question of the shared seed bank: an instructor who changes it makes their own."""
    if question.owner_id is not None:
        return False
    return db.session.scalar(select(Commentary.created_by_id).where(
        Commentary.id == question.document_id)) is None


def newest_seen(user: User, question: Question) -> Question:
    """The newest version of the question in ``user``'s view: their own, else the bank's."""
    if shared_seed(question):
        own = db.session.scalar(select(Question).where(
            Question.uid == question.uid, Question.owner_id == user.id)
            .order_by(Question.version.desc()).limit(1))
        if own is not None:
            return own
    return _newest(question)


def seen_state(user: User, question: Question) -> tuple[QuestionStatus, int | None]:
    """(status, replaced by) as ``user`` sees them: a shared question they have their own
    version of (an edit, or a retirement) is retired for them, for nobody else."""
    if shared_seed(question):
        newest = newest_seen(user, question)
        if newest.owner_id == user.id:
            return QuestionStatus.RETIRED, newest.id
    return question.status, question.replaced_by_id


def question_for_review(user: User, question_id: int) -> Question:
    return instructor_get(user, Question, question_id, lambda q: _reviewable(user, q),
                          "That question")


def reviewable_commentaries(user: User) -> list[Commentary]:
    return study.readable_commentaries(user)


def flags_seen_by(user: User):
    """SQL: the flags ``user`` may read: their own, and their own students' (a flag names
    the student and quotes them, so other instructors of a shared question never see it)."""
    taught = select(Course.id).where(Course.owner_id == user.id).union(
        select(Enrollment.course_id).where(Enrollment.user_id == user.id,
                                           Enrollment.role == Role.INSTRUCTOR))
    students = select(Enrollment.user_id).where(Enrollment.course_id.in_(taught),
                                                Enrollment.role == Role.STUDENT)
    return (QuestionFlag.user_id == user.id) | QuestionFlag.user_id.in_(students)


def open_flag_counts(user: User, question_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(QuestionFlag.question_id, func.count()).where(
            flags_seen_by(user), QuestionFlag.question_id.in_(question_ids or [-1]),
            QuestionFlag.resolved.is_(False)).group_by(QuestionFlag.question_id)).all())


def review_queue(user: User, *, status: str = "active", flagged: bool = False,
                 document_id: int | None = None, topic: str | None = None,
                 qtype: str | None = None, search: str | None = None,
                 page: int = 1) -> tuple[list[tuple[Question, int]], int]:
    """Questions to review (flagged first), filtered; ((question, open flags), total)."""
    require_instructor(user)
    docs = [d.id for d in reviewable_commentaries(user)]
    query = select(Question).where(Question.document_id.in_(docs or [-1]),
                                   Question.owner_id.is_(None) | (Question.owner_id == user.id))
    if document_id:
        query = query.where(Question.document_id == document_id)
    # A shared question the user has their own version of is retired for them (seen_state).
    if status == "active":
        query = query.where(Question.status == QuestionStatus.ACTIVE, study.seen_by(user.id))
    elif status == "retired":
        query = query.where((Question.status == QuestionStatus.RETIRED)
                            | ~study.seen_by(user.id))
    if topic:
        query = query.where(Question.topic == topic)
    if qtype in QUESTION_TYPES:
        query = query.where(Question.type == qtype)
    flagged_ids = select(QuestionFlag.question_id).where(QuestionFlag.resolved.is_(False),
                                                         flags_seen_by(user))
    if flagged:
        query = query.where(Question.id.in_(flagged_ids))
    rows = db.session.scalars(query.order_by(Question.id)).all()
    if search:
        needle = normalize(search)
        rows = [q for q in rows if needle in normalize(q.prompt) or needle in q.uid]
    flags = open_flag_counts(user, [q.id for q in rows])
    rows = sorted(rows, key=lambda q: (-flags.get(q.id, 0), q.id))
    page = max(1, page)
    chunk = rows[(page - 1) * REVIEW_PAGE: page * REVIEW_PAGE]
    return [(q, flags.get(q.id, 0)) for q in chunk], len(rows)


def question_flags(user: User, question: Question) -> list[QuestionFlag]:
    """Flags ``user`` may read on this question and its earlier versions, newest first."""
    ids = [q.id for q in db.session.scalars(select(Question).where(
        Question.uid == question.uid))]
    return list(db.session.scalars(select(QuestionFlag).where(
        QuestionFlag.question_id.in_(ids), flags_seen_by(user))
        .options(selectinload(QuestionFlag.user))
        .order_by(QuestionFlag.created_at.desc(), QuestionFlag.id.desc())))


def flag_question(user: User, question_id: Any, comment: Any) -> tuple[QuestionFlag, bool]:
    """Report a question as wrong; a learner may flag a question they were asked.

    Sending the same report again adds nothing.
    """
    if isinstance(comment, str):
        comment = comment.strip()
    if not isinstance(comment, str) or not comment:
        raise invalid("Say what is wrong with the question.",
                      {"comment": "Tell your instructor what looks wrong."})
    if len(comment) > MAX_COMMENT:
        raise invalid("The comment is too long.",
                      {"comment": f"Use at most {MAX_COMMENT} characters."})
    begin_write(db.session)
    question = db.session.get(Question, question_id) \
        if isinstance(question_id, int) and not isinstance(question_id, bool) else None
    if question is None:
        raise not_found("That question")
    allowed = study.was_asked(user, question.id) or (user.is_instructor
                                                and _reviewable(user, question))
    if not allowed:
        raise not_found("That question")
    existing = db.session.scalar(select(QuestionFlag).where(
        QuestionFlag.question_id == question.id, QuestionFlag.user_id == user.id,
        QuestionFlag.resolved.is_(False), QuestionFlag.comment == comment))
    if existing is not None:
        return existing, False
    flag = QuestionFlag(question_id=question.id, user_id=user.id, comment=comment)
    db.session.add(flag)
    db.session.flush()
    return flag, True


def resolve_flags(user: User, question_id: int) -> int:
    """Mark every open flag on the question (and its earlier versions) resolved."""
    begin_write(db.session)
    question = question_for_review(user, question_id)
    count = 0
    for flag in question_flags(user, question):
        if not flag.resolved:
            flag.resolved = True
            count += 1
    db.session.flush()
    return count


KEY_TEXT = ("This text is part of the key and cannot change here: to change what is right, "
            "retire the question and fix the fact.")


def key_names(question: Question) -> set[str]:
    """The key and its aliases as the checker reads them (``normalize``)."""
    names: list[Any] = []
    for value in (question.payload.get("answer_text"), question.payload.get("accepted")):
        names.extend(value if isinstance(value, list) else [value])
    for data in db.session.scalars(select(Fact.data).where(Fact.id.in_(question.fact_ids))):
        answer = data.get("answer")
        names.extend(answer if isinstance(answer, list) else [answer])
        names.extend(data.get("aliases") or [])
    return {normalize(n) for n in names if isinstance(n, str) and normalize(n)}


def edited_payload(payload: dict[str, Any], prompt: Any, options: dict[str, Any],
                   explanation: Any, keys: set[str] | frozenset[str] = frozenset()
                   ) -> dict[str, Any]:
    """The payload with new wording; ids, keys and the source stay as they were.

    Key texts (the type's ``key_options``) cannot change, a wrong choice cannot be reworded
    into the key or an alias of it (``keys``, normalised), and a prompt that is part of the key
    (a true/false statement) changes only as its type allows (``prompt_error``).
    """
    qtype = QUESTION_TYPES[payload["type"]]
    fields: dict[str, str] = {}
    if not isinstance(prompt, str) or not prompt.strip():
        fields["prompt"] = "The question needs a prompt."
    elif len(prompt) > 2000:
        fields["prompt"] = "Use at most 2000 characters."
    elif error := qtype.prompt_error(payload, prompt):
        fields["prompt"] = error
    if explanation is None:
        explanation = payload.get("explanation", "")
    if not isinstance(explanation, str) or len(explanation) > 4000:
        fields["explanation"] = "Use at most 4000 characters of text."
    options = options or {}
    if not isinstance(options, dict):
        raise invalid("Send option texts as an object, option id -> text.",
                      {"options": "Send an object."})
    new = {**payload, "prompt": prompt.strip() if isinstance(prompt, str) else prompt,
           "explanation": explanation.strip() if isinstance(explanation, str) else "",
           "edited": True}
    known: set[str] = set()
    keyed = qtype.key_options(payload)
    for group in qtype.option_groups:
        if group not in payload:
            continue
        rewritten = []
        for option in payload[group]:
            key = f"{group}.{option['id']}"
            known.add(key)
            text = options.get(key, options.get(option["id"], option["text"]))
            if not isinstance(text, str) or not text.strip():
                fields[key] = "An option cannot be empty."
                text = option["text"]
            elif len(text) > 500:
                fields[key] = "Use at most 500 characters."
            elif key in keyed and text.strip() != option["text"].strip():
                fields[key] = KEY_TEXT
            elif key not in keyed and normalize(text) in keys:
                fields[key] = "A wrong choice cannot read as the right answer or an alias of it."
            rewritten.append({**option, "text": text.strip()})
        texts = [normalize(o["text"]) for o in rewritten]
        if len(set(texts)) != len(texts):
            fields[group] = "Two options read the same."
        new[group] = rewritten
    unknown = [k for k in options if k not in known and not any(
        k == o["id"] for g in qtype.option_groups for o in payload.get(g, []))]
    if unknown:
        fields["options"] = f"Unknown option {unknown[0]!r}."
    if fields:
        raise invalid("Some of the new wording is not valid.", fields)
    return qtype.reworded(new)


def _newest(question: Question) -> Question:
    seen = {question.id}
    while question.replaced_by_id is not None:
        question = db.session.get(Question, question.replaced_by_id)
        if question.id in seen:
            break
        seen.add(question.id)
    return question


def _repoint_assignments(old_id: int, new_id: int | None, owner_id: int | None) -> None:
    """Hand-picked assignments follow an edit or retirement: of the classes ``owner_id``
    owns when it is their own version, else (the author's commentary) every class."""
    query = select(Assignment)
    if owner_id is not None:
        query = query.join(Course, Course.id == Assignment.course_id).where(
            Course.owner_id == owner_id)
    for assignment in db.session.scalars(query):
        if old_id in (assignment.question_ids or []):
            ids = [new_id if i == old_id else i for i in assignment.question_ids]
            assignment.question_ids = [i for i in ids if i is not None]


def _own_version(user: User, question: Question, payload: dict[str, Any],
                 status: QuestionStatus) -> Question:
    """A new version of ``question``: the user's own if the question is theirs or shared
    (the shared row stays as it is for everyone else), else the commentary's."""
    own = question.owner_id == user.id or shared_seed(question)
    new = Question(uid=question.uid, version=next_version(question.uid), type=question.type,
                   topic=question.topic, document_id=question.document_id, payload=payload,
                   fact_ids=list(question.fact_ids), status=status,
                   owner_id=user.id if own else None)
    db.session.add(new)
    db.session.flush()
    if new.owner_id == question.owner_id:
        question.status = QuestionStatus.RETIRED
        question.replaced_by_id = new.id
    return new


def _resolve_seen_flags(user: User, question: Question) -> None:
    """Resolve the open flags on ``question`` that ``user`` may read (flags_seen_by)."""
    for flag in db.session.scalars(select(QuestionFlag).where(
            QuestionFlag.question_id == question.id, QuestionFlag.resolved.is_(False),
            flags_seen_by(user))):
        flag.resolved = True


def edit_question(user: User, question_id: int, *, prompt: Any, options: Any = None,
                  explanation: Any = None) -> Question:
    """Save new wording as a new version and retire the old one (statistics stay apart).

    Editing a shared seed question makes the user's own version, used by the classes they
    own and the warm-ups they host; other instructors and self-practice keep the shared one.
    Editing a version that was already replaced with the same wording returns the newer
    version (a repeated form submission); other stale edits are refused.
    """
    begin_write(db.session)
    question = question_for_review(user, question_id)
    new_payload = edited_payload(question.payload, prompt, options or {}, explanation,
                                 key_names(question))
    if seen_state(user, question)[0] is QuestionStatus.RETIRED:
        newest = newest_seen(user, question)
        if newest.id != question.id and newest.payload == new_payload:
            return newest
        raise conflict("This question was retired or changed since you opened it; "
                       "edit the current version instead.")
    if new_payload == {**question.payload, "edited": True}:
        return question  # nothing changed: no new version, statistics stay together
    new = _own_version(user, question, new_payload, QuestionStatus.ACTIVE)
    _resolve_seen_flags(user, question)
    _repoint_assignments(question.id, new.id, new.owner_id)
    db.session.flush()
    return new


def retire_question(user: User, question_id: int) -> Question:
    """Take a question out of the user's future quizzes (retiring twice changes nothing).

    A shared seed question gets the user's own retired version in its place, so it leaves
    their classes and warm-ups only.
    """
    begin_write(db.session)
    question = question_for_review(user, question_id)
    if seen_state(user, question)[0] is not QuestionStatus.RETIRED:
        if shared_seed(question):
            _own_version(user, question, dict(question.payload), QuestionStatus.RETIRED)
            owner_id: int | None = user.id
        else:
            question.status = QuestionStatus.RETIRED
            owner_id = question.owner_id
        _repoint_assignments(question.id, None, owner_id)
        _resolve_seen_flags(user, question)
        db.session.flush()
    return question
