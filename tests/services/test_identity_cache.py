"""The signed-in user's fields are cached per process (services/identity.py)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import event, update

from quizapp.database import sqlite_path
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.services import identity


@pytest.fixture
def user_selects(app):
    """A list that gets one entry per SQL statement that reads the user table."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args) -> None:
        lowered = statement.lower()
        if lowered.startswith("select") and "from user" in lowered.replace('"', ""):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _change_user(app, username: str, **values) -> None:
    """Change a user behind the app's back, as SQL run by an administrator would."""
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(**values))
        db.session.commit()


def test_logged_in_pages_read_the_user_once_per_process(app, client, make_user, auth,
                                                        user_selects):
    make_user("student1")
    auth.login("student1")
    assert client.get("/dashboard").status_code == 200
    before = len(user_selects)
    for _ in range(5):
        page = client.get("/dashboard")
        assert page.status_code == 200 and "Hello, student1" in page.text
    assert len(user_selects) == before


def test_api_calls_read_the_token_owner_once_per_process(client, api_token, user_selects):
    headers = api_token("apiuser")
    assert client.get("/api/v1/progress", headers=headers).status_code == 200
    before = len(user_selects)
    for _ in range(5):
        assert client.get("/api/v1/progress", headers=headers).status_code == 200
    assert len(user_selects) == before
    # A token that names nobody is refused every time, and is not remembered.
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/progress", headers=bad).status_code == 401
    assert client.get("/api/v1/progress", headers=bad).status_code == 401
    with client.application.app_context():
        db.session.connection()
        _, _, tokens = client.application.extensions["quizapp.identities"]
        assert len(tokens) == 1


def test_a_changed_user_is_seen_after_user_changed_or_the_ttl(app, client, make_user, auth,
                                                       monkeypatch):
    """A new session nonce (log out everywhere) and a new role reach every worker."""
    user = make_user("student1")
    auth.login("student1")
    assert client.get("/dashboard").status_code == 200
    _change_user(app, "student1", role=Role.INSTRUCTOR)
    assert client.get("/teach/").status_code == 403  # this worker still has the old role
    with app.app_context():
        identity.user_changed(user.id)
    assert client.get("/teach/").status_code == 200

    _change_user(app, "student1", session_nonce="new-nonce")
    assert client.get("/dashboard").status_code == 200  # cached, within the TTL
    clock = identity.time.monotonic() + identity.TTL + 1
    monkeypatch.setattr(identity.time, "monotonic", lambda: clock)
    assert client.get("/dashboard").status_code == 302  # the old cookie no longer works


def test_an_old_cookie_with_another_nonce_is_refused_from_the_cache(app, client, make_user,
                                                                  auth):
    make_user("student1")
    auth.login("student1")
    assert client.get("/dashboard").status_code == 200
    with app.test_request_context():
        cached = identity.identity_for_session(f"{_id(app, 'student1')}:x")
        assert cached is None
        assert identity.identity_for_session("1x:abc") is None
        assert identity.identity_for_session("9" * 30 + ":abc") is None


def test_a_replaced_database_file_starts_the_cache_again(app, client, make_user, auth):
    """A restored backup may give the cached user's id to someone else."""
    path = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        pytest.skip("an SQLite file is replaced here; the PostgreSQL stage has none")
    make_user("student1")
    auth.login("student1")
    assert "Hello, student1" in client.get("/dashboard").text  # now cached

    restored = Path(f"{path}.restored")
    source, copy = sqlite3.connect(path), sqlite3.connect(restored)
    # Empty the old file's WAL first: SQLite would replay it over the restored file.
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source.backup(copy)
    source.close()
    copy.execute("UPDATE user SET username = 'someone_else' WHERE username = 'student1'")
    copy.commit()
    copy.close()
    restored.replace(path)  # a new file (inode) under the same name

    assert "Hello, someone_else" in client.get("/dashboard").text


def _id(app, username: str) -> int:
    with app.app_context():
        return db.session.query(User.id).filter_by(username=username).scalar()


def test_a_new_login_after_the_nonce_changed_is_accepted_at_once(app, client, make_user,
                                                                auth):
    make_user("student1")
    auth.login("student1")
    assert client.get("/dashboard").status_code == 200  # cached with the old nonce
    _change_user(app, "student1", session_nonce="logged-out-everywhere")
    assert auth.login("student1").status_code == 302
    assert client.get("/dashboard").status_code == 200


def _worker(app_config):
    """Another app instance on the same database: another gunicorn worker."""
    from quizapp import create_app

    return create_app(app_config)


def test_user_changed_reaches_the_other_workers(app, app_config, make_user, auth, client):
    make_user("student1")
    auth.login("student1")
    other = _worker(app_config)
    other_client = other.test_client()
    other_client.set_cookie("session", client.get_cookie("session").value)
    assert other_client.get("/teach/").status_code == 403  # cached there as a student
    _change_user(app, "student1", role=Role.INSTRUCTOR)
    assert other_client.get("/teach/").status_code == 403  # within the TTL
    with app.app_context():
        identity.user_changed(_id(app, "student1"))
    # On SQLite the stamp file is read at the next request; on PostgreSQL the NOTIFY
    # reaches the other worker's listener thread a moment later (a loaded machine: longer).
    deadline = time.monotonic() + 10
    while other_client.get("/teach/").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert other_client.get("/teach/").status_code == 200
    with other.app_context():
        db.engine.dispose()


def test_a_deleted_users_id_given_to_a_new_user_does_not_carry_the_old_login(
        app, app_config, make_user, auth, client):
    """SQLite may give a deleted user's id to the next new user."""
    from sqlalchemy import delete

    from quizapp.services import accounts

    make_user("first")
    auth.login("first")
    other = _worker(app_config)
    other_client = other.test_client()
    other_client.set_cookie("session", client.get_cookie("session").value)
    assert "Hello, first" in other_client.get("/dashboard").text  # cached there
    old_id = _id(app, "first")
    with app.app_context():
        db.session.execute(delete(User).where(User.id == old_id))
        db.session.commit()
        newcomer = accounts.create_user("newcomer", "a long password")
        db.session.commit()
        new_id = newcomer.id
    if new_id != old_id:
        pytest.skip("this database did not reuse the id (PostgreSQL never does)")
    page = other_client.get("/dashboard")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    with other.app_context():
        db.engine.dispose()
