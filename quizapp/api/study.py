"""API v1 for learners: accounts, tokens, attempts, responses, progress."""

from __future__ import annotations

from flask import g, jsonify, request

from ..domain.generator import public_view
from ..errors import ServiceError, invalid
from ..extensions import db
from ..models import Attempt, utcnow
from ..security import remember_device
from ..services import accounts, study, throttle
from ..services.identity import token_lifetime
from . import basic_auth, bodies, current_api_user, parse_body
from .openapi import PATHS, operation

_QUESTION_PARAM = [{"name": "question_id", "in": "path", "required": True,
                    "schema": {"type": "integer"}}]


@operation("post", "/users", "Register a student account", auth=None, body=bodies.NewUser,
           responses={201: "Created", 400: "Invalid input", 409: "Username taken",
                      429: "Too many sign-ups from this network"})
def create_user():
    """Register a student account."""
    body = parse_body(bodies.NewUser)
    # Refused input is told so at once, and costs no sign-up from the network's budget.
    accounts.check_new_account(body.username, body.password)
    taken = accounts.take_sign_up()
    try:
        user = accounts.create_user(body.username, body.password)
    except ServiceError:
        throttle.give_back(taken)
        raise
    return {"id": user.id, "username": user.username, "role": user.role.value}, 201


@operation("post", "/tokens", "Get a bearer token (HTTP Basic); it expires at expires_at",
           auth="basic",
           responses={200: "Token", 401: "Wrong credentials", 429: "Too many failures"})
def create_token():
    """Exchange HTTP Basic credentials for a bearer token."""
    user = basic_auth.current_user()
    from ..database import begin_write

    begin_write(db.session)
    token = accounts.issue_token(user)
    expires = utcnow() + token_lifetime()
    response = jsonify(token=token, expires_at=expires.isoformat(timespec="seconds") + "Z")
    remember_device(response, user.username)  # a client that keeps cookies: see authenticate
    return response


@operation("delete", "/tokens", "End the token sent with this request (then 401)", auth="token",
           responses={204: "Token ended", 401: "No valid token"})
def end_token():
    """End the token this request is sent with (log out of the API)."""
    accounts.revoke_token(g.api_token)
    return "", 204


def attempt_json(attempt: Attempt) -> dict:
    answered = {r.question_id: r for r in attempt.answers}
    visible = study.keys_visible(attempt)
    questions = []
    for item in attempt.items:
        q = {**public_view(item.question.payload), "id": item.question_id}
        r = answered.get(item.question_id)
        if r is not None:
            q["response"] = r.response
            if visible:
                q["correct"] = r.correct
                q["answer_text"] = item.question.payload["answer_text"]
        questions.append(q)
    return {"id": attempt.id, "mode": attempt.mode.value, "seed": attempt.seed,
            "assignment_id": attempt.assignment_id,
            "started_at": attempt.started_at.isoformat() + "Z",
            "deadline": attempt.deadline.isoformat() + "Z" if attempt.deadline else None,
            "finished": attempt.finished, "score": study.visible_score(attempt),
            "max_score": attempt.max_score, "questions": questions}


@operation("post", "/attempts",
           "Start an attempt (mode mistakes: the facts your latest answer got wrong)", auth="token",
           body=bodies.NewAttempt,
           responses={201: "Created (or, for a repeated Idempotency-Key, the attempt that key "
                           "started while it is untouched)",
                      400: "Invalid options", 401: "No token",
                      403: "Not allowed", 404: "No such assignment",
                      409: "Nothing due (review) or no mistakes (mistakes)"},
           params=[{"name": "Idempotency-Key", "in": "header", "required": False,
                    "description": "A random key per attempt the client means to start: "
                    "a retry with the same key and options returns the same attempt.",
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,32}$"}}])
def start_attempt():
    """Start a practice, review or assignment attempt.

    With an ``Idempotency-Key`` header, sending the same request again (a retry after a
    dropped connection) returns the attempt the first one started, while it is untouched.
    """
    body = parse_body(bodies.NewAttempt)
    user = current_api_user()
    key = request.headers.get("Idempotency-Key")
    if key is not None and study.clean_start_key(key) is None:
        raise invalid("Idempotency-Key must be 16 to 32 letters, digits, '-' or '_'.",
                      {"Idempotency-Key": "Use 16 to 32 letters, digits, - or _."})
    if body.assignment_id is not None:
        from ..services.teach import start_assignment_attempt

        attempt = start_assignment_attempt(user, body.assignment_id)
    else:
        attempt = study.start_attempt(user, count=body.count, types=body.types,
                                      topics=body.topics, seed=body.seed, mode=body.mode,
                                      start_key=key)
    started = attempt_json(attempt)
    return {"id": attempt.id, "questions": started["questions"], "mode": started["mode"],
            "seed": attempt.seed, "deadline": started["deadline"]}, 201


@operation("get", "/attempts/<int:attempt_id>", "Show an attempt", auth="token",
           responses={200: "Attempt", 401: "No token", 404: "Not yours or missing"})
def get_attempt(attempt_id: int):
    """Show one of your attempts with the answers given so far."""
    return attempt_json(study.get_attempt(current_api_user(), attempt_id, full=True))


@operation("put", "/attempts/<int:attempt_id>/responses/<int:question_id>", "Answer a question",
           auth="token", body=bodies.AttemptAnswer,
           responses={200: "Feedback", 400: "Malformed response", 401: "No token",
                      404: "Not found", 409: "Finished or already answered"})
def put_response(attempt_id: int, question_id: int):
    """Answer a question of an attempt (the first answer counts)."""
    answer = parse_body(bodies.AttemptAnswer)
    feedback, _created = study.record_answer(current_api_user(), attempt_id, question_id,
                                             answer.response)
    return feedback.to_json()


@operation("post", "/attempts/<int:attempt_id>/finish", "Finish an attempt", auth="token",
           responses={200: "Score (null while the assignment hides its keys)",
                      401: "No token", 404: "Not found"})
def finish_attempt(attempt_id: int):
    """Finish an attempt and get its score."""
    attempt = study.finish_attempt(current_api_user(), attempt_id)
    return {"score": study.visible_score(attempt), "max_score": attempt.max_score}


@operation("get", "/progress", "Your progress per fact", auth="token",
           responses={200: "Progress", 401: "No token"})
def progress():
    """Your progress: attempts, accuracy, facts and what is due."""
    return study.progress_summary(current_api_user())


_DECK_PARAMS = [
    {"name": "missed", "in": "query", "required": False,
     "description": "true: the facts your latest answer about was wrong",
     "schema": {"type": "boolean"}},
    {"name": "topic", "in": "query", "required": False,
     "description": "A topic id you may practise", "schema": {"type": "string"}},
    {"name": "document_id", "in": "query", "required": False,
     "description": "A commentary you may read (with class_id: that commentary's facts)",
     "schema": {"type": "integer", "minimum": 0}},
    {"name": "class_id", "in": "query", "required": False,
     "description": "Instructors: the facts of a class's assignments",
     "schema": {"type": "integer", "minimum": 0}},
]


@operation("get", "/decks",
           "Download an Anki deck (.apkg, stable note ids: a new download updates the cards)",
           auth="token", params=_DECK_PARAMS,
           responses={200: "The .apkg file (application/octet-stream)",
                      400: "No deck or more than one chosen", 401: "No token",
                      403: "class_id: not an instructor",
                      404: "Not found, not readable by you, or no facts to put in the deck"})
def download_deck():
    """Download an Anki deck (.apkg): missed facts, a topic, a commentary or a class's facts."""
    from ..services import decks, printing
    from ..study.sheets import send_deck

    user, args = current_api_user(), request.args
    document = printing.parse_id(args.get("document_id"), "document_id")
    if args.get("class_id"):
        deck = decks.class_deck(user, printing.parse_id(args["class_id"], "class_id"),
                                document)
    elif sum(bool(args.get(k)) for k in ("missed", "topic", "document_id")) != 1:
        raise invalid("Choose one deck: missed=true, topic, document_id or class_id.",
                      {"missed": "Send exactly one of missed, topic, document_id, class_id."})
    elif args.get("missed"):
        if args["missed"] not in ("true", "1"):
            raise invalid("missed must be true.", {"missed": "Use missed=true."})
        deck = decks.missed_deck(user)
    elif args.get("topic"):
        deck = decks.topic_deck(user, args["topic"])
    else:
        deck = decks.commentary_deck(user, document)
    return send_deck(deck)


# The 200 is the .apkg file, not JSON.
PATHS["/api/v1/decks"]["get"]["responses"]["200"]["content"] = {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
