"""The statement counts docs/performance.md promises for the hot paths, locked in.

Each request is measured warm (the identity and question caches filled, as in a worker
that has served a few requests), on the test database (SQLite unless
QUIZAPP_TEST_POSTGRES_URL names PostgreSQL).
"""

from __future__ import annotations

from quizapp.domain.question_types import QUESTION_TYPES
from quizapp.extensions import db
from quizapp.models import Attempt, User
from quizapp.services import study
from quizapp.services.questions import stored_question

from support.helpers import answer_form, basic_auth

#: BEGIN IMMEDIATE; the attempt, the item, any earlier answer and the key policy in one
#: query; the insert; the learner's progress rows for the question's fact, read and written.
ANSWER_STATEMENTS = 5


def _attempt(app, username: str, count: int = 3) -> tuple[int, list[int]]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        attempt = study.start_attempt(user, count=count, seed=7)
        db.session.commit()
        ids = [item.question_id for item in attempt.items]
        for question_id in ids:  # the per-process question cache, as in a warm worker
            stored_question(question_id)
        return attempt.id, ids


def _example(app, question_id: int):
    with app.app_context():
        question = stored_question(question_id)
    from support.helpers import valid_response

    return valid_response({**question.payload, "id": question_id})


def test_the_quiz_page_is_one_query(app, client, make_user, auth, count_statements):
    make_user("student1")
    auth.login("student1")
    attempt_id, _ = _attempt(app, "student1")
    assert client.get(f"/attempts/{attempt_id}").status_code == 200  # warm
    with count_statements() as log:
        assert client.get(f"/attempts/{attempt_id}").status_code == 200
    # The attempt's outline; the question comes from the per-process cache. (A read's plain
    # BEGIN goes to the driver directly, database.py, so it is not in the log.)
    assert len(log) == 1, str(log)


def test_an_html_answer_costs_what_an_api_answer_costs(app, client, make_user, auth,
                                                       count_statements):
    make_user("student1")
    auth.login("student1")
    attempt_id, ids = _attempt(app, "student1")
    client.get(f"/attempts/{attempt_id}")
    with app.app_context():
        payload = db.session.get(Attempt, attempt_id).items[0].question.payload
    with count_statements() as log:
        answered = client.post(f"/attempts/{attempt_id}/questions/1", data=answer_form(payload))
    assert answered.status_code in (302, 303), answered.get_data(as_text=True)[:300]
    # The same use case as the API's answer (below), so the same statements.
    assert len(log) == ANSWER_STATEMENTS, str(log)
    with count_statements() as log:
        feedback = client.get(answered.headers["Location"])
    assert feedback.status_code == 200 and "feedback-heading" in feedback.get_data(as_text=True)
    # The attempt; its items with their questions (models: lazy="joined"); its answers;
    # the commentary's text for the quoted passage; and the facts that correct a false
    # statement, when the drawn question is one.
    corrected = QUESTION_TYPES[payload["type"]].corrected_by_facts(payload)
    assert len(log) == 4 + corrected, str(log)


def test_an_api_answer(app, client, make_user, count_statements):
    make_user("student1")
    token = client.post("/api/v1/tokens", headers=basic_auth("student1")).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    attempt_id, ids = _attempt(app, "student1")
    client.get("/api/v1/progress", headers=headers)  # warm the identity cache
    body = {"response": _example(app, ids[0])}
    with count_statements() as log:
        answered = client.put(f"/api/v1/attempts/{attempt_id}/responses/{ids[0]}",
                              json=body, headers=headers)
    assert answered.status_code == 200, answered.get_json()
    assert len(log) == ANSWER_STATEMENTS, str(log)


def test_a_phones_first_join_looks_the_game_up_once_per_request(client, make_user,
                                                                  create_game,
                                                                  count_statements):
    # A room of phones joins within seconds (docs/live-load.md): the join form, its POST and
    # the play page each find the game once, and a phone without a player cookie cannot be
    # a returning player, so nothing looks for one.
    game = create_game(make_user("prof", role="instructor"), count=2)
    with count_statements() as form_log:
        page = client.get(f"/join?pin={game.pin}")
    assert page.status_code == 200
    with count_statements() as join_log:
        joined = client.post("/join", data={"pin": game.pin, "nickname": "Ada"})
    assert joined.status_code == 302
    with count_statements() as play_log:
        assert client.get(f"/live/{game.pin}/play").status_code == 200
    for log in (form_log, join_log, play_log):
        assert sum("FROM live_game" in statement for statement in log.statements) == 1, \
            str(log)
