"""Shared fixtures: an app on a fresh seeded database per test, clients, users, tokens."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Assignment, Course, Enrollment, LiveGame, Role, User
from quizapp.services import accounts, live, teach
from quizapp.services.setup import init_db

from support.helpers import FAST_HASHER, PASSWORD, basic_auth
from support.statements import StatementLog

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


@pytest.fixture(scope="session", autouse=True)
def _compiled_templates_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every app of the session keeps its compiled templates in one Jinja bytecode cache.

    Each test builds its own app, and each app's Jinja environment would compile every
    template it renders again: a tenth of a second a page, most of a web test's time. The
    cache checks each template's source, so an edited template is compiled anew.
    """
    from jinja2 import FileSystemBytecodeCache

    cache = FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja")))
    original = Flask.jinja_options
    Flask.jinja_options = {**original, "bytecode_cache": cache}
    yield
    Flask.jinja_options = original


@pytest.fixture(scope="session", autouse=True)
def _url_builders_shared() -> Iterator[None]:
    """Every app of the session reuses the URL builder Werkzeug generated for a rule.

    Werkzeug compiles two Python functions per URL rule with ``ast`` each time an app
    registers its blueprints: most of ``create_app``'s time, paid again by every test. The
    function depends only on the rule's parsed parts and defaults (converters are looked up
    on the rule when it runs), so one per distinct rule serves every app. Werkzeug keeps
    this method private: if it goes, the tests run as before, only slower.
    """
    from werkzeug.routing import Rule

    original = getattr(Rule, "_compile_builder", None)
    if original is None:
        yield
        return
    builders: dict[tuple, Any] = {}

    def compile_builder(self: Rule, append_unknown: bool = True):
        defaults = tuple(sorted((name, type(self._converters.get(name)).__name__, repr(value))
                                for name, value in (self.defaults or {}).items()))
        key = (tuple(self._trace), append_unknown, defaults)
        if key not in builders:
            builders[key] = original(self, append_unknown)
        return builders[key]

    Rule._compile_builder = compile_builder
    yield
    Rule._compile_builder = original


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


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own database beside the named one
    (``quizapp_ci`` → ``quizapp_ci_gw0``), created on first use: the reset before each test
    empties every table, which must not happen under another worker's test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import psycopg
    from sqlalchemy.engine import make_url

    named = make_url(url).set(drivername="postgresql")
    mine = f"{named.database}_{worker}"
    with psycopg.connect(named.render_as_string(hide_password=False),
                         autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (mine,)).fetchone():
            conn.execute(f'CREATE DATABASE "{mine}"')
    return named.set(database=mine).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _postgres_schema() -> str | None:
    """On PostgreSQL, migrate a clean schema once per session."""
    url = os.environ.get("QUIZAPP_TEST_DATABASE_URL")
    if not url:
        return None
    from sqlalchemy import create_engine, text

    url = _database_of_this_worker(url)
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


@pytest.fixture
def api_token(client: FlaskClient, make_user) -> Callable[..., dict[str, str]]:
    """Return a function that creates a user and returns Bearer headers for it."""

    def make(username: str = "apiuser", role: str = "student") -> dict[str, str]:
        make_user(username, role)
        response = client.post("/api/v1/tokens", headers=basic_auth(username))
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return make


def _detached(row: Any) -> Any:
    """``row`` committed and detached, its columns loaded (usable outside the app context)."""
    db.session.commit()
    db.session.refresh(row)
    db.session.expunge(row)
    return row


@pytest.fixture
def create_course(app: Flask) -> Callable[..., Course]:
    """Return a function that creates a class of ``owner`` (an instructor) with these
    students enrolled, as Indico's ``create_event`` does: ``create_course(prof, [stud])``."""

    def create(owner: User, students: Iterable[User] = (), name: str = "Seminar") -> Course:
        with app.app_context():
            course = teach.create_course(db.session.get(User, owner.id), name)
            for student in students:
                db.session.add(Enrollment(course_id=course.id, user_id=student.id,
                                          role=Role.STUDENT))
            return _detached(course)

    return create


@pytest.fixture
def create_assignment(app: Flask) -> Callable[..., Assignment]:
    """Return a function that assigns a quiz to a class: ``create_assignment(prof,
    course_id, count=6, show_keys="never")``; due in 2099, other settings the service's."""

    def create(owner: User, course_id: int, **settings: Any) -> Assignment:
        with app.app_context():
            assignment = teach.create_assignment(
                db.session.get(User, owner.id), course_id,
                **{"title": "Week 1", "count": 4, "due_at": "2099-01-01T12:00:00Z", **settings})
            return _detached(assignment)

    return create


@pytest.fixture
def create_game(app: Flask) -> Callable[..., LiveGame]:
    """Return a function that opens a warm-up lobby: ``create_game(host, count=2)``."""

    def create(host: User, **options: Any) -> LiveGame:
        with app.app_context():
            game = live.create_game(db.session.get(User, host.id), **options)
            return _detached(game)

    return create


@pytest.fixture
def count_statements() -> type[StatementLog]:
    """Return a context manager that records the SQL statements sent inside it."""
    return StatementLog
