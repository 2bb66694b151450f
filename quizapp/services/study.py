"""Self-test use cases: start an attempt, record answers, finish, track progress per fact."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..database import begin_write
from ..domain import scheduling
from ..domain.checking import InvalidResponse, Result, check
from ..domain.generator import TYPES
from ..domain.scoring import attempt_score
from ..domain.selection import Candidate, draw, review_pick
from ..errors import ServiceError, conflict, invalid, not_found
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptMode,
    AttemptQuestion,
    Fact,
    FactProgress,
    FactStatus,
    Question,
    QuestionStatus,
    Response,
    ShowKeys,
    User,
    utcnow,
)

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


def active_candidates(document_ids: list[int] | None = None) -> list[Candidate]:
    """Questions that may be asked: active, and about approved facts only."""
    query = select(Question.id, Question.type, Question.topic, Question.fact_ids).where(
        Question.status == QuestionStatus.ACTIVE)
    if document_ids:
        query = query.where(Question.document_id.in_(document_ids))
    approved = set(db.session.scalars(select(Fact.id).where(Fact.status == FactStatus.APPROVED)))
    return [Candidate(qid, qtype, topic, tuple(facts))
            for qid, qtype, topic, facts in db.session.execute(query)
            if all(f in approved for f in facts)]


def known_topics() -> list[str]:
    return sorted(set(db.session.scalars(select(Fact.topic).where(
        Fact.status == FactStatus.APPROVED))))


def validate_filters(count: Any, types: Any, topics: Any) -> tuple[int, list[str], list[str]]:
    """Check quiz options; raise a 400 naming each bad field."""
    fields: dict[str, str] = {}
    if count is None:
        count = 10
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        fields["count"] = f"Choose a whole number from 1 to {MAX_COUNT}."
    types = [] if types is None else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        fields["types"] = "Send a list of question types."
    elif set(types) - set(TYPES):
        fields["types"] = f"Unknown type; use {', '.join(TYPES)}."
    topics = [] if topics is None else topics
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        fields["topics"] = "Send a list of topic ids."
    elif set(topics) - set(known_topics()):
        fields["topics"] = "Unknown topic."
    if fields:
        raise invalid("Some quiz options are not valid.", fields)
    return count, types, topics


def start_attempt(user: User, *, count: Any = 10, types: Any = None, topics: Any = None,
                  seed: Any = None, mode: str = "practice",
                  assignment: Assignment | None = None,
                  question_ids: list[int] | None = None) -> Attempt:
    """Create an attempt with its questions drawn (reproducibly for ``seed``)."""
    if mode not in ("practice", "review", "assignment"):
        raise invalid("Unknown mode.", {"mode": "Use practice or review."})
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2**31):
        raise invalid("The seed must be a whole number.", {"seed": "Use 0 to 2147483647."})
    count, types, topics = validate_filters(count, types, topics)
    begin_write(db.session)
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)
    candidates = active_candidates()
    if question_ids:
        wanted = {c.id: c for c in candidates}
        picked = [wanted[i] for i in question_ids if i in wanted]
    elif mode == "review":
        due = due_facts(user, utcnow())
        picked = review_pick(due, candidates, count, rng)
        if not picked:
            raise ServiceError(409, "nothing_due", "Nothing is due for review right now. "
                               "Take a practice quiz, and wrong answers come back here.")
    else:
        picked = draw(candidates, count, rng, types, topics)
    if not picked:
        raise invalid("No questions match those topics and forms.",
                      {"topics": "Choose other topics or forms."})
    attempt = Attempt(user_id=user.id, seed=seed, mode=AttemptMode(mode), max_score=len(picked),
                      assignment_id=assignment.id if assignment else None)
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


def keys_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the learner may see keys and explanations for this attempt now."""
    assignment = attempt.assignment
    if assignment is None or assignment.show_keys is ShowKeys.IMMEDIATELY:
        return True
    if assignment.show_keys is ShowKeys.NEVER:
        return False
    return (now or utcnow()) >= assignment.due_at


def feedback_for(attempt: Attempt, question: Question, response: Response) -> Feedback:
    payload = question.payload
    return Feedback(correct=response.correct, credit=response.credit,
                    answer_text=payload["answer_text"], explanation=payload.get("explanation",
                                                                                ""),
                    source={"document": payload["source"]["document"],
                            "quote": payload["source"]["quote"],
                            "note": payload.get("source_note")},
                    response=response.response, revealed=keys_visible(attempt))


def record_response(user: User, attempt_id: int, question_id: int,
                    response: Any) -> tuple[Feedback, bool]:
    """Store the first answer to a question of an attempt; return (feedback, created).

    Sending the same answer again changes nothing; a different one is refused (409).
    """
    begin_write(db.session)
    attempt = get_attempt(user, attempt_id)
    # One query for this question's row, its question and any answer already given (not
    # every item of the attempt).
    found = db.session.execute(
        select(AttemptQuestion, Response)
        .outerjoin(Response, (Response.attempt_id == AttemptQuestion.attempt_id)
                   & (Response.question_id == AttemptQuestion.question_id))
        .where(AttemptQuestion.attempt_id == attempt.id,
               AttemptQuestion.question_id == question_id)
        .options(joinedload(AttemptQuestion.question))).first()
    if found is None:
        raise not_found("That question in this attempt")
    item, existing = found
    if existing is not None:
        if existing.response == response:
            return feedback_for(attempt, item.question, existing), False
        raise conflict("This question was already answered; the first answer counts.")
    if attempt.finished:
        raise conflict("This attempt is finished; answers can no longer change.")
    now = utcnow()
    if attempt.deadline is not None and now > attempt.deadline:
        raise conflict("Time is up for this attempt; the answer was not recorded.")
    try:
        result = check(item.question.payload, response)
    except InvalidResponse as exc:
        raise invalid(str(exc), {"response": str(exc)}) from exc
    row = Response(attempt_id=attempt.id, question_id=question_id, response=response,
                   correct=result.correct, credit=result.credit, answered_at=now)
    if db.session.get_bind().dialect.name == "sqlite":
        # This transaction holds the write lock and saw no answer: no other can slip in.
        db.session.add(row)
        update_progress(user.id, item.question, result, now)
        return feedback_for(attempt, item.question, row), True
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Another request stored an answer first (PostgreSQL; SQLite serialises writes).
        existing = db.session.scalar(select(Response).where(
            Response.attempt_id == attempt.id, Response.question_id == question_id))
        if existing is not None and existing.response == response:
            return feedback_for(attempt, item.question, existing), False
        raise conflict("This question was already answered; the first answer counts.") \
            from None
    update_progress(user.id, item.question, result, now)
    return feedback_for(attempt, item.question, row), True


def update_progress(user_id: int, question: Question, result: Result, now: datetime) -> None:
    """Count the answer for every fact the question asks about and reschedule its review."""
    if db.session.get_bind().dialect.name != "sqlite":
        # Serialise one learner's progress updates (two tabs, a warm-up and a quiz): else two
        # answers about one fact both insert its row, or both add 1 to the same old count.
        # SQLite needs no lock: write transactions there hold the database's write lock.
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    known = {p.fact_id: p for p in db.session.scalars(select(FactProgress).where(
        FactProgress.user_id == user_id, FactProgress.fact_id.in_(question.fact_ids)))}
    for fact_id in question.fact_ids:
        progress = known.get(fact_id)
        if progress is None:
            progress = FactProgress(user_id=user_id, fact_id=fact_id, seen=0, correct=0)
            db.session.add(progress)
        progress.seen += 1
        progress.correct += 1 if result.correct else 0
        progress.last_seen = now
        progress.last_type = question.type
        progress.card, progress.due = scheduling.review(
            progress.card, result.correct, result.credit, now,
            card_id=zlib.crc32(f"{user_id}:{fact_id}".encode()) + 1)
    db.session.flush()


def finish_attempt(user: User, attempt_id: int) -> Attempt:
    """Score and close the attempt; finishing twice returns the same score."""
    begin_write(db.session)
    attempt = get_attempt(user, attempt_id)
    if attempt.finished:
        return attempt
    attempt.score = attempt_score([r.credit for r in attempt.responses])
    attempt.finished_at = utcnow()
    db.session.flush()
    return attempt


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
        .join(Attempt, Attempt.id == Response.attempt_id).where(Attempt.user_id == user.id)
    ).one()
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


def next_unanswered(attempt: Attempt) -> AttemptQuestion | None:
    answered = {r.question_id for r in attempt.responses}
    return next((i for i in attempt.items if i.question_id not in answered), None)
