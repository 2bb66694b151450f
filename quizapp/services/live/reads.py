"""Reads for the projector and the phones: leaderboard, bars per question, a player's
status, the results and their CSV.
"""

from __future__ import annotations

import bisect
import csv
import io
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, cast, func, select

from ...domain import live as rules
from ...domain.exports import csv_cell
from ...domain.live import (
    LivePhase,
    highlight,
    histogram,
    iso,
    ranked,
)
from ...domain.scoring import whole_points
from ...extensions import db
from ...models import (
    LiveAnswer,
    LiveGame,
    LivePlayer,
)
from ..identity import token_hash
from .answers import _ANSWER_T, _GAME_T, _PLAYER_T
from .players import _unknown_player
from .state import _cache, effective_phase, game_for_pin, game_lifetime, question_payload

LEADERBOARD_SIZE = 10


def leaderboard(game: LiveGame, limit: int | None = LEADERBOARD_SIZE) -> list[dict[str, Any]]:
    """Players still in the game, best first, with competition ranks."""
    query = (select(LivePlayer).where(LivePlayer.game_id == game.id,
                                      LivePlayer.kicked.is_(False))
             .order_by(LivePlayer.score.desc(), LivePlayer.joined_at, LivePlayer.id))
    players = list(db.session.scalars(query))
    ranked = rules.ranked([(p, p.score) for p in players])
    if limit is not None:
        ranked = [r for r in ranked if r[0] <= limit][:limit]
    return [{"rank": rank, "nickname": p.nickname, "score": round(score, 1), "id": p.id}
            for rank, p, score in ranked]


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
           _GAME_T.c.question_index, _GAME_T.c.deadline, _GAME_T.c.version,
           _GAME_T.c.created_at)
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
    phase = rules.effective_phase(row.phase, row.deadline, now,
                                  row.created_at + game_lifetime())
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
    active = ranked([(p, p.score) for p in everyone if not p.kicked])
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
