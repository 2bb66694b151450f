"""Warm-up games: creating one, finding it by PIN, and the host's moves (advance, reveal, end)."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from ...database import begin_write
from ...domain import live as rules
from ...domain.live import (
    LivePhase,
    valid_pin,
)
from ...domain.selection import draw
from ...errors import ServiceError, conflict, forbidden, invalid, not_found
from ...extensions import db
from ...models import (
    LiveAnswer,
    LiveGame,
    LivePlayer,
    LiveQuestionSet,
    User,
    utcnow,
)
from ...transactions import on_commit
from ..study import MAX_COUNT, active_candidates, validate_filters
from .state import effective_phase, expired, game_lifetime, publish

MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 5, 300, 20
MAX_PLAYERS = 2000
#: New PINs drawn when the one drawn belongs to an open game (the database says so).
PIN_TRIES = 20
CONFIDENCE_LEVELS = ("sure", "unsure")


def new_pin(taken: set[str], rng: secrets.SystemRandom | None = None) -> str:
    """A random 6-digit PIN not in ``taken``."""
    pin = rules.free_pin(taken, rng or secrets.SystemRandom())
    if pin is None:
        raise ServiceError(503, "no_pin", "No free PIN right now; end an old warm-up and retry.")
    return pin


def _unfinished_pins() -> set[str]:
    return set(db.session.scalars(select(LiveGame.pin).where(
        LiveGame.phase != LivePhase.FINISHED)))


def end_expired_games(now: datetime) -> list[LiveGame]:
    """Mark the games left open past their lifetime as finished (they ended then), so their
    PINs are free again; players already saw them as ended."""
    cutoff = now - game_lifetime()
    games = list(db.session.scalars(select(LiveGame).where(
        LiveGame.phase != LivePhase.FINISHED, LiveGame.created_at <= cutoff)))
    for game in games:
        game.phase = LivePhase.FINISHED
        game.ended_at = game.created_at + game_lifetime()
        game.version += 1
    if games:
        db.session.flush()
    return games


def _set_question_ids(host: User, question_set_id: Any) -> list[int]:
    """The question ids of the host's saved set; another instructor's set is refused."""
    if isinstance(question_set_id, bool) or not isinstance(question_set_id, int):
        raise invalid("Choose a saved question set.",
                      {"question_set_id": "Send the id of one of your question sets."})
    found = db.session.get(LiveQuestionSet, question_set_id)
    if found is None:
        raise not_found("That question set")
    if found.owner_id != host.id:
        raise forbidden("That question set belongs to another instructor.")
    return list(found.question_ids)


def _insert_with_free_pin(game: LiveGame) -> None:
    """Add ``game`` with a random PIN; on the open-PIN index's IntegrityError draw again.

    The partial unique index (models.LiveGame) is what keeps PINs apart: two hosts starting
    at the same moment cannot both check "free" and take the same PIN.
    """
    for _ in range(PIN_TRIES):
        game.pin = new_pin(set())
        try:
            with db.session.begin_nested():
                db.session.add(game)
        except IntegrityError as exc:
            if "pin" not in str(exc.orig).lower():
                raise
            continue
        return
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
                seed: int | None = None, question_set_id: Any = None,
                auto_reveal: Any = False, now: datetime | None = None) -> LiveGame:
    """Start a warm-up in the lobby with a fresh PIN and its questions drawn, hand-picked
    or taken from one of the host's saved question sets."""
    if not host.is_instructor:
        raise forbidden("Only instructors can host a warm-up.")
    fields = _validate_options(count, seconds_per_question, speed_bonus, confidence,
                               question_ids)
    if not isinstance(auto_reveal, bool):
        fields["auto_reveal"] = "Send true or false."
    if question_set_id is not None:
        if question_ids:
            fields["question_set_id"] = "Send question_ids or question_set_id, not both."
        else:
            question_ids = _set_question_ids(host, question_set_id)
            if count is not None and count != len(question_ids):
                count = None  # a set asks all of its questions
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
            name = "question_set_id" if question_set_id is not None else "question_ids"
            raise invalid("Some question ids are unknown or retired.",
                          {name: f"Unknown or retired: {unknown[:10]}"})
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
    for old in end_expired_games(now or utcnow()):
        on_commit(publish, old.pin)
    game = LiveGame(host_id=host.id, question_ids=picked,
                    phase=LivePhase.LOBBY, question_index=-1,
                    seconds_per_question=seconds_per_question or DEFAULT_SECONDS,
                    speed_bonus=speed_bonus, confidence=confidence,
                    auto_reveal=auto_reveal, version=1)
    _insert_with_free_pin(game)
    on_commit(publish, game.pin)  # a phone may have polled the PIN before it existed
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
    if game.phase is LivePhase.FINISHED or expired(game, now):
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


def reveal_if_all_answered(game_id: int, pin: str, index: int, now: datetime) -> bool:
    """Show the answer to question ``index`` now if every player still in has answered it
    (for a game with ``auto_reveal``, after an answer or a removal); True if it did.

    The same move as the host's "Show the answer now", made by the server, so it happens
    whichever phones answered and whether or not the projector is open.
    """
    waiting = db.session.scalar(select(func.count()).select_from(LivePlayer).where(
        LivePlayer.game_id == game_id, LivePlayer.kicked.is_(False),
        ~exists().where(LiveAnswer.player_id == LivePlayer.id,
                        LiveAnswer.question_index == index)))
    if waiting:
        return False
    closed = db.session.execute(
        update(LiveGame).where(LiveGame.id == game_id, LiveGame.phase == LivePhase.QUESTION,
                               LiveGame.question_index == index, LiveGame.deadline > now)
        .values(deadline=now, version=LiveGame.version + 1)
        .execution_options(synchronize_session=False))
    if not closed.rowcount:
        return False
    on_commit(publish, pin)
    return True
