"""Instructor pages and the student's class pages: forms, refusals, ownership, CSRF."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain.question_types import QUESTION_TYPES
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    Attempt,
    Commentary,
    Course,
    Enrollment,
    Fact,
    FactStatus,
    LiveAnswer,
    LiveGame,
    LivePlayer,
    Question,
    QuestionFlag,
    QuestionStatus,
    User,
    utcnow,
)
from quizapp.services import study, teach

from support.helpers import COMMENTARY


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def people(make_user):
    """An instructor, a second instructor and two students (none logged in)."""
    return {name: make_user(name, role) for name, role in (
        ("prof", "instructor"), ("other", "instructor"), ("stud", "student"),
        ("stud2", "student"))}


@pytest.fixture
def course(people, create_course):
    """A class owned by ``prof`` with ``stud`` enrolled; returns (id, join code)."""
    made = create_course(people["prof"], [people["stud"]])
    return made.id, made.join_code


@pytest.fixture
def make_assignment(people, create_assignment):
    """Return a function that gives ``prof``'s class an assignment (2 attempts); its id."""

    def make(course_id: int, **settings) -> int:
        return create_assignment(people["prof"], course_id, **{"max_attempts": 2,
                                                                **settings}).id

    return make


def take(app, people, assignment_id, username="stud", right=True) -> int:
    """Start, answer (all right or all wrong) and finish an assignment through the services."""
    from quizapp.services import study

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        attempt = teach.start_assignment_attempt(user, assignment_id)
        db.session.commit()
        for item in attempt.items:
            q = item.question.payload
            response = q["answer"]
            if not right and q["type"] == "mcq":
                response = next(c["id"] for c in q["choices"] if c["id"] != q["answer"])
            elif not right and q["type"] == "true_false":
                response = not q["answer"]
            elif not right and q["type"] == "short":
                response = "wrong"
            study.record_answer(user, attempt.id, item.question_id, response)
            db.session.commit()
        study.finish_attempt(user, attempt.id)
        db.session.commit()
        return attempt.id


# =========================================================================== access

@pytest.mark.parametrize("url", ["/teach/", "/teach/questions", "/teach/commentaries",
                                 "/assignments", "/classes/join"])
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_instructor_pages_refuse_students(client, auth, app, people, course, make_assignment):
    aid = make_assignment(course[0])
    auth.login("stud")
    for url in ("/teach/", f"/teach/classes/{course[0]}", f"/teach/classes/{course[0]}/qr.svg",
                f"/teach/classes/{course[0]}/assignments/new", f"/teach/assignments/{aid}",
                f"/teach/assignments/{aid}/items", f"/teach/assignments/{aid}/export.csv",
                "/teach/questions", "/teach/questions/1", "/teach/commentaries"):
        assert client.get(url).status_code == 403, url
    assert client.post("/teach/", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/teach/classes/{course[0]}/members/{people['stud'].id}/remove") \
        .status_code == 403
    assert count(app, Course) == 1 and count(app, Enrollment) == 1


def test_another_instructor_gets_404_and_changes_nothing(client, auth, app, people, course,
                                                        make_assignment):
    aid = make_assignment(course[0])
    auth.login("other")
    for url in (f"/teach/classes/{course[0]}", f"/teach/classes/{course[0]}/qr.svg",
                f"/teach/classes/{course[0]}/join-screen",
                f"/teach/classes/{course[0]}/misconceptions",
                f"/teach/classes/{course[0]}/assignments/new", f"/teach/assignments/{aid}",
                f"/teach/assignments/{aid}/items", f"/teach/assignments/{aid}/export.gift"):
        assert client.get(url).status_code == 404, url
    posts = [(f"/teach/classes/{course[0]}/members/{people['stud'].id}/remove", {}),
             (f"/teach/classes/{course[0]}/instructors", {"username": "other"}),
             (f"/teach/classes/{course[0]}/assignments/new",
              {"title": "X", "count": 3, "due_at": "2099-01-01T10:00", "max_attempts": 1,
               "grading": "highest", "show_keys": "never", "same_questions": "same"})]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 404, url
    assert count(app, Enrollment) == 1 and count(app, Assignment) == 1


# =========================================================================== classes

def test_creating_a_class_shows_its_code_link_and_qr(client, auth, app, people):
    auth.login("prof")
    response = client.post("/teach/", data={"name": "Security Studies"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        c = db.session.scalar(select(Course))
    assert c.join_code in page
    assert f"/classes/join/{c.join_code}" in page
    assert f'src="/teach/classes/{c.id}/qr.svg"' in page
    qr = client.get(f"/teach/classes/{c.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    svg = ET.fromstring(qr.data)
    assert svg.tag.endswith("svg") and svg.get("viewBox")


def test_a_blank_class_name_is_refused_on_the_form(client, auth, app, people):
    auth.login("prof")
    response = client.post("/teach/", data={"name": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert count(app, Course) == 0


def test_the_join_link_sends_a_visitor_to_log_in_then_enrols(client, auth, app, people, course):
    cid, code = course
    first = client.get(f"/classes/join/{code}")
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    assert first.headers["Location"].endswith(f"next=%2Fclasses%2Fjoin%2F{code}")
    response = client.post(first.headers["Location"],
                           data={"username": "stud2", "password": "correct horse battery"})
    assert response.headers["Location"].endswith(f"/classes/join/{code}")
    page = client.get(f"/classes/join/{code}").get_data(as_text=True)
    assert "Join Seminar" in page
    assert count(app, Enrollment, Enrollment.user_id == people["stud2"].id) == 0  # GET only asks
    for _ in range(2):  # a double submit is harmless
        joined = client.post(f"/classes/join/{code}")
        assert joined.status_code == 303
    assert count(app, Enrollment, Enrollment.user_id == people["stud2"].id) == 1
    assert "already in this class" in client.get(f"/classes/join/{code}").get_data(as_text=True)


def test_a_wrong_join_code_is_explained(client, auth, people):
    auth.login("stud2")
    response = client.post("/classes/join", data={"code": "ZZZZZZ"})
    assert response.status_code == 400
    assert "No class has that join code" in response.get_data(as_text=True)
    assert client.get("/classes/join/NOPE").status_code == 404


def test_wrong_join_codes_are_throttled_per_user(client, auth, app, people, course, api_token):
    """Ten wrong codes in the window, and every code is refused for a while (429)."""
    _, code = course
    auth.login("stud2")
    for i in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert client.post("/classes/join", data={"code": f"WRONG{i}"}).status_code == 400
    assert client.get("/classes/join/NOPE").status_code == 404  # a link counts too
    page = client.post("/classes/join", data={"code": code})
    assert page.status_code == 429
    assert "Too many wrong join codes" in page.get_data(as_text=True)
    assert client.get(f"/classes/join/{code}").status_code == 429
    assert count(app, Enrollment, Enrollment.user_id == people["stud2"].id) == 0
    # Nobody else is held back, and logging in is a separate count.
    auth.logout()
    assert auth.login("stud2").status_code == 302
    headers = api_token("joiner")
    assert client.post("/api/v1/enrollments", json={"join_code": code},
                       headers=headers).status_code in (200, 201)


def test_wrong_join_codes_through_the_api_are_throttled_too(client, app, course, api_token):
    _, code = course
    headers = api_token("joiner")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        wrong = client.post("/api/v1/enrollments", json={"join_code": "ZZZZZZ"},
                            headers=headers)
        assert wrong.status_code == 404
    refused = client.post("/api/v1/enrollments", json={"join_code": code}, headers=headers)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_attempts"


def test_the_owner_removes_a_student_and_adds_a_co_instructor(client, auth, app, people,
                                                              course):
    cid, _ = course
    auth.login("prof")
    url = f"/teach/classes/{cid}/members/{people['stud'].id}/remove"
    assert client.post(url).status_code == 303
    assert client.post(url).status_code == 303  # already gone: harmless
    assert count(app, Enrollment, Enrollment.course_id == cid) == 0
    bad = client.post(f"/teach/classes/{cid}/instructors", data={"username": "stud2"})
    assert bad.status_code == 400
    assert "student account" in bad.get_data(as_text=True)
    assert client.post(f"/teach/classes/{cid}/instructors",
                       data={"username": "other"}).status_code == 303
    auth.logout()
    auth.login("other")
    assert client.get(f"/teach/classes/{cid}").status_code == 200
    # a co-instructor may not remove another co-instructor
    assert client.post(f"/teach/classes/{cid}/members/{people['other'].id}/remove") \
        .status_code == 403


# =========================================================================== assignments

def test_the_assignment_form_explains_bad_input_and_saves_nothing(client, auth, app, people,
                                                                  course):
    auth.login("prof")
    url = f"/teach/classes/{course[0]}/assignments/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data={
        "title": "W", "count": "-3", "due_at": "2001-01-01T10:00", "max_attempts": "0",
        "grading": "best", "show_keys": "never", "same_questions": "same"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Number must be between 1 and 50." in page
    assert "Not a valid choice." in page
    past = client.post(url, data={
        "title": "W", "count": "3", "due_at": "2001-01-01T10:00", "max_attempts": "1",
        "grading": "highest", "show_keys": "never", "same_questions": "same"})
    assert past.status_code == 400
    assert "Choose a due date in the future." in past.get_data(as_text=True)
    assert count(app, Assignment) == 0


def test_the_assignment_form_converts_local_time_and_hand_picks(client, auth, app, people,
                                                                course):
    auth.login("prof")
    with app.app_context():
        ids = list(db.session.scalars(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == "mcq").limit(2)))
    response = client.post(f"/teach/classes/{course[0]}/assignments/new", data={
        "title": "Picked", "count": "10", "due_at": "2099-03-01T17:00", "tz_offset": "-60",
        "max_attempts": "3", "grading": "average", "show_keys": "after_due",
        "time_limit_minutes": "15", "same_questions": "each", "question_ids": ids,
        "topics": [], "types": []})
    assert response.status_code == 303
    with app.app_context():
        a = db.session.scalar(select(Assignment))
        assert a.due_at.isoformat() == "2099-03-01T16:00:00"  # UTC+1 in the browser
        assert (a.question_ids, a.count, a.max_attempts, a.grading.value) == (ids, 2, 3,
                                                                             "average")
        assert (a.time_limit_minutes, a.same_questions, a.show_keys.value) == (15, False,
                                                                               "after_due")


def test_students_start_assignments_from_their_list(client, auth, app, people, course,
                                                    make_assignment):
    aid = make_assignment(course[0], max_attempts=1)
    auth.login("stud")
    page = client.get("/assignments").get_data(as_text=True)
    assert "Week 1" in page and "Seminar" in page
    response = client.post(f"/assignments/{aid}/start")
    assert response.status_code in (302, 303)
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert response.headers["Location"].endswith(f"/attempts/{attempt.id}")
        attempt.finished_at = utcnow()
        db.session.commit()
    again = client.post(f"/assignments/{aid}/start")
    assert again.status_code in (302, 303)
    assert count(app, Attempt) == 1
    auth.logout()
    auth.login("stud2")
    assert client.post(f"/assignments/{aid}/start").status_code == 404


def test_the_student_list_shows_grades_and_when_no_attempt_is_left(client, auth, app, people,
                                                                    course, make_assignment):
    aid = make_assignment(course[0], max_attempts=1)
    take(app, people, aid)
    auth.login("stud")
    page = client.get("/assignments").get_data(as_text=True)
    assert "4 / 4" in page and "No attempts left" in page


# =========================================================================== gradebook

def test_gradebook_item_analysis_and_csv(client, auth, app, people, course, make_assignment):
    cid, _ = course
    with app.app_context():
        db.session.add(Enrollment(course_id=cid, user_id=people["stud2"].id))
        db.session.commit()
        qid = db.session.scalar(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == "mcq"))
    aid = make_assignment(cid, question_ids=[qid], count=None)
    take(app, people, aid, "stud", right=True)
    take(app, people, aid, "stud2", right=False)
    auth.login("prof")
    grades = client.get(f"/teach/assignments/{aid}").get_data(as_text=True)
    assert "stud2" in grades and "1 / 1" in grades and "0 / 1" in grades
    assert "2 <span>of 2 students have a grade</span>" in grades
    items = client.get(f"/teach/assignments/{aid}/items").get_data(as_text=True)
    assert items.count("nobody chose this") == 2
    assert "50%" in items
    csv_response = client.get(f"/teach/assignments/{aid}/export.csv")
    assert csv_response.mimetype == "text/csv"
    lines = csv_response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("username,status,attempts,grade")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["stud", "stud2"]
    assert client.get(f"/teach/assignments/{aid}/export.xml").mimetype == "application/xml"


@pytest.mark.parametrize("ext, content_type", [
    ("csv", "text/csv; charset=utf-8"), ("txt", "text/plain; charset=utf-8"),
    ("gift", "text/plain; charset=utf-8"), ("xml", "application/xml; charset=utf-8"),
    ("json", "application/json")])
def test_every_download_page_names_its_charset_once(client, auth, app, people, course, ext,
                                                    content_type, make_assignment):
    aid = make_assignment(course[0])
    with app.app_context():
        doc_id = db.session.scalar(select(Commentary.id).order_by(Commentary.id))
    auth.login("prof")
    urls = [f"/teach/assignments/{aid}/export.{ext}"]
    if ext != "csv":
        urls.append(f"/teach/documents/{doc_id}/export.{ext}")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == content_type, url


def test_the_misconception_map_counts_quiz_and_warm_up_answers(client, auth, app, people,
                                                               course, make_assignment):
    cid, _ = course
    aid = make_assignment(cid, count=3)
    take(app, people, aid, "stud", right=False)
    with app.app_context():
        question = db.session.scalar(select(Question).where(
            Question.status == QuestionStatus.ACTIVE, Question.topic == "representation"))
        game = LiveGame(pin="123456", host_id=people["prof"].id, question_ids=[question.id])
        db.session.add(game)
        db.session.flush()
        player = LivePlayer(game_id=game.id, nickname="S", nickname_key="s",
                            token_hash="x" * 64, user_id=people["stud"].id)
        db.session.add(player)
        db.session.flush()
        db.session.add(LiveAnswer(game_id=game.id, player_id=player.id, question_index=0,
                                  question_id=question.id, response=None, correct=False))
        db.session.commit()
        rows = teach.class_misconceptions(db.session.get(Course, cid))
        fact_id = question.fact_ids[0]
    live = next(r for r in rows if r["fact_id"] == fact_id)
    assert (live["live_answers"], live["missed"]) == (1, live["seen"])
    assert rows[0]["miss_rate"] == 1.0
    auth.login("prof")
    page = client.get(f"/teach/classes/{cid}/misconceptions").get_data(as_text=True)
    assert "1 live" in page


# =========================================================================== review

def test_an_instructor_rewords_resolves_and_retires_a_flagged_question(
        client, auth, app, people, course, make_assignment):
    aid = make_assignment(course[0], count=2)
    attempt_id = take(app, people, aid)
    with app.app_context():
        qid = db.session.get(Attempt, attempt_id).items[0].question_id
    auth.login("stud")
    flagged = client.post(f"/questions/{qid}/flag", data={
        f"flag-{qid}-comment": "The key looks wrong.", f"flag-{qid}-next": "//evil.example"})
    assert flagged.status_code == 303
    assert flagged.headers["Location"] == "/dashboard"  # no open redirect
    auth.logout()
    auth.login("prof")
    queue = client.get("/teach/questions?flagged=1").get_data(as_text=True)
    assert f"/teach/questions/{qid}" in queue and "1 flag" in queue
    page = client.get(f"/teach/questions/{qid}").get_data(as_text=True)
    assert "The key looks wrong." in page
    with app.app_context():
        payload = db.session.get(Question, qid).payload
        keyed = QUESTION_TYPES[payload["type"]].key_options(payload)
    # A true/false statement is its key; other prompts and the wrong choices may be reworded.
    prompt = payload["prompt"] if payload["type"] == "true_false" else "A clearer prompt?"
    data = {"prompt": prompt, "explanation": "Clearer."}
    for group in ("choices", "items", "left", "right"):
        for option in payload.get(group, []):
            edited = f"{group}.{option['id']}" not in keyed
            data[f"opt_{group}_{option['id']}"] = option["text"] + " (edited)" * edited
    saved = client.post(f"/teach/questions/{qid}", data=data)
    assert saved.status_code == 303
    new_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    assert new_id != qid
    with app.app_context():
        old, new = db.session.get(Question, qid), db.session.get(Question, new_id)
        # The seed question stays for everyone else; the edit is prof's own version.
        assert old.status is QuestionStatus.ACTIVE and new.payload["edited"] is True
        assert new.owner_id == people["prof"].id
        assert new.payload["prompt"] == prompt
        assert db.session.scalar(select(QuestionFlag.resolved)) is True
        assert qid not in db.session.get(Assignment, aid).question_ids  # drawn, not picked
    assert "This version is retired" in client.get(f"/teach/questions/{qid}").get_data(
        as_text=True)
    assert client.post(f"/teach/questions/{new_id}/retire").status_code == 303
    assert client.post(f"/teach/questions/{new_id}/retire").status_code == 303
    with app.app_context():
        assert db.session.get(Question, new_id).status is QuestionStatus.RETIRED


def test_an_empty_option_is_refused_on_the_edit_form(client, auth, app, people):
    with app.app_context():
        question = db.session.scalar(select(Question).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == "mcq"))
        qid, first = question.id, question.payload["choices"][0]["id"]
    auth.login("prof")
    response = client.post(f"/teach/questions/{qid}", data={
        "prompt": "P?", f"opt_choices_{first}": ""})
    assert response.status_code == 400
    assert count(app, Question, Question.id > qid, Question.uid == question.uid) == 0


def test_a_student_cannot_flag_a_question_they_were_not_asked(client, auth, app, people):
    auth.login("stud")
    response = client.post("/questions/1/flag", data={"flag-1-comment": "Wrong!"})
    assert response.status_code == 404
    assert count(app, QuestionFlag) == 0


def test_the_flag_partial_renders_a_csrf_protected_form(csrf_app, make_user):
    make_user("prof", "instructor")
    with csrf_app.test_request_context("/attempts/1"):
        from flask import render_template

        html = render_template("teach/_flag_form.html", question_id=7,
                               next_url="/attempts/1/result")
    assert 'action="/questions/7/flag"' in html
    assert 'name="flag-7-csrf_token"' in html
    assert 'name="flag-7-next" type="hidden" value="/attempts/1/result"' in html
    client = csrf_app.test_client()
    client.post("/login", data={"username": "prof", "password": "correct horse battery"})
    assert client.post("/questions/7/flag", data={"flag-7-comment": "x"}).status_code == 400


def test_teach_forms_refuse_a_post_without_csrf_token(csrf_app, make_user):
    make_user("prof", "instructor")
    client = csrf_app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/login", data={"username": "prof", "password": "correct horse battery",
                                "csrf_token": token})
    assert client.post("/teach/", data={"name": "No token"}).status_code == 400
    assert client.post("/teach/commentaries",
                       data={"title": "T", "text": COMMENTARY}).status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0


# =========================================================================== commentaries

def test_a_commentary_upload_becomes_candidates_to_approve(client, auth, app, people):
    auth.login("prof")
    response = client.post("/teach/commentaries", data={
        "title": "Uploaded", "text": "",
        "upload": (io.BytesIO(COMMENTARY.encode("utf-8")), "commentary.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Individually Tailored Partnership Programs" in page
    with app.app_context():
        doc = db.session.scalar(select(Commentary).where(Commentary.title == "Uploaded"))
        # The years a rule could phrase (one blank per sentence; the rest are proposed).
        ids = [f.id for f in db.session.scalars(select(Fact).where(
            Fact.document_id == doc.id, Fact.kind == "year")) if not f.data.get("needs")]
    approve = client.post(f"/teach/commentaries/{doc.id}/status",
                          data={"status": "approved", "fact_ids": ids})
    assert approve.status_code == 303
    assert count(app, Fact, Fact.document_id == doc.id,
                 Fact.status == FactStatus.APPROVED) == len(ids)
    assert count(app, Question, Question.document_id == doc.id) > 0
    assert client.get(f"/teach/documents/{doc.id}/export.gift").status_code == 200


@pytest.mark.parametrize("data, message", [
    ({"title": "Huge", "text": "x" * (teach.MAX_COMMENTARY_CHARS + 1)}, "the limit is"),
    ({"title": "Short", "text": "A sentence."}, "at least"),
    ({"title": "", "text": COMMENTARY}, "This field is required."),
    ({"title": "Bytes", "text": "",
      "upload": (io.BytesIO(b"\xff\xfe\x00bad" * 100), "x.txt")}, "not UTF-8"),
    ({"title": "Pdf", "text": "", "upload": (io.BytesIO(b"%PDF"), "x.pdf")}, "Upload a .txt"),
])
def test_unusable_commentaries_are_explained(client, auth, app, people, data, message):
    auth.login("prof")
    response = client.post("/teach/commentaries", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Commentary) == 1


def test_editing_a_candidate_on_its_form_can_approve_it(client, auth, app, people):
    with app.app_context():
        prof = db.session.get(User, people["prof"].id)
        doc = teach.create_commentary(prof, "Copy", COMMENTARY)
        db.session.commit()
        fact = next(f for f in db.session.scalars(select(Fact).where(
            Fact.document_id == doc.id, Fact.kind == "year").order_by(Fact.position))
            if "February 2022" in f.quote)
        fact_id, doc_id = fact.id, doc.id
    auth.login("prof")
    assert client.get(f"/teach/facts/{fact_id}").status_code == 200
    bad = client.post(f"/teach/facts/{fact_id}", data={
        "question": "In which year?", "statement": "No placeholder here.", "answer": "2023",
        "approve": "y"})
    assert bad.status_code == 303
    with app.app_context():
        assert db.session.get(Fact, fact_id).status is FactStatus.CANDIDATE
    good = client.post(f"/teach/facts/{fact_id}", data={
        "question": "In February of which year did Russia's aggression against Ukraine start?",
        "statement": "Russia's aggression against Ukraine started in February {answer}.",
        "answer": "2022", "event": "Russia's aggression against Ukraine begins",
        "approve": "y"})
    assert good.status_code == 303
    with app.app_context():
        assert db.session.get(Fact, fact_id).status is FactStatus.APPROVED
        # Fill-in-the-blank only: a rule's wrong years would be made up (no true/false
        # without a curated falsehood either).
        assert db.session.scalar(select(func.count()).select_from(Question).where(
            Question.document_id == doc_id)) == 1
    auth.logout()
    auth.login("other")
    assert client.get(f"/teach/facts/{fact_id}").status_code == 404
    assert client.get(f"/teach/commentaries/{doc_id}").status_code == 404


def test_a_due_date_past_closes_the_assignment_for_students(client, auth, app, people,
                                                            course, make_assignment):
    aid = make_assignment(course[0])
    with app.app_context():
        db.session.get(Assignment, aid).due_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    auth.login("stud")
    page = client.get("/assignments").get_data(as_text=True)
    assert "Past due" in page
    follow = client.post(f"/assignments/{aid}/start", follow_redirects=True)
    assert "late attempts are not accepted" in follow.get_data(as_text=True)
    assert count(app, Attempt) == 0


def test_an_instructor_leaves_a_note_on_a_question_for_co_instructors(client, auth, app,
                                                                      people):
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE))
    auth.login("prof")
    page = client.get(f"/teach/questions/{qid}").get_data(as_text=True)
    assert f'action="/questions/{qid}/flag"' in page
    response = client.post(f"/questions/{qid}/flag", data={
        f"flag-{qid}-comment": "Check the date.", f"flag-{qid}-next": f"/teach/questions/{qid}"})
    assert response.headers["Location"] == f"/teach/questions/{qid}"
    assert "Check the date." in client.get(f"/teach/questions/{qid}").get_data(as_text=True)


def test_a_text_whose_every_candidate_needs_the_instructor_says_so(client, auth, app, people):
    # Round 29: some imported texts yield no question the rules can phrase alone (every
    # dated sentence names several years, an aside or no milestone); the page says what to
    # do instead of showing an empty bank beside a list of proposals.
    text = ("Peru and Chile met in 1990 and again in 1991 to talk about fisheries. "
            "Officials from Lima visited Santiago in 1992, 1993 and 1994. ") * 3
    auth.login("prof")
    response = client.post("/teach/commentaries", data={"title": "Proposals", "text": text})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="all-proposed"' in page and "Cannot be approved yet" in page
    assert "Why the rules left it to you:" in page and "in your own words" in page
    # Once the instructor has approved something, the notice has done its work.
    with app.app_context():
        doc = db.session.scalar(select(Commentary).where(Commentary.title == "Proposals"))
        doc_id = doc.id
        fact_id = db.session.scalars(select(Fact).where(Fact.document_id == doc_id)).first().id
        db.session.get(Fact, fact_id).status = FactStatus.APPROVED
        db.session.commit()
    assert 'id="all-proposed"' not in client.get(
        f"/teach/commentaries/{doc_id}").get_data(as_text=True)
    # A text with a question the rules can write shows no such notice.
    response = client.post("/teach/commentaries", data={"title": "Written", "text": COMMENTARY})
    assert 'id="all-proposed"' not in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_an_assignment_longer_than_the_bank_holds_cleanly_is_refused_with_its_size(
        people, course, create_assignment):
    # The seed commentary's questions give one another away too often for 20 to be drawn
    # with each fact once: each student would get fewer than the points assigned.
    with pytest.raises(ServiceError) as refused:
        create_assignment(people["prof"], course[0], count=20)
    message = refused.value.fields["count"]
    assert "without asking a fact twice" in message
    capacity = int(re.search(r"holds (\d+) questions", message).group(1))
    assert 12 <= capacity < 20
    assigned = create_assignment(people["prof"], course[0], count=capacity)
    assert assigned.count == capacity
    # Narrowed to one form, an assignment drills it and fills its length.
    assert create_assignment(people["prof"], course[0], count=20, types=["mcq"]).count == 20


def test_an_assignment_attempt_always_holds_the_points_assigned(app, people, course,
                                                               create_assignment):
    # Points are the assignment's count: every student's own draw fills it, even where a
    # practice quiz of the same length stops short (18 of the seed bank).
    made = create_assignment(people["prof"], course[0], count=16, max_attempts=1)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "stud"))
        assignment = db.session.get(Assignment, made.id)
        lengths = {seed: len(study.start_attempt(
            user, count=18, seed=seed, mode="assignment", assignment=assignment,
            owner_id=people["prof"].id).items) for seed in range(8)}
        practice = {seed: len(study.start_attempt(user, count=18, seed=seed).items)
                    for seed in range(8)}
        db.session.rollback()
    assert set(lengths.values()) == {18}
    assert min(practice.values()) < 18  # the case the fill is for
