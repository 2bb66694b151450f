"""The password policy (ASVS V6.2): 12 characters, not the username, not a common password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.cli import main
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.accounts import validate_password

from support.helpers import PASSWORD

#: (username, password, what the refusal says)
REFUSED = [
    ("newbie", "elevenchars", "at least 12 characters"),
    ("newbie", "newbie-rules-ok", "username"),
    ("newbie", "my NEWBIE password", "username"),
    ("newbie", "qwertyuiop12", "too common"),  # in the packaged list as it is
    ("newbie", "password12345!", "too common"),  # a listed word padded to length
    ("newbie", "1q2w3e4r5t6y", "too common"),
]


def test_fixture_password_passes_the_policy():
    assert validate_password(PASSWORD, "student1") is None


@pytest.mark.parametrize(("username", "password", "message"), REFUSED)
def test_html_sign_up_refuses_weak_passwords(client, app, username, password, message):
    response = client.post("/register", data={"username": username, "password": password,
                                              "confirm": password})
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == username)) is None


@pytest.mark.parametrize(("username", "password", "message"), REFUSED)
def test_api_sign_up_refuses_weak_passwords(client, username, password, message):
    response = client.post("/api/v1/users", json={"username": username, "password": password})
    assert response.status_code == 400
    assert message in response.get_json()["error"]["fields"]["password"]


@pytest.mark.parametrize(("username", "password", "message"), REFUSED)
def test_add_user_refuses_weak_passwords(runner, username, password, message):
    result = runner.invoke(main, ["add-user", username, "--password", password])
    assert result.exit_code == 1 and message in result.output


def test_a_long_uncommon_password_is_accepted(client):
    response = client.post("/api/v1/users", json={"username": "newbie",
                                                  "password": "plum orbit kettle 7"})
    assert response.status_code == 201
