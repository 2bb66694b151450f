"""API v1 for one's own account: profile, password, sessions, data export, deletion."""

from __future__ import annotations

from flask import Response, jsonify, request

from ..database import begin_write
from ..errors import ServiceError, invalid
from ..extensions import db
from ..models import User
from ..services import accounts, privacy
from . import bodies, current_api_user, parse_body
from .openapi import operation


def _check_password(password: object) -> None:
    """The caller's password, throttled like a login; a wrong one is a 403 (the token is
    fine, so not a 401 a client would answer by asking for a new token)."""
    if not isinstance(password, str) or not password:
        raise invalid("Send your password.", {"password": "This field is required."})
    try:
        accounts.authenticate(current_api_user().username, password,
                              request.remote_addr or "?",
                              request.cookies.get(accounts.DEVICE_COOKIE))
    except ServiceError as exc:
        if exc.status != 401:
            raise
        raise ServiceError(403, "wrong_password", "That is not your password.",
                           {"password": "That is not your password."}) from None


@operation("get", "/me", "Your profile: id, username, role, created_at", auth="token",
           responses={200: "Profile", 401: "No token"})
def me():
    """Your profile."""
    return privacy.profile(db.session.get(User, current_api_user().id))


@operation("get", "/me/export",
           "Download your data: profile, attempts and answers, review schedule, enrollments, "
           "flags, warm-ups played logged in, LMS links, and (instructors) what you made. "
           "Never another person's data. format=csv: your answers only (docs/account-data.md)",
           auth="token", params=[{"name": "format", "in": "query", "required": False,
                                  "schema": {"type": "string", "enum": ["json", "csv"]}}],
           responses={200: "Your data", 400: "Unknown format", 401: "No token"})
def export_me():
    """Everything stored about you (JSON), or your answers as CSV (format=csv)."""
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise invalid("format must be json or csv.", {"format": "Use json or csv."})
    data = privacy.export_data(current_api_user().id)
    if fmt == "json":
        response = jsonify(data)
    else:
        response = Response(privacy.answers_csv(data), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="answers.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@operation("put", "/me/password",
           "Change your password (current one required, same policy as sign-up); every "
           "session and API token ends, this one too: get a new token with POST /api/v1/tokens",
           auth="token", body=bodies.PasswordChange,
           responses={204: "Changed", 400: "New password refused (see fields)",
                      401: "No token", 403: "Wrong current password",
                      429: "Too many wrong passwords"})
def change_password():
    """Change your password; every session and token ends, this one too."""
    body = parse_body(bodies.PasswordChange)
    _check_password(body.current)
    user = current_api_user()
    hashed = accounts.new_password_hash(user.username, body.password)
    begin_write(db.session)
    accounts.change_password(user.id, hashed)
    return "", 204


@operation("delete", "/me/sessions",
           "Log out everywhere: every browser session and API token ends, this one too",
           auth="token", responses={204: "Ended", 401: "No token"})
def end_everything():
    """Log out everywhere: end every browser session and API token of your account."""
    accounts.end_sessions(current_api_user().id, tokens=True)
    return "", 204


@operation("delete", "/me",
           "Delete your account and your data for good (what goes: docs/account-data.md; "
           "an instructor's classes, warm-ups and commentaries go too)", auth="token",
           body=bodies.AccountDeletion,
           responses={204: "Deleted", 400: "No password", 401: "No token",
                      403: "Wrong password", 429: "Too many wrong passwords"})
def delete_me():
    """Delete your account and your data (password required)."""
    _check_password(parse_body(bodies.AccountDeletion).password)
    begin_write(db.session)
    privacy.delete_account(current_api_user().id)
    return "", 204
