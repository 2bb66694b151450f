"""API v1 for seminar warm-ups: host controls (instructor token), players (X-Player-Token)."""

from __future__ import annotations

from flask import Response, request

from ..errors import ServiceError, invalid
from ..extensions import limiter
from ..models import utcnow
from ..security import external_url
from ..services import live
from . import bodies, current_api_user, parse_body
from .openapi import PATHS, SCHEMAS, document, operation

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
        "expired": {"type": "boolean", "description": "Present (true) when the game ended "
                    "because nobody ended it within its lifetime"},
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


@operation("post", "/live", "Start a warm-up (instructor)", body=bodies.NewLive,
           responses={201: "Created: {pin, join_url, id, question_count, host_url}",
                      400: "Invalid options", 401: "No token",
                      403: "Not an instructor, or another instructor's question set",
                      404: "No such question set"})
def create_live():
    """Start a warm-up; returns its PIN and the link players open."""
    options = parse_body(bodies.NewLive)
    if options.count is None and not options.question_ids \
            and options.question_set_id is None:
        raise invalid("Say how many questions to ask.",
                      {"count": "This field is required (or send question_ids or "
                                "question_set_id)."})
    game = live.create_game(current_api_user(), count=options.count,
                            seconds_per_question=options.seconds_per_question,
                            types=options.types, topics=options.topics,
                            question_ids=options.question_ids,
                            question_set_id=options.question_set_id,
                            speed_bonus=options.speed_bonus, confidence=options.confidence,
                            auto_reveal=options.auto_reveal)
    return {"pin": game.pin, "join_url": external_url("live.join", pin=game.pin),
            "id": game.id, "question_count": len(game.question_ids),
            "host_url": external_url("live.host", game_id=game.id)}, 201


SCHEMAS["LiveQuestionSet"] = {
    "type": "object", "required": ["id", "name", "question_ids"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string", "maxLength": 80},
                   "question_ids": {"type": "array", "items": {"type": "integer"}},
                   "question_count": {"type": "integer"},
                   "updated_at": {"type": "string", "format": "date-time"}}}


@operation("get", "/live/sets", "Your saved warm-up question sets (instructor)",
           responses={200: "{sets: [LiveQuestionSet]}", 401: "No token",
                      403: "Not an instructor"})
def list_sets():
    """Your saved question sets."""
    return {"sets": [live.set_json(s) for s in live.sets_of(current_api_user())]}


@operation("post", "/live/sets", "Save a warm-up question set (instructor)",
           body=bodies.NewQuestionSet,
           responses={201: "LiveQuestionSet", 400: "Invalid name or question ids",
                      401: "No token", 403: "Not an instructor", 409: "Name already used"})
def create_set():
    """Save a question set under a name."""
    new = parse_body(bodies.NewQuestionSet)
    found = live.save_set(current_api_user(), new.name, new.question_ids)
    return live.set_json(found), 201


@operation("get", "/live/sets/<int:set_id>", "One of your question sets (instructor)",
           responses={200: "LiveQuestionSet", 401: "No token", 403: "Another's set",
                      404: "No such set"})
def get_set(set_id: int):
    """One of your question sets."""
    return live.set_json(live.question_set(current_api_user(), set_id))


@operation("patch", "/live/sets/<int:set_id>", "Rename a set or replace its questions",
           body=bodies.QuestionSetChanges,
           responses={200: "LiveQuestionSet", 400: "Invalid name or question ids",
                      401: "No token", 403: "Another's set", 404: "No such set",
                      409: "Name already used"})
def patch_set(set_id: int):
    """Rename a set or replace its questions."""
    changes = parse_body(bodies.QuestionSetChanges)
    found = live.update_set(current_api_user(), set_id, name=changes.name,
                            question_ids=changes.question_ids)
    return live.set_json(found)


@operation("delete", "/live/sets/<int:set_id>", "Delete one of your question sets",
           responses={204: "Deleted", 401: "No token", 403: "Another's set",
                      404: "No such set"})
def delete_set(set_id: int):
    """Delete one of your question sets."""
    live.delete_set(current_api_user(), set_id)
    return "", 204


def _host_action(action, pin: str, **kwargs):
    game = action(current_api_user(), utcnow(), pin=pin, **kwargs)
    # Built, not cached: the change is committed (and published) after this returns.
    now = utcnow()
    return Response(live.state_json(live.build_state(game, now), now),
                    mimetype="application/json")


@operation("post", "/live/<pin>/advance",
           "Advance: lobby → question 0, question/reveal → next, last → finished (host)",
           params=_PIN, body=bodies.Advance, body_required=False,
           responses={200: "The new state (LiveState)", 401: "No token",
                      403: "Not the host", 404: "No such PIN", 409: "Finished or moved on"})
def advance_live(pin: str):
    """Open the next question (or finish after the last); returns the new state."""
    guard = parse_body(bodies.Advance, optional=True)
    return _host_action(live.advance, pin, from_index=guard.from_index)


@operation("post", "/live/<pin>/reveal", "Close the open question early (host)", params=_PIN,
           responses={200: "The new state (LiveState)", 401: "No token",
                      403: "Not the host", 404: "No such PIN"})
def reveal_live(pin: str):
    """Close the open question now and show its answer."""
    return _host_action(live.reveal_now, pin)


@operation("post", "/live/<pin>/end", "End the warm-up early (host)", params=_PIN,
           responses={200: "The new state (finished)", 401: "No token", 403: "Not the host",
                      404: "No such PIN"})
def end_live(pin: str):
    """End the warm-up now (results stay)."""
    return _host_action(live.end_game, pin)


@operation("post", "/live/<pin>/kick", "Remove a player by nickname (host)", params=_PIN,
           body=bodies.Nickname,
           responses={200: "{nickname, kicked}", 400: "No nickname", 401: "No token",
                      403: "Not the host", 404: "No such PIN or player"})
def kick_live(pin: str):
    """Remove a player by nickname; their answers stop counting."""
    player = live.kick(current_api_user(), pin=pin,
                       nickname=parse_body(bodies.Nickname).nickname)
    return {"nickname": player.nickname, "kicked": True}


@operation("post", "/live/<pin>/players",
           "Join with a nickname; send the token back as X-Player-Token. An optional "
           "bearer token links a student, whose answers then feed their review schedule", auth=None,
           params=_PIN, body=bodies.JoinLive,
           responses={201: "{player_token, nickname}", 400: "Bad nickname",
                      401: "Invalid bearer token", 403: "Removed by the host",
                      404: "No such PIN", 409: "Nickname taken or warm-up ended"})
@limiter.exempt
def join_live(pin: str):
    """Join a warm-up with a nickname (no account needed); returns the player token."""
    nickname = parse_body(bodies.JoinLive).nickname
    user = _optional_api_user()
    player, token = live.join(pin, nickname, user_id=user.id if user else None)
    return {"player_token": token, "nickname": player.nickname}, 201


@operation("get", "/live/<pin>/state",
           "The game state; ETag and If-None-Match → 304. Poll every ~0.7 s", auth=None,
           params=[*_PIN, {"name": "If-None-Match", "in": "header", "required": False,
                           "schema": {"type": "string"}}],
           responses={200: "LiveState", 304: "Not modified", 404: "No such PIN"})
@limiter.exempt
def live_state(pin: str):
    """What every phone polls: phase, question (no key), deadline, server time."""
    return _state_response(pin)


# Point the 200 response at the schema.
PATHS["/api/v1/live/{pin}/state"]["get"]["responses"]["200"]["content"] = {
    "application/json": {"schema": _STATE_REF}}
PATHS["/api/v1/live/{pin}/state"]["get"]["responses"]["304"].pop("content", None)

# Served by live/events.py before Flask, where the workers are async (gevent); else 404.
document("/api/v1/live/{pin}/events", "get",
         "The game state pushed as Server-Sent Events: each event's data is the JSON of "
         "GET /state, its id the ETag; sent on every change. Where the server does not push "
         "(thread or sync workers), 404: poll /state instead", auth=None, params=_PIN,
         responses={200: "text/event-stream of LiveState", 404: "No such PIN, or no push here"})
PATHS["/api/v1/live/{pin}/events"]["get"]["responses"]["200"]["content"] = {
    "text/event-stream": {"schema": {"type": "string"}}}


@operation("get", "/live/<pin>/me",
           "Your nickname, score, rank (not while a question is open) and current answer",
           auth=None, params=_PLAYER,
           responses={200: "Player status", 401: "Unknown player token", 404: "No such PIN"})
@limiter.exempt
def live_me(pin: str):
    """A player's own score, rank and answer to the current question."""
    return live.player_status(pin, _player_token(), utcnow())


@operation("put", "/live/<pin>/answers/<int:question_index>",
           "Answer the open question (response as for attempts; confidence sure|unsure)", auth=None,
           params=_PLAYER, body=bodies.LiveAnswer,
           responses={200: "Recorded (a repeat of the same answer counts once)",
                      400: "Malformed response", 401: "Unknown player token",
                      403: "Removed by the host", 404: "No such PIN",
                      409: "Late, not the open question, already answered or ended"})
@limiter.exempt
def answer_live(pin: str, question_index: int):
    """Answer the open question; the same answer again is harmless, a late one is refused."""
    answer = parse_body(bodies.LiveAnswer)
    # Committed by the service's group commit before it returns.
    receipt = live.submit_answer(pin, _player_token(), question_index, answer.response,
                                 answer.confidence, utcnow())
    return receipt.to_json()


@operation("get", "/live/<pin>/results", "Results of a warm-up (host)", params=_PIN,
           responses={200: "{answer_count, players: [{nickname, score, rank, correct, answered,"
                           " kicked}], questions: [{index, prompt, answer_text, histogram}]}",
                      401: "No token", 403: "Not the host", 404: "No such PIN"})
def live_results(pin: str):
    """Players by score and each question's histogram (the host only)."""
    game = live.hosted_game(current_api_user(), pin=pin)
    return live.results(game)


@operation("get", "/live/<pin>/export", "Export results as CSV (host)",
           params=[*_PIN, {"name": "format", "in": "query", "required": False,
                           "schema": {"type": "string", "enum": ["csv"]}}],
           responses={200: "CSV", 400: "Unknown format", 401: "No token", 403: "Not the host",
                      404: "No such PIN"})
def live_export(pin: str):
    """The results as CSV (formula-injection safe)."""
    fmt = request.args.get("format", "csv")
    if fmt != "csv":
        raise invalid("Unknown format.", {"format": "Use csv."})
    game = live.hosted_game(current_api_user(), pin=pin)
    return Response(live.results_csv(game), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="warm-up-{game.pin}-{game.id}.csv"'})
