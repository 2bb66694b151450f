"""JSON API v1 for learners: contract, idempotency, authorization and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Answer, FactProgress, User, utcnow

from support.helpers import PASSWORD, assert_handled, basic_auth, key_for, wrong_response


def start(client, headers, **body):
    response = client.post("/api/v1/attempts", json={"count": 5, "seed": 11, **body},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_register_token_and_start_an_attempt_without_keys(client):
    created = client.post("/api/v1/users", json={"username": "amy", "password": PASSWORD})
    assert created.status_code == 201
    token = client.post("/api/v1/tokens", headers=basic_auth("amy")).get_json()["token"]
    attempt = start(client, {"Authorization": f"Bearer {token}"}, count=10)
    assert len(attempt["questions"]) == 10
    for q in attempt["questions"]:
        assert {"id", "type", "prompt"} <= set(q)
        assert not {"answer", "answer_text", "accepted", "explanation", "source"} & set(q)
        if q["type"] in ("mcq", "multi"):
            assert all(set(c) == {"id", "text"} for c in q["choices"])


def test_wrong_credentials_and_missing_token_are_401(client, make_user):
    make_user("amy")
    bad = client.post("/api/v1/tokens", headers=basic_auth("amy", "wrong password"))
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "bad_credentials"
    assert client.get("/api/v1/progress").status_code == 401
    assert client.get("/api/v1/progress",
                      headers={"Authorization": "Bearer nope"}).status_code == 401


def test_answer_feedback_quotes_the_source(client, app, api_token):
    headers = api_token()
    attempt = start(client, headers)
    q = attempt["questions"][0]
    payload = key_for(app, q["id"])
    response = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                          json={"response": payload["answer"]}, headers=headers)
    body = response.get_json()
    assert response.status_code == 200
    assert body["correct"] is True
    assert body["answer_text"] == payload["answer_text"]
    assert body["source"]["quote"] == payload["source"]["quote"]
    assert body["explanation"] is not None


def test_the_same_answer_twice_counts_once(client, app, api_token):
    headers = api_token()
    attempt = start(client, headers)
    q = attempt["questions"][0]
    url = f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}"
    answer = wrong_response(key_for(app, q["id"]))
    first = client.put(url, json={"response": answer}, headers=headers)
    second = client.put(url, json={"response": answer}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
        progress = db.session.scalars(select(FactProgress)).all()
        assert progress and all(p.seen == 1 for p in progress)


def test_a_different_second_answer_is_refused(client, app, api_token):
    headers = api_token()
    attempt = start(client, headers)
    q = attempt["questions"][0]
    url = f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}"
    payload = key_for(app, q["id"])
    client.put(url, json={"response": wrong_response(payload)}, headers=headers)
    again = client.put(url, json={"response": payload["answer"]}, headers=headers)
    assert again.status_code == 409
    with app.app_context():
        stored = db.session.scalar(select(Answer))
        assert stored.correct is False


def test_answer_after_finish_is_409_and_changes_nothing(client, app, api_token):
    headers = api_token()
    attempt = start(client, headers)
    finish = client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers)
    assert finish.status_code == 200
    assert finish.get_json() == {"score": 0.0, "max_score": 5}
    q = attempt["questions"][1]
    late = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                      json={"response": key_for(app, q["id"])["answer"]}, headers=headers)
    assert late.status_code == 409
    assert late.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    again = client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers)
    assert again.get_json() == finish.get_json()


def test_score_counts_right_answers(client, app, api_token):
    headers = api_token()
    attempt = start(client, headers)
    for q in attempt["questions"][:3]:
        client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                   json={"response": key_for(app, q["id"])["answer"]}, headers=headers)
    finish = client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers)
    assert finish.get_json() == {"score": 3.0, "max_score": 5}
    shown = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).get_json()
    assert shown["finished"] is True and shown["score"] == 3.0
    assert sum(1 for q in shown["questions"] if q.get("correct")) == 3


def test_another_learners_attempt_is_404_and_writes_nothing(client, app, api_token):
    owner = api_token("owner")
    intruder = api_token("intruder")
    attempt = start(client, owner)
    q = attempt["questions"][0]
    base = f"/api/v1/attempts/{attempt['id']}"
    assert client.get(base, headers=intruder).status_code == 404
    put = client.put(f"{base}/responses/{q['id']}",
                     json={"response": key_for(app, q["id"])["answer"]}, headers=intruder)
    assert put.status_code == 404
    assert client.post(f"{base}/finish", headers=intruder).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert client.get(base, headers=owner).get_json()["finished"] is False


def test_progress_is_per_learner(client, app, api_token):
    alice = api_token("alice")
    bob = api_token("bob")
    attempt = start(client, alice)
    q = attempt["questions"][0]
    client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
               json={"response": key_for(app, q["id"])["answer"]}, headers=alice)
    mine = client.get("/api/v1/progress", headers=alice).get_json()
    theirs = client.get("/api/v1/progress", headers=bob).get_json()
    assert mine["questions_answered"] == 1 and mine["accuracy"] == 1.0
    assert mine["facts"] and mine["facts"][0]["seen"] == 1 and mine["facts"][0]["correct"] == 1
    assert set(mine) == {"attempts_completed", "questions_answered", "accuracy", "due_count",
                         "facts"}
    assert theirs["questions_answered"] == 0 and theirs["facts"] == []


def test_review_asks_due_facts_in_another_form(client, app, api_token):
    headers = api_token()
    attempt = start(client, headers, count=3, types=["mcq"])
    for q in attempt["questions"]:
        client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                   json={"response": wrong_response(key_for(app, q["id"]))}, headers=headers)
    with app.app_context():  # let the learning steps pass
        for p in db.session.scalars(select(FactProgress)):
            p.due = utcnow() - timedelta(minutes=1)
        db.session.commit()
        due = {p.fact_id for p in db.session.scalars(select(FactProgress))}
    assert client.get("/api/v1/progress", headers=headers).get_json()["due_count"] == 3
    review = client.post("/api/v1/attempts", json={"mode": "review", "count": 10},
                         headers=headers)
    assert review.status_code == 201
    questions = review.get_json()["questions"]
    assert len(questions) == 3
    for q in questions:
        payload = key_for(app, q["id"])
        assert payload["type"] != "mcq"
        assert set(payload["fact_ids"]) <= due


def test_review_with_nothing_due_says_so(client, api_token):
    response = client.post("/api/v1/attempts", json={"mode": "review"}, headers=api_token())
    assert response.status_code == 409
    assert "Nothing is due" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("body, field", [
    ({"count": 0}, "count"), ({"count": 51}, "count"), ({"count": "ten"}, "count"),
    ({"count": True}, "count"), ({"types": ["essay"]}, "types"), ({"types": "mcq"}, "types"),
    ({"topics": ["no-such-topic"]}, "topics"), ({"seed": -1}, "seed"),
    ({"mode": "exam"}, "mode"), ({"assignment_id": "x"}, "assignment_id"),
])
def test_bad_quiz_options_name_the_field(client, api_token, body, field):
    response = client.post("/api/v1/attempts", json=body, headers=api_token())
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


@pytest.mark.parametrize("response_value", [
    None, "", "zz", 12, ["a", "a"], {"x": 1}, "x" * 5000, "\u202e\u0000\ud7ff", [[]],
])
def test_malformed_answers_are_400_and_store_nothing(client, app, api_token, response_value):
    headers = api_token()
    attempt = start(client, headers, types=["mcq"])
    q = attempt["questions"][0]
    response = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                          json={"response": response_value}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize("data, content_type", [
    (b"not json", "application/json"), (b"[1, 2]", "application/json"),
    (b'{"response": "a"', "application/json"), (b"response=a", "text/plain"),
    ("{\"response\": \"\u00e9\u6f22\u5b57\U0001f600\"}".encode(), "application/json"),
])
def test_bodies_that_are_not_a_json_object_get_a_clear_400(client, api_token, data,
                                                           content_type):
    headers = api_token()
    attempt = start(client, headers, types=["mcq"])
    q = attempt["questions"][0]
    response = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}",
                          data=data, content_type=content_type, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_a_one_megabyte_body_is_413(client, api_token):
    headers = api_token()
    big = b'{"count": 5, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post("/api/v1/attempts", data=big, content_type="application/json",
                           headers=headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_unknown_attempt_and_question_are_404(client, api_token):
    headers = api_token()
    attempt = start(client, headers)
    assert client.get("/api/v1/attempts/999999", headers=headers).status_code == 404
    response = client.put(f"/api/v1/attempts/{attempt['id']}/responses/999999",
                          json={"response": "a"}, headers=headers)
    assert response.status_code == 404


def test_registration_refuses_markup_in_usernames(client):
    response = client.post("/api/v1/users", json={"username": "<script>alert(1)</script>",
                                                  "password": PASSWORD})
    assert response.status_code == 400
    assert "username" in response.get_json()["error"]["fields"]


def test_a_username_with_markup_is_escaped_in_pages(app, client):
    with app.app_context():  # e.g. imported from elsewhere, bypassing validation
        user = User(username="<b>x</b>", password_hash="x", session_nonce="n")
        db.session.add(user)
        db.session.commit()
        uid = user.id
    with client.session_transaction() as session:
        session["_user_id"] = f"{uid}:n"
        session["_fresh"] = True
    page = client.get("/dashboard").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page


def test_openapi_describes_every_learner_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path, method in [("/api/v1/users", "post"), ("/api/v1/tokens", "post"),
                         ("/api/v1/attempts", "post"), ("/api/v1/attempts/{attempt_id}", "get"),
                         ("/api/v1/attempts/{attempt_id}/responses/{question_id}", "put"),
                         ("/api/v1/attempts/{attempt_id}/finish", "post"),
                         ("/api/v1/progress", "get")]:
        assert method in spec["paths"][path], path


@pytest.fixture
def fuzz_headers(api_token):
    """One learner for all examples of a fuzz test (hypothesis reuses function fixtures)."""
    return api_token("fuzzer")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.dictionaries(st.sampled_from(["count", "types", "topics", "seed", "mode",
                                             "assignment_id", "response", "x"]),
                            json_values, max_size=5))
def test_fuzzed_bodies_never_cause_a_500(client, fuzz_headers, body):
    headers = fuzz_headers
    started = client.post("/api/v1/attempts", json=body, headers=headers)
    assert_handled(started)
    attempt = start(client, headers, count=1)
    q = attempt["questions"][0]
    answered = client.put(f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}", json=body,
                          headers=headers)
    assert_handled(answered)
    assert_handled(client.post("/api/v1/users", json=body))


def test_ids_past_the_database_range_are_not_found(client, api_token):
    headers = api_token()
    for path in ("/api/v1/attempts/9223372036866310144", "/api/v1/attempts/2147483648"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_huge_number_in_a_body_is_a_clean_400(client, api_token):
    response = client.post("/api/v1/attempts", json={"assignment_id": 2**70},
                           headers=api_token())
    assert response.status_code == 400  # past the database's integer range: refused as input
    assert response.get_json()["error"]["message"]
