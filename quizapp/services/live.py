"""Seminar warm-ups: a live quiz joined by PIN, hosted on a projector, answered on phones.

All game state lives in the database, so several gunicorn workers can serve one game and a
restarted worker loses nothing. The phase "question" turns into "reveal" when the deadline
passes; that is derived when the state is read, so no background thread is needed.

Services add and flush, never commit; the request commits once (transactions.py) and then
``publish`` runs, so every worker's state cache forgets the old state at once. The exception
is answering
(``submit_answer``): a whole room answers within a second, so answers are stored by a group
commit, many to a transaction, and that service commits before it returns.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import random
import re
import secrets
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Integer, bindparam, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..domain.checking import InvalidResponse, Result, check
from ..domain.generator import public_view
from ..domain.question_types import QUESTION_TYPES
from ..domain.scoring import live_points, whole_points
from ..domain.selection import draw
from ..errors import ServiceError, conflict, forbidden, invalid, not_found
from ..extensions import db
from ..models import (
    LiveAnswer,
    LiveGame,
    LivePhase,
    LivePlayer,
    Question,
    QuestionStatus,
    User,
)
from ..stamps import StampFile
from ..transactions import on_commit, transaction
from .caching import SharedLRU
from .questions import stored_question
from .study import MAX_COUNT, active_candidates, update_progress, validate_filters

PIN_RE = re.compile(r"^\d{6}$")
NICKNAME_MAX = 20
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 5, 300, 20
MAX_PLAYERS = 2000
CONFIDENCE_LEVELS = ("sure", "unsure")
LEADERBOARD_SIZE = 10
#: Characters refused in nicknames: controls, invisible formatting (bidi overrides,
#: zero-width spaces), separators that break lines, unassigned and private-use code points.
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_ZWJ = "\u200d"  # joins emoji sequences; harmless


# ----------------------------------------------------------------------------- helpers

def iso(moment: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 with milliseconds and a Z."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds") + "Z"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def effective_phase(game: LiveGame, now: datetime) -> LivePhase:
    """The phase players see now: a question whose deadline passed is being revealed."""
    if game.phase is LivePhase.QUESTION and game.deadline is not None and now >= game.deadline:
        return LivePhase.REVEAL
    return game.phase


def valid_pin(pin: str) -> bool:
    return isinstance(pin, str) and PIN_RE.match(pin) is not None


def clean_nickname(raw: Any) -> str:
    """Trim and check a nickname; raise a 400 naming the problem."""
    if not isinstance(raw, str):
        raise invalid("Choose a nickname.", {"nickname": "Type a nickname (text)."})
    text = unicodedata.normalize("NFC", raw)
    if any(unicodedata.category(ch) in _BAD_CATEGORIES and ch != _ZWJ for ch in text):
        raise invalid("That nickname contains invisible or control characters.",
                      {"nickname": "Leave out control and invisible characters (line "
                                   "breaks, tabs, zero-width or direction marks)."})
    text = " ".join(text.split())
    if not text:
        raise invalid("Choose a nickname.", {"nickname": "Type a nickname."})
    if len(text) > NICKNAME_MAX:
        raise invalid("That nickname is too long.",
                      {"nickname": f"Use at most {NICKNAME_MAX} characters."})
    return text


def nickname_key(nickname: str) -> str:
    """Case- and width-folded nickname ("Anna", "ANNA" and "Ａｎｎａ" clash); fits 24 chars."""
    folded = unicodedata.normalize("NFKC", nickname).casefold()
    if len(folded) <= 24:
        return folded
    return "#" + hashlib.sha256(folded.encode()).hexdigest()[:23]


# ----------------------------------------------------------------------- in-process cache

@dataclass
class _Entry:
    expires: datetime
    created: datetime
    state: dict[str, Any] | None
    etag: str | None
    #: The state as JSON without its closing brace, to append ``server_time`` cheaply.
    json_head: str = ""
    #: The change stamp when this entry was made (see publish).
    stamp: tuple[int, int] = (0, 0)

    def fresh(self, now: datetime, stamp: tuple[int, int]) -> bool:
        return self.created <= now < self.expires and stamp == self.stamp


#: PINs (games, or no game) whose state a worker keeps; more than run at once on one server.
MAX_CACHED_PINS = 4096
#: Games whose standings a worker keeps.
MAX_CACHED_GAMES = 1024


@dataclass
class LiveCache:
    """Per-app, per-process caches: the public state per PIN, ranks, the answer queue."""

    #: Bounded: a client may poll any number of PINs that name no game.
    states: SharedLRU = field(default_factory=lambda: SharedLRU(MAX_CACHED_PINS))
    #: Per game: (version and phase, good until, negated scores ascending) for ranks.
    standings: SharedLRU = field(default_factory=lambda: SharedLRU(MAX_CACHED_GAMES))
    #: Answers waiting for the group commit, and who is writing them now.
    answer_queue: deque = field(default_factory=deque)
    answer_leader: threading.Lock = field(default_factory=threading.Lock)


def _cache(app: Flask | None = None) -> LiveCache:
    return (app or current_app).extensions.setdefault("quizapp.live", LiveCache())


#: Grows by a byte whenever a game changes; see publish.
_STAMP = StampFile("live-stamp", "live-state.stamp")


def _stamp(app: Flask) -> tuple[int, int]:
    """The change stamp shared by all workers on this machine (stamps.py)."""
    return _STAMP.read(app)


def publish(pin: str) -> None:
    """Tell every worker that a game changed (call after committing the change).

    This process forgets its cached state of ``pin``; the others notice that the stamp
    file grew and drop their cached states at their phones' next poll, so a new question
    reaches every phone without waiting for the cache to expire.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _cache(app).states.pop(pin, None)
    _STAMP.touch(app)


def question_payload(question_id: int) -> dict[str, Any]:
    """The stored question (with its key), cached: stored questions never change."""
    question = stored_question(question_id)
    if question is None:
        raise not_found("That question")
    return question.payload


# ------------------------------------------------------------------------------- games

def _unfinished_pins() -> set[str]:
    return set(db.session.scalars(select(LiveGame.pin).where(
        LiveGame.phase != LivePhase.FINISHED)))


def new_pin(taken: set[str], rng: secrets.SystemRandom | None = None) -> str:
    """A random 6-digit PIN not in ``taken`` (no leading zero, so it reads as a number)."""
    rng = rng or secrets.SystemRandom()
    for _ in range(1000):
        pin = str(rng.randrange(100000, 1000000))
        if pin not in taken:
            return pin
    raise ServiceError(503, "no_pin", "No free PIN right now; end an old warm-up and retry.")


def _validate_options(count: Any, seconds: Any, speed_bonus: Any, confidence: Any,
                      question_ids: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)
                                or not MIN_SECONDS <= seconds <= MAX_SECONDS):
        fields["seconds_per_question"] = (f"Choose a whole number of seconds from "
                                          f"{MIN_SECONDS} to {MAX_SECONDS}.")
    for name, value in (("speed_bonus", speed_bonus), ("confidence", confidence)):
        if not isinstance(value, bool):
            fields[name] = "Send true or false."
    if question_ids is not None and (
            not isinstance(question_ids, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in question_ids)
            or len(question_ids) > MAX_COUNT):
        fields["question_ids"] = f"Send a list of at most {MAX_COUNT} question ids (integers)."
    return fields


def create_game(host: User, *, count: Any = None, seconds_per_question: Any = None,
                types: Any = None, topics: Any = None, question_ids: Any = None,
                speed_bonus: Any = False, confidence: Any = False,
                seed: int | None = None) -> LiveGame:
    """Start a warm-up in the lobby with a fresh PIN and its questions drawn or hand-picked."""
    if not host.is_instructor:
        raise forbidden("Only instructors can host a warm-up.")
    fields = _validate_options(count, seconds_per_question, speed_bonus, confidence,
                               question_ids)
    if question_ids and "question_ids" not in fields:
        count = len(question_ids) if count is None else count
    try:
        count, types, topics = validate_filters(5 if count is None else count, types, topics,
                                                host)
    except ServiceError as exc:
        fields.update(exc.fields or {})
    if fields:
        raise invalid("Some warm-up options are not valid.", fields)
    begin_write(db.session)
    # The host's own versions, from the commentaries the host may read.
    candidates = active_candidates(owner_id=host.id, readable_by=host)
    if question_ids:
        known = {c.id for c in candidates}
        unknown = [i for i in question_ids if i not in known]
        if unknown:
            raise invalid("Some question ids are unknown or retired.",
                          {"question_ids": f"Unknown or retired: {unknown[:10]}"})
        if len(set(question_ids)) != len(question_ids):
            raise invalid("A question id appears twice.",
                          {"question_ids": "List each question once."})
        picked = list(question_ids)
    else:
        rng = random.Random(seed if seed is not None else secrets.randbits(31))
        picked = [c.id for c in draw(candidates, count, rng, types, topics)]
        if not picked:
            raise invalid("No questions match those topics and forms.",
                          {"topics": "Choose other topics or forms."})
    game = LiveGame(pin=new_pin(_unfinished_pins()), host_id=host.id, question_ids=picked,
                    phase=LivePhase.LOBBY, question_index=-1,
                    seconds_per_question=seconds_per_question or DEFAULT_SECONDS,
                    speed_bonus=speed_bonus, confidence=confidence, version=1)
    db.session.add(game)
    db.session.flush()
    on_commit(publish, game.pin)  # a phone may have polled the PIN before it existed
    return game


def _no_such_pin() -> ServiceError:
    return ServiceError(404, "not_found", "No warm-up has that PIN. Check the six digits on "
                        "the screen.")


def game_for_pin(pin: str) -> LiveGame:
    """The game players reach with ``pin``: the newest one (unfinished PINs are unique)."""
    game = None
    if valid_pin(pin):
        game = db.session.scalar(select(LiveGame).where(LiveGame.pin == pin)
                                 .order_by(LiveGame.id.desc()).limit(1))
    if game is None:
        raise _no_such_pin()
    return game


def hosted_game(user: User, *, game_id: int | None = None, pin: str | None = None) -> LiveGame:
    """The user's own game, by id or by PIN (their newest with it); another's is refused.

    404 when there is no such game at all, 403 when it belongs to another host.
    """
    if game_id is not None:
        game = db.session.get(LiveGame, game_id)
        if game is None:
            raise not_found("That warm-up")
        if game.host_id != user.id:
            raise forbidden("Only the host of this warm-up may do this.")
        return game
    if not valid_pin(pin or ""):
        raise not_found("That warm-up")
    game = db.session.scalar(select(LiveGame).where(LiveGame.pin == pin,
                                                    LiveGame.host_id == user.id)
                             .order_by(LiveGame.id.desc()).limit(1))
    if game is not None:
        return game
    if db.session.scalar(select(LiveGame.id).where(LiveGame.pin == pin).limit(1)) is not None:
        raise forbidden("Only the host of this warm-up may do this.")
    raise not_found("That warm-up")


def games_of(user: User, limit: int = 20) -> list[LiveGame]:
    return list(db.session.scalars(select(LiveGame).where(LiveGame.host_id == user.id)
                                   .order_by(LiveGame.id.desc()).limit(limit)))


def _open_question(game: LiveGame, index: int, now: datetime) -> None:
    game.phase = LivePhase.QUESTION
    game.question_index = index
    game.question_started_at = now
    game.deadline = now + timedelta(seconds=game.seconds_per_question)


def advance(user: User, now: datetime, *, game_id: int | None = None, pin: str | None = None,
            from_index: int | None = None) -> LiveGame:
    """Lobby → first question; question or reveal → next question; after the last → finished.

    ``from_index`` guards against a double click skipping a question: if the game is no
    longer at that index the call is refused with 409.
    """
    begin_write(db.session)
    game = hosted_game(user, game_id=game_id, pin=pin)
    if from_index is not None and from_index != game.question_index:
        raise conflict("The warm-up has already moved on; nothing was changed.")
    if game.phase is LivePhase.FINISHED:
        raise conflict("This warm-up has ended.")
    nxt = game.question_index + 1
    if nxt < len(game.question_ids):
        _open_question(game, nxt, now)
    else:
        _finish(game, now)
    game.version += 1
    db.session.flush()
    on_commit(publish, game.pin)
    return game


def reveal_now(user: User, now: datetime, *, game_id: int | None = None,
               pin: str | None = None) -> LiveGame:
    """Close the current question early and show its answer (no-op if already closed)."""
    begin_write(db.session)
    game = hosted_game(user, game_id=game_id, pin=pin)
    if effective_phase(game, now) is LivePhase.QUESTION:
        game.deadline = now
        game.version += 1
        db.session.flush()
        on_commit(publish, game.pin)
    return game


def _finish(game: LiveGame, now: datetime) -> None:
    game.phase = LivePhase.FINISHED
    game.ended_at = now
    if game.deadline is not None and game.deadline > now:
        game.deadline = now


def end_game(user: User, now: datetime, *, game_id: int | None = None,
             pin: str | None = None) -> LiveGame:
    """End the warm-up now (ending twice changes nothing)."""
    begin_write(db.session)
    game = hosted_game(user, game_id=game_id, pin=pin)
    if game.phase is not LivePhase.FINISHED:
        _finish(game, now)
        game.version += 1
        db.session.flush()
        on_commit(publish, game.pin)
    return game


def kick(user: User, *, game_id: int | None = None, pin: str | None = None,
         nickname: Any = None, player_id: Any = None) -> LivePlayer:
    """Remove a player: their answers stop counting and the nickname stays taken."""
    begin_write(db.session)
    game = hosted_game(user, game_id=game_id, pin=pin)
    if player_id is not None:
        player = db.session.get(LivePlayer, player_id) if isinstance(player_id, int) else None
        if player is not None and player.game_id != game.id:
            player = None
    elif isinstance(nickname, str) and nickname.strip():
        player = db.session.scalar(select(LivePlayer).where(
            LivePlayer.game_id == game.id,
            LivePlayer.nickname_key == nickname_key(" ".join(nickname.split()))))
    else:
        raise invalid("Name the player to remove.", {"nickname": "Type a nickname."})
    if player is None:
        raise not_found("A player with that nickname")
    if not player.kicked:
        player.kicked = True
        game.version += 1  # the removed phone learns it on its next look
        db.session.flush()
        on_commit(publish, game.pin)
    return player


# ----------------------------------------------------------------------------- players

def join(pin: str, raw_nickname: Any, *, user_id: int | None = None) -> tuple[LivePlayer, str]:
    """Add a player; return (player, token). The token is shown once and stored hashed.

    A logged-in user who already plays in this game gets their player back (a new token,
    so a second device takes over), whatever nickname they type.
    """
    nickname = clean_nickname(raw_nickname)
    begin_write(db.session)
    game = game_for_pin(pin)
    if game.phase is LivePhase.FINISHED:
        raise conflict("This warm-up has ended; ask the host for the new PIN.")
    token = secrets.token_urlsafe(24)
    if user_id is not None:
        mine = db.session.scalar(select(LivePlayer).where(LivePlayer.game_id == game.id,
                                                          LivePlayer.user_id == user_id))
        if mine is not None:
            if mine.kicked:
                raise forbidden("The host removed you from this warm-up.")
            mine.token_hash = token_hash(token)
            db.session.flush()
            return mine, token
    key = nickname_key(nickname)
    taken_msg = f"“{nickname}” is already taken in this warm-up; choose another nickname."
    if db.session.scalar(select(LivePlayer.id).where(LivePlayer.game_id == game.id,
                                                     LivePlayer.nickname_key == key)):
        raise ServiceError(409, "nickname_taken", taken_msg, {"nickname": taken_msg})
    players = db.session.scalar(select(func.count()).select_from(LivePlayer)
                                .where(LivePlayer.game_id == game.id))
    if players >= MAX_PLAYERS:
        raise conflict(f"This warm-up is full ({MAX_PLAYERS} players).")
    player = LivePlayer(game_id=game.id, nickname=nickname, nickname_key=key,
                        token_hash=token_hash(token), user_id=user_id, score=0)
    try:
        with db.session.begin_nested():
            db.session.add(player)
    except IntegrityError:  # PostgreSQL: someone took the name a moment ago
        raise ServiceError(409, "nickname_taken", taken_msg, {"nickname": taken_msg}) \
            from None
    return player, token


def player_for_token(game: LiveGame, token: Any) -> LivePlayer | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    player = db.session.scalar(select(LivePlayer).where(
        LivePlayer.token_hash == token_hash(token)))
    return player if player is not None and player.game_id == game.id else None


def _unknown_player() -> ServiceError:
    return ServiceError(401, "unknown_player", "Unknown player token for this warm-up; "
                        "join first (POST /api/v1/live/{pin}/players).")


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
           _GAME_T.c.confidence.label("asks_confidence"))
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


# ------------------------------------------------------------------------------- reads

def _question_json(game: LiveGame, index: int) -> dict[str, Any]:
    payload = question_payload(game.question_ids[index])
    return {**public_view(payload), "id": game.question_ids[index], "number": index + 1}


def build_state(game: LiveGame, now: datetime) -> dict[str, Any]:
    """The public state of a game (no keys until the reveal), without ``server_time``."""
    phase = effective_phase(game, now)
    state: dict[str, Any] = {
        "pin": game.pin, "phase": phase.value, "question_index": game.question_index,
        "question_count": len(game.question_ids), "version": game.version,
        "seconds_per_question": game.seconds_per_question,
        "speed_bonus": game.speed_bonus, "confidence": game.confidence,
    }
    if phase in (LivePhase.QUESTION, LivePhase.REVEAL) and game.question_index >= 0:
        state["question"] = _question_json(game, game.question_index)
        state["deadline"] = iso(game.deadline)
        if phase is LivePhase.REVEAL:
            payload = question_payload(game.question_ids[game.question_index])
            state["answer"] = payload["answer"]
            state["answer_text"] = payload["answer_text"]
    return state


def state_json(state: dict[str, Any], now: datetime) -> str:
    """The state as JSON text with the server's clock, for phones to correct their skew."""
    return json.dumps({**state, "server_time": iso(now)}, ensure_ascii=False,
                      separators=(",", ":"))


def state_etag(game_id: int, version: int, phase: str) -> str:
    return f"{game_id}-{version}-{phase}"


def public_state(pin: str, now: datetime) -> tuple[dict[str, Any], str]:
    """(state, ETag) for ``pin``, from a short per-process cache (1000 phones, few queries).

    An entry lives ``LIVE_STATE_CACHE`` seconds at most, and never past the question's
    deadline, when the phase turns to "reveal".
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = _cache(app)
    stamp = _stamp(app)  # read before the game, so a change during the query is noticed
    entry = cache.states.get(pin)
    if entry is not None and entry.fresh(now, stamp):
        if entry.state is None:
            raise _no_such_pin()
        return entry.state, entry.etag or ""
    ttl = timedelta(seconds=float(current_app.config.get("LIVE_STATE_CACHE", 0.5)))
    try:
        game = game_for_pin(pin)
    except ServiceError:
        if valid_pin(pin):
            cache.states[pin] = _Entry(now + ttl, now, None, None, stamp=stamp)
        raise
    state = build_state(game, now)
    expires = now + ttl
    if state["phase"] == "question" and game.deadline is not None:
        expires = min(expires, game.deadline)
    etag = state_etag(game.id, game.version, state["phase"])
    if valid_pin(pin):
        head = json.dumps(state, ensure_ascii=False, separators=(",", ":"))[:-1]
        cache.states[pin] = _Entry(expires, now, state, etag, head, stamp)
    return state, etag


def cached_state_body(app: Flask, pin: str, now: datetime) -> tuple[bytes, str] | None:
    """(JSON body with server_time, ETag) straight from this process's cache, or None.

    Used by the polling fast path, outside any request or app context.
    """
    entry = _cache(app).states.get(pin)
    if entry is None or entry.state is None or not entry.fresh(now, _stamp(app)):
        return None
    body = f'{entry.json_head},"server_time":"{iso(now)}"}}'
    return body.encode(), entry.etag or ""


def _ranked(rows: list[tuple[Any, float]]) -> list[tuple[int, Any, float]]:
    """Competition ranking (1, 2, 2, 4) of (item, score) already sorted best first."""
    out: list[tuple[int, Any, float]] = []
    for i, (item, score) in enumerate(rows):
        rank = out[-1][0] if out and out[-1][2] == score else i + 1
        out.append((rank, item, score))
    return out


def leaderboard(game: LiveGame, limit: int | None = LEADERBOARD_SIZE) -> list[dict[str, Any]]:
    """Players still in the game, best first, with competition ranks."""
    query = (select(LivePlayer).where(LivePlayer.game_id == game.id,
                                      LivePlayer.kicked.is_(False))
             .order_by(LivePlayer.score.desc(), LivePlayer.joined_at, LivePlayer.id))
    players = list(db.session.scalars(query))
    ranked = _ranked([(p, p.score) for p in players])
    if limit is not None:
        ranked = [r for r in ranked if r[0] <= limit][:limit]
    return [{"rank": rank, "nickname": p.nickname, "score": round(score, 1), "id": p.id}
            for rank, p, score in ranked]


def histogram(payload: dict[str, Any], answers: list[tuple[Any, bool]]) -> list[dict[str, Any]]:
    """Bars for a question: one per choice (mcq, multi), true/false, or right/partly/wrong.

    ``answers`` are (response, correct) pairs. Typed answers are never shown on the
    projector, only whether they were right.
    """
    return QUESTION_TYPES[payload["type"]].histogram(payload, answers)


def _answers_at(game: LiveGame, index: int) -> list[tuple[Any, bool]]:
    rows = db.session.execute(
        select(LiveAnswer.response, LiveAnswer.correct)
        .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
        .where(LiveAnswer.game_id == game.id, LiveAnswer.question_index == index,
               LivePlayer.kicked.is_(False)))
    return [(r.response, r.correct) for r in rows]


def question_summary(game: LiveGame, index: int) -> dict[str, Any]:
    payload = question_payload(game.question_ids[index])
    answers = _answers_at(game, index)
    return {"index": index, "question_id": game.question_ids[index], "type": payload["type"],
            "prompt": payload["prompt"], "answer_text": payload["answer_text"],
            "answered": len(answers), "correct": sum(1 for _, ok in answers if ok),
            "histogram": histogram(payload, answers)}


def player_count(game: LiveGame) -> int:
    return db.session.scalar(select(func.count()).select_from(LivePlayer).where(
        LivePlayer.game_id == game.id, LivePlayer.kicked.is_(False))) or 0


_PLAYER_STATUS = (
    select(_PLAYER_T.c.id, _PLAYER_T.c.nickname, _PLAYER_T.c.kicked, _PLAYER_T.c.score,
           _GAME_T.c.id.label("game_id"), _GAME_T.c.pin, _GAME_T.c.phase,
           _GAME_T.c.question_index, _GAME_T.c.deadline, _GAME_T.c.version)
    .join(_GAME_T, _GAME_T.c.id == _PLAYER_T.c.game_id)
    .where(_PLAYER_T.c.token_hash == bindparam("token_hash")))
_CURRENT_ANSWER = select(_ANSWER_T.c.response, _ANSWER_T.c.confidence, _ANSWER_T.c.correct,
                         _ANSWER_T.c.points).where(
    _ANSWER_T.c.player_id == bindparam("player_id"),
    _ANSWER_T.c.question_index == bindparam("question_index"))
_SCORES = select(_PLAYER_T.c.score).where(_PLAYER_T.c.game_id == bindparam("game_id"),
                                          _PLAYER_T.c.kicked.is_(False))


def _standings(game_id: int, key: tuple, now: datetime) -> list[float]:
    """Negated scores of the players still in, ascending, for ``bisect``; cached briefly,
    since a whole room asks at the same moment."""
    cache = _cache()
    hit = cache.standings.get(game_id)
    if hit is not None and hit[0] == key and now < hit[1]:
        return hit[2]
    negated = sorted(-score for score in db.session.connection().execute(
        _SCORES, {"game_id": game_id}).scalars())
    cache.standings[game_id] = (key, now + timedelta(seconds=0.5), negated)
    return negated


def player_status(pin: str, token: Any, now: datetime) -> dict[str, Any]:
    """What one phone needs beyond the public state: its score, rank and current answer.

    While a question is open, neither the points of the answer just given nor the rank is
    shown, so a phone cannot tell whether it was right before the reveal. Every phone asks
    when the phase changes, so this is two small queries and a shared ranking.
    """
    row = None
    if isinstance(token, str) and 0 < len(token) <= 200:
        row = db.session.connection().execute(
            _PLAYER_STATUS, {"token_hash": token_hash(token)}).first()
    if row is None or row.pin != pin:
        game_for_pin(pin)  # 404 for an unknown PIN
        raise _unknown_player()
    phase = row.phase
    if phase is LivePhase.QUESTION and row.deadline is not None and now >= row.deadline:
        phase = LivePhase.REVEAL
    answer = None
    score = row.score
    if row.question_index >= 0:
        mine = db.session.connection().execute(_CURRENT_ANSWER, {
            "player_id": row.id, "question_index": row.question_index}).first()
        if mine is not None:
            answer = {"question_index": row.question_index, "response": mine.response,
                      "confidence": mine.confidence}
            if phase is LivePhase.QUESTION:
                score -= mine.points
            else:
                answer.update(correct=mine.correct, points=mine.points)
    negated = _standings(row.game_id, (row.version, phase), now)
    rank = None
    if phase is not LivePhase.QUESTION and not row.kicked:
        rank = bisect.bisect_left(negated, -row.score) + 1  # players ahead, plus one
    return {"nickname": row.nickname, "score": round(score, 1), "rank": rank,
            "players": len(negated), "kicked": row.kicked, "phase": phase.value,
            "question_index": row.question_index, "answer": answer}


def results(game: LiveGame) -> dict[str, Any]:
    """Everything the host keeps: players by score and each question's histogram."""
    answer_count = db.session.scalar(select(func.count()).select_from(LiveAnswer).where(
        LiveAnswer.game_id == game.id)) or 0
    stats = {pid: (n, right) for pid, n, right in db.session.execute(
        select(LiveAnswer.player_id, func.count(),
               func.sum(cast(LiveAnswer.correct, Integer)))
        .where(LiveAnswer.game_id == game.id).group_by(LiveAnswer.player_id))}
    everyone = list(db.session.scalars(select(LivePlayer).where(LivePlayer.game_id == game.id)
                                       .order_by(LivePlayer.kicked, LivePlayer.score.desc(),
                                                 LivePlayer.joined_at, LivePlayer.id)))
    active = _ranked([(p, p.score) for p in everyone if not p.kicked])
    players = [{"rank": rank, "nickname": p.nickname, "score": round(score, 1),
                "answered": stats.get(p.id, (0, 0))[0], "correct": stats.get(p.id, (0, 0))[1]
                or 0, "kicked": False} for rank, p, score in active]
    players += [{"rank": None, "nickname": p.nickname, "score": round(p.score, 1),
                 "answered": stats.get(p.id, (0, 0))[0],
                 "correct": stats.get(p.id, (0, 0))[1] or 0, "kicked": True}
                for p in everyone if p.kicked]
    asked = game.question_index + 1 if game.phase is not LivePhase.LOBBY else 0
    return {"pin": game.pin, "phase": game.phase.value, "created_at": iso(game.created_at),
            "ended_at": iso(game.ended_at), "question_count": len(game.question_ids),
            "answer_count": answer_count, "players": players,
            "questions": [question_summary(game, i) for i in range(min(asked,
                                                                       len(game.question_ids)))]}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (OWASP: prefix with ')."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def results_csv(game: LiveGame) -> str:
    """The results as CSV: one row per player, points per question; formula-safe."""
    data = results(game)
    points: dict[tuple[str, int], float] = {}
    for nickname, index, pts in db.session.execute(
            select(LivePlayer.nickname, LiveAnswer.question_index, LiveAnswer.points)
            .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
            .where(LiveAnswer.game_id == game.id)):
        points[(nickname, index)] = pts
    out = io.StringIO()
    writer = csv.writer(out)
    indexes = [q["index"] for q in data["questions"]]
    writer.writerow(["rank", "nickname", "score", "correct", "answered", "removed",
                     *[f"Q{i + 1} points" for i in indexes]])
    for p in data["players"]:
        writer.writerow([p["rank"] if p["rank"] is not None else "", csv_cell(p["nickname"]),
                         whole_points(p["score"]), p["correct"], p["answered"],
                         "yes" if p["kicked"] else "",
                         *[whole_points(points[(p["nickname"], i)])
                           if (p["nickname"], i) in points else "" for i in indexes]])
    return out.getvalue()


def host_view(game: LiveGame, now: datetime) -> dict[str, Any]:
    """What the projector shows now, by phase."""
    phase = effective_phase(game, now)
    view: dict[str, Any] = {"game": game, "phase": phase.value,
                            "players": player_count(game),
                            "question_count": len(game.question_ids),
                            "number": game.question_index + 1}
    if phase is LivePhase.LOBBY:
        view["recent"] = [{"id": p.id, "nickname": p.nickname} for p in db.session.scalars(
            select(LivePlayer).where(LivePlayer.game_id == game.id,
                                     LivePlayer.kicked.is_(False))
            .order_by(LivePlayer.joined_at.desc(), LivePlayer.id.desc()).limit(100))]
    if phase in (LivePhase.QUESTION, LivePhase.REVEAL):
        payload = question_payload(game.question_ids[game.question_index])
        view["question"] = payload
        view["deadline"] = iso(game.deadline)
        view["answered"] = db.session.scalar(
            select(func.count()).select_from(LiveAnswer)
            .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
            .where(LiveAnswer.game_id == game.id,
                   LiveAnswer.question_index == game.question_index,
                   LivePlayer.kicked.is_(False))) or 0
    if phase is LivePhase.REVEAL:
        # The host showed the answer before the time ran out: no "Time's up".
        view["closed_early"] = (
            game.deadline is not None and game.question_started_at is not None
            and game.deadline < game.question_started_at
            + timedelta(seconds=game.seconds_per_question))
        view["summary"] = question_summary(game, game.question_index)
        view["quote"] = highlight(payload["source"]["quote"], payload["answer_text"])
        view["leaderboard"] = leaderboard(game)
    if phase is LivePhase.FINISHED:
        view["leaderboard"] = leaderboard(game)
    return view


def highlight(quote: str, answer_text: Any) -> list[tuple[str, bool]]:
    """Split ``quote`` into (text, is_key) parts marking where the key's words occur."""
    keys = answer_text if isinstance(answer_text, list) else [answer_text]
    terms = sorted({str(k).split(" — ")[-1] for k in keys if str(k).strip()}, key=len,
                   reverse=True)
    terms = [t for t in terms if t.lower() not in ("true", "false")
             and (len(t) >= 2 or t.isdigit())]
    if not terms:
        return [(quote, False)]
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in terms),
                         re.IGNORECASE)
    parts: list[tuple[str, bool]] = []
    pos = 0
    for match in pattern.finditer(quote):
        if match.start() > pos:
            parts.append((quote[pos:match.start()], False))
        parts.append((match.group(0), True))
        pos = match.end()
    if pos < len(quote):
        parts.append((quote[pos:], False))
    return parts

