"""The one commit point (quizapp/transactions.py): a request commits once, or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, redirect
from sqlalchemy import event, func, select

from quizapp.errors import ServiceError, invalid
from quizapp.extensions import db
from quizapp.models import LoginFailure, User
from quizapp.transactions import on_commit, refused


def _row(tag: str) -> None:
    db.session.add(LoginFailure(username=f"tx:{tag}", address="test"))
    db.session.flush()


def _rows(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(LoginFailure.username).where(
            LoginFailure.username.like("tx:%"))))


@pytest.fixture
def tx_app(app: Flask) -> Iterator[Flask]:
    """The test app with views that write a row and then end in different ways."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a raising view gets the 500 page

    @app.post("/_tx/ok")
    def ok():
        _row("ok")
        return redirect("/", 303)

    @app.post("/_tx/raises")
    def raises():
        _row("raises")
        raise RuntimeError("after the row was added")

    @app.post("/_tx/refused")
    def service_refused():
        _row("refused")
        raise invalid("No.", {"name": "No."})

    @app.post("/_tx/form-error")
    def form_error():
        _row("form-error")
        return "the form again, with its errors", 400

    @app.post("/_tx/caught")
    def caught():
        try:
            _row("caught")
            raise ServiceError(409, "conflict", "Already done.")
        except ServiceError as exc:
            refused(exc)
        return redirect("/", 303)

    @app.post("/_tx/announce")
    def announce():
        _row("announce")
        on_commit(announced.append, "done")
        return "", 204

    announced: list[str] = []
    app.config["announced"] = announced
    yield app


@pytest.fixture
def commits(tx_app: Flask) -> Iterator[list[int]]:
    """Count COMMITs sent to the database while the test runs."""
    seen: list[int] = []
    with tx_app.app_context():
        engine = db.engine

    def count(_conn) -> None:
        seen.append(1)

    event.listen(engine, "commit", count)
    yield seen
    event.remove(engine, "commit", count)


def test_a_successful_request_commits_exactly_once(tx_app, commits):
    """A 303 after a POST is success: its row is committed, by one COMMIT."""
    response = tx_app.test_client().post("/_tx/ok")
    assert response.status_code == 303
    assert len(commits) == 1
    assert _rows(tx_app) == {"tx:ok"}


@pytest.mark.parametrize("path, status", [
    ("/_tx/raises", 500), ("/_tx/refused", 400), ("/_tx/form-error", 400)])
def test_a_failed_request_leaves_nothing(tx_app, commits, path, status):
    """A view that raises, is refused or shows a form with errors rolls its rows back."""
    assert tx_app.test_client().post(path).status_code == status
    assert commits == []
    assert _rows(tx_app) == set()


def test_a_refusal_caught_before_a_redirect_is_undone(tx_app, commits):
    """``refused`` rolls back the refused use case even though the view answers 303."""
    assert tx_app.test_client().post("/_tx/caught").status_code == 303
    assert _rows(tx_app) == set()


def test_announcements_wait_for_the_commit(tx_app, commits):
    """``on_commit`` callbacks run after the commit, and not at all after a rollback."""
    client = tx_app.test_client()
    assert client.post("/_tx/announce").status_code == 204
    assert tx_app.config["announced"] == ["done"]
    assert len(commits) == 1


def test_services_never_commit_on_their_own(app):
    """A use case called outside a request leaves its rows uncommitted (services flush)."""
    from quizapp.services import accounts

    with app.app_context():
        accounts.create_user("flushonly", "a long enough passphrase 1")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(User).where(
            func.lower(User.username) == "flushonly")) == 0
