"""Self-test use cases: start an attempt, record answers, finish, track progress per fact."""

from __future__ import annotations

import functools
import random
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..database import begin_write
from ..domain import scheduling
from ..domain.checking import InvalidResponse, Result, check
from ..domain.facts import load_factbase, seed_paths
from ..domain.generator import TYPES
from ..domain.passages import Segment, fact_sentence, passages
from ..domain.scoring import attempt_score
from ..domain.selection import Candidate, draw, review_pick
from ..errors import ServiceError, conflict, invalid, not_found
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptMode,
    AttemptQuestion,
    Document,
    Fact,
    FactProgress,
    FactStatus,
    LiveAnswer,
    LivePlayer,
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


def filter_errors(types: Any, topics: Any) -> dict[str, str]:
    """Field messages for a list of question types and a list of topic ids (empty when fine)."""
    fields: dict[str, str] = {}
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        fields["types"] = "Send a list of question types."
    elif set(types) - set(TYPES):
        fields["types"] = f"Unknown type; use {', '.join(TYPES)}."
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        fields["topics"] = "Send a list of topic ids."
    elif set(topics) - set(known_topics()):
        fields["topics"] = "Unknown topic."
    return fields


def validate_filters(count: Any, types: Any, topics: Any) -> tuple[int, list[str], list[str]]:
    """Check quiz options; raise a 400 naming each bad field."""
    fields: dict[str, str] = {}
    if count is None:
        count = 10
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        fields["count"] = f"Choose a whole number from 1 to {MAX_COUNT}."
    types = [] if types is None else types
    topics = [] if topics is None else topics
    fields.update(filter_errors(types, topics))
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


def topic_titles() -> dict[str, str]:
    """Topic id → readable title: from the seeds, else the id tidied up."""
    titles = dict(_seed_topic_titles(str(current_app.config["SEEDS_DIR"])))
    for topic in known_topics():
        titles.setdefault(topic, topic.replace("-", " ").capitalize())
    return titles


def topic_title(topic_id: str) -> str:
    """The readable title of one topic (no database query)."""
    titles = _seed_topic_titles(str(current_app.config["SEEDS_DIR"]))
    return titles.get(topic_id) or topic_id.replace("-", " ").capitalize()


def topic_options() -> list[tuple[str, str]]:
    """(id, title) of every topic with approved facts, in the fact files' order."""
    known = set(known_topics())
    return [(topic, title) for topic, title in topic_titles().items() if topic in known]


def latest_results(user: User) -> dict[str, bool]:
    """Fact id → whether the learner's latest answer about it (quiz or warm-up) was right."""
    quiz = (select(Response.answered_at, Response.id, Question.fact_ids, Response.correct)
            .join(Question, Question.id == Response.question_id)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .where(Attempt.user_id == user.id))
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
            Fact.status == FactStatus.APPROVED)):
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
    query = (select(Fact).where(Fact.status == FactStatus.APPROVED)
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


def start_fact_practice(user: User, fact_id: str, seed: int | None = None) -> Attempt:
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
    return start_attempt(user, count=len(ids), question_ids=ids, seed=seed)


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


def documents() -> list[Document]:
    """The commentaries, oldest first."""
    return list(db.session.scalars(select(Document).order_by(Document.id)))


def facts_of(document: Document) -> list[Fact]:
    """The approved facts of a commentary, in reading order."""
    return list(db.session.scalars(
        select(Fact).where(Fact.document_id == document.id,
                           Fact.status == FactStatus.APPROVED)
        .order_by(Fact.position, Fact.id)))
