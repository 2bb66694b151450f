"""Security headers and login-session plumbing."""

from __future__ import annotations

from flask import Flask, request

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
        return response
