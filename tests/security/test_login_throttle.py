"""Login throttling (ASVS V6.3.1) that slows guessing without locking the right user out."""

from __future__ import annotations

import threading
import time

import pytest

from quizapp import create_app
from quizapp.extensions import db
from quizapp.services import accounts

from support.helpers import PASSWORD

NAT = "10.0.0.7"  # a classroom (and an attacker) behind one address


def _client(app, address: str):
    """A browser whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def test_the_right_password_from_a_known_device_passes_a_locked_username(app, make_user):
    make_user("victim")
    laptop = app.test_client()
    assert _login(laptop, "victim").status_code == 302  # the laptop gets a device cookie
    laptop.post("/logout")
    attacker = _client(app, "203.0.113.9")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(attacker, "victim", "a wrong guess 123").status_code == 401
    assert _login(attacker, "victim").status_code == 429  # the attacker is stopped...
    assert _login(laptop, "victim").status_code == 302  # ...the owner is not
    laptop.post("/logout")
    api = laptop.post("/api/v1/tokens", headers=_basic("victim"))
    assert api.status_code == 200


def test_a_device_cookie_has_a_limited_budget_of_its_own(app, make_user):
    make_user("victim")
    stolen = app.test_client()
    _login(stolen, "victim")
    stolen.post("/logout")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(2 * limit):  # the device's budget, then the username's
        assert _login(stolen, "victim", "a wrong guess 123").status_code == 401
    assert _login(stolen, "victim").status_code == 429


def test_another_users_device_cookie_does_not_help(app, make_user):
    make_user("victim")
    make_user("mallory")
    attacker = app.test_client()
    _login(attacker, "mallory")
    attacker.post("/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(attacker, "victim", "a wrong guess 123").status_code == 401
    assert _login(attacker, "victim").status_code == 429


def test_a_classroom_behind_one_address_can_still_log_in(app_config, make_user):
    app = create_app({**app_config, "LOGIN_MAX_FAILURES": 3})
    names = [f"pupil{i:02d}" for i in range(30)]
    for name in names:
        make_user(name)
    # Each pupil mistypes once, then logs in: 30 failures from one address lock no one out.
    phones = {name: _client(app, NAT) for name in names}
    for name, phone in phones.items():
        assert _login(phone, name, "a wrong guess 123").status_code == 401
        assert _login(phone, name).status_code == 302
        phone.post("/logout")
    # Someone in the room sprays the address's whole budget over random names.
    attacker = _client(app, NAT)
    budget = 3 * accounts.ADDRESS_FACTOR  # the pupils' typos used part of it
    sprayed = [_login(attacker, f"nobody{i}", "a wrong guess 123").status_code
               for i in range(budget)]
    assert sprayed.count(401) == budget - len(names) and sprayed[-1] == 429
    assert _login(attacker, "pupil00").status_code == 429  # no device cookie: refused
    for name, phone in phones.items():
        assert _login(phone, name).status_code == 302, name
    with app.app_context():
        db.engine.dispose()


def test_parallel_guesses_do_not_get_past_the_limit(app, make_user, monkeypatch):
    """32 guesses at once against a limit of 10: at most 10 passwords are tried."""
    make_user("victim")
    tried: list[str] = []
    real_verify = accounts.verify_password

    def slow_verify(user, password):
        tried.append(password)
        time.sleep(0.05)  # widen the window between the check and the count
        return real_verify(user, password)

    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    start = threading.Barrier(32)
    statuses: list[int] = []

    def guess(n: int) -> None:
        client = app.test_client()
        start.wait()
        statuses.append(_login(client, "victim", f"guess number {n:04d}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert len(tried) <= limit
    assert statuses.count(401) <= limit and set(statuses) <= {401, 429, 503}


@pytest.mark.parametrize("path", ["/register", "/api/v1/users"])
def test_sign_ups_are_throttled_per_address(app_config, path):
    app = create_app({**app_config, "SIGNUP_MAX_PER_ADDRESS": 3})
    client = _client(app, NAT)

    def sign_up(name: str):
        body = {"username": name, "password": PASSWORD, "confirm": PASSWORD}
        return client.post(path, json=body) if path.startswith("/api") else \
            client.post(path, data=body)

    for i in range(3):
        assert sign_up(f"fresh{i}").status_code in (201, 302)
        client.post("/logout")
    refused = sign_up("fresh9")
    assert refused.status_code == 429
    other = _client(app, "10.0.0.8")
    assert other.post("/api/v1/users", json={"username": "fresh8",
                                             "password": PASSWORD}).status_code == 201
    with app.app_context():
        db.engine.dispose()


def _basic(username: str) -> dict[str, str]:
    from support.helpers import basic_auth

    return basic_auth(username)


def test_new_accounts_get_no_fresh_budget_of_join_code_guesses(app_config, make_user):
    """Wrong join codes count per client address too, not only per account."""
    app = create_app({**app_config, "LOGIN_MAX_FAILURES": 2})
    client = _client(app, NAT)
    statuses = []
    for i in range(2 * accounts.ADDRESS_FACTOR // 2 + 1):  # two guesses per new account
        make_user(f"sock{i:02d}")
        token = client.post("/api/v1/tokens", headers=_basic(f"sock{i:02d}")).get_json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        for _ in range(2):
            statuses.append(client.post("/api/v1/enrollments", json={"join_code": "ZZZZZZ"},
                                        headers=headers).status_code)
    assert statuses.count(404) == 2 * accounts.ADDRESS_FACTOR and statuses[-1] == 429
    with app.app_context():
        db.engine.dispose()
