"""An assignment that hides its keys (never, or until due) hides correctness and score on
every route a student can read: two students, one all right and one all wrong, must see
the same thing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Assignment, Question, utcnow

from support.helpers import PASSWORD, wrong_response


def _right(app, question_id):
    with app.app_context():
        return db.session.get(Question, question_id).payload["answer"]


def _wrong(app, question_id):
    with app.app_context():
        return wrong_response(db.session.get(Question, question_id).payload)


@pytest.fixture
def pair(app, client, api_token):
    """Return a function: an assignment with ``show_keys``; Ann answers right, Bob wrong."""

    def make(show_keys: str):
        teacher = api_token("teacher", "instructor")
        course = client.post("/api/v1/classes", json={"name": "C"}, headers=teacher).get_json()
        assignment = client.post(
            f"/api/v1/classes/{course['id']}/assignments", headers=teacher,
            json={"title": "Quiz", "count": 4, "due_at": "2099-01-01T00:00:00Z",
                  "max_attempts": 3, "grading": "highest",
                  "show_keys": show_keys}).get_json()["id"]
        students = {}
        for name, answer in (("xq-ann", _right), ("xq-bob", _wrong)):
            headers = api_token(name)
            client.post("/api/v1/enrollments", json={"join_code": course["join_code"]},
                        headers=headers)
            attempt = client.post("/api/v1/attempts", json={"assignment_id": assignment},
                                  headers=headers).get_json()
            for q in attempt["questions"]:
                put = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                                 json={"response": answer(app, q["id"])}, headers=headers)
                assert put.status_code == 200
                assert put.get_json()["correct"] is None
            students[name] = (headers, attempt["id"])
        return assignment, students

    return make


def _api_views(client, headers, attempt_id):
    finish = client.post(f"/api/v1/attempts/{attempt_id}/finish", headers=headers).get_json()
    attempt = client.get(f"/api/v1/attempts/{attempt_id}", headers=headers).get_json()
    for q in attempt["questions"]:
        q.pop("response")
    assignments = client.get("/api/v1/assignments", headers=headers).get_json()
    progress = client.get("/api/v1/progress", headers=headers).get_json()
    return {"finish": finish, "score": attempt["score"],
            "questions": sorted(attempt["questions"], key=lambda q: q["id"]),
            "grades": [(a.get("grade"), a.get("percent")) for a in
                       (assignments if isinstance(assignments, list)
                        else assignments["assignments"])],
            "progress": progress}


@pytest.mark.parametrize("show_keys", ["never", "after_due"])
def test_the_api_tells_a_right_student_from_a_wrong_one_in_nothing(client, pair, show_keys):
    _assignment, students = pair(show_keys)
    ann = _api_views(client, *students["xq-ann"])
    bob = _api_views(client, *students["xq-bob"])
    assert ann["finish"]["score"] is None and ann["score"] is None
    assert all("correct" not in q for q in ann["questions"])
    assert ann["progress"]["facts"] == [] and ann["progress"]["accuracy"] == 0.0
    assert ann["grades"] == [(None, None)]
    ann.pop("questions"), bob.pop("questions")  # different questions may be drawn
    assert ann == bob


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    # (CSRF tokens and start keys are random on every page)
    return re.sub(r'value="[A-Za-z0-9_.-]{16,}"', "", response.get_data(as_text=True))


def test_no_student_page_tells_right_from_wrong_before_the_due_date(app, client, pair):
    assignment, students = pair("after_due")
    pages = {}
    for name, (headers, attempt_id) in students.items():
        client.post(f"/api/v1/attempts/{attempt_id}/finish", headers=headers)
        client.post("/login", data={"username": name, "password": PASSWORD})
        pages[name] = [_page(client, path).replace(name, "NAME")
                       for path in ("/progress", "/review", "/source",
                                    f"/attempts/{attempt_id}/result",
                                    f"/attempts/{attempt_id}/questions/1")]
        pages[name].append(_page(client, "/dashboard").replace(name, "NAME"))
        client.post("/logout")
    for ann, bob in zip(pages["xq-ann"][:3], pages["xq-bob"][:3], strict=True):
        assert ann == bob
    result = pages["xq-ann"][3]
    assert "You scored" not in result and "mark-ok" not in result
    assert "Right!" not in pages["xq-ann"][4] and "Answer recorded" in pages["xq-ann"][4]
    assert "Grade (" not in pages["xq-ann"][5]
    # Once the due date passes, the answers count: the score and the accuracy appear.
    with app.app_context():
        db.session.get(Assignment, assignment).due_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    headers, attempt_id = students["xq-ann"]
    assert client.get(f"/api/v1/attempts/{attempt_id}", headers=headers).get_json()["score"] > 0
    assert client.get("/api/v1/progress", headers=headers).get_json()["accuracy"] == 1.0
