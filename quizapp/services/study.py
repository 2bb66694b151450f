"""Self-test use cases: start an attempt, record answers, finish, track progress per fact."""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, selectinload

from ..database import begin_write
from ..domain import scheduling
from ..domain.checking import InvalidResponse, Result, check
from ..domain.facts import load_factbase, seed_paths
from ..domain.passages import Segment, fact_sentence, passages
from ..domain.question_types import QUESTION_TYPES
from ..domain.scoring import attempt_score
from ..domain.selection import Candidate, draw, review_pick
from ..errors import ServiceError, conflict, invalid, not_found
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptMode,
    AttemptQuestion,
    Course,
    Document,
    Enrollment,
    Fact,
    FactProgress,
    FactStatus,
    LiveAnswer,
    LivePlayer,
    Question,
    QuestionStatus,
    Response,
    Role,
    ShowKeys,
    User,
    utcnow,
)
from .questions import StoredQuestion, stored_question

MAX_COUNT = 50


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


def seen_by(owner_id: int | None):
    """SQL: the question rows an instructor's draws use, or (None) the shared bank.

    An instructor's own version of a question (``Question.owner_id``: their edit, or their
    retirement) stands in for the shared one in their classes and warm-ups only; students
    practising on their own, and everyone else, draw from the shared bank.
    """
    shared = Question.owner_id.is_(None)
    if owner_id is None:
        return shared
    own = aliased(Question)
    replaced = select(own.uid).where(own.owner_id == owner_id)
    # is_not(None) first: no NULL comparison, so the negation (teach.review_queue) holds too.
    mine = Question.owner_id.is_not(None) & (Question.owner_id == owner_id)
    return mine | (shared & Question.uid.not_in(replaced))


def active_candidates(document_ids: list[int] | None = None,
                      owner_id: int | None = None,
                      readable_by: User | None = None) -> list[Candidate]:
    """Questions that may be asked: active, about approved facts only, in ``seen_by``, and
    (with ``readable_by``) from the commentaries that user may read."""
    query = select(Question.id, Question.type, Question.topic, Question.fact_ids,
                   Question.payload["importance"].as_string(),
                   Question.payload["cues"], Question.payload["near"]).where(
        Question.status == QuestionStatus.ACTIVE, seen_by(owner_id))
    if readable_by is not None:
        query = query.where(Question.document_id.in_(visible_document_ids(readable_by)))
    if document_ids:
        query = query.where(Question.document_id.in_(document_ids))
    approved = set(db.session.scalars(select(Fact.id).where(Fact.status == FactStatus.APPROVED)))
    return [Candidate(qid, qtype, topic, tuple(facts), importance or "supporting",
                      tuple(cues or ()), tuple(near or ()))
            for qid, qtype, topic, facts, importance, cues, near in db.session.execute(query)
            if all(f in approved for f in facts)]


def known_topics() -> list[str]:
    return sorted(set(db.session.scalars(select(Fact.topic).where(
        Fact.status == FactStatus.APPROVED))))


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
    if mode not in ("practice", "review", "assignment"):
        raise invalid("Unknown mode.", {"mode": "Use practice or review."})
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
            if not earlier.finished and not earlier.responses:
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
    else:
        picked = draw(candidates, count, rng, types, topics)
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

    ``full``: load its items, their questions and its responses in three queries, for views
    that show the whole attempt (instead of one query per question).
    """
    options = [selectinload(Attempt.items).joinedload(AttemptQuestion.question),
               selectinload(Attempt.responses)] if full else []
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
           AttemptQuestion.__table__.c.question_id, Response.__table__.c.id.label("answer"))
    .select_from(Attempt.__table__
                 .outerjoin(AttemptQuestion.__table__,
                            AttemptQuestion.__table__.c.attempt_id == Attempt.__table__.c.id)
                 .outerjoin(Response.__table__,
                            (Response.__table__.c.attempt_id == Attempt.__table__.c.id)
                            & (Response.__table__.c.question_id
                               == AttemptQuestion.__table__.c.question_id)))
    .where(Attempt.__table__.c.id == bindparam("attempt_id"))
    .order_by(AttemptQuestion.__table__.c.position))


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


def keys_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the learner may see keys and explanations for this attempt now."""
    assignment = attempt.assignment
    if assignment is None:
        return True
    return keys_shown(assignment.show_keys, assignment.due_at, now or utcnow())


def keys_hidden(now: datetime):
    """SQL: the attempt (``Attempt``) belongs to an assignment whose keys are hidden now."""
    return Attempt.assignment_id.in_(select(Assignment.id).where(
        (Assignment.show_keys == ShowKeys.NEVER)
        | ((Assignment.show_keys == ShowKeys.AFTER_DUE) & (Assignment.due_at > now))))


def visible_score(attempt: Attempt) -> float | None:
    """The attempt's score, or None while its keys are hidden (a score tells them too)."""
    return attempt.score if keys_visible(attempt) else None


def keys_shown(show_keys: ShowKeys | None, due_at: datetime | None, now: datetime) -> bool:
    if show_keys is None or show_keys is ShowKeys.IMMEDIATELY:
        return True
    if show_keys is ShowKeys.NEVER:
        return False
    return due_at is not None and now >= due_at


def _feedback(payload: dict[str, Any], correct: bool, credit: float, response: Any,
              revealed: bool) -> Feedback:
    return Feedback(correct=correct, credit=credit, answer_text=payload["answer_text"],
                    explanation=payload.get("explanation", ""),
                    source={"document": payload["source"]["document"],
                            "quote": payload["source"]["quote"],
                            "note": payload.get("source_note")},
                    response=response, revealed=revealed)


def feedback_for(attempt: Attempt, question: Question, response: Response) -> Feedback:
    return _feedback(question.payload, response.correct, response.credit, response.response,
                     keys_visible(attempt))


# The answer path's statements, on the tables (no unit-of-work bookkeeping): an answer is the
# most frequent write, when a whole class submits at once. Their compiled SQL is cached.
_ATTEMPT_T, _ITEM_T = Attempt.__table__, AttemptQuestion.__table__
_RESPONSE_T, _PROGRESS_T = Response.__table__, FactProgress.__table__
_ASSIGNMENT_T = Assignment.__table__
_ANSWER_TARGET = (
    select(_ATTEMPT_T.c.user_id, _ATTEMPT_T.c.finished_at, _ATTEMPT_T.c.deadline,
           _ITEM_T.c.question_id.label("item"), _RESPONSE_T.c.id.label("answered"),
           _RESPONSE_T.c.response, _RESPONSE_T.c.correct, _RESPONSE_T.c.credit,
           _ASSIGNMENT_T.c.show_keys, _ASSIGNMENT_T.c.due_at)
    .select_from(_ATTEMPT_T.outerjoin(_ITEM_T, (_ITEM_T.c.attempt_id == _ATTEMPT_T.c.id)
                                      & (_ITEM_T.c.question_id == bindparam("question_id")))
                 .outerjoin(_RESPONSE_T, (_RESPONSE_T.c.attempt_id == _ATTEMPT_T.c.id)
                            & (_RESPONSE_T.c.question_id == bindparam("question_id")))
                 .outerjoin(_ASSIGNMENT_T, _ASSIGNMENT_T.c.id == _ATTEMPT_T.c.assignment_id))
    .where(_ATTEMPT_T.c.id == bindparam("attempt_id")))
_STORED_RESPONSE = select(_RESPONSE_T.c.response, _RESPONSE_T.c.correct,
                          _RESPONSE_T.c.credit).where(
    _RESPONSE_T.c.attempt_id == bindparam("attempt_id"),
    _RESPONSE_T.c.question_id == bindparam("question_id"))
#: The first answer wins: a racing second insert (PostgreSQL) inserts nothing.
_INSERT_RESPONSE = {
    dialect: insert(_RESPONSE_T).on_conflict_do_nothing(
        index_elements=["attempt_id", "question_id"]).returning(_RESPONSE_T.c.id)
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}
_LOCK_LEARNER = select(User.__table__.c.id).where(
    User.__table__.c.id == bindparam("user_id")).with_for_update()
_PROGRESS_ROWS = select(_PROGRESS_T.c.id, _PROGRESS_T.c.fact_id, _PROGRESS_T.c.seen,
                        _PROGRESS_T.c.correct, _PROGRESS_T.c.card).where(
    _PROGRESS_T.c.user_id == bindparam("user_id"),
    _PROGRESS_T.c.fact_id.in_(bindparam("fact_ids", expanding=True)))
_UPDATE_PROGRESS = update(_PROGRESS_T).where(_PROGRESS_T.c.id == bindparam("row_id")).values(
    seen=bindparam("seen"), correct=bindparam("n_correct"), last_seen=bindparam("last_seen"),
    last_type=bindparam("last_type"), card=bindparam("card"), due=bindparam("due"))


def record_response(user: User, attempt_id: int, question_id: int,
                    response: Any) -> tuple[Feedback, bool]:
    """Store the first answer to a question of an attempt; return (feedback, created).

    Sending the same answer again changes nothing; a different one is refused (409).
    """
    begin_write(db.session)
    conn = db.session.connection()
    # One query: the attempt, whether the question is in it, any answer already given, and
    # whether keys are shown.
    target = conn.execute(_ANSWER_TARGET, {"attempt_id": attempt_id,
                                           "question_id": question_id}).first()
    if target is None or target.user_id != user.id:
        raise not_found("That attempt")
    question = stored_question(question_id) if target.item is not None else None
    if question is None:
        raise not_found("That question in this attempt")
    now = utcnow()
    revealed = keys_shown(target.show_keys, target.due_at, now)
    if target.answered is not None:
        return _repeat(question, target, response, revealed), False
    if target.finished_at is not None:
        raise conflict("This attempt is finished; answers can no longer change.")
    if target.deadline is not None and now > target.deadline:
        raise conflict("Time is up for this attempt; the answer was not recorded.")
    try:
        result = check(question.payload, response)
    except InvalidResponse as exc:
        raise invalid(str(exc), {"response": str(exc)}) from exc
    inserted = conn.execute(_INSERT_RESPONSE[conn.dialect.name], {
        "attempt_id": attempt_id, "question_id": question_id, "response": response,
        "correct": result.correct, "credit": result.credit, "answered_at": now}).first()
    if inserted is None:
        # Another request stored an answer first (PostgreSQL; SQLite serialises writes).
        stored = conn.execute(_STORED_RESPONSE, {"attempt_id": attempt_id,
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


def update_progress(user_id: int, question: StoredQuestion | Question, result: Result,
                    now: datetime) -> None:
    """Count the answer for every fact the question asks about and reschedule its review."""
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":
        # Serialise one learner's progress updates (two tabs, a warm-up and a quiz): else two
        # answers about one fact both insert its row, or both add 1 to the same old count.
        # SQLite needs no lock: write transactions there hold the database's write lock.
        conn.execute(_LOCK_LEARNER, {"user_id": user_id})
    known = {row.fact_id: row for row in conn.execute(
        _PROGRESS_ROWS, {"user_id": user_id, "fact_ids": list(question.fact_ids)})}
    updates, inserts = [], []
    for fact_id in dict.fromkeys(question.fact_ids):
        row = known.get(fact_id)
        card, due = scheduling.review(
            row.card if row is not None else None, result.correct, result.credit, now,
            card_id=zlib.crc32(f"{user_id}:{fact_id}".encode()) + 1)
        values = {"seen": (row.seen if row is not None else 0) + 1,
                  "n_correct": (row.correct if row is not None else 0) + int(result.correct),
                  "last_seen": now, "last_type": question.type, "card": card, "due": due}
        if row is not None:
            updates.append({"row_id": row.id, **values})
        else:
            values["correct"] = values.pop("n_correct")
            inserts.append({"user_id": user_id, "fact_id": fact_id, **values})
    if updates:
        conn.execute(_UPDATE_PROGRESS, updates)
    if inserts:
        conn.execute(insert(_PROGRESS_T), inserts)


def finish_attempt(user: User, attempt_id: int) -> Attempt:
    """Score and close the attempt; finishing twice returns the same score."""
    begin_write(db.session)
    attempt = get_attempt(user, attempt_id)
    if attempt.finished:
        return attempt
    attempt.score = attempt_score([r.credit for r in attempt.responses])
    attempt.finished_at = utcnow()
    db.session.flush()
    if attempt.assignment_id is not None:
        from . import lti  # the grade for the LMS, in the same transaction as the finish

        if lti.enqueue_grade(attempt):
            lti.send_after_response()
    return attempt


def _review_facts(user: User, before: datetime | None = None,
                  since: datetime | None = None) -> set[str]:
    """The facts asked in the learner's review quizzes started in [since, before)."""
    query = (select(Question.fact_ids)
             .join(AttemptQuestion, AttemptQuestion.question_id == Question.id)
             .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
             .where(Attempt.user_id == user.id, Attempt.mode == AttemptMode.REVIEW))
    if before is not None:
        query = query.where(Attempt.started_at < before)
    if since is not None:
        query = query.where(Attempt.started_at >= since)
    return {f for fact_ids in db.session.scalars(query) for f in fact_ids}


def review_queue(user: User, now: datetime) -> tuple[list[tuple[str, str | None]], int]:
    """(due facts a review asks now, most overdue first; new facts waiting for a later day).

    A fact is new to review until a review quiz has asked it; at most REVIEW_NEW_PER_DAY
    new facts join the reviews each UTC day, as Anki caps new cards, so a first day of
    practice does not turn into a pile no one can keep up with.
    """
    due = due_facts(user, now)
    today = datetime(now.year, now.month, now.day)
    earlier = _review_facts(user, before=today)
    met_today = _review_facts(user, since=today) - earlier
    allowance = max(0, int(current_app.config["REVIEW_NEW_PER_DAY"]) - len(met_today))
    ready: list[tuple[str, str | None]] = []
    waiting = 0
    for fact in due:
        if fact[0] in earlier or fact[0] in met_today:
            ready.append(fact)
        elif allowance:
            ready.append(fact)
            allowance -= 1
        else:
            waiting += 1
    return ready, waiting


def open_review(user: User) -> Attempt | None:
    """The learner's latest unfinished review quiz, if any."""
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.mode == AttemptMode.REVIEW,
        Attempt.finished_at.is_(None)).order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(1))


def review_status(user: User, now: datetime | None = None) -> dict[str, Any]:
    """What the review button says: facts ready, new ones waiting, an open review to resume."""
    ready, waiting = review_queue(user, now or utcnow())
    attempt = open_review(user)
    answered = db.session.scalar(select(func.count()).select_from(Response).where(
        Response.attempt_id == attempt.id)) if attempt else 0
    return {"ready": len(ready), "waiting": waiting, "open": attempt, "answered": answered,
            "new_per_day": int(current_app.config["REVIEW_NEW_PER_DAY"])}


def due_facts(user: User, now: datetime) -> list[tuple[str, str | None]]:
    """(fact id, type asked last) for the user's facts due now, most overdue first."""
    rows = db.session.execute(select(FactProgress.fact_id, FactProgress.last_type).where(
        FactProgress.user_id == user.id, FactProgress.due <= now).order_by(FactProgress.due))
    return [(fid, last) for fid, last in rows]


def progress_summary(user: User, now: datetime | None = None) -> dict[str, Any]:
    """The learner's progress, as ``GET /api/v1/progress`` returns it."""
    now = now or utcnow()
    finished = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.user_id == user.id, Attempt.finished_at.is_not(None)))
    answered, right = db.session.execute(
        select(func.count(Response.id), func.coalesce(func.sum(Response.credit), 0.0))
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(Attempt.user_id == user.id, ~keys_hidden(now))).one()
    rows = db.session.scalars(select(FactProgress).where(FactProgress.user_id == user.id)
                              .order_by(FactProgress.fact_id)).all()
    return {
        "attempts_completed": finished,
        "questions_answered": answered,
        "accuracy": round(float(right) / answered, 4) if answered else 0.0,
        "due_count": sum(1 for p in rows if p.due is not None and p.due <= now),
        "facts": [{"fact_id": p.fact_id, "seen": p.seen, "correct": p.correct,
                   "due": p.due.isoformat() + "Z" if p.due else None} for p in rows],
    }


# ------------------------------------------------------------ student pages (HTML views)

#: How the student pages define mastery (shown on the dashboard and the progress page).
MASTERY_DEFINITION = ("A fact counts as mastered when your latest answer about it, in a quiz "
                      "or a warm-up, was right.")


@functools.lru_cache(maxsize=8)
def _seed_topic_titles(seeds_dir: str) -> dict[str, str]:
    """Topic id → title from the fact files' ``topics:`` lists, in their order."""
    titles: dict[str, str] = {}
    for path in seed_paths(seeds_dir):
        for topic in load_factbase(path).topics:
            titles.setdefault(topic.id, topic.title)
    return titles


def _tidy(topic_id: str) -> str:
    return topic_id.replace("-", " ").capitalize()


def topic_titles() -> dict[str, str]:
    """Topic id → title of every topic with approved facts: the one source of topic titles.

    The fact files' topics come first, in their order; then each imported commentary's
    (its topic is its slug) under the commentary's title, sorted by that title.
    """
    known = set(known_topics())
    titles = {t: title for t, title in
              _seed_topic_titles(str(current_app.config["SEEDS_DIR"])).items() if t in known}
    rest = known - set(titles)
    imported = dict(db.session.execute(select(Document.slug, Document.title).where(
        Document.slug.in_(rest))).all()) if rest else {}
    for topic in sorted(rest, key=lambda t: ((imported.get(t) or _tidy(t)).casefold(), t)):
        titles[topic] = imported.get(topic) or _tidy(topic)
    return titles


def topic_title(topic_id: str) -> str:
    """The readable title of one topic (a query only for an imported commentary's)."""
    titles = _seed_topic_titles(str(current_app.config["SEEDS_DIR"]))
    if topic_id in titles:
        return titles[topic_id]
    return db.session.scalar(select(Document.title).where(Document.slug == topic_id)) \
        or _tidy(topic_id)


def topic_options(user: User | None = None) -> list[tuple[str, str]]:
    """(id, title) of every topic with approved facts, or of those ``user`` may practise."""
    titles = topic_titles()
    if user is not None:
        allowed = practice_topics(user, titles)
        return [(topic, title) for topic, title in titles.items() if topic in allowed]
    return list(titles.items())


def practice_topics(user: User, titles: dict[str, str] | None = None) -> set[str]:
    """The topics ``user`` may draw questions from: those of the commentaries they may read
    (``visible_document_ids``), so lists, validation and draws follow one rule."""
    titles = topic_titles() if titles is None else titles
    seeds = _seed_topic_titles(str(current_app.config["SEEDS_DIR"]))
    readable = set(db.session.scalars(select(Document.slug).where(
        Document.slug.in_([t for t in titles if t not in seeds] or ["-"]),
        Document.id.in_(visible_document_ids(user)))))
    return {t for t in titles if t in seeds or t in readable}


def latest_results(user: User) -> dict[str, bool]:
    """Fact id → whether the learner's latest answer about it (quiz or warm-up) was right."""
    quiz = (select(Response.answered_at, Response.id, Question.fact_ids, Response.correct)
            .join(Question, Question.id == Response.question_id)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .where(Attempt.user_id == user.id, ~keys_hidden(utcnow())))
    live = (select(LiveAnswer.answered_at, LiveAnswer.id, Question.fact_ids, LiveAnswer.correct)
            .join(Question, Question.id == LiveAnswer.question_id)
            .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
            .where(LivePlayer.user_id == user.id))
    rows = [*db.session.execute(quiz), *db.session.execute(live)]
    rows.sort(key=lambda row: (row[0], row[1]))
    latest: dict[str, bool] = {}
    for _at, _id, fact_ids, correct in rows:
        for fact_id in fact_ids:
            latest[fact_id] = bool(correct)
    return latest


def _mastery(progress: FactProgress | None, latest: bool | None) -> str:
    if latest is not None:
        return "mastered" if latest else "needs work"
    if progress is None or not progress.seen:
        return "not seen"
    return "mastered" if progress.correct == progress.seen else "needs work"


def topic_mastery(user: User) -> list[dict[str, Any]]:
    """Per topic: facts, facts seen, facts mastered and the mastered share."""
    latest = latest_results(user)
    progress = {p.fact_id: p for p in db.session.scalars(
        select(FactProgress).where(FactProgress.user_id == user.id))}
    totals: dict[str, list[int]] = {}
    for fact_id, topic in db.session.execute(select(Fact.id, Fact.topic).where(
            Fact.status == FactStatus.APPROVED,
            Fact.document_id.in_(visible_document_ids(user)))):
        counts = totals.setdefault(topic, [0, 0, 0])
        level = _mastery(progress.get(fact_id), latest.get(fact_id))
        counts[0] += 1
        counts[1] += level != "not seen"
        counts[2] += level == "mastered"
    return [{"topic": topic, "title": title, "facts": totals[topic][0],
             "seen": totals[topic][1], "mastered": totals[topic][2],
             "share": totals[topic][2] / totals[topic][0]}
            for topic, title in topic_options() if topic in totals]


def fact_progress(user: User, topic: str | None = None) -> list[dict[str, Any]]:
    """Every approved fact (of one topic, if given) with the learner's record of it."""
    query = (select(Fact).where(Fact.status == FactStatus.APPROVED,
                                Fact.document_id.in_(visible_document_ids(user)))
             .order_by(Fact.document_id, Fact.position, Fact.id))
    if topic:
        query = query.where(Fact.topic == topic)
    progress = {p.fact_id: p for p in db.session.scalars(
        select(FactProgress).where(FactProgress.user_id == user.id))}
    latest = latest_results(user)
    titles = topic_titles()
    rows = []
    for fact in db.session.scalars(query):
        p = progress.get(fact.id)
        rows.append({"fact_id": fact.id, "sentence": fact_sentence(fact.data),
                     "topic": fact.topic, "topic_title": titles.get(fact.topic, fact.topic),
                     "seen": p.seen if p else 0, "correct": p.correct if p else 0,
                     "last_seen": p.last_seen if p else None, "due": p.due if p else None,
                     "mastery": _mastery(p, latest.get(fact.id))})
    return rows


def attempt_history(user: User, limit: int = 10) -> list[Attempt]:
    """The learner's finished attempts, newest first."""
    return list(db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.finished_at.is_not(None))
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit)))


def accuracy_trend(user: User, limit: int = 20) -> list[float]:
    """Score shares (0..1) of the learner's last finished self-tests, oldest first."""
    rows = db.session.execute(
        select(Attempt.score, Attempt.max_score)
        .where(Attempt.user_id == user.id, Attempt.finished_at.is_not(None),
               Attempt.max_score > 0, Attempt.assignment_id.is_(None))
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit)).all()
    return [float(score or 0) / max_score for score, max_score in reversed(rows)]


def unfinished_attempts(user: User, limit: int = 3) -> list[tuple[Attempt, int]]:
    """The learner's open attempts, newest first, each with how many answers it holds."""
    attempts = list(db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.finished_at.is_(None))
        .order_by(Attempt.started_at.desc(), Attempt.id.desc()).limit(limit)))
    counts = dict(db.session.execute(
        select(Response.attempt_id, func.count()).where(
            Response.attempt_id.in_([a.id for a in attempts])).group_by(Response.attempt_id)
    ).all()) if attempts else {}
    return [(attempt, counts.get(attempt.id, 0)) for attempt in attempts]


def next_due_at(user: User, now: datetime | None = None) -> datetime | None:
    """When the learner's next fact comes due (after ``now``), or None if none is scheduled."""
    return db.session.scalar(select(func.min(FactProgress.due)).where(
        FactProgress.user_id == user.id, FactProgress.due > (now or utcnow())))


def start_fact_practice(user: User, fact_id: str, seed: int | None = None,
                        start_key: str | None = None) -> Attempt:
    """Start a short practice attempt (up to 3 questions) on one fact."""
    begin_write(db.session)
    fact = db.session.get(Fact, fact_id)
    if fact is None or fact.status is not FactStatus.APPROVED:
        raise not_found("That fact")
    ids = sorted(c.id for c in active_candidates() if c.fact_ids == (fact_id,))
    if not ids:
        raise invalid("There are no questions about that fact yet.")
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    random.Random(seed).shuffle(ids)
    ids = ids[:3]
    return start_attempt(user, count=len(ids), question_ids=ids, seed=seed,
                         start_key=bound_start_key(start_key, "fact", fact_id)
                         if start_key is not None else None)


def source_passages(source: dict[str, Any]) -> list[list[Segment]]:
    """The commentary paragraphs that hold a question's quotes, the quotes marked."""
    quotes = source.get("quotes") or [source.get("quote", "")]
    text = db.session.scalar(select(Document.text).where(
        Document.slug == source.get("document", "")))
    if text is None:
        return [[Segment(q, True, ("0",))] for q in quotes if q]
    return passages(text, quotes)


def true_statements(question: Question) -> list[str]:
    """The facts a question asks about, each as a true sentence (to correct a false one)."""
    by_id = {f.id: f for f in db.session.scalars(
        select(Fact).where(Fact.id.in_(question.fact_ids)))}
    return [fact_sentence(by_id[f].data) for f in question.fact_ids if f in by_id]


def course_instructor_ids(course_ids):
    """SQL: ids of the owners and co-instructors of the classes ``course_ids`` selects."""
    owners = select(Course.owner_id).where(Course.id.in_(course_ids))
    return owners.union(select(Enrollment.user_id).where(
        Enrollment.course_id.in_(course_ids), Enrollment.role == Role.INSTRUCTOR))


def visible_document_ids(user: User):
    """SQL: ids of the commentaries ``user`` may read; every route that shows one uses it.

    Everyone reads the seed texts. An instructor reads their own commentaries, drafts too;
    a student reads those with approved facts whose author teaches a class they are in.
    """
    if user.is_instructor:
        mine = Document.created_by_id == user.id
    else:
        classes = select(Enrollment.course_id).where(Enrollment.user_id == user.id,
                                                     Enrollment.role == Role.STUDENT)
        mine = Document.created_by_id.in_(course_instructor_ids(classes)) & \
            Document.id.in_(select(Fact.document_id).where(
                Fact.status == FactStatus.APPROVED))
    return select(Document.id).where(Document.created_by_id.is_(None) | mine)


def documents(user: User) -> list[Document]:
    """The commentaries ``user`` may read, oldest first."""
    return list(db.session.scalars(select(Document).where(
        Document.id.in_(visible_document_ids(user))).order_by(Document.id)))


def facts_of(document: Document) -> list[Fact]:
    """The approved facts of a commentary, in reading order."""
    return list(db.session.scalars(
        select(Fact).where(Fact.document_id == document.id,
                           Fact.status == FactStatus.APPROVED)
        .order_by(Fact.position, Fact.id)))
