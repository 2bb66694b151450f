"""An instructor's edit or retirement of a shared seed question is their own version: their
classes, warm-ups and review queue use it; other instructors, their students and students
practising on their own keep the shared question. Key texts cannot change in the editor."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, select, text

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Assignment, Fact, Question, QuestionFlag, QuestionStatus
from quizapp.services import study, teach

FUTURE = "2099-05-01T17:00:00Z"


def _mcq(app, with_aliases: bool = False) -> Question:
    """An active seed multiple-choice question (one whose key has aliases, if asked)."""
    with app.app_context():
        for q in db.session.scalars(select(Question).where(
                Question.status == QuestionStatus.ACTIVE, Question.type == "mcq")
                .order_by(Question.id)):
            aliases = db.session.get(Fact, q.fact_ids[0]).data.get("aliases")
            if aliases or not with_aliases:
                db.session.expunge(q)
                return q
    raise AssertionError("the seed bank has no such question")


def _other_active(app, qid: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Question.id).where(
            Question.status == QuestionStatus.ACTIVE, Question.id != qid)
            .order_by(Question.id))


@pytest.fixture
def two(client, api_token, app):
    """Instructors A and B, each with a class, a student and a hand-picked assignment
    asking the same seed question; both students flagged it."""
    q = _mcq(app)
    other_q = _other_active(app, q.id)
    side = {}
    for name in ("a", "b"):
        prof = api_token(f"prof_{name}", "instructor")
        stud = api_token(f"stud_{name}")
        cls = client.post("/api/v1/classes", json={"name": name}, headers=prof).get_json()
        client.post("/api/v1/enrollments", json={"join_code": cls["join_code"]}, headers=stud)
        made = client.post(f"/api/v1/classes/{cls['id']}/assignments", headers=prof, json={
            "title": "Week 1", "count": 2, "due_at": FUTURE, "max_attempts": 3,
            "grading": "highest", "show_keys": "immediately",
            "question_ids": [q.id, other_q]})
        assert made.status_code == 201, made.get_json()
        aid = made.get_json()["id"]
        started = client.post("/api/v1/attempts", json={"assignment_id": aid}, headers=stud)
        assert started.status_code in (200, 201), started.get_json()
        flagged = client.post(f"/api/v1/questions/{q.id}/flags", headers=stud,
                              json={"comment": f"Wrong, says {name}"})
        assert flagged.status_code == 201
        side[name] = SimpleNamespace(prof=prof, stud=stud, cls=cls, aid=aid)
    return SimpleNamespace(q=q, other_q=other_q, **side)


def _picked(app, aid: int) -> list[int]:
    with app.app_context():
        return list(db.session.get(Assignment, aid).question_ids)


def _open_flags(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(QuestionFlag.comment).where(
            QuestionFlag.resolved.is_(False))))


def _started_ids(client, headers, aid) -> list[int]:
    """The question ids of a fresh attempt at an assignment (the open one is finished first)."""
    start = {"assignment_id": aid}
    attempt = client.post("/api/v1/attempts", json=start, headers=headers).get_json()
    client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers)
    fresh = client.post("/api/v1/attempts", json=start, headers=headers)
    assert fresh.status_code in (200, 201), fresh.get_json()
    return [item["id"] for item in fresh.get_json()["questions"]]


def _queue(app, username: str, status: str = "active") -> set[int]:
    from quizapp.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        rows, _total = teach.review_queue(user, status=status)
        ids = {q.id for q, _flags in rows}
        while len(rows) == teach.REVIEW_PAGE:
            rows, _total = teach.review_queue(user, status=status,
                                              page=len(ids) // teach.REVIEW_PAGE + 1)
            ids |= {q.id for q, _flags in rows}
        return ids


def test_an_edit_is_the_editors_own_version_and_leaves_others_alone(client, app, two):
    q = two.q
    wrong = next(c["id"] for c in q.payload["choices"] if c["id"] != q.payload["answer"])
    edited = client.patch(f"/api/v1/questions/{q.id}", headers=two.a.prof, json={
        "prompt": "Reworded by A?", "options": {wrong: "A's wrong choice"}})
    assert edited.status_code == 200, edited.get_json()
    mine = edited.get_json()["id"]

    # A's hand-picked assignment follows A's version; B's keeps the shared question.
    assert _picked(app, two.a.aid) == [mine, two.other_q]
    assert _picked(app, two.b.aid) == [q.id, two.other_q]
    assert mine in _started_ids(client, two.a.stud, two.a.aid)
    assert q.id in _started_ids(client, two.b.stud, two.b.aid)
    # Only the flag A can see is resolved; B's student's flag still waits for B.
    assert _open_flags(app) == ["Wrong, says b"]
    # Review queues: A sees A's version in place of the shared one; B sees the shared one.
    assert mine in _queue(app, "prof_a") and q.id not in _queue(app, "prof_a")
    assert q.id in _queue(app, "prof_a", "retired")
    assert q.id in _queue(app, "prof_b") and mine not in _queue(app, "prof_b")
    # The API agrees, per viewer; A's version is nobody else's business.
    as_a = client.get(f"/api/v1/questions/{q.id}", headers=two.a.prof).get_json()
    as_b = client.get(f"/api/v1/questions/{q.id}", headers=two.b.prof).get_json()
    assert (as_a["status"], as_a["replaced_by_id"]) == ("retired", mine)
    assert (as_b["status"], as_b["replaced_by_id"]) == ("active", None)
    assert client.get(f"/api/v1/questions/{mine}", headers=two.b.prof).status_code == 404
    assert client.patch(f"/api/v1/questions/{mine}", headers=two.b.prof,
                        json={"prompt": "B?"}).status_code == 404
    assert client.post(f"/api/v1/questions/{mine}/retire",
                       headers=two.b.prof).status_code == 404
    # A's warm-ups ask A's version; B's the shared one.
    assert client.post("/api/v1/live", json={"question_ids": [q.id]},
                       headers=two.a.prof).status_code == 400
    assert client.post("/api/v1/live", json={"question_ids": [mine]},
                       headers=two.a.prof).status_code == 201
    assert client.post("/api/v1/live", json={"question_ids": [q.id]},
                       headers=two.b.prof).status_code == 201
    assert client.post("/api/v1/live", json={"question_ids": [mine]},
                       headers=two.b.prof).status_code == 400
    # Students practising on their own, A's too, keep the shared bank.
    with app.app_context():
        shared = {c.id for c in study.active_candidates()}
    assert q.id in shared and mine not in shared


def test_a_retirement_leaves_other_instructors_and_self_practice_alone(client, app, two):
    q = two.q
    retired = client.post(f"/api/v1/questions/{q.id}/retire", headers=two.a.prof)
    assert retired.get_json() == {"id": q.id, "status": "retired"}
    again = client.post(f"/api/v1/questions/{q.id}/retire", headers=two.a.prof)
    assert again.get_json() == {"id": q.id, "status": "retired"}

    assert _picked(app, two.a.aid) == [two.other_q]
    assert _picked(app, two.b.aid) == [q.id, two.other_q]
    assert q.id not in _started_ids(client, two.a.stud, two.a.aid)
    assert q.id in _started_ids(client, two.b.stud, two.b.aid)
    assert _open_flags(app) == ["Wrong, says b"]
    assert q.id not in _queue(app, "prof_a") and q.id in _queue(app, "prof_a", "retired")
    assert q.id in _queue(app, "prof_b")
    as_b = client.get(f"/api/v1/questions/{q.id}", headers=two.b.prof).get_json()
    assert as_b["status"] == "active"
    assert client.post("/api/v1/live", json={"question_ids": [q.id]},
                       headers=two.a.prof).status_code == 400
    assert client.post("/api/v1/live", json={"question_ids": [q.id]},
                       headers=two.b.prof).status_code == 201
    with app.app_context():
        assert q.id in {c.id for c in study.active_candidates()}
        assert db.session.get(Question, q.id).status is QuestionStatus.ACTIVE
    # B can still edit the shared question: B's version, A's retirement stands.
    edited = client.patch(f"/api/v1/questions/{q.id}", headers=two.b.prof,
                          json={"prompt": "Reworded by B?"})
    assert edited.status_code == 200
    assert _picked(app, two.b.aid) == [edited.get_json()["id"], two.other_q]
    assert _picked(app, two.a.aid) == [two.other_q]


def test_reloading_the_seed_bank_leaves_instructors_versions_alone(client, app, two):
    q = two.q
    mine = client.patch(f"/api/v1/questions/{q.id}", headers=two.a.prof,
                        json={"prompt": "Reworded by A?"}).get_json()["id"]
    with app.app_context():
        from quizapp.services.setup import load_seeds

        assert sum(load_seeds().values()) == 0
        db.session.commit()
        assert db.session.get(Question, mine).status is QuestionStatus.ACTIVE
        assert db.session.get(Question, q.id).status is QuestionStatus.ACTIVE


# --------------------------------------------------------------------------- keys

def test_the_api_refuses_a_changed_key_text(client, app, api_token):
    prof = api_token("prof", "instructor")
    q = _mcq(app)
    key = q.payload["answer"]
    response = client.patch(f"/api/v1/questions/{q.id}", headers=prof, json={
        "prompt": q.payload["prompt"], "options": {key: "Something else entirely"}})
    assert response.status_code == 400
    assert "key" in response.get_json()["error"]["fields"][f"choices.{key}"]
    same = client.patch(f"/api/v1/questions/{q.id}", headers=prof, json={
        "prompt": "Reworded?", "options": {key: next(
            c["text"] for c in q.payload["choices"] if c["id"] == key)}})
    assert same.status_code == 200


def test_a_wrong_choice_cannot_be_reworded_into_the_key_or_an_alias(client, app, api_token):
    prof = api_token("prof", "instructor")
    q = _mcq(app, with_aliases=True)
    with app.app_context():
        alias = db.session.get(Fact, q.fact_ids[0]).data["aliases"][0]
    wrong = next(c["id"] for c in q.payload["choices"] if c["id"] != q.payload["answer"])
    for text_ in (alias.upper() + ".", q.payload["answer_text"]):
        response = client.patch(f"/api/v1/questions/{q.id}", headers=prof, json={
            "prompt": q.payload["prompt"], "options": {wrong: text_}})
        assert response.status_code == 400
        assert f"choices.{wrong}" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("qtype", ["true_false", "ordering", "matching"])
def test_keys_of_other_forms_cannot_change_either(client, app, api_token, qtype):
    prof = api_token("prof", "instructor")
    with app.app_context():
        q = db.session.scalar(select(Question).where(
            Question.status == QuestionStatus.ACTIVE, Question.type == qtype)
            .order_by(Question.id))
        payload = q.payload
    if qtype == "true_false":
        body = {"prompt": payload["prompt"].replace("True or false? ", "True or false? Not: ")}
        field = "prompt"
    else:
        group = "items" if qtype == "ordering" else "right"
        option = payload[group][0]["id"]
        body = {"prompt": payload["prompt"], "options": {f"{group}.{option}": "Swapped"}}
        field = f"{group}.{option}"
    response = client.patch(f"/api/v1/questions/{q.id}", headers=prof, json=body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    if qtype == "true_false":  # what the checker reads the same may change
        respelled = client.patch(f"/api/v1/questions/{q.id}", headers=prof, json={
            "prompt": payload["prompt"].upper()})
        assert respelled.status_code == 200


def test_the_editor_shows_keys_read_only_and_refuses_a_changed_key(client, app, auth,
                                                                   make_user):
    make_user("prof", "instructor")
    auth.login("prof")
    q = _mcq(app)
    key = q.payload["answer"]
    page = client.get(f"/teach/questions/{q.id}").get_data(as_text=True)
    field = f'id="opt_choices_{key}"'
    tag = page[page.rindex("<input", 0, page.index(field)):]
    tag = tag[:tag.index(">")]
    assert "readonly" in tag
    data = {"prompt": "Reworded?", "explanation": ""}
    for c in q.payload["choices"]:
        data[f"opt_choices_{c['id']}"] = c["text"]
    data[f"opt_choices_{key}"] = "Another answer"
    refused = client.post(f"/teach/questions/{q.id}", data=data)
    assert refused.status_code == 400
    assert "part of the key" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Question.id).where(
            Question.uid == q.uid, Question.id != q.id)) is None


# --------------------------------------------------------------------------- schema

def test_the_owner_column_is_added_to_a_database_at_the_previous_head(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    (tmp_path / "old.db").touch()
    directory = None
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="68b101d4d4c1")
        db.session.execute(text("INSERT INTO document (slug, title, text, created_at) "
                                "VALUES ('d', 'D', 'T', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO question (uid, version, type, topic, document_id, status, payload, "
            "fact_ids, created_at) VALUES ('d.mcq', 1, 'mcq', 't', 1, 'active', '{}', '[]', "
            "'2026-01-01')"))
        db.session.commit()
        upgrade(directory=directory)
        columns = {c["name"] for c in inspect(db.engine).get_columns("question")}
        assert "owner_id" in columns
        assert db.session.scalar(select(Question.owner_id).where(Question.uid == "d.mcq")) \
            is None
        assert db.session.scalar(text("PRAGMA foreign_key_check")) is None
        db.engine.dispose()
