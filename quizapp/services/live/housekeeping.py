"""Old warm-ups: deleting finished and expired games with their players and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ...database import begin_write
from ...domain.live import LivePhase
from ...extensions import db
from ...models import LiveAnswer, LiveGame, LivePlayer
from ...transactions import on_commit
from .games import end_expired_games
from .state import publish


@dataclass(frozen=True)
class PrunedGame:
    """A deleted warm-up, as the command reports it."""

    id: int
    pin: str
    ended_at: datetime
    players: int
    answers: int


def prune_games(older_than: timedelta, now: datetime) -> list[PrunedGame]:
    """Delete the games that ended (finished, or expired unfinished) before ``now -
    older_than``, with their players and answers; open games are never touched."""
    begin_write(db.session)
    for game in end_expired_games(now):
        on_commit(publish, game.pin)
    cutoff = now - older_than
    ended = func.coalesce(LiveGame.ended_at, LiveGame.created_at)
    games = db.session.execute(
        select(LiveGame.id, LiveGame.pin, ended.label("ended"))
        .where(LiveGame.phase == LivePhase.FINISHED, ended < cutoff)
        .order_by(LiveGame.id)).all()
    if not games:
        return []
    ids = [g.id for g in games]
    players = dict(db.session.execute(
        select(LivePlayer.game_id, func.count()).where(LivePlayer.game_id.in_(ids))
        .group_by(LivePlayer.game_id)).all())
    answers = dict(db.session.execute(
        select(LiveAnswer.game_id, func.count()).where(LiveAnswer.game_id.in_(ids))
        .group_by(LiveAnswer.game_id)).all())
    for table, column in ((LiveAnswer, LiveAnswer.game_id), (LivePlayer, LivePlayer.game_id),
                          (LiveGame, LiveGame.id)):
        db.session.execute(delete(table).where(column.in_(ids))
                           .execution_options(synchronize_session=False))
    db.session.expire_all()
    return [PrunedGame(g.id, g.pin, g.ended, players.get(g.id, 0), answers.get(g.id, 0))
            for g in games]
