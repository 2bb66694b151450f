"""Security headers and login-session plumbing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request, url_for
from flask_login import current_user, login_required

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
       "object-src 'none'")
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def register(app: Flask) -> None:
    """Add security headers to every response and wire Flask-Login to the User model."""
    from .extensions import login_manager
    from .services.identity import Identity, identity_for_session

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> Identity | None:
        # The user's few fields, cached per process: see services/identity.py.
        return identity_for_session(session_id)

    app.jinja_env.globals["external_url"] = external_url
    @app.before_request
    def read_whole_body() -> None:
        # Before any view can begin a write transaction: a client that trickles its body
        # must not hold SQLite's write lock (and every other writer) while it sends.
        # Werkzeug parses forms and JSON from this cached copy.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.get_data(cache=True)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault(*HSTS)
        if _private(response):
            # No copy of a signed-in page, an export or an API answer in a shared cache or
            # the browser's history (ASVS V14.3.2); an explicit header (polls, QR codes) wins.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _private(response) -> bool:
    if request.endpoint == "static":
        return False
    return request.path.startswith("/api/") or bool(current_user.is_authenticated) \
        or "Content-Disposition" in response.headers


def external_url(endpoint: str, **values) -> str:
    """An absolute link (join links, QR codes) from ``PUBLIC_URL``, never from the request.

    The Host header is the client's to choose; a link built from it could send a class to
    another site. Without ``PUBLIC_URL`` (development only: production refuses to start)
    the request's own address is used, as ``flask run`` users expect.
    """
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return str(base).rstrip("/") + url_for(endpoint, **values)


def remember_device(response: Response, username: str) -> None:
    """Give the browser a device cookie for ``username`` (see accounts.authenticate)."""
    from .services.accounts import DEVICE_COOKIE, device_cookie

    cfg = current_app.config
    response.set_cookie(DEVICE_COOKIE, device_cookie(username),
                        max_age=int(cfg["DEVICE_COOKIE_LIFETIME"]), httponly=True,
                        samesite="Lax", secure=bool(cfg.get("SESSION_COOKIE_SECURE")))


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a same-site relative path, else ``fallback`` (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc and "\\" not in target:
        return target
    return fallback


def instructor_required(view: Callable | None = None, *,
                        message: str = "Only instructors can open this page.") -> Callable:
    """Log in first; then only instructors may pass (others get 403 with ``message``).

    Use bare (``@instructor_required``) or with the page's own refusal
    (``@instructor_required(message=...)``).
    """
    if view is None:
        return lambda inner: instructor_required(inner, message=message)

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403, message)
        return view(*args, **kwargs)

    return wrapped
