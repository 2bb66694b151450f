"""JSON API v1: bearer-token auth, JSON bodies, ``{"error": ...}`` on every 4xx."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, request

from ..errors import ServiceError, invalid
from ..extensions import csrf
from ..models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token-authenticated JSON calls carry no cookies to forge, so CSRF does not apply.
csrf.exempt(bp)


def current_api_user() -> User:
    return g.api_user


def token_required(view: Callable) -> Callable:
    """Require ``Authorization: Bearer TOKEN``; the user is ``g.api_user``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from ..database import begin_write
        from ..extensions import db
        from ..services.identity import identity_for_token

        if request.method not in ("GET", "HEAD", "OPTIONS"):
            # A write takes SQLite's write lock before its first read, so the use case's own
            # begin_write has no read transaction to restart (and no user to load again);
            # the whole body is read first (security.read_whole_body), never under the lock.
            request.get_data(cache=True)
            begin_write(db.session)
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = identity_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise ServiceError(401, "unauthorized", "Send a valid token: "
                               "Authorization: Bearer TOKEN (from POST /api/v1/tokens).")
        g.api_user = user
        g.api_token = token.strip()
        return view(*args, **kwargs)

    return wrapped


def instructor_token_required(view: Callable) -> Callable:
    """Like ``token_required``, and the user must be an instructor."""

    @wraps(view)
    @token_required
    def wrapped(*args, **kwargs):
        if not g.api_user.is_instructor:
            raise ServiceError(403, "forbidden", "Only instructors may do this.")
        return view(*args, **kwargs)

    return wrapped


def json_body(required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    data = request.get_json(silent=True)
    if data is None:
        raise invalid("Send a JSON object with Content-Type: application/json.")
    if not isinstance(data, dict):
        raise invalid("The body must be a JSON object.")
    missing = [k for k in required if k not in data]
    if missing:
        raise invalid("Missing fields.", {k: "This field is required." for k in missing})
    return data


from . import live, openapi, study, teach  # noqa: E402,F401  (routes register on import)
