"""Seminar warm-ups: a live quiz joined by PIN, hosted on a projector, answered on phones.

All game state lives in the database, so several gunicorn workers can serve one game and a
restarted worker loses nothing. The phase "question" turns into "reveal" when the deadline
passes; that is derived when the state is read, so no background thread is needed.

Services add and flush, never commit; the view commits once and then calls ``publish`` so
this worker's state cache forgets the old state at once (other workers' entries expire
within ``LIVE_STATE_CACHE`` seconds).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..domain.checking import InvalidResponse, Result, check
from ..domain.generator import public_view
from ..domain.scoring import live_points
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
                      {"nickname": "Use letters, digits, spaces and emoji only; no control "
                                   "or invisible characters."})
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


@dataclass
class LiveCache:
    """Per-app, per-process caches: the public state per PIN and question payloads by id.

    Question payloads never change once stored (an edit makes a new question version), so
    they are kept for the life of the process.
    """

    states: dict[str, _Entry] = field(default_factory=dict)
    payloads: dict[int, dict[str, Any]] = field(default_factory=dict)


def _cache() -> LiveCache:
    return current_app.extensions.setdefault("quizapp.live", LiveCache())


def publish(pin: str) -> None:
    """Forget the cached state of ``pin`` in this process (call after committing a change)."""
    _cache().states.pop(pin, None)


def question_payload(question_id: int) -> dict[str, Any]:
    """The stored question (with its key), cached: stored questions never change."""
    payloads = _cache().payloads
    payload = payloads.get(question_id)
    if payload is None:
        row = db.session.execute(select(Question.payload, Question.type, Question.fact_ids)
                                 .where(Question.id == question_id)).one()
        payload = {**row.payload, "type": row.type, "_fact_ids": list(row.fact_ids)}
        payloads[question_id] = payload
    return payload


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
    if question_ids:
        count = len(question_ids) if count is None else count
    try:
        count, types, topics = validate_filters(5 if count is None else count, types, topics)
    except ServiceError as exc:
        fields.update(exc.fields or {})
    if fields:
        raise invalid("Some warm-up options are not valid.", fields)
    begin_write(db.session)
    candidates = active_candidates()
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
        import random

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
    return game


def game_for_pin(pin: str) -> LiveGame:
    """The game players reach with ``pin``: the newest one (unfinished PINs are unique)."""
    game = None
    if valid_pin(pin):
        game = db.session.scalar(select(LiveGame).where(LiveGame.pin == pin)
                                 .order_by(LiveGame.id.desc()).limit(1))
    if game is None:
        raise ServiceError(404, "not_found", "No warm-up has that PIN. Check the six digits "
                           "on the screen.")
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


def require_player(game: LiveGame, token: Any) -> LivePlayer:
    player = player_for_token(game, token)
    if player is None:
        raise ServiceError(401, "unknown_player", "Unknown player token for this warm-up; "
                           "join first (POST /api/v1/live/{pin}/players).")
    return player


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


def submit_answer(pin: str, token: Any, question_index: int, response: Any,
                  confidence: Any, now: datetime) -> AnswerReceipt:
    """Store a player's answer to the open question, once; the server's clock decides late.

    Sending the same answer again returns the same receipt (even after the deadline, so a
    retry after a network drop is harmless); a different second answer is refused.
    """
    if confidence is not None and confidence not in CONFIDENCE_LEVELS:
        raise invalid("Confidence must be “sure” or “unsure”.",
                      {"confidence": "Use sure or unsure."})
    begin_write(db.session)
    game = game_for_pin(pin)
    player = require_player(game, token)
    if player.kicked:
        raise forbidden("The host removed you from this warm-up; answers no longer count.")
    existing = db.session.execute(
        select(LiveAnswer.response, LiveAnswer.confidence).where(
            LiveAnswer.player_id == player.id, LiveAnswer.question_index == question_index)
    ).first()
    confidence = confidence if game.confidence else None
    if existing is not None:
        if existing.response == response:
            return AnswerReceipt(question_index, existing.response, existing.confidence, False)
        raise conflict("You already answered this question; the first answer counts.")
    if game.phase is LivePhase.FINISHED:
        raise conflict("This warm-up has ended; the answer was not recorded.")
    if game.phase is LivePhase.LOBBY or question_index != game.question_index:
        raise ServiceError(409, "wrong_question", f"Question {question_index} is not open "
                           "now; the answer was not recorded.")
    if effective_phase(game, now) is not LivePhase.QUESTION:
        raise ServiceError(409, "too_late", "Time is up for this question: your answer "
                           "arrived after the deadline and was not recorded.")
    question_id = game.question_ids[question_index]
    payload = question_payload(question_id)
    try:
        result = check(payload, response)
    except InvalidResponse as exc:
        raise invalid(str(exc), {"response": str(exc)}) from exc
    seconds_left = (game.deadline - now).total_seconds() if game.deadline else 0.0
    points = live_points(result.correct, result.credit, seconds_left=seconds_left,
                         seconds_total=float(game.seconds_per_question),
                         speed_bonus=game.speed_bonus, confidence=confidence)
    try:
        with db.session.begin_nested():
            db.session.add(LiveAnswer(game_id=game.id, player_id=player.id,
                                      question_index=question_index, question_id=question_id,
                                      response=response, correct=result.correct,
                                      points=points, confidence=confidence, answered_at=now))
    except IntegrityError:  # PostgreSQL: the same player's twin request won the race
        raise conflict("You already answered this question; the first answer counts.") \
            from None
    db.session.execute(update(LivePlayer).where(LivePlayer.id == player.id)
                       .values(score=LivePlayer.score + points))
    if player.user_id is not None:
        _feed_progress(player.user_id, question_id, result, now)
    return AnswerReceipt(question_index, response, confidence, True)


def _feed_progress(user_id: int, question_id: int, result: Result, now: datetime) -> None:
    """A logged-in player's warm-up answer counts towards their own review schedule."""
    question = db.session.get(Question, question_id)
    if question is not None and question.status is QuestionStatus.ACTIVE:
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
    cache = _cache()
    entry = cache.states.get(pin)
    if entry is not None and entry.created <= now < entry.expires:
        if entry.state is None:
            raise ServiceError(404, "not_found", "No warm-up has that PIN.")
        return entry.state, entry.etag or ""
    ttl = timedelta(seconds=float(current_app.config.get("LIVE_STATE_CACHE", 0.25)))
    try:
        game = game_for_pin(pin)
    except ServiceError:
        if valid_pin(pin):
            cache.states[pin] = _Entry(now + ttl, now, None, None)
        raise
    state = build_state(game, now)
    expires = now + ttl
    if state["phase"] == "question" and game.deadline is not None:
        expires = min(expires, game.deadline)
    etag = state_etag(game.id, game.version, state["phase"])
    if valid_pin(pin):
        cache.states[pin] = _Entry(expires, now, state, etag)
    return state, etag


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
    qtype = payload["type"]
    if qtype in ("mcq", "multi"):
        key = set(payload["answer"]) if qtype == "multi" else {payload["answer"]}
        counts = {c["id"]: 0 for c in payload["choices"]}
        for response, _ok in answers:
            for cid in (response if isinstance(response, list) else [response]):
                if cid in counts:
                    counts[cid] += 1
        return [{"id": c["id"], "label": c["text"], "count": counts[c["id"]],
                 "correct": c["id"] in key} for c in payload["choices"]]
    if qtype == "true_false":
        return [{"id": str(value).lower(), "label": str(value),
                 "count": sum(1 for r, _ in answers if r is value),
                 "correct": payload["answer"] is value} for value in (True, False)]
    right = sum(1 for _, ok in answers if ok)
    bars = [{"id": "right", "label": "Right", "count": right, "correct": True}]
    if qtype in ("ordering", "matching"):
        partly = 0
        for response, ok in answers:
            if not ok:
                try:
                    partly += check(payload, response).credit > 0
                except InvalidResponse:
                    pass
        bars.append({"id": "partly", "label": "Partly right", "count": partly,
                     "correct": False})
        bars.append({"id": "wrong", "label": "Wrong", "count": len(answers) - right - partly,
                     "correct": False})
    else:
        bars.append({"id": "wrong", "label": "Wrong", "count": len(answers) - right,
                     "correct": False})
    return bars


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


def player_status(game: LiveGame, player: LivePlayer, now: datetime) -> dict[str, Any]:
    """What one phone needs beyond the public state: its score, rank and current answer.

    While a question is open, neither the points of the answer just given nor the rank is
    shown, so a phone cannot tell whether it was right before the reveal.
    """
    phase = effective_phase(game, now)
    answer = None
    score = player.score
    if game.question_index >= 0:
        row = db.session.scalar(select(LiveAnswer).where(
            LiveAnswer.player_id == player.id,
            LiveAnswer.question_index == game.question_index))
        if row is not None:
            answer = {"question_index": row.question_index, "response": row.response,
                      "confidence": row.confidence}
            if phase is LivePhase.QUESTION:
                score -= row.points
            else:
                answer.update(correct=row.correct, points=row.points)
    rank = None
    if phase is not LivePhase.QUESTION and not player.kicked:
        better = db.session.scalar(select(func.count()).select_from(LivePlayer).where(
            LivePlayer.game_id == game.id, LivePlayer.kicked.is_(False),
            LivePlayer.score > player.score))
        rank = (better or 0) + 1
    return {"nickname": player.nickname, "score": round(score, 1), "rank": rank,
            "players": player_count(game), "kicked": player.kicked, "phase": phase.value,
            "question_index": game.question_index, "answer": answer}


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
                         p["score"], p["correct"], p["answered"], "yes" if p["kicked"] else "",
                         *[points.get((p["nickname"], i), "") for i in indexes]])
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
        view["answered"] = db.session.scalar(select(func.count()).select_from(LiveAnswer)
                                             .where(LiveAnswer.game_id == game.id,
                                                    LiveAnswer.question_index
                                                    == game.question_index)) or 0
    if phase is LivePhase.REVEAL:
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

