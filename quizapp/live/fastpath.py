"""Answer phones' state polls from the in-process cache, before Flask's request machinery.

During a warm-up every phone asks ``GET /api/v1/live/{pin}/state`` about once every 0.7 s:
a room of 1000 is some 1400 requests a second, nearly all of them "nothing changed" (304).
The cache already spares the database; this WSGI wrapper also spares the ~1 ms of Flask
per request (request context, session, rate limiter, after-request hooks), which on two cores
is the difference between phones seeing a new question within a second or not.

Only a poll whose PIN is in this process's fresh cache is answered here, with exactly what
the Flask view would send (same body, ETag, Cache-Control and security headers); everything
else, including every cache miss, goes to Flask, which fills the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.http import parse_etags

from ..models import utcnow
from ..security import CSP
from ..services.live import cached_state_body

PREFIX = "/api/v1/live/"
SUFFIX = "/state"
_LENGTH = len(PREFIX) + 6 + len(SUFFIX)
_COMMON = [("Cache-Control", "no-cache"), ("Vary", "Cookie"), ("Content-Security-Policy", CSP),
           ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
           ("Referrer-Policy", "same-origin")]


class StatePollFastPath:
    """WSGI middleware: serve cached live state (200 or 304) without entering Flask."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if (len(path) == _LENGTH and path.startswith(PREFIX) and path.endswith(SUFFIX)
                and environ.get("REQUEST_METHOD") == "GET"):
            hit = cached_state_body(self.app, path[len(PREFIX):-len(SUFFIX)], utcnow())
            if hit is not None:
                return self._respond(environ, start_response, *hit)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _respond(environ, start_response, body: bytes, etag: str) -> Iterable[bytes]:
        headers = [("ETag", f'"{etag}"'), *_COMMON]
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        condition = environ.get("HTTP_IF_NONE_MATCH")
        if condition and parse_etags(condition).contains_weak(etag):
            start_response("304 NOT MODIFIED", headers)
            return [b""]
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]


def install(app: Flask) -> None:
    """Put the fast path in front of ``app`` (once)."""
    if not isinstance(app.wsgi_app, StatePollFastPath):
        app.wsgi_app = StatePollFastPath(app.wsgi_app, app)
