"""Cookies and production settings: HttpOnly and SameSite everywhere, Secure in production,
debug off unless asked for (and never in production), no weak secret key in production.

(tests/test_auth.py checks the session cookie's flags; tests/test_faults.py that production
needs a secret key and sends Secure login cookies.)
"""

from __future__ import annotations

import tomllib
from importlib.metadata import version

import pytest
from packaging.requirements import Requirement
from sqlalchemy import select

from quizapp import create_app
from quizapp.config import ConfigurationError
from quizapp.extensions import db
from quizapp.models import LiveGame, User
from quizapp.services import live

from support.helpers import PASSWORD, ROOT

STRONG_KEY = "0123456789abcdef" * 4
PUBLIC_URL = "https://quiz.example.org"


def cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return found[0]


def start_game(app) -> str:
    with app.app_context():
        host = db.session.scalar(select(User).where(User.username == "host"))
        game = live.create_game(host, count=1)
        db.session.commit()
        return game.pin


def test_the_remember_me_cookie_is_httponly_samesite_and_not_secure_over_http(client,
                                                                            make_user):
    make_user()
    response = client.post("/login", data={"username": "student1", "password": PASSWORD,
                                           "remember": "y"})  # remember-me is a choice
    for name in ("remember_token", "quizapp_device"):
        remember = cookie(response, name)
        assert "HttpOnly" in remember and "SameSite=Lax" in remember
        assert "Secure" not in remember  # development over plain http still works


def test_the_warm_up_player_cookie_is_httponly_and_samesite(app, client, make_user):
    make_user("host", "instructor")
    pin = start_game(app)
    response = client.post("/join", data={"pin": pin, "nickname": "Ann"})
    assert response.status_code == 302
    player = cookie(response, f"live_{pin}")
    assert "HttpOnly" in player and "SameSite=Lax" in player and "Secure" not in player


def test_production_makes_the_player_cookie_secure_too(app_config, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("QUIZAPP_PUBLIC_URL", PUBLIC_URL)
    app = create_app({**app_config, "SECRET_KEY": STRONG_KEY})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
        with app.app_context():
            from quizapp.models import Role
            from quizapp.services.accounts import create_user

            create_user("host", PASSWORD, Role.INSTRUCTOR)
            db.session.commit()
        pin = start_game(app)
        response = app.test_client().post("/join", data={"pin": pin, "nickname": "Ann"},
                                          base_url="https://localhost")
        assert "Secure" in cookie(response, f"live_{pin}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_debug_is_off_by_default_and_errors_show_no_traceback(app_config, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = {k: v for k, v in app_config.items() if k != "TESTING"}
    app = create_app(config)
    try:
        assert app.debug is False and app.testing is False

        @app.get("/boom")
        def boom():
            raise RuntimeError("secret internals")

        response = app.test_client().get("/boom")
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Something went wrong" in page
        assert "Traceback" not in page and "secret internals" not in page
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("variable", ["QUIZAPP_DEBUG", "FLASK_DEBUG"])
def test_production_refuses_to_start_in_debug_mode(app_config, monkeypatch, variable):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("QUIZAPP_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv(variable, "1")
    with pytest.raises(ConfigurationError, match="debug"):
        create_app({**app_config, "SECRET_KEY": STRONG_KEY})


@pytest.mark.parametrize("key", ["...", "dev", "changeme", "secret", "test-secret",
                                 "x" * 31])
def test_production_refuses_a_placeholder_or_short_secret_key(app_config, monkeypatch, key):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("QUIZAPP_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", key)
    config = {k: v for k, v in app_config.items() if k != "SECRET_KEY"}
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        create_app(config)


def test_production_starts_with_a_long_random_secret_key(app_config, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("QUIZAPP_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", STRONG_KEY)
    config = {k: v for k, v in app_config.items() if k != "SECRET_KEY"}
    app = create_app(config)
    try:
        assert app.secret_key == STRONG_KEY and not app.debug
        with app.app_context():
            assert db.session.scalar(select(LiveGame)) is None
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_installed_packages_meet_the_minimum_versions_in_pyproject():
    """The floors raised for security advisories (see docs/security.md) hold where the
    tests run."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml")
                              .read_text())
    for line in pyproject["project"]["dependencies"]:
        requirement = Requirement(line)
        installed = version(requirement.name)
        assert requirement.specifier.contains(installed, prereleases=True), \
            f"{requirement.name} {installed} does not satisfy {requirement.specifier}"


def test_production_refuses_to_start_without_a_public_url(app_config, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    with pytest.raises(ConfigurationError, match="QUIZAPP_PUBLIC_URL"):
        create_app({**app_config, "SECRET_KEY": STRONG_KEY})


def test_absolute_links_come_from_the_public_url_not_the_host_header(app_config, api_token,
                                                                      client):
    """A forged Host must not end up in a join link (or its QR code) a class is sent to."""
    app = create_app({**app_config, "PUBLIC_URL": PUBLIC_URL})
    forged = {"Host": "evil.example"}
    teacher = app.test_client()
    with app.app_context():
        from quizapp.models import Role
        from quizapp.services.accounts import create_user

        create_user("linker", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
    from support.helpers import basic_auth

    token = teacher.post("/api/v1/tokens", headers=basic_auth("linker")).get_json()["token"]
    headers = {**forged, "Authorization": f"Bearer {token}"}
    live = teacher.post("/api/v1/live", json={"count": 2}, headers=headers).get_json()
    assert live["join_url"].startswith(f"{PUBLIC_URL}/join") and "evil" not in str(live)
    course = teacher.post("/api/v1/classes", json={"name": "Links"}, headers=headers)
    assert course.get_json()["join_url"].startswith(f"{PUBLIC_URL}/")
    with app.app_context():
        db.engine.dispose()


def test_signed_in_pages_exports_and_the_api_are_not_stored(client, auth, make_user,
                                                            api_token):
    make_user()
    assert "Cache-Control" not in client.get("/login").headers  # public: cacheable
    auth.login()
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"
    assert client.get("/progress").headers["Cache-Control"] == "no-store"
    headers = api_token("cacheless")
    assert client.get("/api/v1/progress", headers=headers).headers["Cache-Control"] \
        == "no-store"
    assert client.post("/api/v1/tokens", headers={}).headers["Cache-Control"] == "no-store"
    with client.get("/static/css/study.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")
