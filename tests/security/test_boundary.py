"""Input refused at the boundary: lone surrogates and deep nesting (400, nothing stored),
and text stored before that (repaired by init-db, never a 500 when shown)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from quizapp.boundary import has_surrogate
from quizapp.cli import main
from quizapp.extensions import db
from quizapp.models import Answer, Commentary, Course, Question, User
from quizapp.services.setup import repair_text

from support.helpers import valid_response

LONE = "\\ud83d"  # as a JSON escape: the high half of 😀, alone


@pytest.fixture
def world(app, client, api_token):
    """An instructor with a class and an assignment, a student in it, an open attempt."""
    teacher = api_token("teacher", "instructor")
    student = api_token("student")
    course = client.post("/api/v1/classes", json={"name": "C"}, headers=teacher).get_json()
    client.post("/api/v1/enrollments", json={"join_code": course["join_code"]},
                headers=student)
    assignment = client.post(f"/api/v1/classes/{course['id']}/assignments", headers=teacher,
                             json={"title": "A", "count": 3, "due_at": "2099-01-01T00:00:00Z",
                                   "max_attempts": 2, "grading": "highest",
                                   "show_keys": "immediately"}).get_json()
    attempt = client.post("/api/v1/attempts", json={"count": 3, "seed": 1, "types": ["short"]},
                          headers=student).get_json()
    game = client.post("/api/v1/live", json={"count": 3}, headers=teacher).get_json()
    return SimpleNamespace(teacher=teacher, student=student, course=course["id"],
                           assignment=assignment["id"], attempt=attempt,
                           question=attempt["questions"][0]["id"], pin=game["pin"])


#: (who, method, path, body with {s} where the bad text goes)
ROUTES = [
    (None, "POST", "/api/v1/users", '{{"username": "ann{s}", "password": "pw-pw-pw-pw-pw"}}'),
    (None, "POST", "/api/v1/live/{pin}/players", '{{"nickname": "n{s}"}}'),
    ("teacher", "POST", "/api/v1/classes", '{{"name": "x{s}"}}'),
    ("student", "POST", "/api/v1/enrollments", '{{"join_code": "{s}"}}'),
    ("teacher", "POST", "/api/v1/classes/{course}/assignments",
     '{{"title": "t{s}", "due_at": "2099-01-01T00:00:00Z"}}'),
    ("teacher", "POST", "/api/v1/commentaries", '{{"title": "t{s}", "text": "x"}}'),
    ("teacher", "PATCH", "/api/v1/questions/{question}", '{{"prompt": "What{s}?"}}'),
    ("student", "POST", "/api/v1/questions/{question}/flags", '{{"comment": "odd{s}"}}'),
    ("student", "PUT", "/api/v1/attempts/{attempt}/responses/{question}",
     '{{"response": "a{s}"}}'),
    ("student", "POST", "/api/v1/attempts", '{{"topics": ["{s}"]}}'),
    ("student", "POST", "/api/v1/attempts", '{{"{s}": 1}}'),
    ("teacher", "POST", "/api/v1/live", '{{"count": 3, "title": "{s}"}}'),
]


def _send(client, world, who, method, path, body):
    url = path.format(pin=world.pin, course=world.course, question=world.question,
                      attempt=world.attempt["id"])
    return client.open(url, method=method, data=body, content_type="application/json",
                       headers=getattr(world, who) if who else {})


@pytest.mark.parametrize("who, method, path, body", ROUTES)
def test_a_lone_surrogate_is_refused_and_nothing_is_stored(app, client, world, who, method,
                                                           path, body):
    def rows():
        with app.app_context():
            return [db.session.scalar(select(func.count()).select_from(m))
                    for m in (User, Course, Commentary, Question, Answer)]

    before = rows()
    response = _send(client, world, who, method, path, body.format(s=LONE))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "invalid"
    assert "surrogate" in response.get_json()["error"]["message"]
    assert rows() == before
    # A whole character, sent as a surrogate pair, is fine (it is not refused as one).
    assert _send(client, world, who, method, path,
                 body.format(s="\\ud83d\\ude00")).status_code != 500


@pytest.mark.parametrize("who, method, path, body", ROUTES + [
    (None, "POST", "/api/v1/tokens", "{s}"),
    ("teacher", "POST", "/api/v1/live/{pin}/advance", "{s}")])
def test_deeply_nested_json_is_a_400_with_the_error_shape(client, world, who, method, path,
                                                          body):
    deep = "[" * 100_000
    response = _send(client, world, who, method, path, deep)
    # (POST /tokens reads no body: its 401 for want of credentials is right)
    expected = 401 if path == "/api/v1/tokens" else 400
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    assert set(response.get_json()["error"]) >= {"code", "message"}
    if body != "{s}":  # the routes that read a body: a mere 40 levels is refused too
        response = _send(client, world, who, method, path,
                         '{"a": ' + "[" * 40 + "]" * 40 + "}")
        assert response.status_code == 400
        assert "nested too deeply" in response.get_json()["error"]["message"]


def test_a_form_field_cannot_carry_a_surrogate(app, client, make_user, auth):
    # Werkzeug decodes form bytes as UTF-8 strictly: an encoded surrogate stays escaped text
    # (or becomes U+FFFD), never a surrogate, so forms need no check of their own.
    make_user("teacher", "instructor")
    auth.login("teacher")
    response = client.post("/teach/", data=b"name=x%ED%A0%BDy",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303  # created, and on to the class page
    with app.app_context():
        names = db.session.scalars(select(Course.name)).all()
    assert names and not any(has_surrogate(n) for n in names)


def _store_lone_surrogates(app, world):
    """Write surrogates as a JSON column holds them, as versions before the check did."""
    with app.app_context():
        question = db.session.get(Question, world.question)
        # The JSON text as stored (PostgreSQL's driver would parse a json column into a dict).
        raw = db.session.scalar(text("SELECT CAST(payload AS TEXT) FROM question WHERE id = :id"),
                                {"id": question.id})
        broken = re.sub(r'"prompt": ?"', lambda m: m.group(0) + LONE, raw, count=1)
        assert broken != raw
        as_json = "CAST(:v AS JSON)" if db.engine.dialect.name == "postgresql" else ":v"
        db.session.execute(text(f"UPDATE question SET payload = {as_json} WHERE id = :id"),
                           {"v": broken, "id": question.id})
        db.session.execute(text(f"UPDATE response SET response = {as_json} "
                                "WHERE question_id = :id"),
                           {"v": f'"typed {LONE}"', "id": question.id})
        db.session.commit()


def test_stored_surrogates_are_repaired_once_and_pages_never_fail(app, client, world, auth):
    answered = client.put(f"/api/v1/attempts/{world.attempt['id']}/responses/{world.question}",
                          json={"response": valid_response(world.attempt["questions"][0])},
                          headers=world.student)
    assert answered.status_code == 200
    _store_lone_surrogates(app, world)
    auth.login("student")
    page = client.get(f"/attempts/{world.attempt['id']}/questions/1")
    assert page.status_code == 200  # shown with U+FFFD, not a 500
    assert "\ufffd" in page.get_data(as_text=True)
    with app.app_context():
        assert repair_text() == 2
        assert repair_text() == 0
        db.session.commit()
        prompt = db.session.get(Question, world.question).payload["prompt"]
        stored = db.session.scalar(select(Answer.response).where(
            Answer.question_id == world.question))
    assert prompt.startswith("\ufffd") and stored == "typed \ufffd"
    assert client.get(f"/attempts/{world.attempt['id']}/questions/1").status_code == 200


def test_init_db_runs_the_repair(app, client, world, runner):
    client.put(f"/api/v1/attempts/{world.attempt['id']}/responses/{world.question}",
               json={"response": "x"}, headers=world.student)
    _store_lone_surrogates(app, world)
    result = runner.invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert repair_text() == 0
