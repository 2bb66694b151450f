"""The account page's data rights: download my data (only mine), delete my account (and
what goes with it), and the same in the JSON API."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Answer,
    ApiToken,
    Attempt,
    Commentary,
    Course,
    Enrollment,
    FactProgress,
    LiveAnswer,
    LivePlayer,
    Question,
    QuestionFlag,
    Role,
    User,
    utcnow,
)
from quizapp.services import accounts, live, study, teach

from support.helpers import COMMENTARY, PASSWORD, basic_auth, wrong_response


def _mcqs(n: int, document_id: int | None = None) -> list[Question]:
    query = select(Question).where(Question.type == "mcq", Question.owner_id.is_(None))
    if document_id is not None:
        query = query.where(Question.document_id == document_id)
    return list(db.session.scalars(query.order_by(Question.id).limit(n)))


def _answer_all(user: User, attempt: Attempt, wrong_first: bool = True) -> None:
    for n, item in enumerate(attempt.items):
        payload = item.question.payload
        study.record_answer(user, attempt.id, item.question_id,
                            wrong_response(payload) if n == 0 and wrong_first
                            else payload["answer"])
        db.session.commit()


@pytest.fixture
def world(app) -> dict:
    """prof teaches "Seminar" (alice and bob) with an assignment whose keys show and one
    whose keys never show, and a commentary of his; alice and bob practise (the seed and
    the commentary), take the assignments, flag a question and play prof's warm-up."""
    with app.app_context():
        prof = accounts.create_user("prof", PASSWORD, Role.INSTRUCTOR)
        alice = accounts.create_user("alice", PASSWORD)
        bob = accounts.create_user("bob_secret", PASSWORD)
        db.session.commit()
        tokens = {u.username: accounts.issue_token(u) for u in (prof, alice, bob)}
        db.session.commit()
        course = teach.create_course(prof, "Seminar")
        db.session.commit()
        for student in (alice, bob):
            teach.join_course(student, course.join_code)
            db.session.commit()
        doc = teach.create_commentary(prof, "Prof's notes", COMMENTARY)
        db.session.commit()
        years = [f.id for f in doc.facts if f.kind == "year"]
        teach.set_fact_status(prof, doc.id, years, "approved")
        db.session.commit()
        seed = _mcqs(3)
        shown = teach.create_assignment(prof, course.id, title="Week 1",
                                        question_ids=[q.id for q in seed[:2]],
                                        due_at="2099-01-01T12:00:00Z", max_attempts=2)
        hidden = teach.create_assignment(prof, course.id, title="Exam", show_keys="never",
                                         question_ids=[seed[2].id],
                                         due_at="2099-01-01T12:00:00Z", max_attempts=1)
        db.session.commit()
        own_doc_questions = sorted(c.id for c in study.active_candidates(
            commentary_ids=[doc.id], readable_by=alice))[:2]
        assert len(own_doc_questions) == 2
        game = live.create_game(prof, count=2, types=["mcq"], seconds_per_question=120)
        db.session.commit()
        players = {}
        for student in (alice, bob):
            for assignment in (shown, hidden):
                attempt = teach.start_assignment_attempt(student, assignment.id)
                db.session.commit()
                _answer_all(student, attempt)
                study.finish_attempt(student, attempt.id)
                db.session.commit()
            practice = study.start_attempt(student, count=2, types=["mcq"])
            db.session.commit()
            _answer_all(student, practice)
            mixed = study.start_attempt(student, count=3, question_ids=[
                seed[0].id, *own_doc_questions])
            db.session.commit()
            assert len(mixed.items) == 3
            _answer_all(student, mixed, wrong_first=False)
            study.finish_attempt(student, mixed.id)
            db.session.commit()
            teach.flag_question(student, seed[0].id, f"Flag by {student.username}")
            db.session.commit()
            players[student.username] = live.join(game.pin, f"nick_{student.username}",
                                                   user_id=student.id)[1]
            db.session.commit()
        live.advance(prof, utcnow(), game_id=game.id)
        db.session.commit()
        payload = db.session.get(Question, game.question_ids[0]).payload
        for token in players.values():
            live.submit_answer(game.pin, token, 0, payload["answer"], None, utcnow())
        ids = {"tokens": tokens, "course": course.id, "doc": doc.id, "hidden": hidden.id,
               "shown": shown.id, "game": game.id, "doc_questions": own_doc_questions}
        db.session.remove()
        return ids


def _bearer(world: dict, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['tokens'][name]}"}


def _login(app, username: str):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}
                       ).status_code == 302
    return client


# ------------------------------------------------------------------------------ the page

def test_the_account_page_offers_every_right(app, world):
    page = _login(app, "alice").get("/account").get_data(as_text=True)
    for text in ("Change your password", "logs you out on every other device",
                 "Log out everywhere", 'href="/account/data.json"',
                 'href="/account/answers.csv"', 'href="/account/delete"'):
        assert text in page, text


# ------------------------------------------------------------------------------ export

def test_the_export_holds_all_of_mine_and_nothing_of_anyone_else(app, world):
    response = _login(app, "alice").get("/account/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="quizapp-alice')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert "bob_secret" not in text and "nick_bob" not in text  # never another person's
    assert "Flag by alice" in text
    with app.app_context():
        alice = db.session.scalar(select(User).where(User.username == "alice"))
        mine = set(db.session.scalars(select(Attempt.id).where(Attempt.user_id == alice.id)))
        answers = db.session.scalar(select(func.count()).select_from(Answer).join(
            Attempt).where(Attempt.user_id == alice.id))
        facts = set(db.session.scalars(select(FactProgress.fact_id).where(
            FactProgress.user_id == alice.id)))
    assert data["profile"]["username"] == "alice" and data["profile"]["role"] == "student"
    assert {a["id"] for a in data["attempts"]} == mine and len(mine) == 4
    assert sum("response" in q for a in data["attempts"] for q in a["questions"]) == answers
    assert {p["fact_id"] for p in data["progress"]} == facts and facts
    assert [e["class_name"] for e in data["enrollments"]] == ["Seminar"]
    assert [f["comment"] for f in data["flags"]] == ["Flag by alice"]
    assert [set(t) for t in data["api_tokens"]] == [{"created_at"}]  # never the token
    (played,) = data["warm_ups"]
    assert played["nickname"] == "nick_alice" and len(played["answers"]) == 1
    assert data["teaching"] is None


def test_the_export_keeps_hidden_keys_hidden(app, world):
    data = json.loads(_login(app, "alice").get("/account/data.json").get_data(as_text=True))
    (exam,) = [a for a in data["attempts"] if a["assignment_title"] == "Exam"]
    assert exam["keys_hidden"] is True and exam["score"] is None
    assert all(q["correct"] is None and q["credit"] is None for q in exam["questions"])
    (week,) = [a for a in data["attempts"] if a["assignment_title"] == "Week 1"]
    assert [q["correct"] for q in week["questions"]] == [False, True]


def test_the_answers_csv_has_a_row_per_answer(app, world):
    response = _login(app, "alice").get("/account/answers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    quiz = [r for r in rows if r["kind"] == "quiz"]
    assert len(quiz) == 2 + 1 + 2 + 3 and len(rows) == len(quiz) + 1
    assert {r["correct"] for r in quiz if r["assignment"] == "Exam"} == {""}


def test_an_instructor_export_lists_what_they_made_without_students(app, world):
    text = _login(app, "prof").get("/account/data.json").get_data(as_text=True)
    data = json.loads(text)
    assert [c["name"] for c in data["teaching"]["classes"]] == ["Seminar"]
    assert data["teaching"]["classes"][0]["students"] == 2
    assert [d["title"] for d in data["teaching"]["commentaries"]] == ["Prof's notes"]
    assert "alice" not in text and "bob_secret" not in text and "nick_" not in text


def test_the_export_needs_a_login_or_a_token(app, client, world):
    assert client.get("/account/data.json").status_code == 302
    assert client.get("/account/answers.csv").status_code == 302
    assert client.get("/api/v1/me/export").status_code == 401


def test_the_api_export(app, client, world):
    headers = _bearer(world, "alice")
    data = client.get("/api/v1/me/export", headers=headers).get_json()
    assert data["profile"]["username"] == "alice" and "bob_secret" not in json.dumps(data)
    as_csv = client.get("/api/v1/me/export?format=csv", headers=headers)
    assert as_csv.mimetype == "text/csv" and as_csv.get_data(as_text=True).startswith("kind,")
    bad = client.get("/api/v1/me/export?format=xml", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["fields"]["format"]
    assert client.get("/api/v1/me", headers=headers).get_json()["username"] == "alice"


# ------------------------------------------------------------------------------ deletion

def _counts(app, username: str) -> dict[str, int]:
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == username))
        if uid is None:
            uid = -1

        def n(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        return {"user": n(User, User.id == uid), "attempts": n(Attempt, Attempt.user_id == uid),
                "answers": db.session.scalar(select(func.count()).select_from(Answer).join(
                    Attempt).where(Attempt.user_id == uid)),
                "progress": n(FactProgress, FactProgress.user_id == uid),
                "enrollments": n(Enrollment, Enrollment.user_id == uid),
                "flags": n(QuestionFlag, QuestionFlag.user_id == uid),
                "tokens": n(ApiToken, ApiToken.user_id == uid),
                "players": n(LivePlayer, LivePlayer.user_id == uid)}


def test_deleting_needs_the_password_and_says_what_goes(app, world):
    alice = _login(app, "alice")
    page = alice.get("/account/delete").get_data(as_text=True)
    assert "gradebooks" in page and "item analysis" in page and "Deleted player" in page
    before = _counts(app, "alice")
    wrong = alice.post("/account/delete", data={"password": "not my password"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.get_data(
        as_text=True)
    assert _counts(app, "alice") == before and before["attempts"] == 4


def test_deleting_a_student_removes_their_data_and_keeps_everyone_elses(app, world, client):
    bob_before = _counts(app, "bob_secret")
    alice = _login(app, "alice")
    done = alice.post("/account/delete", data={"password": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert all(v == 0 for v in _counts(app, "alice").values())
    assert _counts(app, "bob_secret") == bob_before
    assert alice.get("/dashboard").status_code == 302  # the session ended
    assert client.get("/api/v1/progress", headers=_bearer(world, "alice")).status_code == 401
    assert client.post("/api/v1/tokens", headers=basic_auth("alice")).status_code == 401
    with app.app_context():
        # The warm-up keeps the answer, under no one's name.
        names = set(db.session.scalars(select(LivePlayer.nickname)))
        assert "nick_alice" not in names and any(n.startswith("Deleted player") for n in names)
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 2
    # The gradebook and item analysis no longer count alice.
    results = client.get(f"/api/v1/assignments/{world['shown']}/results",
                         headers=_bearer(world, "prof")).get_json()
    assert [s["username"] for s in results["students"]] == ["bob_secret"]


def test_deleting_an_instructor_deletes_their_classes_and_commentaries(app, world, client):
    prof = _login(app, "prof")
    page = prof.get("/account/delete").get_data(as_text=True)
    assert "Seminar" in page and "2 students" in page and "Prof&#39;s notes" in page
    assert prof.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0
        assert db.session.get(Commentary, world["doc"]) is None  # not left readable by all
        assert db.session.scalar(select(func.count()).select_from(Question).where(
            Question.id.in_(world["doc_questions"]))) == 0
        alice = db.session.scalar(select(User).where(User.username == "alice"))
        assert alice is not None
        assert world["doc"] not in set(db.session.scalars(study.visible_commentary_ids(alice)))
        attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == alice.id)
                                      .order_by(Attempt.id)).all()
        # Assignment attempts went with the class; the practice stays, re-scored where it
        # lost the commentary's questions.
        assert [a.assignment_id for a in attempts] == [None, None]
        mixed = attempts[1]
        assert mixed.max_score == len(mixed.items) == 1 and mixed.score == 1
    assert client.get("/api/v1/progress", headers=_bearer(world, "alice")).status_code == 200


def test_the_api_deletes_with_the_password_only(app, client, world):
    headers = _bearer(world, "alice")
    assert client.delete("/api/v1/me", headers=headers).status_code == 400
    wrong = client.delete("/api/v1/me", json={"password": "nope nope nope"}, headers=headers)
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "wrong_password"
    assert _counts(app, "alice")["user"] == 1
    assert client.delete("/api/v1/me", json={"password": PASSWORD},
                         headers=headers).status_code == 204
    assert _counts(app, "alice")["user"] == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_api_changes_the_password_and_ends_every_token(app, client, world):
    headers = _bearer(world, "alice")
    weak = client.put("/api/v1/me/password", json={"current": PASSWORD, "password": "alice"},
                      headers=headers)
    assert weak.status_code == 400 and weak.get_json()["error"]["fields"]["password"]
    wrong = client.put("/api/v1/me/password", headers=headers,
                       json={"current": "wrong wrong", "password": "a brand new passphrase"})
    assert wrong.status_code == 403
    done = client.put("/api/v1/me/password", headers=headers,
                      json={"current": PASSWORD, "password": "a brand new passphrase"})
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post("/api/v1/tokens", headers=basic_auth(
        "alice", "a brand new passphrase")).status_code == 200


def test_the_api_logs_out_everywhere(app, client, world):
    headers = _bearer(world, "alice")
    browser = _login(app, "alice")
    assert client.delete("/api/v1/me/sessions", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert browser.get("/dashboard").status_code == 302


def test_the_openapi_description_lists_the_account_calls(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "delete"} <= set(paths["/api/v1/me"])
    assert "get" in paths["/api/v1/me/export"] and "put" in paths["/api/v1/me/password"]
    assert "delete" in paths["/api/v1/me/sessions"]
