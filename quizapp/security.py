"""Security headers and login-session plumbing."""

from __future__ import annotations

from flask import Flask, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
       "object-src 'none'")
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def register(app: Flask) -> None:
    """Add security headers to every response and wire Flask-Login to the User model."""
    from .extensions import db, login_manager
    from .models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        uid, _, nonce = user_id.partition(":")
        if not uid.isdigit():
            return None
        user = db.session.get(User, int(uid))
        return user if user is not None and user.session_nonce == nonce else None

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault(*HSTS)
        return response
