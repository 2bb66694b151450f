"""Shared fixtures: an app on a fresh seeded database per test, clients, users, tokens."""

from __future__ import annotations

import base64
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from quizapp import create_app
from quizapp.domain.question_types import QUESTION_TYPES
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.services import accounts
from quizapp.services.setup import init_db

# Cheap hashes in tests: the suite checks behaviour, the benchmark measures the real cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
#: The seed commentary, for tests that paste or upload a commentary.
COMMENTARY = (Path(__file__).resolve().parents[1] / "seeds" /
              "nato-japan-commentary.txt").read_text(encoding="utf-8")


# tests/browser/conftest.py is imported under the same module name, "conftest"; before each
# test module is imported, point the name back here so `from conftest import ...` finds
# PASSWORD, basic_auth and FAST_HASHER whatever order the folders are collected in.
_THIS_MODULE = sys.modules[__name__]


def pytest_collectstart(collector: pytest.Collector) -> None:
    if isinstance(collector, pytest.Module):
        sys.modules["conftest"] = _THIS_MODULE


_ENGINES: set = set()


@event.listens_for(Engine, "engine_connect")
def _remember_engine(connection) -> None:
    _ENGINES.add(connection.engine)


@pytest.fixture(scope="session", autouse=True)
def _dispose_engines() -> Iterator[None]:
    """Close every pool the tests opened, so no connection is left to the garbage collector.

    Tests that build extra apps (two "workers", a production config) need not dispose each
    one; an open psycopg connection collected at exit would fail the run with a
    ResourceWarning.
    """
    yield
    for engine in list(_ENGINES):
        engine.dispose()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drop QUIZAPP_* variables so a developer's shell cannot leak into a test.

    QUIZAPP_TEST_* variables stay: they say which optional services the run may use.
    """
    for name in list(os.environ):
        if name.startswith("QUIZAPP_") and not name.startswith("QUIZAPP_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Build one seeded SQLite database per session; each test copies it (fast)."""
    if os.environ.get("QUIZAPP_TEST_DATABASE_URL"):
        return None
    folder = tmp_path_factory.mktemp("template")
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "DATABASE_URL": f"sqlite:///{folder / 'quizapp.db'}",
                      "PASSWORD_HASHER": FAST_HASHER})
    with app.app_context():
        init_db()
        db.engine.dispose()
    return folder / "quizapp.db"


@pytest.fixture(scope="session")
def _postgres_schema() -> str | None:
    """On PostgreSQL, migrate a clean schema once per session."""
    url = os.environ.get("QUIZAPP_TEST_DATABASE_URL")
    if not url:
        return None
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url})
    with app.app_context():
        init_db()
        db.engine.dispose()
    return url


# Read before _clean_environment drops QUIZAPP_* (a test may ask for it late).
_TEST_POSTGRES_URL = os.environ.get("QUIZAPP_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server named by QUIZAPP_TEST_POSTGRES_URL; skip the test without it."""
    url = _TEST_POSTGRES_URL
    if not url:
        pytest.skip("needs PostgreSQL: set QUIZAPP_TEST_POSTGRES_URL (.ci/run does)")
    return url


@pytest.fixture
def fresh_postgres(postgres_server_url: str) -> Iterator[str]:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    import secrets

    import psycopg
    from sqlalchemy.engine import make_url

    name = f"quizapp_t_{os.getpid()}_{secrets.token_hex(4)}"
    admin = make_url(postgres_server_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False),
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _postgres_resetter(_postgres_schema: str | None) -> Iterator[Flask | None]:
    """On PostgreSQL, an app kept for the session that resets the data before each test."""
    if not _postgres_schema:
        yield None
        return
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": _postgres_schema})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _reset_postgres(app: Flask) -> None:
    """Empty every table and load the seeds again: each test starts from the same data."""
    from sqlalchemy import text

    from quizapp.services.setup import load_seeds

    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        load_seeds()
        db.session.commit()
        db.session.remove()


@pytest.fixture
def app_config(tmp_path: Path, _template_db: Path | None, _postgres_schema: str | None,
               _postgres_resetter: Flask | None) -> dict:
    """Test configuration: a private copy of the seeded database (or the reset PostgreSQL)."""
    if _postgres_schema:
        # Reset here, not in the app fixture: tests that build their own app from this
        # configuration (create_app(app_config)) must start from clean data too.
        _reset_postgres(_postgres_resetter)
        url = _postgres_schema
    else:
        target = tmp_path / "instance" / "quizapp.db"
        target.parent.mkdir()
        shutil.copy(_template_db, target)
        url = f"sqlite:///{target}"
    return {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url,
            "PASSWORD_HASHER": FAST_HASHER, "WTF_CSRF_ENABLED": False}


def _make_app(config: dict) -> Iterator[Flask]:
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    """Create the app on a fresh seeded database."""
    yield from _make_app(app_config)


@pytest.fixture
def csrf_app(app_config: dict) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production."""
    yield from _make_app({**app_config, "WTF_CSRF_ENABLED": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Return a function that creates a user (password ``PASSWORD``)."""

    def make(username: str = "student1", role: str = "student",
             password: str = PASSWORD) -> User:
        with app.app_context():
            user = accounts.create_user(username, password, Role(role))
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


class AuthActions:
    """Log in and out through the HTML forms."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str = "student1", password: str = PASSWORD):
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Login/logout helpers for the HTML client."""
    return AuthActions(client)


def basic_auth(username: str, password: str = PASSWORD) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.fixture
def api_token(client: FlaskClient, make_user) -> Callable[..., dict[str, str]]:
    """Return a function that creates a user and returns Bearer headers for it."""

    def make(username: str = "apiuser", role: str = "student") -> dict[str, str]:
        make_user(username, role)
        response = client.post("/api/v1/tokens", headers=basic_auth(username))
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return make


def valid_response(question: dict[str, Any]) -> Any:
    """Some well-formed answer to ``question`` (right or wrong does not matter here)."""
    return QUESTION_TYPES[question["type"]].example(question)
