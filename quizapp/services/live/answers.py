"""Answers from phones, stored by a group commit: many answers to one transaction,
because a whole room answers within a second (the documented exception to committing once
per request, see docs/architecture.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...database import begin_write
from ...domain.checking import InvalidResponse, Result, check
from ...domain.live import (
    LivePhase,
    valid_pin,
)
from ...domain.scoring import live_points
from ...errors import ServiceError, conflict, forbidden, invalid
from ...extensions import db
from ...models import (
    LiveAnswer,
    LiveGame,
    LivePlayer,
    Question,
    QuestionStatus,
)
from ...transactions import transaction
from ..identity import token_hash
from ..questions import stored_question
from ..study import update_progress
from .games import CONFIDENCE_LEVELS, reveal_if_all_answered
from .players import _unknown_player, expired_error
from .state import _cache, _no_such_pin, game_for_pin, game_lifetime, question_payload


@dataclass(frozen=True)
class AnswerReceipt:
    """What the phone is told on answering: stored, and nothing about right or wrong yet."""

    question_index: int
    response: Any
    confidence: str | None
    created: bool

    def to_json(self) -> dict[str, Any]:
        return {"recorded": True, "question_index": self.question_index,
                "response": self.response, "confidence": self.confidence}


# Statements of the answer hot path, built once (their compiled SQL is cached by SQLAlchemy),
# on the tables rather than the ORM classes, so no unit-of-work bookkeeping runs.
_PLAYER_T = LivePlayer.__table__
_GAME_T = LiveGame.__table__
_ANSWER_T = LiveAnswer.__table__


_ANSWER_CONTEXT = (
    select(_PLAYER_T.c.token_hash, _PLAYER_T.c.id, _PLAYER_T.c.kicked, _PLAYER_T.c.user_id,
           _GAME_T.c.id.label("game_id"), _GAME_T.c.pin, _GAME_T.c.phase,
           _GAME_T.c.question_index, _GAME_T.c.question_ids, _GAME_T.c.deadline,
           _GAME_T.c.seconds_per_question, _GAME_T.c.speed_bonus,
           _GAME_T.c.confidence.label("asks_confidence"), _GAME_T.c.created_at,
           _GAME_T.c.auto_reveal)
    .join(_GAME_T, _GAME_T.c.id == _PLAYER_T.c.game_id)
    .where(_PLAYER_T.c.token_hash.in_(bindparam("hashes", expanding=True))))


_EXISTING_ANSWERS = select(_ANSWER_T.c.player_id, _ANSWER_T.c.response,
                           _ANSWER_T.c.confidence).where(
    _ANSWER_T.c.player_id.in_(bindparam("players", expanding=True)),
    _ANSWER_T.c.question_index == bindparam("index"))


_INSERT_ANSWER = {
    dialect: insert(_ANSWER_T).on_conflict_do_nothing(
        index_elements=["player_id", "question_index"]).returning(
            _ANSWER_T.c.player_id, _ANSWER_T.c.question_index)
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}


_ADD_POINTS = (update(_PLAYER_T).where(_PLAYER_T.c.id == bindparam("player_id"))
               .values(score=_PLAYER_T.c.score + bindparam("points")))
_MAX_BATCH = 1000


def _existing_answers(conn: Any, jobs: list[_Job]) -> dict[tuple[int, int], Any]:
    """Stored answers for the jobs' (player, question index), one query per index."""
    found: dict[tuple[int, int], Any] = {}
    for index in {job.question_index for job in jobs}:
        players = list({job.player_id for job in jobs if job.question_index == index})
        for row in conn.execute(_EXISTING_ANSWERS, {"players": players, "index": index}):
            found[(row.player_id, index)] = row
    return found


def _repeat_or_conflict(existing: Any, question_index: int, response: Any) -> AnswerReceipt:
    if existing.response == response:
        return AnswerReceipt(question_index, existing.response, existing.confidence, False)
    raise conflict("You already answered this question; the first answer counts.")


@dataclass
class _Job:
    """One answer waiting for the group commit, and then its outcome."""

    pin: str
    token_hash: str
    question_index: int
    response: Any
    confidence: str | None
    now: datetime
    done: threading.Event = field(default_factory=threading.Event)
    receipt: AnswerReceipt | None = None
    error: ServiceError | None = None
    # Filled in while storing:
    player_id: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    progress: tuple[int, int, Result] | None = None
    #: The game shows the answer once every player has answered (games.auto_reveal).
    auto_reveal: bool = False

    @property
    def key(self) -> tuple[int, int]:
        return self.player_id, self.question_index


def _refusal(phase: LivePhase, open_index: int, deadline: datetime | None,
             question_index: int, now: datetime) -> ServiceError | None:
    """Why an answer to ``question_index`` arriving at ``now`` cannot count, if it cannot."""
    if phase is LivePhase.FINISHED:
        return conflict("This warm-up has ended; the answer was not recorded.")
    if phase is LivePhase.LOBBY or question_index != open_index:
        return ServiceError(409, "wrong_question", f"Question {question_index} is not open "
                            "now; the answer was not recorded.")
    if deadline is not None and now >= deadline:
        return ServiceError(409, "too_late", "Time is up for this question: your answer "
                            "arrived after the deadline and was not recorded.")
    return None


def submit_answer(pin: str, token: Any, question_index: int, response: Any,
                  confidence: Any, now: datetime) -> AnswerReceipt:
    """Store a player's answer to the open question, once; the server's clock decides late.

    Sending the same answer again returns the same receipt (even after the deadline, so a
    retry after a network drop is harmless); a different second answer is refused. ``now``
    is when the answer arrived: waiting for the database does not make it late.

    The hot path of a warm-up, when a whole room answers within a second. The answer joins
    a queue and ``_group_commit`` stores all answers waiting at that moment in one
    transaction, with one query for all their players, one insert and one update, and
    **commits** it. This is the one service that commits, because one transaction per
    answer is what a single-writer SQLite cannot do a thousand times a second. It returns
    (or raises the answer's refusal) only after the commit.
    """
    if confidence is not None and confidence not in CONFIDENCE_LEVELS:
        raise invalid("Confidence must be “sure” or “unsure”.",
                      {"confidence": "Use sure or unsure."})
    if not isinstance(token, str) or not 0 < len(token) <= 200:
        game_for_pin(pin)  # 404 for an unknown PIN
        raise _unknown_player()
    return _group_commit(_Job(pin, token_hash(token), question_index, response, confidence,
                              now))


def _group_commit(job: _Job) -> AnswerReceipt:
    """Queue ``job``; whichever waiting request gets there first writes every queued answer.

    Leader/follower, no background thread: the leader drains the queue in batches, each in
    one transaction behind the writers' queue (database.py), so the workers take turns;
    followers wait for their answer's outcome, and take over if the leader finished first.
    """
    cache = _cache()
    cache.answer_queue.append(job)
    deadline = time.monotonic() + 2 * float(current_app.config.get("SQLITE_BUSY_TIMEOUT", 5))
    while not job.done.is_set():
        if cache.answer_leader.acquire(blocking=False):
            try:
                while cache.answer_queue:
                    _write_batch(cache.answer_queue)
            finally:
                cache.answer_leader.release()
        elif not job.done.wait(0.02) and time.monotonic() > deadline:
            raise ServiceError(503, "busy", "The server is busy; your answer may not be "
                               "saved yet. Send it again: a repeat counts once.")
    if job.error is not None:
        raise job.error
    assert job.receipt is not None
    return job.receipt


def _write_batch(queue: deque) -> None:
    """Store queued answers in one transaction; settle every job, whatever happens.

    The batch is taken from the queue once the write lock is held, so it includes all that
    arrived while waiting for it.
    """
    batch: list[_Job] = []
    try:
        with transaction():
            begin_write(db.session)  # queued behind the other writers (database.py)
            while queue and len(batch) < _MAX_BATCH:
                batch.append(queue.popleft())
            _store(db.session.connection(), batch)
    except Exception as exc:  # noqa: BLE001 - every waiting request must get an answer
        if not isinstance(exc, ServiceError):
            current_app.logger.exception("storing %d warm-up answers failed", len(batch))
            exc = ServiceError(503, "busy", "Your answer could not be saved; send it again "
                               "(a repeat counts once).")
        for job in batch:  # nothing of the batch was stored
            job.receipt, job.error = None, exc
    finally:
        for job in batch:
            job.done.set()


def _prepare(job: _Job, ctx: Any) -> bool:
    """Check one answer against its player and game; True if it is to be inserted."""
    job.player_id = ctx.id
    if ctx.kicked:
        job.error = forbidden("The host removed you from this warm-up; answers no longer "
                              "count.")
        return False
    job.error = _refusal(ctx.phase, ctx.question_index, ctx.deadline, job.question_index,
                         job.now)
    if job.error is None and job.now >= ctx.created_at + game_lifetime():
        job.error = expired_error()
    if job.error is not None:
        return False  # unless it repeats a stored answer, checked afterwards
    question_id = ctx.question_ids[job.question_index]
    try:
        result = check(question_payload(question_id), job.response)
    except InvalidResponse as exc:
        job.error = invalid(str(exc), {"response": str(exc)})
        return False
    confidence = job.confidence if ctx.asks_confidence else None
    seconds_left = (ctx.deadline - job.now).total_seconds() if ctx.deadline else 0.0
    points = live_points(result.correct, result.credit, seconds_left=seconds_left,
                         seconds_total=float(ctx.seconds_per_question),
                         speed_bonus=ctx.speed_bonus, confidence=confidence)
    job.confidence = confidence
    job.values = {"game_id": ctx.game_id, "player_id": ctx.id,
                  "question_index": job.question_index, "question_id": question_id,
                  "response": job.response, "correct": result.correct, "points": points,
                  "confidence": confidence, "answered_at": job.now}
    if ctx.user_id is not None:
        job.progress = (ctx.user_id, question_id, result)
    job.auto_reveal = ctx.auto_reveal
    return True


def _store(conn: Any, batch: list[_Job]) -> None:
    """Insert a batch of answers: one query for the players, one insert, one update."""
    players = {row.token_hash: row for row in conn.execute(
        _ANSWER_CONTEXT, {"hashes": list({job.token_hash for job in batch})})}
    first: dict[tuple[int, int], _Job] = {}
    to_insert: list[_Job] = []
    compare: list[_Job] = []  # might repeat an answer stored before (or in this batch)
    for job in batch:
        ctx = players.get(job.token_hash)
        if ctx is None or ctx.pin != job.pin:
            job.error = _unknown_player() if _pin_exists(conn, job.pin) else _no_such_pin()
        elif _prepare(job, ctx):
            if job.key in first:
                compare.append(job)
            else:
                first[job.key] = job
                to_insert.append(job)
        elif job.error is not None and job.error.status == 409:
            compare.append(job)
    inserted: set[tuple[int, int]] = set()
    if to_insert:
        inserted = {(r.player_id, r.question_index) for r in conn.execute(
            _INSERT_ANSWER[conn.dialect.name], [job.values for job in to_insert])}
    created = [job for job in to_insert if job.key in inserted]
    if created:
        conn.execute(_ADD_POINTS, [{"player_id": job.player_id,
                                    "points": job.values["points"]} for job in created])
    for job in created:
        job.receipt = AnswerReceipt(job.question_index, job.response, job.confidence, True)
        if job.progress is not None:
            _feed_progress(*job.progress, job.now)
    closing: dict[tuple[int, str, int], datetime] = {}
    for job in created:
        if job.auto_reveal:
            key = (job.values["game_id"], job.pin, job.question_index)
            closing[key] = max(job.now, closing.get(key, job.now))
    for (game_id, pin, index), last in closing.items():
        reveal_if_all_answered(game_id, pin, index, last)
    compare += [job for job in to_insert if job.key not in inserted]
    stored = _existing_answers(conn, compare) if compare else {}
    for job in compare:
        existing = stored.get(job.key)
        if existing is None:
            continue  # keeps its refusal
        try:
            job.receipt, job.error = _repeat_or_conflict(existing, job.question_index,
                                                         job.response), None
        except ServiceError as exc:
            job.receipt, job.error = None, exc


def _pin_exists(conn: Any, pin: str) -> bool:
    return valid_pin(pin) and conn.execute(
        select(_GAME_T.c.id).where(_GAME_T.c.pin == pin).limit(1)).first() is not None


def _feed_progress(user_id: int, question_id: int, result: Result, now: datetime) -> None:
    """A logged-in player's warm-up answer counts towards their own review schedule."""
    status = db.session.scalar(select(Question.status).where(Question.id == question_id))
    question = stored_question(question_id)
    if question is not None and status is QuestionStatus.ACTIVE:
        update_progress(user_id, question, result, now)
