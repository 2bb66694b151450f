"""One commit point: a request's writes are committed once, after its view, or not at all.

As Indico's request handler does: services add and flush, and ``TransactionalFlask``
commits when the view returned a response below 400 (a page, a 303 after a POST, JSON),
and rolls back when it raised or answered 400 or above (a form shown again with its
errors, a JSON refusal). A commit that fails (a locked or read-only SQLite file) raises
inside the request, so the error handlers answer it (errors.py: 503).

A view that catches a ``ServiceError`` and still answers below 400 (a flash and a redirect)
calls ``refused`` first, which rolls back what the refused use case wrote.

``transaction`` is the same rule for a block of code: the CLI's commands, and the two
documented places that must commit before the request ends (the warm-up's group commit of
answers, services/live; guess budgets that must count even when the request then fails,
services/throttle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from .errors import ServiceError
from .extensions import db

#: Callbacks to run once the session's transaction commits (session.info).
_ON_COMMIT = "quizapp.on_commit"


class TransactionalFlask(Flask):
    """Flask whose every view runs in one transaction: committed on success, else undone."""

    def dispatch_request(self) -> Any:
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the session when the block ends normally; roll it back on any error."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def commit_now() -> None:
    """Commit what this request wrote so far, ahead of the commit point: only for a write
    that must outlive the refusal that follows (a used LTI nonce)."""
    with transaction():
        pass


def on_commit(callback: Callable[..., Any], *args: Any) -> None:
    """Call ``callback(*args)`` once this session's transaction commits (never on rollback).

    For announcements other workers act on (a changed user, a changed warm-up): made
    before the commit, another worker could read the old rows again and cache them.
    """
    pending = db.session.info.setdefault(_ON_COMMIT, [])
    if (callback, args) not in pending:
        pending.append((callback, args))


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    for callback, args in session.info.pop(_ON_COMMIT, ()):
        callback(*args)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)


def refused(exc: ServiceError, form: Any = None, names: dict[str, str] | None = None,
            field: Any = None) -> ServiceError:
    """Undo a refused use case's writes; show its messages on ``form``; return ``exc``.

    A message is put on the form field its name (or ``names[name]``) gives; a message for
    no field, and the refusal's own message when it names none, go to ``field`` if given,
    else above the form.
    """
    db.session.rollback()
    if form is None:
        return exc
    placed = False
    for name, message in (exc.fields or {}).items():
        target = getattr(form, (names or {}).get(name, name), None)
        if not hasattr(target, "errors"):
            target = field
        if target is None:
            continue
        if isinstance(target.errors, tuple):
            target.errors = list(target.errors)
        target.errors.append(message)
        placed = True
    if not placed:
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            form.form_errors.append(exc.message)
    return exc


def refused_on_page(exc: ServiceError, form: Any = None,
                    names: dict[str, str] | None = None) -> None:
    """``refused`` for a page that says why (on ``form``, shown again, or in a flash); a 403
    or 404 leaves no page to say it on, so ``exc`` is raised on for its error page."""
    refused(exc, form, names)
    if exc.status in (403, 404):
        raise exc
