"""Players: joining a game with a nickname, their token, and the host removing one."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...database import begin_write
from ...domain import live as rules
from ...domain.live import (
    LivePhase,
    nickname_key,
)
from ...errors import ServiceError, conflict, forbidden, invalid, not_found
from ...extensions import db
from ...models import (
    LiveGame,
    LivePlayer,
    User,
    utcnow,
)
from ...transactions import on_commit
from ..identity import token_hash
from .games import MAX_PLAYERS, hosted_game, reveal_if_all_answered
from .state import expired, game_for_pin, game_lifetime, publish


def clean_nickname(raw: Any) -> str:
    """Trim and check a nickname; raise a 400 naming the problem."""
    try:
        return rules.clean_nickname(raw)
    except rules.NicknameRefused as refused:
        raise invalid(refused.message, {"nickname": refused.hint}) from None


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
        if game.auto_reveal and game.phase is LivePhase.QUESTION:
            # The one still thinking may have been removed: everyone left has answered.
            if reveal_if_all_answered(game.id, game.pin, game.question_index, utcnow()):
                db.session.refresh(game)
    return player


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
    if expired(game, utcnow()):
        raise expired_error()
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


def expired_error() -> ServiceError:
    """The refusal for a game nobody ended within its lifetime."""
    hours = game_lifetime().total_seconds() / 3600
    lasted = f"{hours:g} hours" if hours >= 1 else f"{hours * 60:g} minutes"
    return ServiceError(409, "expired", f"This warm-up has ended: warm-ups close {lasted} "
                        "after they start. Ask the host for the new PIN.")


def player_for_token(game: LiveGame, token: Any) -> LivePlayer | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    player = db.session.scalar(select(LivePlayer).where(
        LivePlayer.token_hash == token_hash(token)))
    return player if player is not None and player.game_id == game.id else None


def _unknown_player() -> ServiceError:
    return ServiceError(401, "unknown_player", "Unknown player token for this warm-up; "
                        "join first (POST /api/v1/live/{pin}/players).")
