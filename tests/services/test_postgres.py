"""Both backends are first class: the migrations build exactly the models' schema on each.

The whole suite also runs on PostgreSQL when QUIZAPP_TEST_DATABASE_URL names one (.ci/run
does); the tests here need a fresh, empty database of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, inspect, select

from quizapp import create_app
from quizapp.database import create_sqlite_file
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.services.setup import init_db, upgrade_schema

from support.helpers import FAST_HASHER, basic_auth

# The PostgreSQL stage of CI (QUIZAPP_TEST_DATABASE_URL) skips this module: it already ran in
# the SQLite stage, and makes its own PostgreSQL databases there (QUIZAPP_TEST_POSTGRES_URL).
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("QUIZAPP_TEST_DATABASE_URL")),
    reason="runs in the SQLite stage; talks to PostgreSQL through QUIZAPP_TEST_POSTGRES_URL")


@pytest.fixture
def open_app() -> Iterator:
    """Return a function that creates an app on a given URL (engines disposed afterwards)."""
    apps: list[Flask] = []

    def make(url: str) -> Flask:
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url,
                          "PASSWORD_HASHER": FAST_HASHER})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _schema_differences(app: Flask) -> list:
    """Upgrade the empty database to the newest migration; return Alembic's model diff."""
    with app.app_context():
        create_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
        upgrade_schema()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)


def test_migrations_build_the_models_schema_on_sqlite(open_app, tmp_path: Path):
    assert _schema_differences(open_app(f"sqlite:///{tmp_path / 'empty.db'}")) == []


@pytest.mark.postgres
def test_migrations_build_the_models_schema_on_postgres(open_app, fresh_postgres):
    app = open_app(fresh_postgres)
    assert _schema_differences(app) == []
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} | {"alembic_version"} == tables


@pytest.mark.postgres
def test_init_db_on_postgres_seeds_once_and_is_safe_to_repeat(open_app, fresh_postgres):
    app = open_app(fresh_postgres)
    with app.app_context():
        first = init_db()
        count = db.session.scalar(select(func.count()).select_from(Question))
        second = init_db()
        assert db.session.scalar(select(func.count()).select_from(Question)) == count
    assert sum(first.values()) == count > 0
    assert sum(second.values()) == 0


@pytest.mark.postgres
def test_api_round_trip_on_a_fresh_postgres(open_app, fresh_postgres):
    app = open_app(fresh_postgres)
    with app.app_context():
        init_db()
    client = app.test_client()
    assert client.post("/api/v1/users", json={"username": "pg_learner",
                                              "password": "long enough pw"}).status_code == 201
    token = client.post("/api/v1/tokens", headers=basic_auth("pg_learner", "long enough pw"))
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    attempt = client.post("/api/v1/attempts", json={"count": 3, "types": ["true_false"]},
                          headers=headers).get_json()
    qid = attempt["questions"][0]["id"]
    url = f"/api/v1/attempts/{attempt['id']}/responses/{qid}"
    assert client.put(url, json={"response": True}, headers=headers).status_code == 200
    assert client.put(url, json={"response": True}, headers=headers).status_code == 200
    assert client.put(url, json={"response": False}, headers=headers).status_code == 409
    progress = client.get("/api/v1/progress", headers=headers).get_json()
    assert progress["questions_answered"] == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_answers_about_one_fact_count_every_answer(backend, app, open_app, request):
    """Several attempts answer the same question at once: progress counts each answer.

    On SQLite the write lock serialises them; on PostgreSQL the learner's row lock does, so
    the fact's counter neither loses an increment nor trips over its unique (user, fact) row.
    """
    import threading

    from quizapp.models import FactProgress, User
    from quizapp.services import study
    from quizapp.services.accounts import create_user

    if backend == "postgres":
        app = open_app(request.getfixturevalue("fresh_postgres"))
        with app.app_context():
            init_db()
    with app.app_context():
        create_user("racer", "long enough pw")
        db.session.commit()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "racer"))
        attempts = [study.start_attempt(user, count=1, types=["true_false"], seed=5)
                    for _ in range(6)]
        db.session.commit()
        work = [(a.id, a.items[0].question_id) for a in attempts]
        fact_ids = db.session.get(Question, work[0][1]).fact_ids
        user_id = user.id
    barrier = threading.Barrier(len(work), timeout=30)
    errors: list[BaseException] = []

    def answer(attempt_id: int, question_id: int) -> None:
        try:
            with app.app_context():
                me = db.session.get(User, user_id)
                barrier.wait()
                study.record_answer(me, attempt_id, question_id, True)
                db.session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=item) for item in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with app.app_context():
        seen = db.session.scalars(select(FactProgress.seen).where(
            FactProgress.user_id == user_id, FactProgress.fact_id.in_(fact_ids))).all()
    assert seen == [len(work)] * len(fact_ids)
