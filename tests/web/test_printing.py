"""Printable quizzes: the same questions in the same order as the online attempt for a seed,
the key in its own section, and only for those who may see it."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from quizapp.domain.printing import key_lines, letter
from quizapp.extensions import db
from quizapp.models import Question, User

from support.helpers import PASSWORD

KEY_START = '<section class="answer-key"'


def _login(client, name: str) -> None:
    client.post("/logout")
    client.post("/login", data={"username": name, "password": PASSWORD})


def printed(page: str) -> tuple[list[int], list[str], str, str]:
    """Question ids and prompts in printed order, the questions part and the key part."""
    questions, _, key = page.partition(KEY_START)
    ids = [int(i) for i in re.findall(r'<li class="pq [^"]*" id="q-\d+" data-question-id="(\d+)"',
                                      questions)]
    prompts = [html.unescape(p) for p in re.findall(r'<span class="pq-text">(.*?)</span>',
                                                    questions, re.S)]
    return ids, prompts, questions, key


def _payloads(app, ids: list[int]) -> dict[int, dict]:
    with app.app_context():
        return {q.id: {**q.payload, "type": q.type} for q in db.session.scalars(
            select(Question).where(Question.id.in_(ids)))}


@pytest.mark.parametrize("options", [
    {"count": 12, "seed": 5},
    {"count": 8, "seed": 2024, "types": ["ordering", "matching", "short", "multi"]},
    {"count": 5, "seed": 99, "topics": ["vilnius-2023", "representation"]},
])
def test_a_printed_practice_quiz_asks_what_the_online_quiz_with_that_seed_asks(
        app, client, api_token, options):
    headers = api_token("learner")
    online = client.post("/api/v1/attempts", headers=headers, json=options).get_json()
    _login(client, "learner")
    query = "&".join(f"{k}={v}" for k, value in options.items()
                     for v in (value if isinstance(value, list) else [value]))
    page = client.get(f"/print/practice?{query}")
    assert page.status_code == 200
    ids, prompts, _questions, key = printed(page.get_data(as_text=True))
    assert ids == [q["id"] for q in online["questions"]]
    assert prompts == [q["prompt"] for q in online["questions"]]
    # The key: every question, in the same order, with its source sentence.
    assert [int(i) for i in re.findall(r'<li class="key-item" id="key-\d+" '
                                       r'data-question-id="(\d+)"', key)] == ids
    for payload in _payloads(app, ids).values():
        quote = payload["source"].get("quotes", [payload["source"]["quote"]])[0]
        assert quote in html.unescape(key)
        assert key_lines(payload)[0] in html.unescape(key)


def test_answers_are_printed_in_the_key_section_only(app, client, api_token):
    api_token("learner")
    _login(client, "learner")
    page = client.get("/print/practice?count=10&seed=11&types=short&types=mcq"
                      ).get_data(as_text=True)
    ids, _prompts, questions, key = printed(page)
    assert 'class="key-' not in questions and "answer-key" not in questions
    payloads = _payloads(app, ids)
    blocks = re.split(r'(?=<li class="pq )', questions)[1:]
    for qid, block in zip(ids, blocks, strict=True):
        payload = payloads[qid]
        if payload["type"] == "short":
            assert payload["answer_text"] not in html.unescape(block)
            assert 'class="pq-line"' in block  # a blank to write in
        else:
            # Options as the student sees them, lettered; the key names the same letter.
            texts = [c["text"] for c in payload["choices"]]
            assert [html.unescape(t) for t in re.findall(
                r'<span class="pq-letter">[A-Z]+\.</span> (.*?)</li>', block)] == texts
            right = next(n for n, c in enumerate(payload["choices"])
                         if c["id"] == payload["answer"])
            assert f"{letter(right)}. {texts[right]}" in html.unescape(key)


@pytest.fixture
def assign(app, create_course, create_assignment):
    """Return a function that gives ``teacher`` a class with a 6-question assignment;
    returns (join code, assignment id)."""

    def make(show_keys: str, **extra) -> tuple[str, int]:
        with app.app_context():
            teacher = db.session.scalar(select(User).where(User.username == "teacher"))
        course = create_course(teacher)
        made = create_assignment(teacher, course.id, count=6, max_attempts=1,
                                 show_keys=show_keys, **extra)
        return course.join_code, made.id

    return make


@pytest.mark.parametrize(("show_keys", "student_sees_key"),
                         [("immediately", True), ("after_due", False), ("never", False)])
def test_an_assignment_prints_as_the_students_attempt_with_the_key_as_its_policy_allows(
        client, api_token, assign, show_keys, student_sees_key):
    api_token("teacher", "instructor")
    student = api_token("student")
    code, assignment_id = assign(show_keys)
    client.post("/api/v1/enrollments", json={"join_code": code}, headers=student)
    online = client.post("/api/v1/attempts", json={"assignment_id": assignment_id},
                         headers=student).get_json()
    online_ids = [q["id"] for q in online["questions"]]
    _login(client, "student")
    mine = client.get(f"/assignments/{assignment_id}/print")
    assert mine.status_code == 200
    ids, prompts, _questions, key = printed(mine.get_data(as_text=True))
    assert ids == online_ids and prompts == [q["prompt"] for q in online["questions"]]
    assert bool(key) is student_sees_key
    if not student_sees_key:
        assert "key-answer" not in mine.get_data(as_text=True)
        assert 'class="key-note"' in mine.get_data(as_text=True)
    _login(client, "teacher")
    theirs = client.get(f"/assignments/{assignment_id}/print?paper=letter")
    ids, _prompts, _questions, key = printed(theirs.get_data(as_text=True))
    assert ids == online_ids and key.count('class="key-item"') == len(ids)
    assert "css/print-letter.css" in theirs.get_data(as_text=True)
    gradebook = client.get(f"/teach/assignments/{assignment_id}").get_data(as_text=True)
    assert f"/assignments/{assignment_id}/print" in gradebook


def test_an_instructor_prints_one_students_own_draw(app, client, api_token, assign):
    api_token("teacher", "instructor")
    students = [api_token(f"student{n}") for n in (1, 2)]
    code, assignment_id = assign("immediately", same_questions=False)
    drawn = []
    for headers in students:
        client.post("/api/v1/enrollments", json={"join_code": code}, headers=headers)
        drawn.append([q["id"] for q in client.post(
            "/api/v1/attempts", json={"assignment_id": assignment_id}, headers=headers
        ).get_json()["questions"]])
    assert drawn[0] != drawn[1]
    with app.app_context():
        user_ids = [db.session.scalar(select(User.id).where(User.username == f"student{n}"))
                    for n in (1, 2)]
    _login(client, "teacher")
    for user_id, expected in zip(user_ids, drawn, strict=True):
        page = client.get(f"/assignments/{assignment_id}/print?student={user_id}")
        assert printed(page.get_data(as_text=True))[0] == expected
    # A student may print only their own.
    _login(client, "student1")
    assert client.get(f"/assignments/{assignment_id}/print?student={user_ids[1]}"
                      ).status_code == 404


def test_only_the_class_prints_an_assignment(client, api_token, assign):
    api_token("teacher", "instructor")
    api_token("stranger", "instructor")
    api_token("outsider")
    _code, assignment_id = assign("immediately")
    for name in ("stranger", "outsider"):
        _login(client, name)
        refused = client.get(f"/assignments/{assignment_id}/print")
        assert refused.status_code == 404
        assert "pq-prompt" not in refused.get_data(as_text=True)
    client.post("/logout")
    assert client.get(f"/assignments/{assignment_id}/print").status_code in (302, 401)
    assert client.get("/print/practice?seed=1").status_code in (302, 401)


@pytest.mark.parametrize("query", ["seed=1&paper=legal", "seed=abc", "seed=-4", "seed=1&count=0",
                                   "seed=1&count=x", "seed=1&topics=no-such-topic",
                                   "seed=1&types=essay"])
def test_bad_print_options_are_a_clear_400(client, api_token, query):
    api_token("learner")
    _login(client, "learner")
    got = client.get(f"/print/practice?{query}")
    assert got.status_code == 400
    assert "pq-prompt" not in got.get_data(as_text=True)


def test_the_new_quiz_form_prints_instead_with_a_fresh_seed(client, api_token):
    api_token("learner")
    _login(client, "learner")
    assert "Print it instead" in client.get("/quiz/new").get_data(as_text=True)
    sent = client.post("/print/practice", data={"length": "5", "types": ["mcq"]})
    assert sent.status_code == 302
    target = sent.headers["Location"]
    assert "seed=" in target and "count=5" in target and "types=mcq" in target
    ids = printed(client.get(target).get_data(as_text=True))[0]
    assert len(ids) == 5
    assert client.get("/print/practice?count=3").headers["Location"].count("seed=") == 1


def test_a_printed_choice_says_whether_to_mark_one_answer_or_tick_several(app, client,
                                                                           api_token):
    api_token("learner")
    _login(client, "learner")
    page = client.get("/print/practice?count=10&seed=3&types=mcq&types=multi"
                      ).get_data(as_text=True)
    ids, _prompts, questions, _key = printed(page)
    payloads = _payloads(app, ids)
    blocks = re.split(r'(?=<li class="pq )', questions)[1:]
    hints = {payloads[qid]["type"]: re.search(r'<p class="pq-hint">(.*?)</p>', block).group(1)
             for qid, block in zip(ids, blocks, strict=True)}
    assert hints == {"mcq": "Mark one answer.", "multi": "Tick every answer that applies."}
