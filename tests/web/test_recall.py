"""'My mistakes' practice and flashcards: the pool, the empty state, the API mode, the
cards a learner may see, and how a self-rating moves the review schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptMode, Fact, FactProgress, Question, Role, User, utcnow
from quizapp.services import accounts, study, teach

from support.helpers import COMMENTARY, PASSWORD, body_schema, key_for, wrong_response


def _single_fact_mcqs(app, n: int) -> list[tuple[int, str]]:
    """(question id, fact id) of ``n`` mcq questions about one fact each, distinct facts."""
    with app.app_context():
        picked: dict[str, int] = {}
        for q in db.session.scalars(select(Question).where(
                Question.type == "mcq", Question.owner_id.is_(None)).order_by(Question.id)):
            if len(q.fact_ids) == 1 and q.fact_ids[0] not in picked:
                picked[q.fact_ids[0]] = q.id
            if len(picked) == n:
                break
        return [(qid, fid) for fid, qid in picked.items()]


def _answer(client, headers, app, question_ids: list[int], right: set[int]) -> None:
    """One API attempt over ``question_ids``, answered right for those in ``right``."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "apiuser"))
        attempt = study.start_attempt(user, count=len(question_ids), question_ids=question_ids)
        db.session.commit()
        attempt_id = attempt.id
    for qid in question_ids:
        payload = key_for(app, qid)
        response = payload["answer"] if qid in right else wrong_response(payload)
        put = client.put(f"/api/v1/attempts/{attempt_id}/responses/{qid}",
                         json={"response": response}, headers=headers)
        assert put.status_code == 200


def _pool(app, username: str = "apiuser") -> list[str]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return [fact for fact, _type in study.mistake_facts(user)]


# ------------------------------------------------------------------------------ my mistakes

def test_the_pool_is_the_latest_wrong_answers_most_recent_first(client, app, api_token):
    headers = api_token()
    (q1, f1), (q2, f2), (q3, f3) = _single_fact_mcqs(app, 3)
    _answer(client, headers, app, [q1], right=set())
    _answer(client, headers, app, [q2, q3], right={q3})
    assert _pool(app) == [f2, f1]
    _answer(client, headers, app, [q1], right={q1})  # put right since: off the list
    assert _pool(app) == [f2]
    _answer(client, headers, app, [q3], right=set())  # right before, wrong now: on it
    assert _pool(app) == [f3, f2]


def test_answers_an_assignment_still_hides_are_not_mistakes(client, app, api_token):
    headers = api_token()
    teacher = api_token("prof", "instructor")
    (q1, _f1), = _single_fact_mcqs(app, 1)
    course = client.post("/api/v1/classes", json={"name": "C"}, headers=teacher).get_json()
    client.post("/api/v1/enrollments", json={"join_code": course["join_code"]}, headers=headers)
    with app.app_context():
        prof = db.session.scalar(select(User).where(User.username == "prof"))
        assignment = teach.create_assignment(
            prof, course["id"], title="Hidden", question_ids=[q1], show_keys="never",
            due_at="2099-01-01T12:00:00Z", max_attempts=1)
        db.session.commit()
        assignment_id = assignment.id
    attempt = client.post("/api/v1/attempts", json={"assignment_id": assignment_id},
                          headers=headers).get_json()
    client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q1}",
               json={"response": wrong_response(key_for(app, q1))}, headers=headers)
    assert _pool(app) == []


def test_api_mistakes_mode_asks_only_about_the_mistakes(client, app, api_token):
    headers = api_token()
    questions = _single_fact_mcqs(app, 4)
    _answer(client, headers, app, [q for q, _ in questions],
            right={questions[0][0], questions[1][0]})
    wrong_facts = {questions[2][1], questions[3][1]}
    response = client.post("/api/v1/attempts", json={"mode": "mistakes", "count": 10},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["mode"] == "mistakes"
    asked = [set(key_for(app, q["id"])["fact_ids"]) for q in body["questions"]]
    assert len(asked) == 2 and set().union(*asked) == wrong_facts
    assert all("answer" not in q for q in body["questions"])
    assert client.get(f"/api/v1/attempts/{body['id']}", headers=headers
                      ).get_json()["mode"] == "mistakes"


def test_api_mistakes_mode_without_mistakes_is_a_409(client, api_token):
    headers = api_token()
    response = client.post("/api/v1/attempts", json={"mode": "mistakes"}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_mistakes"
    bad = client.post("/api/v1/attempts", json={"mode": "oops"}, headers=headers)
    assert bad.status_code == 400 and "mistakes" in bad.get_json()["error"]["fields"]["mode"]


def test_the_openapi_description_lists_the_mistakes_mode(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    body = body_schema(spec, spec["paths"]["/api/v1/attempts"]["post"])
    assert body["properties"]["mode"]["enum"] == [
        "practice", "review", "mistakes"]


def test_mistakes_page_empty_state_then_a_quiz(client, app, api_token, auth):
    headers = api_token()
    auth.login("apiuser")
    page = client.get("/mistakes").get_data(as_text=True)
    assert "No mistakes to practise" in page and "not answered any questions yet" in page
    posted = client.post("/mistakes", data={})
    assert posted.status_code == 200 and "No mistakes to practise" in posted.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attempt.id)) is None
    (q1, f1), (q2, _f2) = _single_fact_mcqs(app, 2)
    _answer(client, headers, app, [q1, q2], right={q2})
    page = client.get("/mistakes").get_data(as_text=True)
    assert "Practise 1 mistake" in page
    started = client.post("/mistakes", data={})
    assert started.status_code == 302
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.mode == AttemptMode.MISTAKES))
        assert attempt is not None
        assert [set(i.question.fact_ids) for i in attempt.items] == [{f1}]
    quiz = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "My mistakes" in quiz


def test_the_practice_and_progress_pages_lead_to_mistakes_and_flashcards(client, make_user,
                                                                        auth):
    make_user()
    auth.login()
    for path in ("/quiz/new", "/progress"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/mistakes"' in page and 'href="/flashcards' in page, path


def test_mistakes_page_needs_a_login(client):
    assert client.get("/mistakes").status_code == 302
    assert client.get("/flashcards").status_code == 302


# ------------------------------------------------------------------------------ flashcards

def _seed_topic(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Fact.topic).order_by(Fact.position))


def test_flashcards_show_question_answer_and_quote(client, app, make_user, auth):
    make_user()
    auth.login()
    topic = _seed_topic(app)
    index = client.get("/flashcards").get_data(as_text=True)
    assert f'href="/flashcards/{topic}"' in index
    page = client.get(f"/flashcards/{topic}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    with app.app_context():
        fact = db.session.scalar(select(Fact).where(Fact.topic == topic)
                                 .order_by(Fact.position))
        from markupsafe import escape

        assert str(escape(fact.quote)) in text
        assert str(escape(fact.data["question"])) in text
    assert text.count('class="fc-card"') >= 2
    assert client.get("/flashcards/no-such-topic").status_code == 404


@pytest.fixture
def member_and_outsider(app):
    """An instructor's commentary with approved facts, a student of the class, another
    student outside it. Returns (topic, an approved fact id)."""
    with app.app_context():
        prof = accounts.create_user("prof", PASSWORD, Role.INSTRUCTOR)
        member = accounts.create_user("member", PASSWORD)
        accounts.create_user("outsider", PASSWORD)
        db.session.commit()
        course = teach.create_course(prof, "Seminar")
        db.session.commit()
        teach.join_course(member, course.join_code)
        db.session.commit()
        doc = teach.create_commentary(prof, "Private notes", COMMENTARY)
        db.session.commit()
        years = [f.id for f in doc.facts if f.kind == "year"]
        approved, _ = teach.set_fact_status(prof, doc.id, years, "approved")
        db.session.commit()
        return doc.slug, approved[0]


def test_flashcards_follow_the_visibility_rules(app, member_and_outsider):
    topic, fact = member_and_outsider
    member, outsider = app.test_client(), app.test_client()
    member.post("/login", data={"username": "member", "password": PASSWORD})
    outsider.post("/login", data={"username": "outsider", "password": PASSWORD})
    assert member.get(f"/flashcards/{topic}").status_code == 200
    assert f"/flashcards/{topic}" in member.get("/flashcards").get_data(as_text=True)
    assert outsider.get(f"/flashcards/{topic}").status_code == 404
    assert f"/flashcards/{topic}" not in outsider.get("/flashcards").get_data(as_text=True)
    refused = outsider.post(f"/facts/{fact}/flashcard", data={"knew": "yes"})
    assert refused.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(FactProgress.id)) is None
    assert member.post(f"/facts/{fact}/flashcard", data={"knew": "yes"}).status_code == 302


def _progress(app, fact_id: str) -> FactProgress | None:
    with app.app_context():
        row = db.session.scalar(select(FactProgress).where(FactProgress.fact_id == fact_id))
        if row is not None:
            db.session.expunge(row)
        return row


def test_a_rating_moves_the_review_schedule_but_counts_no_answer(client, app, make_user,
                                                                 auth):
    make_user()
    auth.login()
    with app.app_context():
        fact_a, fact_b = db.session.scalars(select(Fact.id).order_by(Fact.position).limit(2))
    before = utcnow()
    knew = client.post(f"/facts/{fact_a}/flashcard", data={"knew": "yes"},
                       headers={"Accept": "application/json"})
    assert knew.status_code == 200 and knew.get_json()["message"].startswith("Saved")
    missed = client.post(f"/facts/{fact_b}/flashcard", data={"knew": "no"},
                         headers={"Accept": "application/json"})
    assert missed.status_code == 200
    a, b = _progress(app, fact_a), _progress(app, fact_b)
    assert a.card and b.card and a.due > b.due > before - timedelta(seconds=1)
    assert (a.seen, a.correct, b.seen, b.correct) == (0, 0, 0, 0)
    assert a.card["stability"] > b.card["stability"]
    # Rated again: the same card moves on from where it was.
    again = client.post(f"/facts/{fact_a}/flashcard", data={"knew": "yes"})
    assert again.status_code == 302 and "/flashcards" in again.headers["Location"]
    assert _progress(app, fact_a).due > a.due
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "student1"))
        assert study.mistake_facts(user) == []  # "I didn't" is not an answer


def test_a_rating_needs_yes_or_no(client, app, make_user, auth):
    make_user()
    auth.login()
    with app.app_context():
        fact = db.session.scalar(select(Fact.id).order_by(Fact.position))
    bad = client.post(f"/facts/{fact}/flashcard", data={"knew": "maybe"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.get_json()["error"]["fields"]["knew"]
    assert client.post("/facts/no-such-fact/flashcard", data={"knew": "yes"}
                       ).status_code == 404
    assert _progress(app, fact) is None


# ------------------------------------------------------------------------------ migration

def test_the_migration_widens_the_mode_check_and_keeps_every_answer(tmp_path):
    """An existing SQLite file: its answers survive, and a mistakes attempt fits after."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from quizapp import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"})
    (tmp_path / "old.db").touch()
    directory = app.extensions["migrate"].directory
    insert = ("INSERT INTO attempt (user_id, mode, seed, started_at, max_score) "
              "VALUES (1, :mode, 0, '2026-01-01', 1)")
    with app.app_context():
        upgrade(directory=directory, revision="b7e4c2a9d150")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO user (id, username, password_hash, role, "
                              "created_at, session_nonce) VALUES "
                              "(1, 'old', 'x', 'student', '2026-01-01', 'n')"))
            conn.execute(text(insert), {"mode": "practice"})
            conn.execute(text("INSERT INTO document (id, slug, title, text, created_at) "
                              "VALUES (1, 'd', 'D', 'T', '2026-01-01')"))
            conn.execute(text("INSERT INTO question (id, uid, version, type, topic, "
                              "document_id, status, payload, fact_ids, created_at) VALUES "
                              "(1, 'q', 1, 'mcq', 't', 1, 'active', '{}', '[]', "
                              "'2026-01-01')"))
            conn.execute(text("INSERT INTO response (attempt_id, question_id, response, "
                              "correct, credit, answered_at) VALUES "
                              "(1, 1, '\"a\"', 1, 1.0, '2026-01-01')"))
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(insert), {"mode": "mistakes"})
        upgrade(directory=directory, revision="c4d8e1f2a3b6")
        with db.engine.begin() as conn:
            conn.execute(text(insert), {"mode": "mistakes"})
            assert conn.execute(text("SELECT count(*) FROM response")).scalar() == 1
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            with pytest.raises(IntegrityError):
                conn.execute(text(insert), {"mode": "nonsense"})
        downgrade(directory=directory, revision="b7e4c2a9d150")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT mode FROM attempt")).scalars().all() == [
                "practice"]
            assert conn.execute(text("SELECT count(*) FROM response")).scalar() == 1
        db.engine.dispose()
