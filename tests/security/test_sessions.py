"""Revocation (ASVS V7.4): logout, "log out everywhere", password change, token expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import ApiToken

from support.helpers import PASSWORD, basic_auth

NEW_PASSWORD = "a brand new passphrase"


def _copy_cookies(source, target) -> None:
    """What an attacker who saved the cookies before logout would send."""
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def _token(client, username: str = "student1", password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/tokens", headers=basic_auth(username, password))
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_a_session_cookie_saved_before_logout_fails_after_it(app, client, auth, make_user):
    make_user()
    auth.login()
    saved = app.test_client()
    _copy_cookies(client, saved)
    assert saved.get("/dashboard").status_code == 200
    auth.logout()
    assert saved.get("/dashboard").status_code == 302


def test_remember_me_is_a_choice(client, auth, make_user, app):
    make_user()
    response = auth.login()
    assert not any(c.startswith("remember_token=")
                   for c in response.headers.getlist("Set-Cookie"))
    client.post("/logout")
    remembered = client.post("/login", data={"username": "student1", "password": PASSWORD,
                                             "remember": "y"})
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0],
                                "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    limit = timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"])
    assert expires <= datetime.now(UTC) + limit + timedelta(minutes=1)  # not a year


def test_a_remember_cookie_saved_before_logout_fails_after_it(app, client, make_user):
    make_user()
    client.post("/login", data={"username": "student1", "password": PASSWORD, "remember": "y"})
    saved = client.get_cookie("remember_token").value
    alone = app.test_client()
    alone.set_cookie("remember_token", saved)
    assert alone.get("/dashboard").status_code == 200  # the cookie alone logs in
    client.post("/logout")
    later = app.test_client()
    later.set_cookie("remember_token", saved)
    assert later.get("/dashboard").status_code == 302


@pytest.fixture
def signed_in_three_ways(app, auth, make_user):
    """Return a function: student1 logged in on ``client`` and a laptop, and an API token."""

    def sign_in():
        make_user()
        auth.login()
        laptop = app.test_client()
        laptop.post("/login", data={"username": "student1", "password": PASSWORD})
        return laptop, _token(app.test_client())

    return sign_in


def test_log_out_everywhere_ends_every_session_and_token(client, auth, signed_in_three_ways):
    laptop, headers = signed_in_three_ways()
    assert laptop.get("/dashboard").status_code == 200
    response = client.post("/account/logout-everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/dashboard").status_code == 302
    assert laptop.get("/dashboard").status_code == 302
    assert client.get("/api/v1/progress", headers=headers).status_code == 401
    assert auth.login().status_code == 302  # the password still works


def test_changing_the_password_ends_other_sessions_and_tokens(app, client,
                                                               signed_in_three_ways):
    laptop, headers = signed_in_three_ways()
    wrong = client.post("/account", data={"current": "not my password 1",
                                          "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "Wrong username or password." in wrong.text
    weak = client.post("/account", data={"current": PASSWORD, "password": "password12345",
                                         "confirm": "password12345"})
    assert weak.status_code == 400 and "too common" in weak.text
    assert laptop.get("/dashboard").status_code == 200  # nothing changed yet
    done = client.post("/account", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                         "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/dashboard").status_code == 200  # this session goes on
    assert laptop.get("/dashboard").status_code == 302
    assert client.get("/api/v1/progress", headers=headers).status_code == 401
    other = app.test_client()
    assert other.post("/login", data={"username": "student1",
                                      "password": PASSWORD}).status_code == 401
    assert other.post("/login", data={"username": "student1",
                                      "password": NEW_PASSWORD}).status_code == 302


def test_delete_tokens_ends_only_the_token_it_is_sent_with(client, make_user):
    make_user()
    first, second = _token(client), _token(client)
    assert client.delete("/api/v1/tokens", headers=first).status_code == 204
    assert client.get("/api/v1/progress", headers=first).status_code == 401
    assert client.delete("/api/v1/tokens", headers=first).status_code == 401
    assert client.get("/api/v1/progress", headers=second).status_code == 200


def test_tokens_expire(app, client, make_user):
    make_user()
    response = client.post("/api/v1/tokens", headers=basic_auth("student1"))
    assert "expires_at" in response.get_json()
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    lifetime = timedelta(seconds=app.config["TOKEN_LIFETIME"])
    with app.app_context():
        db.session.execute(update(ApiToken).values(
            created_at=ApiToken.created_at - lifetime - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/api/v1/progress", headers=headers).status_code == 401


@pytest.mark.parametrize("end", ["logout", "everywhere", "delete_token"])
def test_revocation_reaches_another_worker(app_config, make_user, end):
    """Two app instances on one database stand for two gunicorn workers (identity cache)."""
    make_user()
    worker_a, worker_b = create_app(app_config), create_app(app_config)
    browser_a = worker_a.test_client()
    browser_a.post("/login", data={"username": "student1", "password": PASSWORD})
    browser_b = worker_b.test_client()
    _copy_cookies(browser_a, browser_b)
    headers = _token(worker_a.test_client())
    assert browser_b.get("/dashboard").status_code == 200  # now cached in worker B
    assert browser_b.get("/api/v1/progress", headers=headers).status_code == 200
    if end == "logout":
        browser_a.post("/logout")
        assert browser_b.get("/dashboard").status_code == 302
    elif end == "everywhere":
        browser_a.post("/account/logout-everywhere")
        assert browser_b.get("/dashboard").status_code == 302
        assert browser_b.get("/api/v1/progress", headers=headers).status_code == 401
    else:
        assert browser_a.delete("/api/v1/tokens", headers=headers).status_code == 204
        assert browser_b.get("/api/v1/progress", headers=headers).status_code == 401
    for worker in (worker_a, worker_b):
        with worker.app_context():
            db.engine.dispose()
