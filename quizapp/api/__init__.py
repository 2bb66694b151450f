"""JSON API v1: bearer-token auth, JSON bodies, ``{"error": ...}`` on every 4xx."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, g, request
from flask_httpauth import HTTPBasicAuth, HTTPTokenAuth
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ServiceError, invalid
from ..extensions import csrf
from ..models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token-authenticated JSON calls carry no cookies to forge, so CSRF does not apply.
csrf.exempt(bp)


#: ``Authorization: Bearer TOKEN`` (from ``POST /api/v1/tokens``), as microblog's API does.
token_auth = HTTPTokenAuth(scheme="Bearer")
#: HTTP Basic, only to exchange a username and password for a token.
basic_auth = HTTPBasicAuth()


@token_auth.verify_token
def _user_for_token(token: str) -> User | None:
    from ..database import expect_writes
    from ..extensions import db
    from ..services.identity import identity_for_token

    g.api_token = token  # DELETE /tokens ends this one
    identity = identity_for_token(token)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        # The use case's transaction takes SQLite's write lock before its first read (so
        # its own begin_write has no read transaction to restart), but only at that read:
        # a body refused before it does not wait behind other writers. The identity is a
        # plain record; ending the read that found it loses nothing.
        db.session.rollback()
        expect_writes()
    return identity


@token_auth.get_user_roles
def _roles(user: User) -> list[str]:
    return ["instructor"] if user.is_instructor else []


@token_auth.error_handler
def _token_refused(status: int):
    if status == 403:
        raise ServiceError(403, "forbidden", "Only instructors may do this.")
    raise ServiceError(401, "unauthorized", "Send a valid token: "
                       "Authorization: Bearer TOKEN (from POST /api/v1/tokens).")


@basic_auth.verify_password
def _user_for_password(username: str, password: str) -> User | None:
    from ..services import accounts

    if not username:
        return None
    # Raises 401 for wrong credentials and 429 when throttled (accounts.authenticate).
    return accounts.authenticate(username, password or "", request.remote_addr or "?",
                                 request.cookies.get(accounts.DEVICE_COOKIE))


@basic_auth.error_handler
def _basic_refused(status: int):
    raise ServiceError(401, "unauthorized", "Send your username and password with "
                       "HTTP Basic authentication.")


def current_api_user() -> User:
    return token_auth.current_user()


#: Views: ``@token_required`` (any signed-in user), ``@instructor_token_required``.
token_required = token_auth.login_required
instructor_token_required = token_auth.login_required(role="instructor")


class RequestBody(BaseModel):
    """A JSON request body: validates it and, via ``operation(body=...)``, describes it.

    Strict: JSON's own types only ("5" is not 5, true is not 1). Unknown fields are
    ignored, as the API always did; a body that refuses them says ``extra="forbid"``.
    """

    model_config = ConfigDict(strict=True, extra="ignore")


Body = TypeVar("Body", bound=RequestBody)


def parse_body(model: type[Body], *, optional: bool = False) -> Body:
    """The request's JSON object as ``model``, or a 400 naming each field that is wrong.

    ``optional``: no body at all is an empty object (the model's defaults).
    """
    if optional and not request.get_data(cache=True):
        return model()
    data = request.get_json(silent=True)
    if data is None:
        raise invalid("Send a JSON object with Content-Type: application/json.")
    if not isinstance(data, dict):
        raise invalid("The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise field_errors(exc) from None


#: What a person should send instead, by Pydantic error type (``{...}``: the error's ctx).
_HINTS = {
    "missing": "This field is required.",
    "string_type": "Use a string.",
    "int_type": "Use a whole number.",
    "float_type": "Use a number.",
    "bool_type": "Use true or false.",
    "list_type": "Use a list.",
    "dict_type": "Use an object.",
    "model_type": "Use an object.",
    "literal_error": "Use {expected}.",
    "greater_than_equal": "Use {ge} or more.",
    "less_than_equal": "Use {le} or less.",
    "string_too_short": "Use at least {min_length} character(s).",
    "string_too_long": "Use at most {max_length} characters.",
    "too_short": "Send at least {min_length} item(s).",
    "too_long": "Send at most {max_length} item(s).",
    "extra_forbidden": "Not a field of this request.",
}


def _hint(error: dict[str, Any]) -> str:
    hint = _HINTS.get(error["type"])
    return hint.format(**error.get("ctx", {})) if hint else error["msg"] + "."


def field_errors(exc: ValidationError) -> ServiceError:
    """A ValidationError as the API's 400: one message per top-level field."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        by_field.setdefault(str(error["loc"][0]), []).append(error)
    fields = {}
    for name, errors in by_field.items():
        items = [p for p in errors[0]["loc"][1:] if isinstance(p, int)]
        where = f"Item {items[0] + 1}: " if items else ""
        fields[name] = where + _hint(errors[0])
    if all(e["type"] == "missing" for errors in by_field.values() for e in errors):
        return invalid("Missing fields.", fields)
    return invalid("Some fields are not valid.", fields)


# Routes register on import.
from . import account, live, manage, openapi, questions, study, teach  # noqa: E402,F401
