"""Accounts in HTML: register, log in, log out, CSRF, throttling, safe redirects."""

from __future__ import annotations

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User

from support.helpers import PASSWORD, basic_auth


def test_register_logs_in_and_hashes_with_argon2id(client, app):
    response = client.post("/register", data={"username": "sam", "password": PASSWORD,
                                              "confirm": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "sam"))
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_register_shows_field_errors_and_keeps_nothing(client, app):
    response = client.post("/register", data={"username": "a b", "password": "short",
                                              "confirm": "other"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Use letters, digits" in page and "The passwords differ." in page
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_register_refuses_a_taken_username_case_insensitively(client, make_user):
    make_user("Sam")
    response = client.post("/register", data={"username": "sam", "password": PASSWORD,
                                              "confirm": PASSWORD})
    assert response.status_code == 400
    assert "That username is taken." in response.get_data(as_text=True)


def test_login_and_logout(client, auth, make_user):
    make_user()
    assert auth.login().status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_is_a_clear_error(client, auth, make_user):
    make_user()
    response = auth.login(password="not the password")
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_login_renews_the_session(client, auth, make_user):
    make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_login_redirects_only_to_this_site(client, make_user):
    make_user()
    for target, expected in [("/progress", "/progress"), ("https://evil.example/", "/dashboard"),
                             ("//evil.example/", "/dashboard"), ("/\\evil", "/dashboard")]:
        client.post("/logout")
        response = client.post(f"/login?next={target}",
                               data={"username": "student1", "password": PASSWORD})
        assert response.headers["Location"] == expected


def test_login_is_throttled_after_repeated_failures(client, app, auth, make_user):
    make_user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert auth.login(password="wrong password").status_code == 401
    blocked = auth.login()  # a browser the user never logged in from waits too
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.get_data(as_text=True)
    api = client.post("/api/v1/tokens", headers=basic_auth("student1"))
    assert api.status_code == 429


def test_throttle_does_not_lock_out_other_users(client, app, auth, make_user):
    make_user()
    make_user("other")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(password="wrong password")
    assert auth.login("other").status_code == 302


def test_forms_without_a_csrf_token_are_rejected(csrf_app, make_user):
    client = csrf_app.test_client()
    response = client.post("/register", data={"username": "eve", "password": PASSWORD,
                                              "confirm": PASSWORD})
    assert response.status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(User).where(User.username == "eve")) is None
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with_token = client.post("/register", data={"username": "eve", "password": PASSWORD,
                                                "confirm": PASSWORD, "csrf_token": token})
    assert with_token.status_code == 302


def test_logout_requires_post_with_csrf(csrf_app):
    client = csrf_app.test_client()
    assert client.get("/logout").status_code == 405


def test_security_headers_are_set(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    make_user()
    response = auth.login()
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
