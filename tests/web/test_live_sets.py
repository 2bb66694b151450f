"""Saved question sets for warm-ups, revealing once everyone answered, and histogram bars in
the answer tiles' colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import LiveGame, LiveQuestionSet, Question, QuestionStatus, utcnow

from support.helpers import body_schema


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """No state cache: these tests read the state right after changing it."""
    return {**app_config, "LIVE_STATE_CACHE": 0}


@pytest.fixture
def host_client(app, make_user, auth, client):
    """The test client logged in as instructor ``host1``."""
    make_user("host1", "instructor")
    auth.login("host1")
    return client


def mcq_ids(app, n: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Question.id).where(
            Question.type == "mcq", Question.status == QuestionStatus.ACTIVE,
            Question.owner_id.is_(None)).order_by(Question.id).limit(n)))


def sets_in_db(app) -> list[tuple[str, list[int], int]]:
    with app.app_context():
        return [(s.name, list(s.question_ids), s.owner_id)
                for s in db.session.scalars(select(LiveQuestionSet).order_by(LiveQuestionSet.id))]


def shown_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'name="shown" value="(\d+)"', html)]


# ------------------------------------------------------------------------- HTML pages

def test_instructor_previews_a_draw_and_saves_the_questions_kept(app, host_client):
    page = host_client.get("/live/sets")
    assert page.status_code == 200 and "no saved sets" in page.data.decode()
    preview = host_client.post("/live/sets/new", data={"count": "3", "types": ["mcq"],
                                                        "preview": "1"})
    assert preview.status_code == 200
    drawn = shown_ids(preview.data.decode())
    assert len(drawn) == 3
    assert preview.data.decode().count('name="questions"') == 3  # each can be unticked
    keep = [drawn[0], drawn[2]]
    saved = host_client.post("/live/sets/new", data={
        "shown": [str(i) for i in drawn], "questions": [str(i) for i in keep],
        "name": "  Week 3   warm-up ", "save": "1"})
    assert saved.status_code == 302 and saved.location.endswith("/live/sets")
    assert [(n, ids) for n, ids, _ in sets_in_db(app)] == [("Week 3 warm-up", keep)]
    listing = host_client.get("/live/sets").data.decode()
    assert "Week 3 warm-up" in listing and "Start a warm-up" in listing


def test_saving_needs_a_name_and_a_free_one(app, host_client):
    ids = mcq_ids(app, 2)
    form = {"shown": [str(i) for i in ids], "questions": [str(i) for i in ids], "save": "1"}
    nameless = host_client.post("/live/sets/new", data=form)
    assert nameless.status_code == 400 and "Type a name" in nameless.data.decode()
    assert host_client.post("/live/sets/new", data={**form, "name": "A"}).status_code == 302
    clash = host_client.post("/live/sets/new", data={**form, "name": "a"})
    assert clash.status_code == 409 and "Choose another name" in clash.data.decode()
    empty = host_client.post("/live/sets/new", data={"shown": [str(ids[0])], "name": "B",
                                                      "save": "1"})
    assert empty.status_code == 400 and "1 to 50 questions" in empty.data.decode()
    assert len(sets_in_db(app)) == 1


def test_instructor_edits_and_deletes_own_set(app, host_client):
    ids = mcq_ids(app, 4)
    host_client.post("/live/sets/new", data={"shown": [str(i) for i in ids[:3]],
                                             "questions": [str(i) for i in ids[:3]],
                                             "name": "Mine", "save": "1"})
    set_id = re.search(r'/live/sets/(\d+)"', host_client.get("/live/sets").data.decode())[1]
    edit = host_client.get(f"/live/sets/{set_id}")
    assert edit.status_code == 200 and shown_ids(edit.data.decode()) == ids[:3]
    changed = host_client.post(f"/live/sets/{set_id}", data={
        "shown": [str(i) for i in ids[:3]], "questions": [str(ids[0]), str(ids[2])],
        "add_ids": str(ids[3]), "name": "Renamed", "save": "1"})
    assert changed.status_code == 302
    assert [(n, q) for n, q, _ in sets_in_db(app)] == [("Renamed", [ids[0], ids[2], ids[3]])]
    gone = host_client.post(f"/live/sets/{set_id}/delete")
    assert gone.status_code == 302 and sets_in_db(app) == []
    assert host_client.get(f"/live/sets/{set_id}").status_code == 404


def test_sets_are_their_owners_only(app, client, make_user, auth):
    make_user("host1", "instructor")
    make_user("host2", "instructor")
    make_user("student1")
    ids = mcq_ids(app, 2)
    auth.login("host1")
    client.post("/live/sets/new", data={"shown": [str(i) for i in ids],
                                        "questions": [str(i) for i in ids],
                                        "name": "Private", "save": "1"})
    with app.app_context():
        set_id = db.session.scalar(select(LiveQuestionSet.id))
    auth.logout()
    auth.login("host2")
    assert "Private" not in client.get("/live/sets").data.decode()
    assert client.get(f"/live/sets/{set_id}").status_code == 403
    assert client.post(f"/live/sets/{set_id}", data={"name": "Stolen", "save": "1"}
                       ).status_code == 403
    assert client.post(f"/live/sets/{set_id}/delete").status_code == 403
    started = client.post("/live/", data={"count": "3", "seconds": "20",
                                          "question_set": str(set_id)})
    assert started.status_code == 403
    auth.logout()
    auth.login("student1")
    assert client.get("/live/sets").status_code in (302, 403)
    assert [n for n, _, _ in sets_in_db(app)] == ["Private"]


def test_a_set_takes_only_questions_the_instructor_may_use(app, api_token):
    host = api_token("host1", "instructor")
    other = api_token("host2", "instructor")
    ids = mcq_ids(app, 2)
    with app.app_context():
        retired = db.session.get(Question, ids[1])
        retired.status = QuestionStatus.RETIRED
        source = db.session.get(Question, ids[0])
        from quizapp.models import User

        host2 = db.session.scalar(select(User).where(User.username == "host2"))
        own = Question(uid=source.uid, version=99, type=source.type, topic=source.topic,
                       document_id=source.document_id, status=QuestionStatus.ACTIVE,
                       payload=dict(source.payload), fact_ids=list(source.fact_ids),
                       owner_id=host2.id)
        db.session.add(own)
        db.session.commit()
        own_id = own.id
    client = app.test_client()
    for bad in ([ids[1]], [own_id], [ids[0], ids[0]], [], ["1"], "1,2", [ids[0]] * 0 + [10**8]):
        response = client.post("/api/v1/live/sets", json={"name": "S", "question_ids": bad},
                               headers=host)
        assert response.status_code == 400, (bad, response.get_json())
        assert "question_ids" in response.get_json()["error"]["fields"]
    mine = client.post("/api/v1/live/sets", json={"name": "S", "question_ids": [own_id]},
                       headers=other)
    assert mine.status_code == 201  # host2's own version is in host2's bank


# --------------------------------------------------------------------- starting from one

def test_starting_a_warm_up_from_a_saved_set_asks_its_questions_in_order(app, host_client):
    ids = mcq_ids(app, 3)[::-1]
    host_client.post("/live/sets/new", data={"shown": [str(i) for i in ids],
                                             "questions": [str(i) for i in ids],
                                             "name": "Reversed", "save": "1"})
    with app.app_context():
        set_id = db.session.scalar(select(LiveQuestionSet.id))
    form = host_client.get(f"/live/?set={set_id}").data.decode()
    assert re.search(rf'<option selected value="{set_id}">Reversed \(3 questions\)', form)
    started = host_client.post("/live/", data={"count": "5", "seconds": "20",
                                               "question_set": str(set_id),
                                               "auto_reveal": "y"})
    assert started.status_code == 302
    with app.app_context():
        game = db.session.scalar(select(LiveGame))
        assert game.question_ids == ids and game.auto_reveal is True


def test_api_starts_from_a_set_and_refuses_others_sets(app, client, api_token):
    host = api_token("host1", "instructor")
    other = api_token("host2", "instructor")
    ids = mcq_ids(app, 2)
    created = client.post("/api/v1/live/sets", json={"name": "Two", "question_ids": ids},
                          headers=host)
    assert created.status_code == 201
    set_id = created.get_json()["id"]
    started = client.post("/api/v1/live", json={"question_set_id": set_id}, headers=host)
    assert started.status_code == 201 and started.get_json()["question_count"] == 2
    with app.app_context():
        game = db.session.get(LiveGame, started.get_json()["id"])
        assert game.question_ids == ids
    assert client.post("/api/v1/live", json={"question_set_id": set_id},
                       headers=other).status_code == 403
    assert client.post("/api/v1/live", json={"question_set_id": 999999},
                       headers=host).status_code == 404
    both = client.post("/api/v1/live", json={"question_set_id": set_id, "question_ids": ids},
                       headers=host)
    assert both.status_code == 400 and "question_set_id" in both.get_json()["error"]["fields"]
    for bad in ("1", True, [set_id]):
        response = client.post("/api/v1/live", json={"question_set_id": bad}, headers=host)
        assert response.status_code == 400, bad


def test_a_set_whose_question_was_retired_is_refused_by_name(app, client, api_token):
    host = api_token("host1", "instructor")
    ids = mcq_ids(app, 2)
    set_id = client.post("/api/v1/live/sets", json={"name": "Old", "question_ids": ids},
                         headers=host).get_json()["id"]
    with app.app_context():
        db.session.get(Question, ids[1]).status = QuestionStatus.RETIRED
        db.session.commit()
    response = client.post("/api/v1/live", json={"question_set_id": set_id}, headers=host)
    assert response.status_code == 400
    assert str(ids[1]) in response.get_json()["error"]["fields"]["question_set_id"]


def test_sets_api_lists_renames_replaces_and_deletes(app, client, api_token):
    host = api_token("host1", "instructor")
    ids = mcq_ids(app, 3)
    made = client.post("/api/v1/live/sets", json={"name": "One", "question_ids": ids[:2]},
                       headers=host).get_json()
    assert client.get("/api/v1/live/sets", headers=host).get_json()["sets"][0]["name"] == "One"
    patched = client.patch(f"/api/v1/live/sets/{made['id']}",
                           json={"name": "Uno", "question_ids": ids}, headers=host)
    assert patched.status_code == 200
    assert patched.get_json()["name"] == "Uno" and patched.get_json()["question_ids"] == ids
    bad = client.patch(f"/api/v1/live/sets/{made['id']}", json={"name": "", "question_ids": []},
                       headers=host)
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {
        "name", "question_ids"}
    assert client.get(f"/api/v1/live/sets/{made['id']}", headers=host).get_json()["name"] == "Uno"
    assert client.delete(f"/api/v1/live/sets/{made['id']}", headers=host).status_code == 204
    assert client.get(f"/api/v1/live/sets/{made['id']}", headers=host).status_code == 404
    student = api_token("student9")
    assert client.get("/api/v1/live/sets", headers=student).status_code == 403


def test_openapi_describes_sets_and_the_new_start_options(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    start = body_schema(spec, spec["paths"]["/api/v1/live"]["post"])["properties"]
    assert {"question_set_id", "auto_reveal"} <= set(start)
    assert set(spec["paths"]["/api/v1/live/sets"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/live/sets/{set_id}"]) == {"get", "patch", "delete"}
    assert "expired" in spec["components"]["schemas"]["LiveState"]["properties"]


# ----------------------------------------------------------- reveal when all answered

def _players(client, pin: str, names) -> list[dict[str, str]]:
    return [{"X-Player-Token": client.post(f"/api/v1/live/{pin}/players",
                                           json={"nickname": n}).get_json()["player_token"]}
            for n in names]


@pytest.mark.parametrize("auto", [True, False])
def test_the_answer_shows_once_every_player_has_answered(app, client, api_token, auto):
    host = api_token("host1", "instructor")
    started = client.post("/api/v1/live", json={"count": 2, "types": ["mcq"],
                                                "auto_reveal": auto, "seconds_per_question": 60},
                          headers=host).get_json()
    pin = started["pin"]
    ada, bo = _players(client, pin, ["Ada", "Bo"])
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    choice = state["question"]["choices"][0]["id"]
    assert client.put(f"/api/v1/live/{pin}/answers/0", json={"response": choice},
                      headers=ada).status_code == 200
    assert client.get(f"/api/v1/live/{pin}/state").get_json()["phase"] == "question"
    assert client.put(f"/api/v1/live/{pin}/answers/0", json={"response": choice},
                      headers=bo).status_code == 200
    after = client.get(f"/api/v1/live/{pin}/state").get_json()
    assert after["phase"] == ("reveal" if auto else "question")
    if auto:
        assert "answer" in after  # revealed as by the host's button, key included
        with app.app_context():
            game = db.session.get(LiveGame, started["id"])
            assert game.deadline <= utcnow() and game.question_index == 0
        # The host still chooses when the next question comes.
        assert client.get(f"/api/v1/live/{pin}/state").get_json()["question_index"] == 0


def test_removing_the_last_one_still_thinking_shows_the_answer(app, client, api_token):
    host = api_token("host1", "instructor")
    pin = client.post("/api/v1/live", json={"count": 2, "types": ["mcq"], "auto_reveal": True},
                      headers=host).get_json()["pin"]
    ada, _bo = _players(client, pin, ["Ada", "Bo"])
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    client.put(f"/api/v1/live/{pin}/answers/0",
               json={"response": state["question"]["choices"][0]["id"]}, headers=ada)
    assert client.get(f"/api/v1/live/{pin}/state").get_json()["phase"] == "question"
    assert client.post(f"/api/v1/live/{pin}/kick", json={"nickname": "Bo"},
                       headers=host).status_code == 200
    assert client.get(f"/api/v1/live/{pin}/state").get_json()["phase"] == "reveal"


def test_auto_reveal_must_be_a_boolean(client, api_token):
    host = api_token("host1", "instructor")
    response = client.post("/api/v1/live", json={"count": 2, "auto_reveal": "yes"},
                           headers=host)
    assert response.status_code == 400 and "auto_reveal" in response.get_json()["error"]["fields"]


# ------------------------------------------------------------------- histogram colours

def test_histogram_bars_take_the_tiles_colours(app, client, api_token, make_user, auth):
    host = api_token("host1", "instructor")
    with app.app_context():
        short = db.session.scalar(select(Question.id).where(Question.type == "short").limit(1))
    ids = mcq_ids(app, 1) + [short]
    started = client.post("/api/v1/live", json={"question_ids": ids}, headers=host).get_json()
    pin, game_id = started["pin"], started["id"]
    (ada,) = _players(client, pin, ["Ada"])
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    client.put(f"/api/v1/live/{pin}/answers/0",
               json={"response": state["question"]["choices"][1]["id"]}, headers=ada)
    client.post(f"/api/v1/live/{pin}/reveal", headers=host)
    auth.login("host1")
    panel = client.get(f"/live/games/{game_id}/panel").data.decode()
    choices = len(state["question"]["choices"])
    for i in range(choices):
        assert f"bar-tile-{i}" in panel and f'tile-letter tile-{i}"' in panel
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    client.post(f"/api/v1/live/{pin}/reveal", headers=host)
    typed = client.get(f"/live/games/{game_id}/panel").data.decode()
    assert "bar-tile-" not in typed  # right / wrong bars keep their own colours
    results = client.get(f"/live/games/{game_id}/results").data.decode()
    assert results.count("bar-tile-") == choices and 'tile-letter tile-0"' in results
    css = (Path(__file__).parents[2] / "static" / "css" / "live.css").read_text()
    for i in range(6):
        assert f".bar-row.bar-tile-{i} .bar-fill {{ fill: var(--t{i}); }}" in css
        assert f".p-choice.tile-{i} {{ background: var(--t{i}); }}" in css
