"""Questions an instructor writes by hand (HTML form and POST /api/v1/questions): the
rules, whose they are (their classes and warm-ups only), editing and retiring them."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Assignment, Question, QuestionStatus, Role
from quizapp.services import accounts

from support.helpers import PASSWORD, body_schema

FUTURE = "2099-05-01T17:00:00Z"
TOPIC = "vilnius-2023"
QUOTE = ("In addition to 31 NATO member states, four heads of government of Indo-Pacific "
         "countries attended the meeting.")

#: One valid question of each form, as the API takes it.
GOOD = {
    "mcq": {"type": "mcq", "prompt": "How many NATO member states attended in Vilnius?",
            "right": "31", "wrong": ["30", "32", "29"], "quote": QUOTE,
            "explanation": "All 31 members, plus four partners."},
    "multi": {"type": "multi", "prompt": "Which attended the Vilnius summit as partners?",
              "right": ["Japan", "Australia"], "wrong": ["China", "India"]},
    "true_false": {"type": "true_false", "prompt": "31 NATO member states attended.",
                   "answer": True},
    "short": {"type": "short", "prompt": "How many member states attended?",
              "accepted": ["31", "thirty-one"]},
    "ordering": {"type": "ordering", "prompt": "Put these in order, earliest first.",
                 "items": ["CMX first joined", "Vilnius summit", "Later summit"]},
    "matching": {"type": "matching", "prompt": "Match each acronym to its meaning.",
                 "pairs": [["CMX", "Crisis Management Exercise"],
                           {"left": "ITPP", "right": "Individually Tailored Partnership"
                                                     " Programme"}]},
}


@pytest.fixture
def world(client, api_token):
    """Instructors A and B, each with a class and a student in it; a lone student."""
    side = {}
    for name in ("a", "b"):
        prof = api_token(f"prof_{name}", "instructor")
        stud = api_token(f"stud_{name}")
        cls = client.post("/api/v1/classes", json={"name": name}, headers=prof).get_json()
        client.post("/api/v1/enrollments", json={"join_code": cls["join_code"]}, headers=stud)
        side[name] = SimpleNamespace(prof=prof, stud=stud, cls=cls)
    return SimpleNamespace(lone=api_token("lone"), **side)


def _create(client, headers, body, topic=TOPIC):
    return client.post("/api/v1/questions", json={"topic": topic, **body}, headers=headers)


@pytest.mark.parametrize("qtype", list(GOOD))
def test_an_instructor_writes_a_question_of_each_form_that_checks_answers(
        client, world, qtype):
    made = _create(client, world.a.prof, GOOD[qtype])
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    payload = body["payload"]
    assert body["type"] == qtype and body["topic"] == TOPIC and body["fact_ids"] == []
    assert payload["authored"] is True and payload["source"]["document"] == "nato-japan"
    from quizapp.domain.question_types import QUESTION_TYPES

    right = {"mcq": payload["answer"], "multi": payload["answer"], "true_false": True,
             "short": "Thirty one", "ordering": payload["answer"],
             "matching": payload["answer"]}[qtype]
    assert QUESTION_TYPES[qtype].check(payload, right).correct
    if qtype in ("ordering", "matching"):  # shown shuffled, never in the key's order
        shown = [o["id"] for o in payload["items" if qtype == "ordering" else "right"]]
        assert shown != (payload["answer"] if qtype == "ordering"
                         else list(payload["answer"].values()))


@pytest.mark.parametrize("body, field, words", [
    ({"type": "mcq", "prompt": "Q?", "right": "a", "wrong": ["b"]}, "wrong", "two wrong"),
    ({"type": "mcq", "prompt": "Q?", "right": ["a", "c"], "wrong": ["b", "d"]}, "right",
     "exactly one right"),
    ({"type": "mcq", "prompt": "Q?", "wrong": ["b", "d"]}, "right", "one right"),
    ({"type": "mcq", "prompt": "Q?", "right": "Japan", "wrong": ["japan.", "b"]}, "wrong",
     "offered twice"),
    ({"type": "mcq", "prompt": "", "right": "a", "wrong": ["b", "c"]}, "prompt", "Write"),
    ({"type": "multi", "prompt": "Q?", "right": ["a", "b"]}, "wrong", "at least one wrong"),
    ({"type": "true_false", "prompt": "S.", "answer": "maybe"}, "truth", "true or false"),
    ({"type": "short", "prompt": "Q?", "accepted": ["..."]}, "accepted", "letters or digits"),
    ({"type": "short", "prompt": "Q?"}, "accepted", "Give the answer"),
    ({"type": "ordering", "prompt": "Q?", "items": ["a", "b"]}, "items", "three"),
    ({"type": "ordering", "prompt": "Q?", "items": ["a", "b", "A"]}, "items", "twice"),
    ({"type": "matching", "prompt": "Q?", "pairs": [["a", "1"], ["b", ""]]}, "pairs",
     "Pair 2 is incomplete"),
    ({"type": "matching", "prompt": "Q?", "pairs": [["a", "1"], ["b", "1"]]}, "pairs",
     "appears twice"),
    ({"type": "matching", "prompt": "Q?", "pairs": "a=1"}, "pairs", "list of pairs"),
    ({"type": "essay", "prompt": "Q?"}, "type", "Choose one of"),
    ({**GOOD["short"], "quote": "A sentence the commentary never wrote."}, "quote",
     "not a sentence of"),
    ({**GOOD["short"], "prompt": 5}, "prompt", "string"),
])
def test_a_broken_rule_is_a_400_naming_the_field(client, world, body, field, words):
    made = _create(client, world.a.prof, body)
    assert made.status_code == 400, made.get_json()
    fields = made.get_json()["error"]["fields"]
    assert words in fields[field], fields


def test_a_topic_must_be_one_the_instructor_can_see(client, world):
    for topic in ("no-such-topic", 7):
        made = _create(client, world.a.prof, GOOD["mcq"], topic=topic)
        assert made.status_code == 400
        assert "topic" in made.get_json()["error"]["fields"]


def test_students_cannot_write_questions(client, world):
    made = _create(client, world.a.stud, GOOD["mcq"])
    assert made.status_code == 403


def _assignment(client, side, question_ids=None, count=1, types=None):
    body = {"title": "Own", "count": count, "due_at": FUTURE, "max_attempts": 5,
            "grading": "highest", "show_keys": "immediately"}
    if question_ids:
        body["question_ids"] = question_ids
    if types:
        body["types"] = types
    made = client.post(f"/api/v1/classes/{side.cls['id']}/assignments", json=body,
                       headers=side.prof)
    return made


def test_the_authors_students_answer_it_and_nobody_else_sees_it(client, app, world):
    qid = _create(client, world.a.prof, GOOD["mcq"]).get_json()["id"]
    made = _assignment(client, world.a, [qid])
    assert made.status_code == 201, made.get_json()
    started = client.post("/api/v1/attempts", json={"assignment_id": made.get_json()["id"]},
                          headers=world.a.stud).get_json()
    assert [q["id"] for q in started["questions"]] == [qid]
    with app.app_context():
        key = db.session.get(Question, qid).payload["answer"]
    answered = client.put(f"/api/v1/attempts/{started['id']}/responses/{qid}",
                          json={"response": key}, headers=world.a.stud)
    assert answered.status_code == 200 and answered.get_json()["correct"] is True
    assert answered.get_json()["source"]["quote"] == QUOTE
    # The student's feedback page renders (no fact behind the question).
    # Instructor B cannot pick it, open it, edit it or retire it.
    assert _assignment(client, world.b, [qid]).status_code == 400
    for method, path, body in (("get", f"/api/v1/questions/{qid}", None),
                               ("put", f"/api/v1/questions/{qid}",
                                {**GOOD["mcq"], "topic": TOPIC}),
                               ("patch", f"/api/v1/questions/{qid}", {"prompt": "X?"}),
                               ("post", f"/api/v1/questions/{qid}/retire", None)):
        response = getattr(client, method)(path, json=body, headers=world.b.prof)
        assert response.status_code == 404, (method, path)
    # Draws: B's class, students practising on their own, A's own student practising.
    for headers in (world.lone, world.a.stud, world.b.stud):
        for seed in range(5):
            drawn = client.post("/api/v1/attempts", json={"count": 50, "seed": seed,
                                                          "types": ["mcq"]},
                                headers=headers).get_json()
            assert qid not in [q["id"] for q in drawn["questions"]]
    # Narrowed to multiple choice, nearly all the seed bank's mcq items are drawn (the
    # whole bank's quiz stops where one would give another away).
    b_made = _assignment(client, world.b, count=40, types=["mcq"])
    assert b_made.status_code == 201, b_made.get_json()
    b_draw = b_made.get_json()["id"]
    drawn = client.post("/api/v1/attempts", json={"assignment_id": b_draw},
                        headers=world.b.stud).get_json()
    assert qid not in [q["id"] for q in drawn["questions"]]


def test_the_authors_own_draws_and_warm_ups_include_it(client, app, world):
    qid = _create(client, world.a.prof, GOOD["short"]).get_json()["id"]
    with app.app_context():
        from quizapp.models import User
        from quizapp.services import study

        prof_a = db.session.scalar(select(User).where(User.username == "prof_a"))
        prof_b = db.session.scalar(select(User).where(User.username == "prof_b"))
        assert qid in {c.id for c in study.active_candidates(owner_id=prof_a.id,
                                                             readable_by=prof_a)}
        assert qid not in {c.id for c in study.active_candidates(owner_id=prof_b.id,
                                                                 readable_by=prof_b)}
        assert qid not in {c.id for c in study.active_candidates()}
    game = client.post("/api/v1/live", json={"count": 1, "question_ids": [qid]},
                       headers=world.a.prof)
    assert game.status_code == 201, game.get_json()
    refused = client.post("/api/v1/live", json={"count": 1, "question_ids": [qid]},
                          headers=world.b.prof)
    assert refused.status_code == 400


def test_editing_makes_a_new_version_with_a_new_key_and_assignments_follow(client, app,
                                                                           world):
    qid = _create(client, world.a.prof, GOOD["mcq"]).get_json()["id"]
    aid = _assignment(client, world.a, [qid]).get_json()["id"]
    changed = client.put(f"/api/v1/questions/{qid}", headers=world.a.prof, json={
        **GOOD["mcq"], "topic": TOPIC, "right": "32", "wrong": ["31", "30"]})
    assert changed.status_code == 200, changed.get_json()
    new = changed.get_json()
    assert new["id"] != qid and new["version"] == 2 and new["payload"]["answer_text"] == "32"
    with app.app_context():
        old = db.session.get(Question, qid)
        assert old.status is QuestionStatus.RETIRED and old.replaced_by_id == new["id"]
        assert db.session.get(Assignment, aid).question_ids == [new["id"]]
    # The same text again changes nothing; the old version is refused.
    again = client.put(f"/api/v1/questions/{new['id']}", headers=world.a.prof, json={
        **GOOD["mcq"], "topic": TOPIC, "right": "32", "wrong": ["31", "30"]})
    assert again.get_json()["id"] == new["id"]
    stale = client.put(f"/api/v1/questions/{qid}", headers=world.a.prof, json={
        **GOOD["mcq"], "topic": TOPIC, "right": "33", "wrong": ["31", "30"]})
    assert stale.status_code == 409
    retired = client.post(f"/api/v1/questions/{new['id']}/retire", headers=world.a.prof)
    assert retired.get_json()["status"] == "retired"
    with app.app_context():
        assert db.session.get(Assignment, aid).question_ids == []


def test_a_seed_question_cannot_be_rewritten_wholesale(client, app, world):
    with app.app_context():
        seed = db.session.scalar(select(Question.id).where(Question.owner_id.is_(None)))
    response = client.put(f"/api/v1/questions/{seed}", headers=world.a.prof,
                          json={**GOOD["mcq"], "topic": TOPIC})
    assert response.status_code == 404


# --------------------------------------------------------------------------- HTML

FORM = {
    "mcq": {"right": "31", "wrong": "30\n32"},
    "multi": {"right": "Japan\nAustralia", "wrong": "China\nIndia"},
    "true_false": {"truth": "false"},
    "short": {"accepted": "31\nthirty-one"},
    "ordering": {"items": "First\nSecond\nThird"},
    "matching": {"pair_left_1": "CMX", "pair_right_1": "Crisis Management Exercise",
                 "pair_left_2": "ITPP", "pair_right_2": "Partnership Programme"},
}


@pytest.mark.parametrize("qtype", list(FORM))
def test_the_html_form_writes_each_form(client, auth, make_user, app, qtype):
    make_user("prof", "instructor")
    auth.login("prof")
    page = client.get("/teach/questions/new")
    assert page.status_code == 200 and b"Write a question" in page.data
    sent = client.post("/teach/questions/new", data={
        "type": qtype, "topic": TOPIC, "prompt": "A question of mine?",
        "explanation": "Because.", **FORM[qtype]})
    assert sent.status_code == 303, sent.data.decode()[:3000]
    shown = client.get(sent.headers["Location"])
    assert b"A question of mine?" in shown.data and b"Edit the question" in shown.data
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.type == qtype,
                                                            Question.owner_id.is_not(None)))
        assert question.payload["explanation"] == "Because."


def test_the_html_form_takes_its_sections_and_prompt_labels_from_the_registry(
        client, auth, make_user):
    make_user("prof", "instructor")
    auth.login("prof")
    page = client.get("/teach/questions/new").data.decode()
    sections = re.findall(r'data-forms="([^"]*)"', page)
    assert sections == ["mcq multi", "true_false", "short", "ordering", "matching"]
    labels = json.loads(re.search(r"data-prompt-labels='([^']*)'", page).group(1))
    assert labels["true_false"] == "Statement" and labels["mcq"] == "Question"


def test_the_html_form_shows_errors_on_the_fields(client, auth, make_user):
    make_user("prof", "instructor")
    auth.login("prof")
    sent = client.post("/teach/questions/new", data={
        "type": "matching", "topic": TOPIC, "prompt": "",
        "pair_left_1": "CMX", "pair_right_1": "", "pair_left_2": "B", "pair_right_2": "2"})
    assert sent.status_code == 400
    page = sent.data.decode()
    assert "Pair 1 is incomplete" in page and "Write the question." in page
    assert 'value="CMX"' in page  # what was typed stays


def test_the_html_edit_form_changes_the_key(client, auth, make_user, app):
    make_user("prof", "instructor")
    auth.login("prof")
    sent = client.post("/teach/questions/new", data={
        "type": "true_false", "topic": TOPIC, "prompt": "Thirty states attended.",
        "truth": "true"})
    qid = int(sent.headers["Location"].rsplit("/", 1)[1])
    form = client.get(f"/teach/questions/{qid}/rewrite")
    assert form.status_code == 200 and b"Thirty states attended." in form.data
    saved = client.post(f"/teach/questions/{qid}/rewrite", data={
        "type": "true_false", "topic": TOPIC, "prompt": "Thirty states attended.",
        "truth": "false"})
    assert saved.status_code == 303
    with app.app_context():
        new = db.session.scalar(select(Question).where(Question.replaced_by_id.is_(None),
                                                       Question.uid == db.session.get(
                                                           Question, qid).uid))
        assert new.version == 2 and new.payload["answer"] is False


def test_other_instructors_and_students_cannot_open_the_html_pages(client, auth, make_user,
                                                                   world):
    qid = _create(client, world.a.prof, GOOD["mcq"]).get_json()["id"]
    make_user("prof_c", "instructor")
    auth.login("prof_c")
    assert client.get(f"/teach/questions/{qid}").status_code == 404
    assert client.get(f"/teach/questions/{qid}/rewrite").status_code == 404
    assert client.post(f"/teach/questions/{qid}/rewrite", data={
        "type": "mcq", "topic": TOPIC, "prompt": "Hijack?", "right": "a",
        "wrong": "b\nc"}).status_code == 404
    auth.logout()
    make_user("pupil")
    auth.login("pupil")
    for path in ("/teach/questions/new", f"/teach/questions/{qid}/rewrite",
                 "/teach/questions/import"):
        assert client.get(path).status_code in (403, 404), path


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_the_author_form_needs_its_csrf_token(csrf_app):
    with csrf_app.app_context():
        accounts.create_user("prof", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
    client = csrf_app.test_client()
    token = TOKEN.search(client.get("/login").data.decode()).group(1)
    client.post("/login", data={"username": "prof", "password": PASSWORD,
                                "csrf_token": token})
    form = {"type": "short", "topic": TOPIC, "prompt": "Q?", "accepted": "31"}
    assert client.post("/teach/questions/new", data=form).status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(Question).where(Question.owner_id.is_not(None))) \
            is None
    token = TOKEN.search(client.get("/teach/questions/new").data.decode()).group(1)
    assert client.post("/teach/questions/new",
                       data={**form, "csrf_token": token}).status_code == 303


def _right_form(payload: dict) -> dict:
    """The HTML answer form's fields for the right answer."""
    answer = payload["answer"]
    if payload["type"] == "ordering":
        return {f"response-{i}": str(n) for n, i in enumerate(answer, 1)}
    if payload["type"] == "matching":
        return {f"response-{k}": v for k, v in answer.items()}
    if payload["type"] == "true_false":
        return {"response": "true" if answer else "false"}
    return {"response": answer}  # mcq and multi: choice ids; short: the typed key


@pytest.mark.parametrize("qtype", list(GOOD))
def test_a_student_answers_it_on_the_html_page_and_sees_its_feedback(client, app, auth,
                                                                    world, qtype):
    qid = _create(client, world.a.prof, GOOD[qtype]).get_json()["id"]
    aid = _assignment(client, world.a, [qid]).get_json()["id"]
    attempt = client.post("/api/v1/attempts", json={"assignment_id": aid},
                          headers=world.a.stud).get_json()["id"]
    with app.app_context():
        payload = db.session.get(Question, qid).payload
    form = _right_form(payload)
    auth.login("stud_a")
    page = client.get(f"/attempts/{attempt}/questions/1")
    assert page.status_code == 200 and payload["prompt"].encode() in page.data
    sent = client.post(f"/attempts/{attempt}/questions/1", data=form)
    assert sent.status_code == 302, sent.data.decode()[:2000]
    feedback = client.get(f"/attempts/{attempt}/questions/1")
    assert feedback.status_code == 200 and b"Right!" in feedback.data
    if payload["source"]["quote"]:
        assert b"four heads of government" in feedback.data
    assert client.post(f"/attempts/{attempt}/finish").status_code in (302, 303)
    result = client.get(f"/attempts/{attempt}/result")
    assert result.status_code == 200
    # A source box only when there is a source sentence (no empty quote).
    assert (b"result-source" in result.data) is bool(payload["source"]["quote"])


def test_a_warm_up_reveals_a_question_without_a_source_quote(client, app, auth, world):
    body = {**GOOD["short"]}
    qid = _create(client, world.a.prof, body).get_json()["id"]
    game = client.post("/api/v1/live", json={"count": 1, "question_ids": [qid]},
                       headers=world.a.prof).get_json()
    for action in ("advance", "reveal"):  # lobby → question → reveal
        moved = client.post(f"/api/v1/live/{game['pin']}/{action}", headers=world.a.prof)
        assert moved.status_code == 200, moved.get_json()
    assert client.get(f"/api/v1/live/{game['pin']}/state").get_json()["phase"] == "reveal"
    with app.app_context():
        from quizapp.models import LiveGame

        game_id = db.session.scalar(select(LiveGame.id).where(LiveGame.pin == game["pin"]))
    auth.login("prof_a")
    panel = client.get(f"/live/games/{game_id}/panel")
    assert panel.status_code == 200
    html = panel.get_data(as_text=True)
    assert "Right" in html and "31" in html  # the reveal, with its key
    assert "From the commentary" not in html  # no empty source box


def test_openapi_describes_writing_changing_and_importing_questions(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/questions"]
    assert "put" in paths["/api/v1/questions/{question_id}"]
    imported = paths["/api/v1/questions/import"]["post"]
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = body_schema(spec, imported)
    assert schema["properties"]["format"]["enum"] == ["gift", "moodle_xml"]
    draft = spec["components"]["schemas"]["QuestionDraft"]
    assert set(draft["properties"]["type"]["enum"]) == set(GOOD)
