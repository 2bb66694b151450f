"""Progress per fact: the review schedule after each answer, the review queue, mastery and
the dashboard's summaries.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, update

from ...domain import scheduling
from ...domain.checking import Result
from ...domain.passages import fact_sentence
from ...extensions import db
from ...models import (
    Answer,
    Attempt,
    AttemptMode,
    AttemptQuestion,
    Fact,
    FactProgress,
    FactStatus,
    LiveAnswer,
    LivePlayer,
    Question,
    User,
    utcnow,
)
from ..questions import StoredQuestion
from .keys import keys_hidden
from .topics import topic_options, topic_titles, visible_commentary_ids

_ANSWER_T, _PROGRESS_T = Answer.__table__, FactProgress.__table__


_LOCK_LEARNER = select(User.__table__.c.id).where(
    User.__table__.c.id == bindparam("user_id")).with_for_update()


_PROGRESS_ROWS = select(_PROGRESS_T.c.id, _PROGRESS_T.c.fact_id, _PROGRESS_T.c.seen,
                        _PROGRESS_T.c.correct, _PROGRESS_T.c.card).where(
    _PROGRESS_T.c.user_id == bindparam("user_id"),
    _PROGRESS_T.c.fact_id.in_(bindparam("fact_ids", expanding=True)))


_UPDATE_PROGRESS = update(_PROGRESS_T).where(_PROGRESS_T.c.id == bindparam("row_id")).values(
    seen=bindparam("seen"), correct=bindparam("n_correct"), last_seen=bindparam("last_seen"),
    last_type=bindparam("last_type"), card=bindparam("card"), due=bindparam("due"))


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
    answered = db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.attempt_id == attempt.id)) if attempt else 0
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
        select(func.count(Answer.id), func.coalesce(func.sum(Answer.credit), 0.0))
        .join(Attempt, Attempt.id == Answer.attempt_id)
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


#: How the student pages define mastery (shown on the dashboard and the progress page).
MASTERY_DEFINITION = ("A fact counts as mastered when your latest answer about it, in a quiz "
                      "or a warm-up, was right.")


def latest_results(user: User) -> dict[str, bool]:
    """Fact id → whether the learner's latest answer about it (quiz or warm-up) was right."""
    quiz = (select(Answer.answered_at, Answer.id, Question.fact_ids, Answer.correct)
            .join(Question, Question.id == Answer.question_id)
            .join(Attempt, Attempt.id == Answer.attempt_id)
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
            Fact.document_id.in_(visible_commentary_ids(user)))):
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
                                Fact.document_id.in_(visible_commentary_ids(user)))
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
        select(Answer.attempt_id, func.count()).where(
            Answer.attempt_id.in_([a.id for a in attempts])).group_by(Answer.attempt_id)
    ).all()) if attempts else {}
    return [(attempt, counts.get(attempt.id, 0)) for attempt in attempts]


def next_due_at(user: User, now: datetime | None = None) -> datetime | None:
    """When the learner's next fact comes due (after ``now``), or None if none is scheduled."""
    return db.session.scalar(select(func.min(FactProgress.due)).where(
        FactProgress.user_id == user.id, FactProgress.due > (now or utcnow())))
