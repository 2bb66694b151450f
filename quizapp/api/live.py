"""API v1 for seminar warm-ups: host controls (instructor token), players (X-Player-Token)."""

from __future__ import annotations

from flask import Response, request

from ..errors import ServiceError, invalid
from ..extensions import limiter
from ..models import utcnow
from ..security import external_url
from ..services import live
from . import bp, current_api_user, instructor_token_required, json_body
from .openapi import RESPONSE_SCHEMA, SCHEMAS, document

_PIN = [{"name": "pin", "in": "path", "required": True,
         "schema": {"type": "string", "pattern": "^[0-9]{6}$"}}]
_PLAYER = [*_PIN, {"name": "X-Player-Token", "in": "header", "required": True,
                   "schema": {"type": "string"}}]
_STATE_REF = {"$ref": "#/components/schemas/LiveState"}
# Player endpoints are exempt from rate limits: a whole class may share one address, and
# every phone polls the state about once a second.

SCHEMAS["LiveState"] = {
    "type": "object",
    "required": ["phase", "question_index", "version", "server_time"],
    "properties": {
        "phase": {"type": "string", "enum": ["lobby", "question", "reveal", "finished"]},
        "question_index": {"type": "integer", "description": "-1 in the lobby"},
        "question_count": {"type": "integer"},
        "question": {"type": "object", "description": "Public view (no key): id, type, "
                     "prompt, choices | items | left + right, number"},
        "deadline": {"type": "string", "format": "date-time"},
        "answer": {"description": "The key (reveal only)"},
        "answer_text": {"description": "The key in words (reveal only)"},
        "server_time": {"type": "string", "format": "date-time"},
        "version": {"type": "integer"},
        "seconds_per_question": {"type": "integer"},
        "speed_bonus": {"type": "boolean"},
        "confidence": {"type": "boolean", "description": "Ask players sure / unsure"},
    },
}


def _player_token() -> str:
    return request.headers.get("X-Player-Token", "")


def _optional_api_user():
    """The user behind an Authorization header, if one is sent (a student joining)."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    from ..services.identity import identity_for_token

    scheme, _, token = header.partition(" ")
    user = identity_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ServiceError(401, "unauthorized", "That bearer token is not valid; join "
                           "without an Authorization header or get a new token.")
    return user


def _state_response(pin: str):
    """The public state with ETag; ``If-None-Match`` with the same tag gets a 304."""
    now = utcnow()
    state, etag = live.public_state(pin, now)
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(live.state_json(state, now), mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/live")
@instructor_token_required
def create_live():
    """Start a warm-up; returns its PIN and the link players open."""
    data = json_body()
    if data.get("count") is None and not data.get("question_ids"):
        raise invalid("Say how many questions to ask.",
                      {"count": "This field is required (or send question_ids)."})
    game = live.create_game(current_api_user(), count=data.get("count"),
                            seconds_per_question=data.get("seconds_per_question"),
                            types=data.get("types"), topics=data.get("topics"),
                            question_ids=data.get("question_ids"),
                            speed_bonus=data.get("speed_bonus", False),
                            confidence=data.get("confidence", False))
    return {"pin": game.pin, "join_url": external_url("live.join", pin=game.pin),
            "id": game.id, "question_count": len(game.question_ids),
            "host_url": external_url("live.host", game_id=game.id)}, 201


document("/api/v1/live", "post", "Start a warm-up (instructor)",
         body={"type": "object", "properties": {
             "count": {"type": "integer", "minimum": 1, "maximum": 50,
                       "description": "Required unless question_ids is given"},
             "seconds_per_question": {"type": "integer", "minimum": live.MIN_SECONDS,
                                      "maximum": live.MAX_SECONDS, "default": 20},
             "types": {"type": "array", "items": {"type": "string"}},
             "topics": {"type": "array", "items": {"type": "string"}},
             "question_ids": {"type": "array", "items": {"type": "integer"}},
             "speed_bonus": {"type": "boolean", "default": False},
             "confidence": {"type": "boolean", "default": False}}},
         responses={201: "Created: {pin, join_url, id, question_count, host_url}",
                    400: "Invalid options", 401: "No token", 403: "Not an instructor"})


def _host_action(action, pin: str, **kwargs):
    game = action(current_api_user(), utcnow(), pin=pin, **kwargs)
    # Built, not cached: the change is committed (and published) after this returns.
    now = utcnow()
    return Response(live.state_json(live.build_state(game, now), now),
                    mimetype="application/json")


@bp.post("/live/<pin>/advance")
@instructor_token_required
def advance_live(pin: str):
    """Open the next question (or finish after the last); returns the new state."""
    data = request.get_json(silent=True) or {}
    from_index = data.get("from_index") if isinstance(data, dict) else None
    if from_index is not None and (isinstance(from_index, bool)
                                   or not isinstance(from_index, int)):
        raise invalid("from_index must be an integer.", {"from_index": "Use an integer."})
    return _host_action(live.advance, pin, from_index=from_index)


document("/api/v1/live/{pin}/advance", "post",
         "Advance: lobby → question 0, question/reveal → next, last → finished (host)",
         params=_PIN, body={"type": "object", "properties": {"from_index": {
             "type": "integer", "description": "Optional guard: refuse (409) unless the "
             "game is still at this question index (-1 in the lobby)"}}},
         responses={200: "The new state (LiveState)", 401: "No token",
                    403: "Not the host", 404: "No such PIN", 409: "Finished or moved on"})


@bp.post("/live/<pin>/reveal")
@instructor_token_required
def reveal_live(pin: str):
    """Close the open question now and show its answer."""
    return _host_action(live.reveal_now, pin)


document("/api/v1/live/{pin}/reveal", "post", "Close the open question early (host)",
         params=_PIN, responses={200: "The new state (LiveState)", 401: "No token",
                                 403: "Not the host", 404: "No such PIN"})


@bp.post("/live/<pin>/end")
@instructor_token_required
def end_live(pin: str):
    """End the warm-up now (results stay)."""
    return _host_action(live.end_game, pin)


document("/api/v1/live/{pin}/end", "post", "End the warm-up early (host)", params=_PIN,
         responses={200: "The new state (finished)", 401: "No token", 403: "Not the host",
                    404: "No such PIN"})


@bp.post("/live/<pin>/kick")
@instructor_token_required
def kick_live(pin: str):
    """Remove a player by nickname; their answers stop counting."""
    data = json_body(("nickname",))
    player = live.kick(current_api_user(), pin=pin, nickname=data["nickname"])
    return {"nickname": player.nickname, "kicked": True}


document("/api/v1/live/{pin}/kick", "post", "Remove a player by nickname (host)",
         params=_PIN, body={"type": "object", "required": ["nickname"],
                            "properties": {"nickname": {"type": "string"}}},
         responses={200: "{nickname, kicked}", 400: "No nickname", 401: "No token",
                    403: "Not the host", 404: "No such PIN or player"})


@bp.post("/live/<pin>/players")
@limiter.exempt
def join_live(pin: str):
    """Join a warm-up with a nickname (no account needed); returns the player token."""
    data = json_body(("nickname",))
    user = _optional_api_user()
    player, token = live.join(pin, data["nickname"], user_id=user.id if user else None)
    return {"player_token": token, "nickname": player.nickname}, 201


document("/api/v1/live/{pin}/players", "post",
         "Join with a nickname; send the token back as X-Player-Token. An optional "
         "bearer token links a student, whose answers then feed their review schedule",
         auth=None, params=_PIN,
         body={"type": "object", "required": ["nickname"], "properties": {
             "nickname": {"type": "string", "minLength": 1, "maxLength": 20}}},
         responses={201: "{player_token, nickname}", 400: "Bad nickname",
                    401: "Invalid bearer token", 403: "Removed by the host",
                    404: "No such PIN", 409: "Nickname taken or warm-up ended"})


@bp.get("/live/<pin>/state")
@limiter.exempt
def live_state(pin: str):
    """What every phone polls: phase, question (no key), deadline, server time."""
    return _state_response(pin)


document("/api/v1/live/{pin}/state", "get",
         "The game state; ETag and If-None-Match → 304. Poll every ~0.7 s", auth=None,
         params=[*_PIN, {"name": "If-None-Match", "in": "header", "required": False,
                         "schema": {"type": "string"}}],
         responses={200: "LiveState", 304: "Not modified", 404: "No such PIN"})
# Point the 200 response at the schema.
from .openapi import PATHS  # noqa: E402

PATHS["/api/v1/live/{pin}/state"]["get"]["responses"]["200"]["content"] = {
    "application/json": {"schema": _STATE_REF}}
PATHS["/api/v1/live/{pin}/state"]["get"]["responses"]["304"].pop("content", None)


@bp.get("/live/<pin>/me")
@limiter.exempt
def live_me(pin: str):
    """A player's own score, rank and answer to the current question."""
    return live.player_status(pin, _player_token(), utcnow())


document("/api/v1/live/{pin}/me", "get",
         "Your nickname, score, rank (not while a question is open) and current answer",
         auth=None, params=_PLAYER,
         responses={200: "Player status", 401: "Unknown player token", 404: "No such PIN"})


@bp.put("/live/<pin>/answers/<int:question_index>")
@limiter.exempt
def answer_live(pin: str, question_index: int):
    """Answer the open question; the same answer again is harmless, a late one is refused."""
    data = json_body(("response",))
    # Committed by the service's group commit before it returns.
    receipt = live.submit_answer(pin, _player_token(), question_index, data["response"],
                                 data.get("confidence"), utcnow())
    return receipt.to_json()


document("/api/v1/live/{pin}/answers/{question_index}", "put",
         "Answer the open question (response as for attempts; confidence sure|unsure)",
         auth=None, params=_PLAYER,
         body={"type": "object", "required": ["response"], "properties": {
             "response": RESPONSE_SCHEMA,
             "confidence": {"type": "string", "enum": ["sure", "unsure"]}}},
         responses={200: "Recorded (a repeat of the same answer counts once)",
                    400: "Malformed response", 401: "Unknown player token",
                    403: "Removed by the host", 404: "No such PIN",
                    409: "Late, not the open question, already answered or ended"})


@bp.get("/live/<pin>/results")
@instructor_token_required
def live_results(pin: str):
    """Players by score and each question's histogram (the host only)."""
    game = live.hosted_game(current_api_user(), pin=pin)
    return live.results(game)


document("/api/v1/live/{pin}/results", "get", "Results of a warm-up (host)", params=_PIN,
         responses={200: "{answer_count, players: [{nickname, score, rank, correct, answered,"
                         " kicked}], questions: [{index, prompt, answer_text, histogram}]}",
                    401: "No token", 403: "Not the host", 404: "No such PIN"})


@bp.get("/live/<pin>/export")
@instructor_token_required
def live_export(pin: str):
    """The results as CSV (formula-injection safe)."""
    fmt = request.args.get("format", "csv")
    if fmt != "csv":
        raise invalid("Unknown format.", {"format": "Use csv."})
    game = live.hosted_game(current_api_user(), pin=pin)
    return Response(live.results_csv(game), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="warm-up-{game.pin}-{game.id}.csv"'})


document("/api/v1/live/{pin}/export", "get", "Export results as CSV (host)",
         params=[*_PIN, {"name": "format", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": ["csv"]}}],
         responses={200: "CSV", 400: "Unknown format", 401: "No token", 403: "Not the host",
                    404: "No such PIN"})
