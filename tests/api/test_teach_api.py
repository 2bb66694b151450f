"""API v1 for instructors and the student side of classes: contracts, refusals, ownership."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    Attempt,
    Commentary,
    Course,
    Enrollment,
    Fact,
    Question,
    QuestionFlag,
    QuestionStatus,
    utcnow,
)
from quizapp.services import teach

from support.helpers import COMMENTARY

FUTURE = "2099-05-01T17:00:00Z"


@pytest.fixture
def world(client, api_token):
    """An instructor with a class and an enrolled student; an outside instructor and student."""
    prof = api_token("prof", "instructor")
    cls = client.post("/api/v1/classes", json={"name": "Seminar"}, headers=prof).get_json()
    stud = api_token("stud", "student")
    assert client.post("/api/v1/enrollments", json={"join_code": cls["join_code"]},
                       headers=stud).status_code == 201
    return SimpleNamespace(prof=prof, stud=stud, cls=cls,
                           other=api_token("other", "instructor"),
                           stranger=api_token("stranger", "student"))


def assign(client, world, **settings) -> int:
    body = {"title": "Week 1", "count": 4, "due_at": FUTURE, "max_attempts": 2,
            "grading": "highest", "show_keys": "immediately", **settings}
    response = client.post(f"/api/v1/classes/{world.cls['id']}/assignments", json=body,
                           headers=world.prof)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def response_for(app, question_id: int, right: bool = True):
    """A well-formed answer to a stored question, right or wrong."""
    with app.app_context():
        q = db.session.get(Question, question_id).payload
    kind = q["type"]
    if kind == "mcq":
        return q["answer"] if right else next(c["id"] for c in q["choices"]
                                              if c["id"] != q["answer"])
    if kind == "multi":
        return q["answer"] if right else [next(c["id"] for c in q["choices"]
                                               if c["id"] not in q["answer"])]
    if kind == "true_false":
        return q["answer"] if right else not q["answer"]
    if kind == "short":
        return q["answer"] if right else "nothing like it"
    if kind == "ordering":
        return q["answer"] if right else list(reversed(q["answer"]))
    right_map = q["answer"]
    if right:
        return right_map
    values = list(right_map.values())
    return dict(zip(right_map, values[1:] + values[:1], strict=True))


def take(client, app, headers, assignment_id: int, right=True, finish=True) -> dict:
    attempt = client.post("/api/v1/attempts", json={"assignment_id": assignment_id},
                          headers=headers)
    assert attempt.status_code == 201, attempt.get_json()
    attempt = attempt.get_json()
    for i, q in enumerate(attempt["questions"]):
        ok = right(i) if callable(right) else right
        r = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                       json={"response": response_for(app, q["id"], ok)}, headers=headers)
        assert r.status_code == 200, r.get_json()
    if finish:
        client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers)
    return attempt


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def set_due(app, assignment_id: int, delta: timedelta) -> None:
    with app.app_context():
        db.session.get(Assignment, assignment_id).due_at = utcnow() + delta
        db.session.commit()


# =========================================================================== classes

def test_create_class_returns_id_name_and_an_unambiguous_join_code(client, api_token):
    prof = api_token("prof", "instructor")
    response = client.post("/api/v1/classes", json={"name": "  Security  Studies "},
                           headers=prof)
    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "name", "join_code"} <= set(body)
    assert body["name"] == "Security Studies"
    assert len(body["join_code"]) == teach.JOIN_LENGTH
    assert set(body["join_code"]) <= set(teach.JOIN_ALPHABET)
    assert not set(body["join_code"]) & set("0O1IL2Z5S8B")
    assert body["join_url"].endswith(f"/classes/join/{body['join_code']}")


def test_join_codes_are_unique(client, api_token, app):
    prof = api_token("prof", "instructor")
    codes = {client.post("/api/v1/classes", json={"name": f"C{i}"}, headers=prof)
             .get_json()["join_code"] for i in range(25)}
    assert len(codes) == 25


@pytest.mark.parametrize("body, field", [({"name": ""}, "name"), ({"name": "x" * 121}, "name"),
                                         ({"name": 7}, "name"), ({}, "name")])
def test_a_class_needs_a_sensible_name(client, api_token, app, body, field):
    prof = api_token("prof", "instructor")
    response = client.post("/api/v1/classes", json=body, headers=prof)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert count(app, Course) == 0


def test_a_student_enrols_once_whatever_the_code_case(client, app, world):
    again = client.post("/api/v1/enrollments",
                        json={"join_code": " " + world.cls["join_code"].lower()},
                        headers=world.stud)
    assert again.status_code == 200
    assert again.get_json()["class_id"] == world.cls["id"]
    assert count(app, Enrollment, Enrollment.course_id == world.cls["id"]) == 1


@pytest.mark.parametrize("code, status", [("NOPE77", 404), ("", 400), (12, 400)])
def test_enrolling_with_a_bad_code_says_why(client, world, code, status):
    response = client.post("/api/v1/enrollments", json={"join_code": code},
                           headers=world.stranger)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_the_owner_adds_a_co_instructor_who_then_sees_the_class(client, app, world):
    url = f"/api/v1/classes/{world.cls['id']}/instructors"
    assert client.post(url, json={"username": "other"}, headers=world.prof).status_code == 201
    assert client.post(url, json={"username": "other"}, headers=world.prof).status_code == 200
    shown = client.get(f"/api/v1/classes/{world.cls['id']}", headers=world.other)
    assert shown.status_code == 200
    assert {"username": "other", "role": "instructor"}.items() <= \
        next(m for m in shown.get_json()["members"] if m["username"] == "other").items()
    # a co-instructor may assign, but not add further co-instructors
    assert client.post(url, json={"username": "prof"}, headers=world.other).status_code == 403


def test_a_student_account_cannot_become_a_co_instructor(client, world):
    response = client.post(f"/api/v1/classes/{world.cls['id']}/instructors",
                           json={"username": "stud"}, headers=world.prof)
    assert response.status_code == 400
    assert "student account" in response.get_json()["error"]["message"]


def test_removing_a_student_twice_is_harmless_and_locks_them_out(client, app, world):
    aid = assign(client, world)
    with app.app_context():
        stud_id = db.session.scalar(select(Enrollment.user_id).where(
            Enrollment.course_id == world.cls["id"]))
    url = f"/api/v1/classes/{world.cls['id']}/members/{stud_id}"
    assert client.delete(url, headers=world.prof).get_json() == {"removed": True}
    assert client.delete(url, headers=world.prof).get_json() == {"removed": False}
    response = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    assert response.status_code == 404
    assert client.get("/api/v1/assignments", headers=world.stud).get_json() == \
        {"assignments": []}


# --------------------------------------------------------------------------- who may do what

def _instructor_calls(world, aid: int, qid: int) -> list[tuple[str, str, dict | None]]:
    cid = world.cls["id"]
    return [
        ("get", f"/api/v1/classes/{cid}", None),
        ("post", f"/api/v1/classes/{cid}/assignments",
         {"title": "X", "count": 2, "due_at": FUTURE, "max_attempts": 1,
          "grading": "last", "show_keys": "never"}),
        ("get", f"/api/v1/classes/{cid}/assignments", None),
        ("post", f"/api/v1/classes/{cid}/instructors", {"username": "stranger"}),
        ("delete", f"/api/v1/classes/{cid}/members/1", None),
        ("get", f"/api/v1/classes/{cid}/misconceptions", None),
        ("get", f"/api/v1/assignments/{aid}/results", None),
        ("get", f"/api/v1/assignments/{aid}/export?format=csv", None),
        ("get", f"/api/v1/questions/{qid}", None),
    ]


def test_students_are_refused_instructor_work_and_nothing_changes(client, app, world):
    aid = assign(client, world)
    qid = take(client, app, world.stud, aid)["questions"][0]["id"]
    before = (count(app, Assignment), count(app, Enrollment), count(app, Question))
    for method, url, body in _instructor_calls(world, aid, qid) + [
            ("post", "/api/v1/classes", {"name": "Mine"}),
            ("patch", f"/api/v1/questions/{qid}", {"prompt": "Hacked?"}),
            ("post", f"/api/v1/questions/{qid}/retire", None),
            ("post", "/api/v1/commentaries", {"title": "T", "text": COMMENTARY})]:
        response = getattr(client, method)(url, json=body, headers=world.stud)
        assert response.status_code == 403, (method, url)
        assert response.get_json()["error"]["code"] == "forbidden"
    assert (count(app, Assignment), count(app, Enrollment), count(app, Question)) == before
    assert count(app, Course) == 1
    with app.app_context():
        assert db.session.get(Question, qid).status is QuestionStatus.ACTIVE


def test_another_instructor_finds_nothing_and_changes_nothing(client, app, world):
    aid = assign(client, world)
    take(client, app, world.stud, aid)
    doc = client.post("/api/v1/commentaries", json={"title": "Mine", "text": COMMENTARY},
                      headers=world.prof).get_json()
    before = (count(app, Assignment), count(app, Enrollment), count(app, Fact))
    calls = _instructor_calls(world, aid, 1)[:-1] + [
        ("get", f"/api/v1/commentaries/{doc['id']}", None),
        ("post", f"/api/v1/commentaries/{doc['id']}/approve",
         {"fact_ids": [doc["candidates"][0]["id"]]}),
        ("patch", f"/api/v1/facts/{doc['candidates'][0]['id']}", {"question": "Mine now?"}),
        ("get", f"/api/v1/documents/{doc['id']}/export?format=json", None)]
    for method, url, body in calls:
        response = getattr(client, method)(url, json=body, headers=world.other)
        assert response.status_code == 404, (method, url, response.get_json())
    assert (count(app, Assignment), count(app, Enrollment), count(app, Fact)) == before
    with app.app_context():
        fact = db.session.get(Fact, doc["candidates"][0]["id"])
        assert fact.status.value == "candidate" and fact.data["question"] != "Mine now?"


def test_every_teach_call_needs_a_token(client, world):
    for url in ("/api/v1/classes", "/api/v1/assignments", "/api/v1/enrollments",
                "/api/v1/commentaries"):
        assert client.post(url, json={}).status_code in (401, 405)
        assert client.get(url).status_code in (401, 405)


# =========================================================================== assignments

@pytest.mark.parametrize("change, field", [
    ({"due_at": "next Tuesday"}, "due_at"),
    ({"due_at": "2020-01-01T10:00:00Z"}, "due_at"),
    ({"due_at": None}, "due_at"),
    ({"count": -3}, "count"),
    ({"count": 0}, "count"),
    ({"count": 51}, "count"),
    ({"count": "ten"}, "count"),
    ({"count": 40, "topics": ["representation"]}, "count"),   # more than the topic has
    ({"grading": "best"}, "grading"),
    ({"show_keys": "sometimes"}, "show_keys"),
    ({"max_attempts": 0}, "max_attempts"),
    ({"max_attempts": True}, "max_attempts"),
    ({"types": ["essay"]}, "types"),
    ({"topics": ["no-such-topic"]}, "topics"),
    ({"title": "  "}, "title"),
    ({"time_limit_minutes": -5}, "time_limit_minutes"),
    ({"question_ids": [999999]}, "question_ids"),
    ({"same_questions": "yes"}, "same_questions"),
])
def test_bad_assignment_settings_are_refused_field_by_field(client, app, world, change, field):
    body = {"title": "W", "count": 4, "due_at": FUTURE, "max_attempts": 1,
            "grading": "highest", "show_keys": "immediately", **change}
    response = client.post(f"/api/v1/classes/{world.cls['id']}/assignments", json=body,
                           headers=world.prof)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert field in error["fields"], error
    assert count(app, Assignment) == 0


def test_a_due_date_with_an_offset_is_stored_in_utc(client, app, world):
    aid = assign(client, world, due_at="2099-05-01T19:00:00+02:00")
    with app.app_context():
        assert db.session.get(Assignment, aid).due_at.isoformat() == "2099-05-01T17:00:00"


def test_students_see_their_assignments_with_due_state(client, app, world):
    soon = assign(client, world, title="Soon")
    later = assign(client, world, title="Later")
    past = assign(client, world, title="Past")
    set_due(app, soon, timedelta(hours=3))
    set_due(app, past, timedelta(hours=-1))
    listing = client.get("/api/v1/assignments", headers=world.stud).get_json()["assignments"]
    assert [(a["title"], a["due_state"], a["can_start"]) for a in listing] == [
        ("Soon", "due_soon", True), ("Later", "open", True), ("Past", "past_due", False)]
    first = listing[0]
    assert first["class_name"] == "Seminar" and first["due_at"].endswith("Z")
    assert (first["attempts_used"], first["attempts_left"], first["status"]) == \
        (0, 2, "not started")
    assert later  # (kept for the ordering check above)
    assert client.get("/api/v1/assignments", headers=world.stranger).get_json() == \
        {"assignments": []}


def test_a_late_start_is_refused_with_a_clear_message(client, app, world):
    aid = assign(client, world)
    set_due(app, aid, timedelta(minutes=-1))
    response = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    assert response.status_code == 409
    assert "late attempts are not accepted" in response.get_json()["error"]["message"]
    assert count(app, Attempt) == 0


def test_extra_attempts_are_refused(client, app, world):
    aid = assign(client, world, max_attempts=1)
    take(client, app, world.stud, aid)
    response = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    assert response.status_code == 409
    assert "1 attempt allowed" in response.get_json()["error"]["message"]
    assert count(app, Attempt) == 1


def test_an_outsider_cannot_start_an_assignment(client, app, world):
    aid = assign(client, world)
    for headers in (world.stranger, world.other, world.prof):
        response = client.post("/api/v1/attempts", json={"assignment_id": aid},
                               headers=headers)
        assert response.status_code == 404
    assert count(app, Attempt) == 0


def test_starting_twice_resumes_the_open_attempt(client, app, world):
    aid = assign(client, world)
    first = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    second = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert count(app, Attempt) == 1


def test_same_questions_for_everyone_or_drawn_per_student(client, app, world, api_token):
    for name in ("stu2", "stu3", "stu4"):
        headers = api_token(name, "student")
        client.post("/api/v1/enrollments", json={"join_code": world.cls["join_code"]},
                    headers=headers)
        setattr(world, name, headers)
    same = assign(client, world, count=6, same_questions=True)
    each = assign(client, world, count=6, same_questions=False)

    def drawn(aid):
        return [tuple(q["id"] for q in client.post(
            "/api/v1/attempts", json={"assignment_id": aid}, headers=h).get_json()["questions"])
            for h in (world.stud, world.stu2, world.stu3, world.stu4)]

    assert len(set(drawn(same))) == 1
    assert len(set(drawn(each))) > 1


def test_the_time_limit_is_enforced_by_the_server(client, app, world):
    aid = assign(client, world, time_limit_minutes=20)
    attempt = client.post("/api/v1/attempts", json={"assignment_id": aid},
                          headers=world.stud).get_json()
    with app.app_context():
        row = db.session.get(Attempt, attempt["id"])
        assert timedelta(minutes=19) < row.deadline - row.started_at <= timedelta(minutes=20)
        row.deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
    qid = attempt["questions"][0]["id"]
    late = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{qid}",
                      json={"response": response_for(app, qid)}, headers=world.stud)
    assert late.status_code == 409
    # the expired attempt counts as used: with 2 allowed, one more may start
    again = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=world.stud)
    assert again.status_code == 201 and again.get_json()["id"] != attempt["id"]


def test_an_attempt_never_outlives_the_due_date(client, app, world):
    aid = assign(client, world, time_limit_minutes=600)
    set_due(app, aid, timedelta(minutes=30))
    attempt = client.post("/api/v1/attempts", json={"assignment_id": aid},
                          headers=world.stud).get_json()
    with app.app_context():
        row = db.session.get(Attempt, attempt["id"])
        assert row.deadline == db.session.get(Assignment, aid).due_at


def test_an_untimed_attempt_has_no_countdown(client, app, world):
    aid = assign(client, world)
    attempt = client.post("/api/v1/attempts", json={"assignment_id": aid},
                          headers=world.stud).get_json()
    assert attempt["deadline"] is None


def test_hand_picked_questions_are_asked_in_order(client, app, world):
    with app.app_context():
        ids = list(db.session.scalars(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == "mcq").limit(3)))
    aid = assign(client, world, question_ids=list(reversed(ids)), count=None)
    attempt = client.post("/api/v1/attempts", json={"assignment_id": aid},
                          headers=world.stud).get_json()
    assert [q["id"] for q in attempt["questions"]] == list(reversed(ids))


# =========================================================================== results

def test_results_follow_the_contract_and_the_grading_method(client, app, world, api_token):
    aid = assign(client, world, count=4, grading="last", max_attempts=2)
    take(client, app, world.stud, aid, right=True)
    take(client, app, world.stud, aid, right=lambda i: i == 0)
    response = client.get(f"/api/v1/assignments/{aid}/results", headers=world.prof)
    assert response.status_code == 200
    body = response.get_json()
    (student,) = body["students"]
    assert {"username", "attempts", "grade"} <= set(student)
    assert (student["username"], student["attempts"], student["grade"]) == ("stud", 2, 1.0)
    assert body["questions"]
    for q in body["questions"]:
        assert {"question_id", "prompt", "p_correct", "discrimination", "choices"} <= set(q)
        for choice in q["choices"]:
            assert {"text", "chosen"} <= set(choice)
    mcqs = [q for q in body["questions"] if q["type"] == "mcq"]
    for q in mcqs:
        assert sum(c["chosen"] for c in q["choices"]) == 2


def test_item_analysis_counts_what_students_chose(client, app, world, api_token):
    s2 = api_token("stu2", "student")
    client.post("/api/v1/enrollments", json={"join_code": world.cls["join_code"]}, headers=s2)
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == "mcq"))
    aid = assign(client, world, question_ids=[qid], count=None)
    take(client, app, world.stud, aid, right=True)
    take(client, app, s2, aid, right=False)
    (item,) = client.get(f"/api/v1/assignments/{aid}/results",
                         headers=world.prof).get_json()["questions"]
    assert item["question_id"] == qid and item["p_correct"] == 0.5
    assert sorted(c["chosen"] for c in item["choices"]) == [0, 0, 1, 1]
    assert sum(c["unused"] for c in item["choices"]) == 2


# =========================================================================== exports

def test_gradebook_csv_defuses_formula_like_usernames(client, app, world, api_token):
    evil = api_token("-cmd.x", "student")
    client.post("/api/v1/enrollments", json={"join_code": world.cls["join_code"]}, headers=evil)
    aid = assign(client, world)
    take(client, app, world.stud, aid)
    response = client.get(f"/api/v1/assignments/{aid}/export?format=csv", headers=world.prof)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["username"] for r in rows} == {"'-cmd.x", "stud"}
    stud = next(r for r in rows if r["username"] == "stud")
    assert (stud["status"], stud["grade"], stud["max_score"]) == ("finished", "4", "4")


def test_question_exports_are_valid_gift_moodle_xml_and_json(client, app, world):
    aid = assign(client, world, count=8)
    gift = client.get(f"/api/v1/assignments/{aid}/export?format=gift", headers=world.prof)
    assert gift.status_code == 200 and gift.get_data(as_text=True).count("::") >= 16
    xml = client.get(f"/api/v1/assignments/{aid}/export?format=moodle_xml", headers=world.prof)
    root = ET.fromstring(xml.data)
    assert root.tag == "quiz"
    assert len([q for q in root if q.get("type") != "category"]) == 8
    data = client.get(f"/api/v1/assignments/{aid}/export?format=json",
                      headers=world.prof).get_json()
    assert len(data["questions"]) == 8 and data["facts"]
    assert all({"answer", "source", "fact_ids"} <= set(q) for q in data["questions"])


CHARSETS = {"csv": "text/csv; charset=utf-8", "gift": "text/plain; charset=utf-8",
            "moodle_xml": "application/xml; charset=utf-8",
            "json": "application/json"}  # RFC 8259: JSON is UTF-8 and has no charset


@pytest.mark.parametrize("fmt", sorted(CHARSETS))
def test_every_download_names_its_charset_once(client, app, world, fmt):
    aid = assign(client, world)
    with app.app_context():
        doc_id = db.session.scalar(select(Commentary.id).order_by(Commentary.id))
    urls = [f"/api/v1/assignments/{aid}/export?format={fmt}"]
    if fmt != "csv":
        urls.append(f"/api/v1/documents/{doc_id}/export?format={fmt}")
    for url in urls:
        response = client.get(url, headers=world.prof)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == CHARSETS[fmt], url
        response.get_data().decode("utf-8")


@pytest.mark.parametrize("fmt", ["pdf", "", "CSV"])
def test_an_unknown_export_format_is_a_400(client, world, fmt):
    aid = assign(client, world)
    response = client.get(f"/api/v1/assignments/{aid}/export?format={fmt}", headers=world.prof)
    assert response.status_code == 400
    assert "format" in response.get_json()["error"]["fields"]


# =========================================================================== review

def test_a_student_flags_a_question_they_were_asked(client, app, world):
    aid = assign(client, world)
    qid = take(client, app, world.stud, aid)["questions"][0]["id"]
    url = f"/api/v1/questions/{qid}/flags"
    first = client.post(url, json={"comment": "Two answers look right."}, headers=world.stud)
    again = client.post(url, json={"comment": "Two answers look right."}, headers=world.stud)
    assert (first.status_code, again.status_code) == (201, 200)
    assert count(app, QuestionFlag) == 1
    assert client.post(url, json={"comment": "x"}, headers=world.stranger).status_code == 404
    assert client.post(url, json={"comment": " "}, headers=world.stud).status_code == 400
    too_long = client.post(url, json={"comment": "x" * 1001}, headers=world.stud)
    assert too_long.status_code == 400
    shown = client.get(f"/api/v1/questions/{qid}", headers=world.prof).get_json()
    assert [f["comment"] for f in shown["flags"]] == ["Two answers look right."]


def test_editing_makes_a_new_version_and_retires_the_old(client, app, world):
    with app.app_context():
        question = db.session.scalar(select(Question).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == "mcq"))
        qid = question.id
        choice = next(c["id"] for c in question.payload["choices"]
                      if c["id"] != question.payload["answer"])
    body = {"prompt": "Reworded: which year?", "options": {choice: "Reworded choice"},
            "explanation": "Because."}
    edited = client.patch(f"/api/v1/questions/{qid}", json=body, headers=world.prof)
    assert edited.status_code == 200
    new = edited.get_json()
    assert new["id"] != qid and new["version"] == 2 and new["payload"]["edited"] is True
    assert new["payload"]["prompt"] == "Reworded: which year?"
    again = client.patch(f"/api/v1/questions/{qid}", json=body, headers=world.prof)
    assert again.status_code == 200 and again.get_json()["id"] == new["id"]
    with app.app_context():  # a seed question: the shared row stays for everyone else
        assert db.session.get(Question, qid).status is QuestionStatus.ACTIVE
    shown = client.get(f"/api/v1/questions/{qid}", headers=world.prof).get_json()
    assert (shown["status"], shown["replaced_by_id"]) == ("retired", new["id"])
    stale = client.patch(f"/api/v1/questions/{qid}", json={"prompt": "Other"},
                         headers=world.prof)
    assert stale.status_code == 409
    bad = client.patch(f"/api/v1/questions/{new['id']}", json={"prompt": ""},
                       headers=world.prof)
    assert bad.status_code == 400


def test_retired_questions_are_never_asked_again(client, app, world):
    with app.app_context():
        ids = list(db.session.scalars(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE, Question.topic == "representation")))
    for qid in ids:
        assert client.post(f"/api/v1/questions/{qid}/retire", headers=world.prof) \
            .get_json()["status"] == "retired"
    assert client.post(f"/api/v1/questions/{ids[0]}/retire",
                       headers=world.prof).status_code == 200
    # Nothing left to ask in that topic in prof's classes and warm-ups ...
    refused = client.post(f"/api/v1/classes/{world.cls['id']}/assignments", headers=world.prof,
                          json={"title": "Representation", "count": 1, "due_at": FUTURE,
                                "topics": ["representation"], "max_attempts": 1,
                                "grading": "highest", "show_keys": "immediately"})
    assert refused.status_code == 400 and "count" in refused.get_json()["error"]["fields"]
    assert client.post("/api/v1/live", json={"topics": ["representation"], "count": 1},
                       headers=world.prof).status_code == 400
    # ... while the shared bank, which students practise on, keeps them.
    response = client.post("/api/v1/attempts", json={"topics": ["representation"], "count": 5},
                           headers=world.stud)
    assert response.status_code == 201


# =========================================================================== commentaries

def test_a_pasted_commentary_becomes_candidates_then_approved_questions(client, app, world):
    response = client.post("/api/v1/commentaries",
                           json={"title": "NATO and Japan (copy)", "text": COMMENTARY},
                           headers=world.prof)
    assert response.status_code == 201
    body = response.get_json()
    assert body["candidates"]
    for candidate in body["candidates"]:
        assert {"id", "kind", "answer", "quote"} <= set(candidate)
        assert candidate["quote"] in COMMENTARY
    # The years a rule could phrase (one blank per sentence; the rest wait, proposed).
    years = [c["id"] for c in body["candidates"] if c["kind"] == "year" and not c.get("needs")]
    approved = client.post(f"/api/v1/commentaries/{body['id']}/approve",
                           json={"fact_ids": years}, headers=world.prof).get_json()
    assert sorted(approved["changed"]) == sorted(years) and approved["questions"] > 0
    again = client.post(f"/api/v1/commentaries/{body['id']}/approve",
                        json={"fact_ids": years}, headers=world.prof).get_json()
    assert again["changed"] == []
    with app.app_context():
        slug = db.session.get(Commentary, body["id"]).slug
    quiz = client.post("/api/v1/attempts", json={"topics": [slug], "count": 3},
                       headers=world.stud)
    assert quiz.status_code == 201
    # Round 5: only years dating their sentence's main event are asked (4 questions here).
    assert len(quiz.get_json()["questions"]) == 3


def test_rejected_candidates_are_never_asked(client, app, world):
    body = client.post("/api/v1/commentaries", json={"title": "Copy", "text": COMMENTARY},
                       headers=world.prof).get_json()
    ids = [c["id"] for c in body["candidates"]]
    client.post(f"/api/v1/commentaries/{body['id']}/approve", json={"fact_ids": ids},
                headers=world.prof)
    client.post(f"/api/v1/commentaries/{body['id']}/reject", json={"fact_ids": ids},
                headers=world.prof)
    with app.app_context():
        slug = db.session.get(Commentary, body["id"]).slug
    quiz = client.post("/api/v1/attempts", json={"topics": [slug]}, headers=world.stud)
    assert quiz.status_code == 400


def test_an_edited_candidate_is_checked_before_approval(client, world):
    body = client.post("/api/v1/commentaries", json={"title": "Copy", "text": COMMENTARY},
                       headers=world.prof).get_json()
    date = next(c for c in body["candidates"] if c["kind"] == "date")
    broken = client.patch(f"/api/v1/facts/{date['id']}", json={"distractors": []},
                          headers=world.prof).get_json()
    assert any("distractors" in p for p in broken["problems"])
    refused = client.post(f"/api/v1/commentaries/{body['id']}/approve",
                          json={"fact_ids": [date["id"]]}, headers=world.prof).get_json()
    assert refused["changed"] == [] and date["id"] in refused["problems"]
    # An exact day is proposed: the instructor writes its question and wrong answers.
    fixed = client.patch(f"/api/v1/facts/{date['id']}", json={
        "question": "On which dates was the NATO summit in Vilnius held?",
        "distractors": ["June 28-29", "July 9-10", "July 18-19"]},
        headers=world.prof).get_json()
    assert fixed["problems"] == []
    assert client.post(f"/api/v1/commentaries/{body['id']}/approve",
                       json={"fact_ids": [date["id"]]}, headers=world.prof) \
        .get_json()["changed"] == [date["id"]]


@pytest.mark.parametrize("body, field", [
    ({"title": "T", "text": "x" * (teach.MAX_COMMENTARY_CHARS + 1)}, "text"),
    ({"title": "T", "text": "Too short."}, "text"),
    ({"title": "", "text": COMMENTARY}, "title"),
    ({"title": "T", "text": 42}, "text"),
])
def test_a_commentary_must_be_plain_text_of_sensible_size(client, app, world, body, field):
    response = client.post("/api/v1/commentaries", json=body, headers=world.prof)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert count(app, Commentary) == 1  # the seed only


def test_a_huge_request_is_refused_before_it_is_read(client, world):
    response = client.post("/api/v1/commentaries",
                           json={"title": "T", "text": "x" * 2_000_000}, headers=world.prof)
    assert response.status_code == 413
    assert response.get_json()["error"]["message"]


def test_openapi_documents_every_teach_endpoint(client, app):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
              if app.view_functions[rule.endpoint].__module__ == "quizapp.api.teach"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(routes) >= 20
    for rule, method in routes:
        path = rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert paths.get(path, {}).get(method, {}).get("summary"), (path, method)
        assert method in paths.get(path, {}), (path, method)
