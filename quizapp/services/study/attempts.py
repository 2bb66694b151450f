"""Self-test attempts: start, answer (with feedback), finish; keys shown when allowed."""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from ...database import begin_write
from ...domain.checking import InvalidResponse, check
from ...domain.question_types import QUESTION_TYPES
from ...domain.scoring import attempt_score
from ...domain.selection import draw, review_pick
from ...errors import ServiceError, conflict, invalid, not_found
from ...extensions import db
from ...models import (
    Answer,
    Assignment,
    Attempt,
    AttemptMode,
    AttemptQuestion,
    Extension,
    Fact,
    FactStatus,
    Question,
    User,
    utcnow,
)
from ..questions import StoredQuestion, stored_question
from .keys import keys_shown, keys_visible, later
from .mistakes import mistake_facts
from .progress import _ANSWER_T, _LOCK_LEARNER, open_review, review_queue, update_progress
from .topics import active_candidates, known_topics, practice_topics

MAX_COUNT = 50
#: What ``start_attempt`` may be asked for (the API offers the first three).
MODES = ("practice", "review", "mistakes", "assignment")


@dataclass(frozen=True)
class Feedback:
    """What a learner is told after answering."""

    correct: bool
    credit: float
    answer_text: Any
    explanation: str
    source: dict[str, Any]
    response: Any
    #: False when an assignment hides keys until later (only "answer recorded" is shown).
    revealed: bool = True

    def to_json(self) -> dict[str, Any]:
        if not self.revealed:
            return {"correct": None, "answer_text": None, "explanation": None, "source": None,
                    "recorded": True}
        return {"correct": self.correct, "answer_text": self.answer_text,
                "explanation": self.explanation, "source": self.source, "recorded": True}


def filter_errors(types: Any, topics: Any, user: User | None = None) -> dict[str, str]:
    """Field messages for a list of question types and a list of topic ids (empty when fine).

    With ``user``, a topic they may not draw from (``practice_topics``) is unknown too.
    """
    fields: dict[str, str] = {}
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        fields["types"] = "Send a list of question types."
    elif set(types) - set(QUESTION_TYPES):
        fields["types"] = f"Unknown type; use {', '.join(QUESTION_TYPES)}."
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        fields["topics"] = "Send a list of topic ids."
    elif set(topics) - (practice_topics(user) if user is not None else set(known_topics())):
        fields["topics"] = "Unknown topic."
    return fields


def validate_filters(count: Any, types: Any, topics: Any, user: User | None = None
                     ) -> tuple[int, list[str], list[str]]:
    """Check quiz options (topics: those ``user`` may draw from); raise a 400 naming each."""
    fields: dict[str, str] = {}
    if count is None:
        count = 10
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        fields["count"] = f"Choose a whole number from 1 to {MAX_COUNT}."
    types = [] if types is None else types
    topics = [] if topics is None else topics
    fields.update(filter_errors(types, topics, user))
    if fields:
        raise invalid("Some quiz options are not valid.", fields)
    return count, types, topics


def start_attempt(user: User, *, count: Any = 10, types: Any = None, topics: Any = None,
                  seed: Any = None, mode: str = "practice",
                  assignment: Assignment | None = None,
                  question_ids: list[int] | None = None, start_key: str | None = None,
                  owner_id: int | None = None) -> Attempt:
    """Create an attempt with its questions drawn (reproducibly for ``seed``).

    ``start_key`` is the random key of the form that asked (``study.forms.start_key``): the
    same form sent again with the same choices (a double click without JavaScript, a
    resent request) gets back the attempt the first sending made, as long as that attempt
    is untouched. Once it has an answer or is finished, or with other choices (Back, change
    the length, Start again), the form starts a new attempt. Questions come from the shared
    bank, or for an assignment from its class owner's (``owner_id``, see ``seen_by``).
    """
    if mode not in MODES:
        raise invalid("Unknown mode.", {"mode": "Use practice, review or mistakes."})
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2**31):
        raise invalid("The seed must be a whole number.", {"seed": "Use 0 to 2147483647."})
    # Whose commentaries the draw may use: the learner's own, or for an assignment those of
    # the instructor who owns the class.
    reader = db.session.get(User, owner_id) if mode == "assignment" and owner_id else user
    count, types, topics = validate_filters(count, types, topics, reader)
    if mode == "review" and not question_ids:
        begin_write(db.session)
        unfinished = open_review(user)
        if unfinished is not None:  # one review at a time: resume it
            return unfinished
    begin_write(db.session)
    if start_key is not None:
        # Not the seed: fact practice draws a fresh one for every sending.
        start_key = bound_start_key(start_key, mode, count, sorted(types or ()),
                                    sorted(topics or ()))
        earlier = started_with(user, start_key)
        if earlier is not None:
            if not earlier.finished and not earlier.answers:
                return earlier
            earlier.start_key = None  # used since: the key now names the new attempt
            db.session.flush()
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)
    candidates = active_candidates(owner_id=owner_id, readable_by=reader)
    if question_ids:
        wanted = {c.id: c for c in candidates}
        picked = [wanted[i] for i in question_ids if i in wanted]
    elif mode == "review":
        picked = review_pick(review_queue(user, utcnow())[0], candidates, count, rng)
        if not picked:
            raise ServiceError(409, "nothing_due", "Nothing is due for review right now. "
                               "Take a practice quiz, and wrong answers come back here.")
    elif mode == "mistakes":
        # The most recent mistakes first, each asked in another form where there is one.
        picked = review_pick(mistake_facts(user), [
            c for c in candidates if (not types or c.type in types)
            and (not topics or c.topic in topics)], count, rng)
        if not picked:
            raise ServiceError(409, "no_mistakes", "No mistakes to practise: your latest "
                               "answer about every fact you have met was right.")
        rng.shuffle(picked)
    else:
        # An assignment's points are its count: it fills its length, whatever it asks.
        picked = draw(candidates, count, rng, types, topics,
                      fill=True if mode == "assignment" else None)
    if not picked:
        raise invalid("No questions match those topics and forms.",
                      {"topics": "Choose other topics or forms."})
    attempt = Attempt(user_id=user.id, seed=seed, mode=AttemptMode(mode), max_score=len(picked),
                      assignment_id=assignment.id if assignment else None, start_key=start_key)
    if assignment is not None and assignment.time_limit_minutes:
        from datetime import timedelta

        attempt.deadline = utcnow() + timedelta(minutes=assignment.time_limit_minutes)
    db.session.add(attempt)
    db.session.flush()
    for position, candidate in enumerate(picked):
        db.session.add(AttemptQuestion(attempt_id=attempt.id, question_id=candidate.id,
                                       position=position))
    db.session.flush()
    return attempt


#: A start form's key (``study.forms.new_start_key``) or an API client's Idempotency-Key.
START_KEY = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


def clean_start_key(value: Any) -> str | None:
    """The key if it has the form of one, else None."""
    return value if isinstance(value, str) and START_KEY.match(value) else None


def bound_start_key(start_key: str, *choices: Any) -> str:
    """A form's key bound to what it asks for (32 hex digits, as stored)."""
    raw = json.dumps([start_key, *choices], default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def started_with(user: User, start_key: str) -> Attempt | None:
    """The user's attempt started by the form with this key, if any.

    Call it in a write transaction: on PostgreSQL it first takes the learner's row lock, so
    a second sending of the form waits for the first to commit and then finds its attempt.
    """
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":  # SQLite's write lock already serialises them
        conn.execute(_LOCK_LEARNER, {"user_id": user.id})
    return db.session.scalar(select(Attempt).where(Attempt.user_id == user.id,
                                                   Attempt.start_key == start_key))


def get_attempt(user: User, attempt_id: int, *, full: bool = False) -> Attempt:
    """Return the user's own attempt; another user's is reported as not found.

    ``full``: load its items, their questions and its answers in three queries, for views
    that show the whole attempt (instead of one query per question).
    """
    options = [selectinload(Attempt.items), selectinload(Attempt.answers)] if full else []
    attempt = db.session.get(Attempt, attempt_id, options=options)
    if attempt is None or attempt.user_id != user.id:
        raise not_found("That attempt")
    return attempt


@dataclass(frozen=True)
class AttemptOutline:
    """An attempt without its ORM objects: enough to show where it stands (one query)."""

    id: int
    mode: AttemptMode
    deadline: datetime | None
    finished: bool
    #: In quiz order, and which of them are answered.
    question_ids: list[int]
    answered: frozenset[int]

    def next_unanswered_number(self) -> int | None:
        return next((n for n, qid in enumerate(self.question_ids, 1)
                     if qid not in self.answered), None)


_OUTLINE = (
    select(Attempt.__table__.c.user_id, Attempt.__table__.c.mode,
           Attempt.__table__.c.deadline, Attempt.__table__.c.finished_at,
           AttemptQuestion.__table__.c.question_id, Answer.__table__.c.id.label("answer"))
    .select_from(Attempt.__table__
                 .outerjoin(AttemptQuestion.__table__,
                            AttemptQuestion.__table__.c.attempt_id == Attempt.__table__.c.id)
                 .outerjoin(Answer.__table__,
                            (Answer.__table__.c.attempt_id == Attempt.__table__.c.id)
                            & (Answer.__table__.c.question_id
                               == AttemptQuestion.__table__.c.question_id)))
    .where(Attempt.__table__.c.id == bindparam("attempt_id"))
    .order_by(AttemptQuestion.__table__.c.position))


def was_asked(user: User, question_id: int) -> bool:
    """Whether ``user`` was asked this question in any attempt of theirs."""
    return db.session.scalar(select(AttemptQuestion.id).join(
        Attempt, Attempt.id == AttemptQuestion.attempt_id).where(
        Attempt.user_id == user.id, AttemptQuestion.question_id == question_id)
        .limit(1)) is not None


def attempt_outline(user: User, attempt_id: int) -> AttemptOutline:
    """The user's own attempt in outline; another user's is reported as not found."""
    rows = db.session.execute(_OUTLINE, {"attempt_id": attempt_id}).all()
    if not rows or rows[0].user_id != user.id:
        raise not_found("That attempt")
    first = rows[0]
    return AttemptOutline(
        id=attempt_id, mode=first.mode, deadline=first.deadline,
        finished=first.finished_at is not None,
        question_ids=[r.question_id for r in rows if r.question_id is not None],
        answered=frozenset(r.question_id for r in rows if r.answer is not None))


def _feedback(payload: dict[str, Any], correct: bool, credit: float, response: Any,
              revealed: bool) -> Feedback:
    return Feedback(correct=correct, credit=credit, answer_text=payload["answer_text"],
                    explanation=payload.get("explanation", ""),
                    source={"document": payload["source"]["document"],
                            "quote": payload["source"]["quote"],
                            "note": payload.get("source_note")},
                    response=response, revealed=revealed)


def feedback_for(attempt: Attempt, question: Question, answer: Answer) -> Feedback:
    return _feedback(question.payload, answer.correct, answer.credit, answer.response,
                     keys_visible(attempt))


# The answer path's statements, on the tables (no unit-of-work bookkeeping): an answer is the
# most frequent write, when a whole class submits at once. Their compiled SQL is cached.
_ATTEMPT_T, _ITEM_T = Attempt.__table__, AttemptQuestion.__table__


_ASSIGNMENT_T, _EXTENSION_T = Assignment.__table__, Extension.__table__


def _answer_target(item_on: Any):
    """One query: the attempt, its item that ``item_on`` picks, any answer already given to
    it, and whether keys are shown."""
    return (
        select(_ATTEMPT_T.c.user_id, _ATTEMPT_T.c.finished_at, _ATTEMPT_T.c.deadline,
               _ITEM_T.c.question_id.label("item"), _ANSWER_T.c.id.label("answered"),
               _ANSWER_T.c.response, _ANSWER_T.c.correct, _ANSWER_T.c.credit,
               _ASSIGNMENT_T.c.show_keys, _ASSIGNMENT_T.c.due_at,
               _EXTENSION_T.c.due_at.label("extended_due"))
        .select_from(_ATTEMPT_T.outerjoin(_ITEM_T, (_ITEM_T.c.attempt_id == _ATTEMPT_T.c.id)
                                          & item_on)
                     .outerjoin(_ANSWER_T, (_ANSWER_T.c.attempt_id == _ATTEMPT_T.c.id)
                                & (_ANSWER_T.c.question_id == _ITEM_T.c.question_id))
                     .outerjoin(_ASSIGNMENT_T, _ASSIGNMENT_T.c.id == _ATTEMPT_T.c.assignment_id)
                     .outerjoin(_EXTENSION_T, (_EXTENSION_T.c.assignment_id
                                               == _ATTEMPT_T.c.assignment_id)
                                & (_EXTENSION_T.c.user_id == _ATTEMPT_T.c.user_id)))
        .where(_ATTEMPT_T.c.id == bindparam("attempt_id")))


#: The API names the question by id, the quiz pages by its number (position + 1).
_TARGET_BY_QUESTION = _answer_target(_ITEM_T.c.question_id == bindparam("question_id"))
_TARGET_BY_POSITION = _answer_target(_ITEM_T.c.position == bindparam("position"))


_STORED_ANSWER = select(_ANSWER_T.c.response, _ANSWER_T.c.correct,
                        _ANSWER_T.c.credit).where(
    _ANSWER_T.c.attempt_id == bindparam("attempt_id"),
    _ANSWER_T.c.question_id == bindparam("question_id"))


#: The first answer wins: a racing second insert (PostgreSQL) inserts nothing.
_INSERT_ANSWER = {
    dialect: insert(_ANSWER_T).on_conflict_do_nothing(
        index_elements=["attempt_id", "question_id"]).returning(_ANSWER_T.c.id)
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}


@dataclass(frozen=True)
class AnswerTarget:
    """The question a learner is answering in an attempt, read under the write lock."""

    attempt_id: int
    question: StoredQuestion
    #: The answer already given (``answered`` is None if none), and the attempt's state.
    row: Any

    @property
    def finished(self) -> bool:
        return self.row.finished_at is not None


def answer_target(user: User, attempt_id: int, *, question_id: int | None = None,
                  number: int | None = None) -> AnswerTarget:
    """Take the write lock and find the question (by id, or by its number in the quiz)."""
    begin_write(db.session)
    conn = db.session.connection()
    if number is not None:
        row = conn.execute(_TARGET_BY_POSITION, {"attempt_id": attempt_id,
                                                 "position": number - 1}).first()
    else:
        row = conn.execute(_TARGET_BY_QUESTION, {"attempt_id": attempt_id,
                                                 "question_id": question_id}).first()
    if row is None or row.user_id != user.id:
        raise not_found("That attempt")
    question = stored_question(row.item) if row.item is not None else None
    if question is None:
        raise not_found("That question in this attempt")
    return AnswerTarget(attempt_id, question, row)


def record_answer(user: User, attempt_id: int, question_id: int,
                  response: Any) -> tuple[Feedback, bool]:
    """Store the first answer to a question of an attempt; return (feedback, created)."""
    return store_answer(user, answer_target(user, attempt_id, question_id=question_id),
                        response)


def store_answer(user: User, target: AnswerTarget, response: Any) -> tuple[Feedback, bool]:
    """Store the first answer to ``target``; return (feedback, created): the API's and the
    quiz page's one implementation.

    Sending the same answer again changes nothing; a different one is refused (409).
    """
    conn = db.session.connection()
    attempt_id, question_id, question = target.attempt_id, target.question.id, target.question
    row, now = target.row, utcnow()
    revealed = keys_shown(row.show_keys, later(row.due_at, row.extended_due), now)
    if row.answered is not None:
        return _repeat(question, row, response, revealed), False
    if row.finished_at is not None:
        raise conflict("This attempt is finished; answers can no longer change.")
    if row.deadline is not None and now > row.deadline:
        raise conflict("Time is up for this attempt; the answer was not recorded.")
    try:
        result = check(question.payload, response)
    except InvalidResponse as exc:
        raise invalid(str(exc), {"response": str(exc)}) from exc
    inserted = conn.execute(_INSERT_ANSWER[conn.dialect.name], {
        "attempt_id": attempt_id, "question_id": question_id, "response": response,
        "correct": result.correct, "credit": result.credit, "answered_at": now}).first()
    if inserted is None:
        # Another request stored an answer first (PostgreSQL; SQLite serialises writes).
        stored = conn.execute(_STORED_ANSWER, {"attempt_id": attempt_id,
                                                 "question_id": question_id}).first()
        if stored is None:  # the other answer's transaction rolled back meanwhile
            raise conflict("Another answer to this question was being saved; send yours "
                           "again.")
        return _repeat(question, stored, response, revealed), False
    if revealed:
        # An answer whose correctness is hidden must not move the learner's progress: its
        # counts and its next review date would tell right from wrong.
        update_progress(user.id, question, result, now)
    return _feedback(question.payload, result.correct, result.credit, response, revealed), \
        True


def _repeat(question: StoredQuestion, stored: Any, response: Any, revealed: bool) -> Feedback:
    """The feedback of the stored answer if ``response`` repeats it; else a 409."""
    if stored.response != response:
        raise conflict("This question was already answered; the first answer counts.")
    return _feedback(question.payload, stored.correct, stored.credit, stored.response,
                     revealed)


def finish_attempt(user: User, attempt_id: int) -> Attempt:
    """Score and close the attempt; finishing twice returns the same score."""
    begin_write(db.session)
    attempt = get_attempt(user, attempt_id)
    if attempt.finished:
        return attempt
    attempt.score = attempt_score([r.credit for r in attempt.answers])
    attempt.finished_at = utcnow()
    db.session.flush()
    if attempt.assignment_id is not None:
        from .. import lti  # the grade for the LMS, in the same transaction as the finish

        if lti.enqueue_grade(attempt):
            lti.send_after_response()
    return attempt


def start_fact_practice(user: User, fact_id: str, seed: int | None = None,
                        start_key: str | None = None) -> Attempt:
    """Start a short practice attempt (up to 3 questions) on one fact."""
    begin_write(db.session)
    fact = db.session.get(Fact, fact_id)
    if fact is None or fact.status is not FactStatus.APPROVED:
        raise not_found("That fact")
    candidates = active_candidates()
    # A fact asked only within a group item (a timeline, a matching item) is practised there.
    ids = sorted(c.id for c in candidates if c.fact_ids == (fact_id,)) or sorted(
        c.id for c in candidates if fact_id in c.fact_ids)
    if not ids:
        raise invalid("There are no questions about that fact yet.")
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    random.Random(seed).shuffle(ids)
    ids = ids[:3]
    return start_attempt(user, count=len(ids), question_ids=ids, seed=seed,
                         start_key=bound_start_key(start_key, "fact", fact_id)
                         if start_key is not None else None)
