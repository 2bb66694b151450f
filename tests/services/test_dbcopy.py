"""``quizapp db copy --to URL``: every row, ids kept, into an empty database, all or nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from quizapp import create_app
from quizapp.cli import main
from quizapp.extensions import db
from quizapp.models import Question, User

from support.helpers import FAST_HASHER, basic_auth

# The PostgreSQL stage of CI (QUIZAPP_TEST_DATABASE_URL) skips this module: it already ran in
# the SQLite stage, and makes its own PostgreSQL databases there (QUIZAPP_TEST_POSTGRES_URL).
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("QUIZAPP_TEST_DATABASE_URL")),
    reason="runs in the SQLite stage; talks to PostgreSQL through QUIZAPP_TEST_POSTGRES_URL")


@pytest.fixture
def filled(app: Flask, client, api_token) -> dict:
    """Give the source database a learner with answers and a replaced question version."""
    headers = api_token("copied")
    started = client.post("/api/v1/attempts", json={"count": 4, "types": ["true_false"],
                                                    "seed": 7}, headers=headers)
    assert started.status_code == 201
    attempt = started.get_json()
    for question in attempt["questions"][:3]:
        put = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{question['id']}",
                         json={"response": True}, headers=headers)
        assert put.status_code == 200
    with app.app_context():
        # A question edited into version 2: the old row points at the newer (higher) id.
        old = db.session.scalar(select(Question).order_by(Question.id))
        new = Question(uid=old.uid, version=2, type=old.type, topic=old.topic,
                       document_id=old.document_id, payload=old.payload, fact_ids=old.fact_ids)
        db.session.add(new)
        db.session.flush()
        old.replaced_by_id = new.id
        db.session.commit()
    return {"attempt_id": attempt["id"], "answered": [q["id"] for q in
                                                      attempt["questions"][:3]]}


def _dump(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key."""
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(row) for row in rows]
        db.session.remove()
        return out


@pytest.fixture
def target_app() -> Iterator:
    """Return a function that opens an app on the copied database (closed afterwards)."""
    apps: list[Flask] = []

    def open_app(url: str) -> Flask:
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url,
                          "PASSWORD_HASHER": FAST_HASHER})
        apps.append(app)
        return app

    yield open_app
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _copy(runner, url: str):
    return runner.invoke(main, ["db", "copy", "--to", url])


def _check_copy(app: Flask, runner, filled: dict, url: str, target_app) -> Flask:
    result = _copy(runner, url)
    assert result.exit_code == 0, result.output
    assert "Copied" in result.output
    copied = target_app(url)
    assert _dump(copied) == _dump(app)
    client = copied.test_client()
    token = client.post("/api/v1/tokens", headers=basic_auth("copied"))
    assert token.status_code == 200, token.get_json()
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    attempt = client.get(f"/api/v1/attempts/{filled['attempt_id']}", headers=headers)
    assert attempt.status_code == 200
    kept = [q["id"] for q in attempt.get_json()["questions"] if "response" in q]
    assert kept == filled["answered"]
    # New rows get fresh ids after the copied ones (PostgreSQL sequences were moved on).
    created = client.post("/api/v1/users", json={"username": "newcomer",
                                                 "password": "long enough pw"})
    assert created.status_code == 201, created.get_json()
    with copied.app_context():
        assert created.get_json()["id"] == db.session.scalar(select(func.max(User.id)))
        assert created.get_json()["id"] > min(db.session.scalars(select(User.id)))
    return copied


def test_copy_to_sqlite_keeps_every_row_and_id(app, runner, filled, tmp_path: Path,
                                               target_app):
    _check_copy(app, runner, filled, f"sqlite:///{tmp_path / 'copy.db'}", target_app)


def test_copy_refuses_a_non_empty_target_and_changes_nothing(app, runner, filled,
                                                            tmp_path: Path, target_app):
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    assert _copy(runner, url).exit_code == 0
    before = _dump(target_app(url))
    again = _copy(runner, url)
    assert again.exit_code == 1
    assert "is not empty" in again.output and "nothing was changed" in again.output
    assert _dump(target_app(url)) == before


def test_copy_refuses_the_database_in_use(app, runner):
    result = _copy(runner, app.config["DATABASE_URL"])
    assert result.exit_code == 1
    assert "the database the app uses" in result.output


def test_copy_refuses_a_source_without_schema(tmp_path: Path, target_app):
    empty = tmp_path / "empty.db"
    empty.touch()
    source = target_app(f"sqlite:///{empty}")
    result = source.test_cli_runner().invoke(main, ["db", "copy", "--to",
                                                    f"sqlite:///{tmp_path / 'copy.db'}"])
    assert result.exit_code == 1
    assert "no quizapp schema" in result.output


def test_failed_copy_leaves_the_target_empty(app, runner, filled, tmp_path: Path, target_app,
                                             monkeypatch):
    from quizapp.services import dbcopy

    real = dbcopy._copy_table

    def failing(src, dst, table):
        if table.name == "response":
            raise OperationalError("INSERT INTO response", {}, Exception("disk I/O error"))
        return real(src, dst, table)

    monkeypatch.setattr(dbcopy, "_copy_table", failing)
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    result = _copy(runner, url)
    assert result.exit_code == 1
    assert "disk I/O error" in result.output and "left empty" in result.output
    copied = _dump(target_app(url))
    assert all(rows == [] for rows in copied.values())


@pytest.mark.postgres
def test_copy_sqlite_to_postgres_keeps_ids_and_fixes_sequences(app, runner, filled,
                                                               fresh_postgres, target_app):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the source of this test is the SQLite database")
    copied = _check_copy(app, runner, filled, fresh_postgres, target_app)
    with copied.app_context():
        # Every sequence hands out an id past the copied ones.
        top = db.session.scalar(select(func.max(Question.id)))
        question = db.session.get(Question, top)
        extra = Question(uid="extra", version=1, type=question.type, topic=question.topic,
                         document_id=question.document_id, payload=question.payload,
                         fact_ids=question.fact_ids)
        db.session.add(extra)
        db.session.commit()
        assert extra.id == top + 1


@pytest.mark.postgres
def test_copy_refuses_a_non_empty_postgres_target(app, runner, filled, fresh_postgres):
    assert _copy(runner, fresh_postgres).exit_code == 0
    again = _copy(runner, fresh_postgres)
    assert again.exit_code == 1
    assert "is not empty" in again.output
