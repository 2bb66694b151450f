"""Error handlers: JSON ``{"error": {...}}`` under /api/, friendly pages elsewhere."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout  # not the built-in TimeoutError
from werkzeug.exceptions import HTTPException

from .extensions import db


class ServiceError(Exception):
    """A refusal a person can act on: HTTP status, machine code, message, field messages."""

    def __init__(self, status: int, code: str, message: str,
                 fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def invalid(message: str, fields: dict[str, str] | None = None) -> ServiceError:
    return ServiceError(400, "invalid", message, fields)


def not_found(what: str = "That") -> ServiceError:
    return ServiceError(404, "not_found", f"{what} was not found.")


def forbidden(message: str = "You are not allowed to do that.") -> ServiceError:
    return ServiceError(403, "forbidden", message)


def conflict(message: str) -> ServiceError:
    return ServiceError(409, "conflict", message)


def wants_json() -> bool:
    """The API, and a page's script that asks for JSON (the phone's answers and ``/me``)."""
    return request.path.startswith("/api/") or \
        request.accept_mimetypes.best == "application/json"


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    """A refusal as the API words it: ``{"error": {"code", "message", "fields"?}}``."""
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def error_response(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None):
    if wants_json():
        return error_body(code, message, fields), status
    return render_template("error.html", status=status, message=message), status


def _is_read_only(exc: OperationalError) -> bool:
    return "readonly database" in str(exc.orig or exc).lower()


def _busy():
    return error_response(503, "busy", "The database is busy. Nothing was saved; please try "
                          "again in a moment.")


def _is_locked(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        db.session.rollback()
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "csrf", "The form expired or was sent from elsewhere. "
                              "Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description or exc.name
        if exc.code == 413:
            message = "That request is too large."
        return error_response(exc.code or 500, code, message)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def out_of_range(exc):
        # A number or text the database cannot hold (e.g. an id past 64 bits): the client's
        # input, not our fault; nothing was saved.
        db.session.rollback()
        return error_response(400, "out_of_range", "A value in the request is out of range.")

    @app.errorhandler(PoolTimeout)
    def no_free_connection(exc: PoolTimeout):
        # Every connection of this worker's pool stayed busy for POOL_TIMEOUT seconds.
        db.session.rollback()
        return _busy()

    @app.errorhandler(OperationalError)
    def database_error(exc: OperationalError):
        db.session.rollback()
        if _is_locked(exc):
            return _busy()
        app.logger.error("database unavailable: %s", exc)
        if _is_read_only(exc):
            return error_response(503, "database_unavailable", "The database is read-only, so "
                                  "nothing was saved. Ask whoever runs quizapp to make its "
                                  "file writable again.")
        return error_response(503, "database_unavailable",
                              "The database is unavailable. Nothing was saved.")

    @app.errorhandler(500)
    def internal_error(exc):
        db.session.rollback()
        return error_response(500, "internal", "Something went wrong on our side. "
                              "Nothing half-done was saved.")
