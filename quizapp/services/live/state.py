"""A worker's caches of the warm-up (public state per PIN, standings, the answer queue),
the change stamp shared by all workers, and the public state phones poll.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from ... import signals
from ...domain import live as rules
from ...domain.generator import public_view
from ...domain.live import (
    LivePhase,
    iso,
    state_etag,
    valid_pin,
)
from ...errors import ServiceError, not_found
from ...extensions import db
from ...models import (
    LiveGame,
    utcnow,
)
from ..caching import SharedLRU
from ..questions import stored_question


def game_lifetime(app: Flask | None = None) -> timedelta:
    """How long an unfinished game lasts (``LIVE_GAME_LIFETIME``, default 12 hours)."""
    value = (app or current_app).config.get("LIVE_GAME_LIFETIME", "12h")
    return value if isinstance(value, timedelta) else rules.parse_age(value)


def expires_at(game: LiveGame) -> datetime:
    """When ``game`` ends if the host never ends it."""
    return (game.created_at or utcnow()) + game_lifetime()


def effective_phase(game: LiveGame, now: datetime) -> LivePhase:
    """The phase players see now: a question whose deadline passed is being revealed, and
    a game left open past its lifetime has ended."""
    return rules.effective_phase(game.phase, game.deadline, now, expires_at(game))


def expired(game: LiveGame, now: datetime) -> bool:
    """True when ``game`` ended because nobody ended it within its lifetime."""
    return game.phase is not LivePhase.FINISHED and now >= expires_at(game)


@dataclass
class _Entry:
    expires: datetime
    created: datetime
    state: dict[str, Any] | None
    etag: str | None
    #: The state as JSON without its closing brace, to append ``server_time`` cheaply.
    json_head: str = ""
    #: The change signal's version when this entry was made (see publish).
    stamp: Hashable = (0, 0)

    def fresh(self, now: datetime, stamp: Hashable) -> bool:
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


def _stamp(app: Flask) -> Hashable:
    """The version of the "a game changed" signal, shared by all workers and servers."""
    return signals.version(app, "live")


def publish(pin: str) -> None:
    """Tell every worker on every server that a game changed (after committing the change).

    This process forgets its cached state of ``pin``; the others see the signal's version
    change (signals.py: PostgreSQL NOTIFY, or the stamp file beside a SQLite database) and
    drop their cached states at their phones' next poll, so a new question reaches every
    phone without waiting for the cache to expire.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _cache(app).states.pop(pin, None)
    signals.announce(app, "live")


def question_payload(question_id: int) -> dict[str, Any]:
    """The stored question (with its key), cached: stored questions never change."""
    question = stored_question(question_id)
    if question is None:
        raise not_found("That question")
    return question.payload


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
    if expired(game, now):
        state["expired"] = True
    if phase in (LivePhase.QUESTION, LivePhase.REVEAL) and game.question_index >= 0:
        state["question"] = _question_json(game, game.question_index)
        state["deadline"] = iso(game.deadline)
        if phase is LivePhase.REVEAL:
            payload = question_payload(game.question_ids[game.question_index])
            state["answer"] = payload["answer"]
            state["answer_text"] = payload["answer_text"]
    return state


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
