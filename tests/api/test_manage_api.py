"""API v1 for managing classes and assignments: PATCH/DELETE, close, join codes, one
student's attempts, extensions and grade overrides; who may do each."""
# The shared fixtures are imported from the test module that defines them.
# ruff: noqa: F811

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from test_teach_api import assign, count, response_for, set_due, take, world  # noqa: F401 (fixtures)

from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Assignment,
    Attempt,
    Course,
    Enrollment,
    Extension,
    GradeOverride,
    utcnow,
)

LATER = "2099-06-01T17:00:00Z"


def stud_id(client, world) -> int:
    members = client.get(f"/api/v1/classes/{world.cls['id']}", headers=world.prof).get_json()
    return next(m["user_id"] for m in members["members"] if m["username"] == "stud")


# =========================================================================== assignments

def test_patch_changes_only_the_fields_sent(client, world):
    aid = assign(client, world)
    response = client.patch(f"/api/v1/assignments/{aid}", headers=world.prof,
                            json={"due_at": LATER, "title": "  Week 1 (moved) "})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["due_at"] == LATER and body["title"] == "Week 1 (moved)"
    assert body["changed"] == ["due_at", "title"]
    assert body["max_attempts"] == 2 and body["count"] == 4  # untouched


def test_patch_repeated_changes_nothing(client, world):
    aid = assign(client, world)
    first = client.patch(f"/api/v1/assignments/{aid}", json={"max_attempts": 3},
                         headers=world.prof)
    again = client.patch(f"/api/v1/assignments/{aid}", json={"max_attempts": 3},
                         headers=world.prof)
    assert first.get_json()["changed"] == ["max_attempts"]
    assert again.status_code == 200 and again.get_json()["changed"] == []


@pytest.mark.parametrize("body, field", [
    ({"title": ""}, "title"), ({"count": 0}, "count"), ({"count": "4"}, "count"),
    ({"due_at": "tomorrow"}, "due_at"), ({"due_at": "2001-01-01T00:00:00Z"}, "due_at"),
    ({"max_attempts": 99}, "max_attempts"), ({"grading": "best"}, "grading"),
    ({"show_keys": True}, "show_keys"), ({"time_limit_minutes": -1}, "time_limit_minutes"),
    ({"available_from": "2099-07-01T00:00:00Z"}, "available_from"),
    ({"available_from": "soon"}, "available_from"), ({"colour": "red"}, "colour"),
    ({"question_ids": "all"}, "question_ids"), ({"same_questions": "yes"}, "same_questions")])
def test_patch_is_validated_like_creation(client, world, body, field):
    aid = assign(client, world)
    response = client.patch(f"/api/v1/assignments/{aid}", json=body, headers=world.prof)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_patch_body_must_be_an_object(client, world):
    aid = assign(client, world)
    response = client.patch(f"/api/v1/assignments/{aid}", json=[1], headers=world.prof)
    assert response.status_code == 400


def test_questions_are_fixed_once_a_student_started(client, app, world):
    aid = assign(client, world)
    assert client.patch(f"/api/v1/assignments/{aid}", json={"count": 5},
                        headers=world.prof).status_code == 200
    take(client, app, world.stud, aid)
    refused = client.patch(f"/api/v1/assignments/{aid}", json={"count": 6},
                           headers=world.prof)
    assert refused.status_code == 409
    assert "count" in refused.get_json()["error"]["fields"]
    moved = client.patch(f"/api/v1/assignments/{aid}", json={"due_at": LATER, "count": 5},
                         headers=world.prof)
    assert moved.status_code == 200  # the count it already has is no change


def test_only_the_classes_instructors_may_patch_or_delete(client, app, world):
    aid = assign(client, world)
    for headers, status in ((world.other, 404), (world.stud, 403), (world.stranger, 403),
                            ({}, 401)):
        assert client.patch(f"/api/v1/assignments/{aid}", json={"title": "x"},
                            headers=headers).status_code == status
        assert client.delete(f"/api/v1/assignments/{aid}",
                             headers=headers).status_code == status
        assert client.post(f"/api/v1/assignments/{aid}/close",
                           headers=headers).status_code == status
    with app.app_context():
        assert db.session.get(Assignment, aid).title == "Week 1"


def test_delete_removes_the_assignment_with_its_attempts(client, app, world):
    aid = assign(client, world)
    take(client, app, world.stud, aid)
    assert count(app, Answer) > 0
    response = client.delete(f"/api/v1/assignments/{aid}", headers=world.prof)
    assert response.status_code == 204 and response.data == b""
    assert count(app, Assignment, Assignment.id == aid) == 0
    assert count(app, Attempt, Attempt.assignment_id == aid) == 0
    assert count(app, Answer) == 0
    assert client.delete(f"/api/v1/assignments/{aid}", headers=world.prof).status_code == 404
    mine = client.get("/api/v1/assignments", headers=world.stud).get_json()["assignments"]
    assert mine == []


def test_close_makes_it_due_now_and_ends_extensions(client, app, world):
    aid = assign(client, world)
    sid = stud_id(client, world)
    set_due(app, aid, timedelta(days=1))
    assert client.put(f"/api/v1/assignments/{aid}/students/{sid}/extension",
                      json={"due_at": LATER}, headers=world.prof).status_code == 201
    closed = client.post(f"/api/v1/assignments/{aid}/close", headers=world.prof)
    assert closed.status_code == 200
    assert closed.get_json()["closed_now"] and closed.get_json()["extensions_ended"] == 1
    start = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    assert start.status_code == 409
    again = client.post(f"/api/v1/assignments/{aid}/close", headers=world.prof)
    assert again.status_code == 200 and not again.get_json()["closed_now"]


def test_available_from_blocks_starting_and_is_listed(client, world):
    aid = assign(client, world, available_from="2099-04-01T09:00:00Z")
    row = client.get("/api/v1/assignments", headers=world.stud).get_json()["assignments"][0]
    assert row["available_from"] == "2099-04-01T09:00:00Z"
    assert row["not_open_yet"] and not row["can_start"]
    assert row["blocked_reason"].startswith("Opens 01 Apr 2099")
    start = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    assert start.status_code == 409
    assert "opens" in start.get_json()["error"]["message"]
    opened = client.patch(f"/api/v1/assignments/{aid}", json={"available_from": None},
                          headers=world.prof)
    assert opened.get_json()["available_from"] is None
    assert client.post("/api/v1/attempts", json={"assignment_id": aid},
                       headers=world.stud).status_code == 201


def test_a_timed_attempt_follows_a_moved_due_date(client, app, world):
    aid = assign(client, world, time_limit_minutes=30)
    set_due(app, aid, timedelta(minutes=10))
    attempt = take(client, app, world.stud, aid, finish=False)
    with app.app_context():
        before = db.session.get(Attempt, attempt["id"]).deadline
        due = db.session.get(Assignment, aid).due_at
    assert before == due  # the due date came first
    client.patch(f"/api/v1/assignments/{aid}", json={"due_at": LATER}, headers=world.prof)
    with app.app_context():
        row = db.session.get(Attempt, attempt["id"])
        assert row.deadline == row.started_at + timedelta(minutes=30)


# =========================================================================== classes

def test_patch_class_renames_and_archives(client, world):
    cid = world.cls["id"]
    renamed = client.patch(f"/api/v1/classes/{cid}", json={"name": "  Seminar  B "},
                           headers=world.prof)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Seminar B"
    aid = assign(client, world)
    archived = client.patch(f"/api/v1/classes/{cid}", json={"archived": True},
                            headers=world.prof)
    assert archived.get_json()["archived"] is True
    assert client.get("/api/v1/assignments", headers=world.stud).get_json() == {
        "assignments": []}
    assert client.post("/api/v1/attempts", json={"assignment_id": aid},
                       headers=world.stud).status_code == 409
    assert client.patch(f"/api/v1/assignments/{aid}", json={"title": "x"},
                        headers=world.prof).status_code == 409
    assert client.post(f"/api/v1/classes/{cid}/assignments", headers=world.prof, json={
        "title": "New", "count": 2, "due_at": LATER}).status_code == 409
    joining = client.post("/api/v1/enrollments", json={"join_code": world.cls["join_code"]},
                          headers=world.stranger)
    assert joining.status_code == 409
    assert client.get(f"/api/v1/assignments/{aid}/results",
                      headers=world.prof).status_code == 200  # still readable
    restored = client.patch(f"/api/v1/classes/{cid}", json={"archived": False},
                            headers=world.prof)
    assert restored.get_json()["archived"] is False
    assert len(client.get("/api/v1/assignments", headers=world.stud)
               .get_json()["assignments"]) == 1


@pytest.mark.parametrize("body, field", [({"name": ""}, "name"), ({"name": "x" * 121}, "name"),
                                         ({"name": 3}, "name"), ({"archived": "no"}, "archived"),
                                         ({"owner": "me"}, "owner"), ({}, "name")])
def test_patch_class_is_validated(client, world, body, field):
    response = client.patch(f"/api/v1/classes/{world.cls['id']}", json=body,
                            headers=world.prof)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_class_changes_are_for_its_owner(client, app, world):
    cid = world.cls["id"]
    client.post(f"/api/v1/classes/{cid}/instructors", json={"username": "other"},
                headers=world.prof)  # now a co-instructor
    co = world.other
    assert client.patch(f"/api/v1/classes/{cid}", json={"name": "Mine"},
                        headers=co).status_code == 403
    assert client.delete(f"/api/v1/classes/{cid}", headers=co).status_code == 403
    assert client.post(f"/api/v1/classes/{cid}/join-code", headers=co).status_code == 403
    for headers in (world.stud, world.stranger):
        assert client.patch(f"/api/v1/classes/{cid}", json={"name": "x"},
                            headers=headers).status_code == 403
        assert client.delete(f"/api/v1/classes/{cid}", headers=headers).status_code == 403
    with app.app_context():
        assert db.session.get(Course, cid).name == "Seminar"


def test_another_instructor_gets_404_for_a_class(client, api_token, world):
    third = api_token("third", "instructor")
    cid = world.cls["id"]
    assert client.patch(f"/api/v1/classes/{cid}", json={"name": "x"},
                        headers=third).status_code == 404
    assert client.delete(f"/api/v1/classes/{cid}", headers=third).status_code == 404
    assert client.post(f"/api/v1/classes/{cid}/join-code", headers=third).status_code == 404


def test_delete_class_removes_roster_assignments_and_attempts(client, app, world):
    aid = assign(client, world)
    take(client, app, world.stud, aid)
    cid = world.cls["id"]
    assert client.delete(f"/api/v1/classes/{cid}", headers=world.prof).status_code == 204
    assert count(app, Course, Course.id == cid) == 0
    assert count(app, Enrollment, Enrollment.course_id == cid) == 0
    assert count(app, Assignment, Assignment.id == aid) == 0
    assert count(app, Attempt, Attempt.assignment_id == aid) == 0
    assert client.delete(f"/api/v1/classes/{cid}", headers=world.prof).status_code == 404


def test_a_new_join_code_stops_the_old_one(client, world):
    old = world.cls["join_code"]
    renewed = client.post(f"/api/v1/classes/{world.cls['id']}/join-code", headers=world.prof)
    assert renewed.status_code == 200
    new = renewed.get_json()["join_code"]
    assert new != old and renewed.get_json()["join_url"].endswith(new)
    assert client.post("/api/v1/enrollments", json={"join_code": old},
                       headers=world.stranger).status_code == 404
    assert client.post("/api/v1/enrollments", json={"join_code": new},
                       headers=world.stranger).status_code == 201


# =========================================================================== one student

def test_student_work_shows_each_answer_and_the_key(client, app, world):
    aid = assign(client, world, count=3)
    take(client, app, world.stud, aid, right=lambda i: i != 1)
    sid = stud_id(client, world)
    response = client.get(f"/api/v1/assignments/{aid}/students/{sid}", headers=world.prof)
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == "stud" and len(body["attempts"]) == 1
    questions = body["attempts"][0]["questions"]
    assert [q["correct"] for q in questions] == [True, False, True]
    assert all(q["answer_text"] and q["response_text"] is not None for q in questions)
    assert body["grade"] == 2 and body["grade_overridden"] is False


def test_student_work_is_refused_to_others(client, world):
    aid = assign(client, world)
    sid = stud_id(client, world)
    url = f"/api/v1/assignments/{aid}/students/{sid}"
    assert client.get(url, headers=world.other).status_code == 404
    assert client.get(url, headers=world.stud).status_code == 403
    assert client.get(f"/api/v1/assignments/{aid}/students/{sid + 999}",
                      headers=world.prof).status_code == 404  # not in the class


def test_an_extension_lets_one_student_start_after_the_due_date(client, app, world):
    aid = assign(client, world)
    sid = stud_id(client, world)
    url = f"/api/v1/assignments/{aid}/students/{sid}/extension"
    set_due(app, aid, timedelta(hours=1))
    first = client.put(url, json={"due_at": LATER}, headers=world.prof)
    again = client.put(url, json={"due_at": LATER}, headers=world.prof)
    assert first.status_code == 201 and again.status_code == 200
    assert count(app, Extension) == 1
    set_due(app, aid, timedelta(hours=-1))  # the class's due date has passed
    row = client.get("/api/v1/assignments", headers=world.stud).get_json()["assignments"][0]
    assert row["extended"] and row["due_at"] == LATER and row["can_start"]
    assert client.post("/api/v1/attempts", json={"assignment_id": aid},
                       headers=world.stud).status_code == 201
    results = client.get(f"/api/v1/assignments/{aid}/results", headers=world.prof).get_json()
    assert results["students"][0]["extended"] and results["students"][0]["due_at"] == LATER
    assert client.delete(url, headers=world.prof).status_code == 204
    assert client.delete(url, headers=world.prof).status_code == 204
    assert count(app, Extension) == 0


@pytest.mark.parametrize("due_at", ["2001-01-01T00:00:00Z", "not a date", 5, None])
def test_an_extension_must_be_later_than_the_due_date(client, world, due_at):
    aid = assign(client, world)
    sid = stud_id(client, world)
    response = client.put(f"/api/v1/assignments/{aid}/students/{sid}/extension",
                          json={"due_at": due_at}, headers=world.prof)
    assert response.status_code == 400
    assert "due_at" in response.get_json()["error"]["fields"]


def test_an_override_replaces_the_grade_and_says_so(client, app, world):
    aid = assign(client, world)
    take(client, app, world.stud, aid, right=False)
    sid = stud_id(client, world)
    url = f"/api/v1/assignments/{aid}/students/{sid}/override"
    set_ = client.put(url, json={"grade": 3.5, "reason": "Network failed mid-quiz"},
                      headers=world.prof)
    assert set_.status_code == 201
    assert client.put(url, json={"grade": 3.5, "reason": "Network failed mid-quiz"},
                      headers=world.prof).status_code == 200
    student = client.get(f"/api/v1/assignments/{aid}/results",
                         headers=world.prof).get_json()["students"][0]
    assert student["grade"] == 3.5 and student["grade_overridden"] is True
    assert student["computed_grade"] == 0
    assert student["override"]["reason"] == "Network failed mid-quiz"
    assert student["override"]["set_by"] == "prof"
    exported = client.get(f"/api/v1/assignments/{aid}/export?format=csv",
                          headers=world.prof).get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["grade"] == "3.5" and row["grade_overridden"] == "yes"
    assert row["override_reason"] == "Network failed mid-quiz" and row["computed_grade"] == "0"
    mine = client.get("/api/v1/assignments", headers=world.stud).get_json()["assignments"][0]
    assert mine["grade"] == 3.5 and mine["grade_overridden"]
    assert client.delete(url, headers=world.prof).status_code == 204
    student = client.get(f"/api/v1/assignments/{aid}/results",
                         headers=world.prof).get_json()["students"][0]
    assert student["grade"] == 0 and student["grade_overridden"] is False


@pytest.mark.parametrize("body, field", [
    ({"grade": -1, "reason": "r"}, "grade"), ({"grade": 5, "reason": "r"}, "grade"),
    ({"grade": True, "reason": "r"}, "grade"), ({"grade": "3", "reason": "r"}, "grade"),
    ({"grade": 2, "reason": "  "}, "reason"), ({"grade": 2, "reason": "x" * 501}, "reason"),
    ({"grade": 2}, "reason")])
def test_an_override_is_validated(client, app, world, body, field):
    aid = assign(client, world)
    sid = stud_id(client, world)
    response = client.put(f"/api/v1/assignments/{aid}/students/{sid}/override", json=body,
                          headers=world.prof)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert count(app, GradeOverride) == 0


def test_extensions_and_overrides_are_refused_to_others(client, world):
    aid = assign(client, world)
    sid = stud_id(client, world)
    for kind, body in (("extension", {"due_at": LATER}),
                       ("override", {"grade": 1, "reason": "r"})):
        url = f"/api/v1/assignments/{aid}/students/{sid}/{kind}"
        for headers, status in ((world.other, 404), (world.stud, 403)):
            assert client.put(url, json=body, headers=headers).status_code == status
            assert client.delete(url, headers=headers).status_code == status


def test_openapi_documents_the_management_endpoints(client, app):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
              if app.view_functions[rule.endpoint].__module__ == "quizapp.api.manage"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(routes) == 11
    for rule, method in routes:
        path = rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert paths.get(path, {}).get(method, {}).get("summary"), (path, method)
    assert "available_from" in client.get("/api/v1/openapi.json").get_json()[
        "components"]["schemas"]["Assignment"]["properties"]


def test_a_past_due_assignment_keeps_its_due_date_when_renamed(client, app, world):
    aid = assign(client, world)
    set_due(app, aid, timedelta(days=-1))
    with app.app_context():
        due = db.session.get(Assignment, aid).due_at
    response = client.patch(f"/api/v1/assignments/{aid}", json={"title": "Old week"},
                            headers=world.prof)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Assignment, aid).due_at == due
    assert due < utcnow()


def test_an_extension_keeps_after_due_keys_hidden_from_that_student(client, app, world):
    """Past the class's due date the class sees the keys; the student still working under
    an extension must not, or each answer would show the key of the next attempt."""
    aid = assign(client, world, show_keys="after_due")
    sid = stud_id(client, world)
    url = f"/api/v1/assignments/{aid}/students/{sid}/extension"
    assert client.put(url, json={"due_at": LATER}, headers=world.prof).status_code == 201
    set_due(app, aid, timedelta(hours=-1))
    attempt = client.post("/api/v1/attempts", json={"assignment_id": aid},
                          headers=world.stud).get_json()
    q = attempt["questions"][0]
    answered = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                          json={"response": response_for(app, q["id"])}, headers=world.stud)
    assert answered.status_code == 200
    body = answered.get_json()
    assert body["recorded"] and body["correct"] is None and body["answer_text"] is None
    client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=world.stud)
    seen = client.get(f"/api/v1/attempts/{attempt['id']}", headers=world.stud).get_json()
    assert seen["score"] is None
    assert client.get("/api/v1/progress", headers=world.stud).get_json()["facts"] == []
    mine = client.get("/api/v1/assignments", headers=world.stud).get_json()["assignments"][0]
    assert mine["grade"] is None
    client.delete(url, headers=world.prof)  # the extension ends: the keys show
    seen = client.get(f"/api/v1/attempts/{attempt['id']}", headers=world.stud).get_json()
    assert seen["score"] == 1


def test_an_override_reason_cannot_inject_a_formula_into_the_csv(client, app, world):
    aid = assign(client, world)
    sid = stud_id(client, world)
    client.put(f"/api/v1/assignments/{aid}/students/{sid}/override", headers=world.prof,
               json={"grade": 1, "reason": '=HYPERLINK("http://evil.example","x")'})
    exported = client.get(f"/api/v1/assignments/{aid}/export?format=csv",
                          headers=world.prof).get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["override_reason"] == '\'=HYPERLINK("http://evil.example","x")'
