"""Serve a warm-up's two hottest requests before Flask's request machinery.

During a warm-up every phone asks ``GET /api/v1/live/{pin}/state`` about once every 0.7 s:
a room of 1000 is some 1400 requests a second, nearly all of them "nothing changed" (304).
And when a question opens, the whole room sends ``PUT /api/v1/live/{pin}/answers/{i}``
within a second. On two cores, the ~0.3 ms of Flask per request (request context, session,
rate limiter, after-request hooks) is the difference between every phone being served
within a second or not, so this WSGI wrapper answers both itself:

* a poll whose PIN is in this process's fresh cache, with exactly what the Flask view
  would send (same body, ETag, Cache-Control and security headers);
* an answer with a well-formed JSON body, through the same service as the Flask view
  (``live.submit_answer``, inside an app context) and the same JSON error bodies: the API's
  ``PUT /api/v1/live/{pin}/answers/{i}`` (player token header) and the phone page's
  ``POST /live/{pin}/answers/{i}`` (player cookie and CSRF header). For the phone's, the
  CSRF header is checked as Flask-WTF's ``validate_csrf`` checks it (the signed token must
  carry the token in the signed session cookie), read straight from the request: opening a
  request context for it cost the phone's answer more than the rest of its path. The rest
  of Flask's request machinery (before/after hooks, limiter, error handlers) is skipped.
  One code path for both.

Everything else goes to Flask: every cache miss (which fills the cache), every answer whose
body is not plainly a JSON object with a ``response``, and every phone answer whose CSRF
token does not pass here or that Flask-WTF would also check otherwise (HTTPS with its
referrer check): Flask-WTF's own ``protect()`` then decides and says what is wrong.
"""

from __future__ import annotations

import hmac
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import same_origin
from itsdangerous import URLSafeTimedSerializer
from pydantic import ValidationError
from werkzeug.http import HTTP_STATUS_CODES, parse_etags
from werkzeug.sansio.utils import get_host
from werkzeug.wrappers import Request

from .. import boundary
from ..errors import ServiceError, error_body
from ..models import utcnow
from ..security import CSP, HSTS
from ..services import live, throttle
from . import events

PREFIX = "/api/v1/live/"
SUFFIX = "/state"
ANSWERS = "/answers/"
_PIN_LENGTH = 6
_STATE_LENGTH = len(PREFIX) + _PIN_LENGTH + len(SUFFIX)
#: Pushed states (events.py), where the worker can hold thousands of idle connections.
EVENTS = "/events"
_EVENTS_LENGTH = len(PREFIX) + _PIN_LENGTH + len(EVENTS)
_ANSWERS_START = len(PREFIX) + _PIN_LENGTH
#: The phone page's answers: ``POST /live/{pin}/answers/{i}`` (live/views.py play_answer).
PHONE_PREFIX = "/live/"
_PHONE_ANSWERS_START = len(PHONE_PREFIX) + _PIN_LENGTH
#: The phone's player cookie (live/views.py COOKIE_PREFIX).
COOKIE_PREFIX = "live_"
#: Question indexes have at most this many digits (a game has at most a few hundred).
_INDEX_DIGITS = 4
_SECURITY = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
             ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
_POLL_HEADERS = [("Cache-Control", "no-cache"), ("Vary", "Cookie"), *_SECURITY]
#: An answer's receipt is never cached (security.py; the phone's view says so too).
_ANSWER_HEADERS = [("Cache-Control", "no-store"), *_SECURITY]
#: Flask adds Vary: Cookie to a response of a request that read the session (the CSRF check).
_PHONE_HEADERS = [*_ANSWER_HEADERS, ("Vary", "Cookie")]


class LiveFastPath:
    """WSGI middleware: cached live state (200 or 304) and answers, without Flask."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PHONE_PREFIX):
            if environ.get("REQUEST_METHOD") == "POST" and path.startswith(
                    ANSWERS, _PHONE_ANSWERS_START) and not self._blocked(environ):
                pin = path[len(PHONE_PREFIX):_PHONE_ANSWERS_START]
                index = path[_PHONE_ANSWERS_START + len(ANSWERS):]
                if _digits(pin) and _digits(index) and len(index) <= _INDEX_DIGITS:
                    return self._answer(environ, start_response, pin, int(index), phone=True)
            return self.wsgi_app(environ, start_response)
        # A client that tried too many unknown PINs: Flask refuses it (live/views.py).
        if path.startswith(PREFIX) and not self._blocked(environ):
            method = environ.get("REQUEST_METHOD")
            if method == "GET" and len(path) == _EVENTS_LENGTH and path.endswith(EVENTS) \
                    and events.push_enabled(self.app):
                headers = [*_SECURITY, *([HSTS] if environ.get("wsgi.url_scheme") == "https"
                                         else [])]
                reply = events.stream(self.app, path[len(PREFIX):-len(EVENTS)], environ,
                                      start_response, headers)
                if reply is not None:
                    return reply
            elif method == "GET" and len(path) == _STATE_LENGTH and path.endswith(SUFFIX):
                hit = live.cached_state_body(self.app, path[len(PREFIX):-len(SUFFIX)],
                                             utcnow())
                if hit is not None:
                    return self._state(environ, start_response, *hit)
            elif method == "PUT" and path.startswith(ANSWERS, _ANSWERS_START):
                pin, index = path[len(PREFIX):_ANSWERS_START], path[_ANSWERS_START + len(ANSWERS):]
                if _digits(pin) and _digits(index) and len(index) <= _INDEX_DIGITS:
                    return self._answer(environ, start_response, pin, int(index))
        return self.wsgi_app(environ, start_response)

    def _blocked(self, environ: dict[str, Any]) -> bool:
        """A client that tried too many unknown PINs: Flask refuses it (live/views.py)."""
        return throttle.pin_lookups_blocked(self.app, environ.get("REMOTE_ADDR") or "?")

    @staticmethod
    def _state(environ, start_response, body: bytes, etag: str) -> Iterable[bytes]:
        headers = [("ETag", f'"{etag}"'), *_POLL_HEADERS]
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(HSTS)
        condition = environ.get("HTTP_IF_NONE_MATCH")
        if condition and parse_etags(condition).contains_weak(etag):
            start_response("304 NOT MODIFIED", headers)
            return [b""]
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]

    def _answer(self, environ, start_response, pin: str, index: int,
                phone: bool = False) -> Iterable[bytes]:
        data = self._json_object(environ)
        if data is None or "response" not in data:
            return self.wsgi_app(environ, start_response)  # Flask explains what is wrong
        refused = None if phone else _refusal(data)
        if refused is not None:
            return self._json(environ, start_response, 400, refused)
        arrived = utcnow()  # the server's clock decides late answers, as in the view
        if phone:
            request = Request(environ)
            if not self._csrf_passes(request):
                environ["wsgi.input"].seek(0)
                return self.wsgi_app(environ, start_response)  # Flask-WTF says why
            token = request.cookies.get(COOKIE_PREFIX + pin)
        else:
            token = environ.get("HTTP_X_PLAYER_TOKEN", "")
        receipt = None
        with self.app.app_context():
            try:
                receipt = live.submit_answer(pin, token, index, data["response"],
                                             data.get("confidence"), arrived)
            except ServiceError as exc:
                if exc.status != 404:
                    return self._json(environ, start_response, exc.status,
                                      error_body(exc.code, exc.message, exc.fields), phone)
                # else an unknown PIN: Flask says so and counts it against the client
            except Exception:  # noqa: BLE001 - e.g. the database has gone
                self.app.logger.exception("warm-up answer fast path failed; retrying in Flask")
        if receipt is None:
            # Outside the app context above (whose session may be broken), Flask's error
            # handlers say what happened (503 and why, or 404); sending the answer again
            # there is harmless, since a repeat counts once.
            environ["wsgi.input"].seek(0)
            return self.wsgi_app(environ, start_response)
        return self._json(environ, start_response, 200, receipt.to_json(), phone)

    def _csrf_passes(self, request: Request) -> bool:
        """Would Flask-WTF's check before the view (``CSRFProtect.protect``) let this phone
        answer through? True only when it surely would; False sends it to Flask, whose own
        check then decides and says why. Read as Flask reads the request (Werkzeug's)."""
        config, app = self.app.config, self.app
        if not (config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]) \
                or "POST" not in config["WTF_CSRF_METHODS"]:
            return True
        interface = app.session_interface
        if type(interface).open_session is not SecureCookieSessionInterface.open_session:
            return False  # a session that is not Flask's signed cookie: Flask opens it
        try:
            if request.scheme != "http" and not self._same_origin_referrer(request):
                return False
            signed = next((value for value in (request.headers.get(name)
                                               for name in config["WTF_CSRF_HEADERS"])
                           if value), None)
            cookie = request.cookies.get(interface.get_cookie_name(app))
            serializer = interface.get_signing_serializer(app)
            if not signed or not cookie or serializer is None:
                return False
            session = serializer.loads(
                cookie, max_age=int(app.permanent_session_lifetime.total_seconds()))
            token = URLSafeTimedSerializer(config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                           salt="wtf-csrf-token").loads(
                signed, max_age=config["WTF_CSRF_TIME_LIMIT"])
            expected = session.get(config["WTF_CSRF_FIELD_NAME"]) \
                if isinstance(session, dict) else None
            return isinstance(expected, str) and isinstance(token, str) \
                and hmac.compare_digest(expected, token)
        except Exception:  # noqa: BLE001 - whatever it is, Flask-WTF's own check decides
            return False

    def _same_origin_referrer(self, request: Request) -> bool:
        """HTTPS: Flask-WTF's strict check that the referrer is this host (its own code)."""
        if request.scheme != "https":
            return False  # e.g. wss: Flask's routing refuses it
        if not self.app.config["WTF_CSRF_SSL_STRICT"]:
            return True
        trusted = self.app.config["TRUSTED_HOSTS"]
        host = get_host(request.scheme, request.headers.get("host"), request.server, trusted)
        return bool(request.referrer) and same_origin(request.referrer, f"https://{host}/")

    def _json_object(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        """The body as a JSON object if it plainly is one; else None, body left for Flask."""
        if environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower() \
                != "application/json" or "HTTP_TRANSFER_ENCODING" in environ:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        if length <= 0 or (limit is not None and length > limit):
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # read again by Flask if it gets the request
        try:
            data = boundary.loads(body)
        except (ValueError, ServiceError):
            return None  # Flask's route says what is wrong
        return data if isinstance(data, dict) else None

    @staticmethod
    def _json(environ, start_response, status: int, payload: dict[str, Any],
              phone: bool = False) -> Iterable[bytes]:
        # As Flask's JSON provider writes it: sorted keys, ASCII, compact, a final newline.
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                   *(_PHONE_HEADERS if phone else _ANSWER_HEADERS)]
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(HSTS)
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}", headers)
        return [body]


def _refusal(data: dict[str, Any]) -> dict[str, Any] | None:
    """The view's 400 for an API answer its body model refuses (bodies.LiveAnswer)."""
    from ..api import field_errors
    from ..api.bodies import LiveAnswer

    try:
        LiveAnswer.model_validate(data)
    except ValidationError as exc:
        error = field_errors(exc)
        return error_body(error.code, error.message, error.fields)
    return None


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def install(app: Flask) -> None:
    """Put the fast path in front of ``app`` (once)."""
    if not isinstance(app.wsgi_app, LiveFastPath):
        app.wsgi_app = LiveFastPath(app.wsgi_app, app)
