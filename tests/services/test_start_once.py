"""A start form sent twice starts one attempt (its ``start_key``); old schemas are upgraded."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text, update

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Attempt, FactProgress, User, utcnow
from quizapp.services import study
from quizapp.services.setup import DatabaseMissing, ensure_database, schema_behind

from support.helpers import valid_response

KEY = "k" * 22


@pytest.fixture
def student(make_user, auth):
    user = make_user("student1")
    auth.login("student1")
    return user.id


def _attempts(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt)
                                 .where(Attempt.user_id == user_id))


def _start_keys(html: str) -> list[str]:
    return re.findall(r'name="start_key" value="([A-Za-z0-9_-]+)"', html)


@pytest.mark.parametrize("path, form", [
    ("/quiz/new", {"length": "5"}),
    ("/facts/info-security-agreement-year/practice", {}),
])
def test_the_same_form_sent_twice_starts_one_attempt(app, client, student, path, form):
    first = client.post(path, data={**form, "start_key": KEY})
    second = client.post(path, data={**form, "start_key": KEY})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _attempts(app, student) == 1
    # Another form (another key), or one without a key (an older page), starts another.
    client.post(path, data={**form, "start_key": "z" * 22})
    client.post(path, data=form)
    assert _attempts(app, student) == 3


def test_a_review_form_sent_twice_starts_one_review(app, client, student):
    with app.app_context():
        user = db.session.get(User, student)
        attempt = study.start_attempt(user, count=3, seed=1)
        for item in attempt.items:  # answer everything, then make each fact due
            study.record_answer(user, attempt.id, item.question_id,
                                valid_response(item.question.payload))
        db.session.execute(update(FactProgress).values(due=utcnow() - timedelta(days=1)))
        db.session.commit()
    first = client.post("/review", data={"start_key": KEY})
    second = client.post("/review", data={"start_key": KEY})
    assert first.status_code == 302 and first.headers["Location"] == second.headers["Location"]
    assert _attempts(app, student) == 2  # the practice quiz and one review



def test_a_key_from_another_learner_starts_their_own_attempt(app, client, make_user, auth,
                                                            student):
    client.post("/quiz/new", data={"length": "5", "start_key": KEY})
    make_user("student2")
    auth.logout()
    auth.login("student2")
    client.post("/quiz/new", data={"length": "5", "start_key": KEY})
    assert _attempts(app, student) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


@pytest.mark.parametrize("key", ["short", "x" * 40, "<script>", "a b c d e f g h i j k l"])
def test_a_malformed_key_is_ignored(app, client, student, key):
    response = client.post("/quiz/new", data={"length": "5", "start_key": key})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Attempt.start_key)) is None


def test_every_start_form_carries_a_fresh_key(client, student):
    keys = _start_keys(client.get("/quiz/new").text) + _start_keys(client.get("/quiz/new").text)
    assert len(keys) == 2 and keys[0] != keys[1]
    source = _start_keys(client.get("/source").text)
    assert len(source) > 20 and len(set(source)) == len(source)  # one per fact's form


def test_racing_sends_of_one_form_start_one_attempt(app, make_user):
    """Two workers get the same form at once (PostgreSQL: the learner's row lock)."""
    user_id = make_user("racer").id
    barrier, ids, errors = threading.Barrier(4), [], []

    def start() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                user = db.session.get(User, user_id)
                ids.append(study.start_attempt(user, count=3, start_key=KEY).id)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(ids) == 4 and len(set(ids)) == 1
    assert _attempts(app, user_id) == 1


# --- a schema older than the code ---------------------------------------------------------


@pytest.fixture
def old_sqlite(tmp_path: Path):
    """A database file at the first migration, before ``attempt.start_key``."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    (tmp_path / "old.db").touch()
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="66766c839116")
        assert schema_behind()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_configured_database_with_an_old_schema_is_refused_with_the_fix(old_sqlite):
    with old_sqlite.app_context(), pytest.raises(DatabaseMissing, match="quizapp init-db"):
        ensure_database()


def test_the_embedded_database_upgrades_itself_on_start(old_sqlite):
    old_sqlite.config["DATABASE_URL"] = ""  # as when no URL is configured
    with old_sqlite.app_context():
        assert ensure_database() is False
        assert not schema_behind()


def test_the_same_form_after_its_attempt_was_used_starts_a_new_one(app, client, student):
    """Back to the form, then Start again: a new quiz once the first one has an answer."""
    first = client.post("/quiz/new", data={"length": "5", "start_key": KEY})
    attempt_id = int(first.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        user = db.session.get(User, student)
        item = db.session.get(Attempt, attempt_id).items[0]
        study.record_answer(user, attempt_id, item.question_id,
                            valid_response(item.question.payload))
        db.session.commit()
    again = client.post("/quiz/new", data={"length": "5", "start_key": KEY})
    assert again.headers["Location"] != first.headers["Location"]
    with app.app_context():
        study.finish_attempt(db.session.get(User, student), attempt_id)
        db.session.commit()
    third = client.post("/quiz/new", data={"length": "5", "start_key": KEY})
    assert third.headers["Location"] == again.headers["Location"]  # still untouched
    assert _attempts(app, student) == 2


def test_the_same_key_with_other_choices_starts_a_new_attempt(app, client, student):
    first = client.post("/quiz/new", data={"length": "5", "start_key": KEY})
    longer = client.post("/quiz/new", data={"length": "10", "start_key": KEY})
    assert first.headers["Location"] != longer.headers["Location"]
    practise = client.post("/facts/info-security-agreement-year/practice", data={"start_key": KEY})
    other_fact = client.post("/facts/sdf-officers-to-nato-hq/practice", data={"start_key": KEY})
    assert len({first.headers["Location"], practise.headers["Location"],
                other_fact.headers["Location"]}) == 3
    with app.app_context():
        lengths = sorted(a.max_score for a in db.session.scalars(
            select(Attempt).where(Attempt.user_id == student)))
    assert 5 in lengths and 10 in lengths


def test_a_schema_from_a_newer_version_is_refused_clearly(old_sqlite):
    with old_sqlite.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'fffffffffff1'"))
        db.session.commit()
    old_sqlite.config["DATABASE_URL"] = ""  # even the embedded default does not touch it
    with old_sqlite.app_context(), pytest.raises(DatabaseMissing, match="newer than this"):
        ensure_database()


def test_an_api_retry_with_the_same_idempotency_key_gets_the_same_attempt(app, client,
                                                                          api_token):
    headers = {**api_token("phone"), "Idempotency-Key": KEY}
    first = client.post("/api/v1/attempts", json={"count": 3}, headers=headers)
    retry = client.post("/api/v1/attempts", json={"count": 3}, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert first.get_json() == retry.get_json()
    other = client.post("/api/v1/attempts", json={"count": 4}, headers=headers)
    assert other.get_json()["id"] != first.get_json()["id"]
    plain = {"Authorization": headers["Authorization"]}
    assert client.post("/api/v1/attempts", json={"count": 3},
                       headers=plain).get_json()["id"] != first.get_json()["id"]
    bad = client.post("/api/v1/attempts", json={"count": 3},
                      headers={**plain, "Idempotency-Key": "<script>"})
    assert bad.status_code == 400
    assert "Idempotency-Key" in bad.get_json()["error"]["message"]
