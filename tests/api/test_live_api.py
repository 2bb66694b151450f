"""Warm-ups through the JSON API: host controls, players, answers, results."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import LiveGame, Question, utcnow


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """No state cache: these tests change the game in the database behind its back."""
    return {**app_config, "LIVE_STATE_CACHE": 0}


@pytest.fixture
def host(api_token) -> dict[str, str]:
    """Bearer headers of the instructor hosting the warm-ups."""
    return api_token("host1", "instructor")


@pytest.fixture
def start(client, host):
    """Return a function that starts a warm-up and returns its PIN."""

    def make(headers=None, **options) -> str:
        body = {"count": 3, "types": ["mcq"], **options}
        response = client.post("/api/v1/live", json=body, headers=headers or host)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["pin"]

    return make


def join(client, pin: str, nickname: str, headers=None) -> dict[str, str]:
    response = client.post(f"/api/v1/live/{pin}/players", json={"nickname": nickname},
                           headers=headers or {})
    assert response.status_code == 201, response.get_json()
    return {"X-Player-Token": response.get_json()["player_token"]}


def key_of(app, question_id: int):
    with app.app_context():
        return db.session.get(Question, question_id).payload["answer"]


def wrong_choice(state: dict, key: str) -> str:
    return next(c["id"] for c in state["question"]["choices"] if c["id"] != key)


def set_deadline(app, pin: str, delta: timedelta) -> None:
    """Move the open question's deadline relative to now (the server's clock decides)."""
    with app.app_context():
        game = db.session.scalar(db.select(LiveGame).where(LiveGame.pin == pin))
        game.deadline = utcnow() + delta
        db.session.commit()


def answer(client, pin, index, response, player, **extra):
    return client.put(f"/api/v1/live/{pin}/answers/{index}",
                      json={"response": response, **extra}, headers=player)


def test_full_game_with_several_players_through_the_api(app, client, host, start):
    pin = start()
    players = {name: join(client, pin, name) for name in ("ada", "bo", "cy")}
    assert client.get(f"/api/v1/live/{pin}/state").get_json()["phase"] == "lobby"

    for index in range(3):
        state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
        assert (state["phase"], state["question_index"]) == ("question", index)
        assert "answer" not in state["question"] and "answer" not in state
        assert set(state["question"]) >= {"id", "type", "prompt", "choices"}
        key = key_of(app, state["question"]["id"])
        # ada always right, bo right on the first question only, cy always wrong.
        assert answer(client, pin, index, key, players["ada"]).status_code == 200
        bo = key if index == 0 else wrong_choice(state, key)
        assert answer(client, pin, index, bo, players["bo"]).status_code == 200
        assert answer(client, pin, index, wrong_choice(state, key),
                      players["cy"]).status_code == 200
        revealed = client.post(f"/api/v1/live/{pin}/reveal", headers=host).get_json()
        assert revealed["phase"] == "reveal" and revealed["answer"] == key

    final = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    assert final["phase"] == "finished"
    results = client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()
    assert results["answer_count"] == 9
    assert [(p["nickname"], p["score"]) for p in results["players"]] == [
        ("ada", 3000), ("bo", 1000), ("cy", 0)]
    assert [q["index"] for q in results["questions"]] == [0, 1, 2]
    first = results["questions"][0]
    assert sum(bar["count"] for bar in first["histogram"]) == 3
    assert sum(bar["count"] for bar in first["histogram"] if bar["correct"]) == 2


def test_state_has_etag_and_answers_304_until_the_game_changes(client, host, start):
    pin = start()
    first = client.get(f"/api/v1/live/{pin}/state")
    etag = first.headers["ETag"]
    assert {"phase", "question_index", "server_time", "version"} <= set(first.get_json())
    again = client.get(f"/api/v1/live/{pin}/state", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    changed = client.get(f"/api/v1/live/{pin}/state", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["deadline"].endswith("Z")


def test_question_turns_into_reveal_when_the_deadline_passes(app, client, host, start):
    pin = start()
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    set_deadline(app, pin, timedelta(seconds=-1))
    state = client.get(f"/api/v1/live/{pin}/state").get_json()
    assert state["phase"] == "reveal" and "answer_text" in state


def test_same_answer_sent_twice_counts_once(app, client, host, start):
    pin = start()
    player = join(client, pin, "ada")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    key = key_of(app, state["question"]["id"])
    assert answer(client, pin, 0, key, player).status_code == 200
    assert answer(client, pin, 0, key, player).status_code == 200
    other = answer(client, pin, 0, wrong_choice(state, key), player)
    assert other.status_code == 409 and "first answer counts" in other.get_json()["error"][
        "message"]
    results = client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()
    assert results["answer_count"] == 1 and results["players"][0]["score"] == 1000


def test_late_answer_is_refused_with_409_and_a_reason(app, client, host, start):
    pin = start()
    player = join(client, pin, "ada")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    set_deadline(app, pin, timedelta(milliseconds=-1))
    late = answer(client, pin, 0, key_of(app, state["question"]["id"]), player)
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "too_late"
    assert "Time is up" in late.get_json()["error"]["message"]
    results = client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()
    assert results["answer_count"] == 0


def test_answer_acknowledged_before_the_deadline_is_repeatable_after_it(app, client, host,
                                                                       start):
    pin = start()
    player = join(client, pin, "ada")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    key = key_of(app, state["question"]["id"])
    assert answer(client, pin, 0, key, player).status_code == 200
    set_deadline(app, pin, timedelta(seconds=-2))
    # A retry after a network drop: the answer was stored, so it is acknowledged again.
    assert answer(client, pin, 0, key, player).status_code == 200


def test_kicked_player_cannot_answer_and_leaves_the_leaderboard(app, client, host, start):
    pin = start()
    bad = join(client, pin, "rude name")
    join(client, pin, "ada")
    kicked = client.post(f"/api/v1/live/{pin}/kick", json={"nickname": "RUDE  name"},
                         headers=host)
    assert kicked.status_code == 200 and kicked.get_json()["kicked"] is True
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    refused = answer(client, pin, 0, key_of(app, state["question"]["id"]), bad)
    assert refused.status_code == 403
    assert client.get(f"/api/v1/live/{pin}/me", headers=bad).get_json()["kicked"] is True
    results = client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()
    ranked = [p["nickname"] for p in results["players"] if p["rank"] is not None]
    assert ranked == ["ada"]


def test_kicking_an_unknown_nickname_is_404(client, host, start):
    pin = start()
    response = client.post(f"/api/v1/live/{pin}/kick", json={"nickname": "ghost"},
                           headers=host)
    assert response.status_code == 404


def test_answer_to_another_index_is_refused_with_409(app, client, host, start):
    pin = start()
    player = join(client, pin, "ada")
    early = answer(client, pin, 0, "a", player)
    assert early.status_code == 409  # still in the lobby
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    wrong = answer(client, pin, 1, "a", player)
    assert wrong.status_code == 409 and wrong.get_json()["error"]["code"] == "wrong_question"


@pytest.mark.parametrize("body", [
    {"response": 42}, {"response": "zz"}, {"response": None}, {"response": ["a"]},
    {"response": "a", "confidence": "maybe"}, {"nothing": 1},
])
def test_malformed_answer_is_400_with_a_reason(client, host, start, body):
    pin = start()
    player = join(client, pin, "ada")
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    response = client.put(f"/api/v1/live/{pin}/answers/0", json=body, headers=player)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_unknown_player_token_is_401_and_unknown_pin_404(client, host, start):
    pin = start()
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    assert answer(client, pin, 0, "a", {"X-Player-Token": "nope"}).status_code == 401
    assert answer(client, pin, 0, "a", {}).status_code == 401
    other = "100000" if pin != "100000" else "100001"
    assert client.get(f"/api/v1/live/{other}/state").status_code == 404
    assert client.get("/api/v1/live/abc/state").status_code == 404


def test_reload_with_the_same_token_keeps_identity_and_score(app, client, host, start):
    pin = start()
    player = join(client, pin, "ada")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    answer(client, pin, 0, key_of(app, state["question"]["id"]), player)
    client.post(f"/api/v1/live/{pin}/reveal", headers=host)
    me = client.get(f"/api/v1/live/{pin}/me", headers=player).get_json()
    assert (me["nickname"], me["score"], me["rank"]) == ("ada", 1000, 1)
    assert me["answer"]["correct"] is True


def test_score_and_correctness_stay_hidden_while_the_question_is_open(app, client, host,
                                                                      start):
    pin = start()
    player = join(client, pin, "ada")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    answer(client, pin, 0, key_of(app, state["question"]["id"]), player)
    me = client.get(f"/api/v1/live/{pin}/me", headers=player).get_json()
    assert me["score"] == 0 and me["rank"] is None and "correct" not in me["answer"]


@pytest.mark.parametrize(("nickname", "status"), [
    ("", 400), ("   ", 400), ("x" * 21, 400), ("bell\x07", 400), ("evil\u202egnp", 400),
    ("zero\u200bwidth", 400), ("line\nbreak", 400), (42, 400),
])
def test_bad_nicknames_are_refused_with_a_reason(client, start, nickname, status):
    pin = start()
    response = client.post(f"/api/v1/live/{pin}/players", json={"nickname": nickname})
    assert response.status_code == status
    assert response.get_json()["error"]["fields"]["nickname"]


def test_nickname_is_trimmed_and_unique_case_insensitively(client, start):
    pin = start()
    first = client.post(f"/api/v1/live/{pin}/players", json={"nickname": "  Anna   Lee "})
    assert first.get_json()["nickname"] == "Anna Lee"
    clash = client.post(f"/api/v1/live/{pin}/players", json={"nickname": "anna lee"})
    assert clash.status_code == 409
    assert "already taken" in clash.get_json()["error"]["message"]
    wide = client.post(f"/api/v1/live/{pin}/players", json={"nickname": "ＡＮＮＡ ＬＥＥ"})
    assert wide.status_code == 409


def test_non_host_instructor_and_students_cannot_control_or_see_results(
        client, host, start, api_token):
    pin = start()
    other = api_token("host2", "instructor")
    student = api_token("stu", "student")
    for path, method in (("advance", "post"), ("reveal", "post"), ("end", "post"),
                         ("results", "get"), ("export", "get")):
        url = f"/api/v1/live/{pin}/{path}"
        assert getattr(client, method)(url, headers=other).status_code == 403, path
        assert getattr(client, method)(url, headers=student).status_code == 403, path
        assert getattr(client, method)(url).status_code == 401, path
    assert client.post(f"/api/v1/live/{pin}/kick", json={"nickname": "x"},
                       headers=other).status_code == 403
    assert client.post("/api/v1/live", json={"count": 3}, headers=student).status_code == 403
    assert client.get(f"/api/v1/live/{pin}/state").get_json()["phase"] == "lobby"


def test_ending_early_refuses_answers_and_joins(app, client, host, start):
    pin = start()
    player = join(client, pin, "ada")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    ended = client.post(f"/api/v1/live/{pin}/end", headers=host).get_json()
    assert ended["phase"] == "finished"
    assert client.post(f"/api/v1/live/{pin}/end", headers=host).status_code == 200
    refused = answer(client, pin, 0, key_of(app, state["question"]["id"]), player)
    assert refused.status_code == 409
    late_join = client.post(f"/api/v1/live/{pin}/players", json={"nickname": "bo"})
    assert late_join.status_code == 409
    assert client.post(f"/api/v1/live/{pin}/advance", headers=host).status_code == 409


def test_advance_with_a_stale_index_does_not_skip_a_question(client, host, start):
    pin = start()
    client.post(f"/api/v1/live/{pin}/advance", json={"from_index": -1}, headers=host)
    twice = client.post(f"/api/v1/live/{pin}/advance", json={"from_index": -1}, headers=host)
    assert twice.status_code == 409
    assert client.get(f"/api/v1/live/{pin}/state").get_json()["question_index"] == 0


def test_warm_up_from_a_list_of_question_ids_keeps_their_order(app, client, host):
    with app.app_context():
        ids = list(db.session.scalars(db.select(Question.id).order_by(Question.id.desc())
                                      .limit(3)))
    response = client.post("/api/v1/live", json={"question_ids": ids}, headers=host)
    assert response.status_code == 201
    pin = response.get_json()["pin"]
    seen = []
    for _ in ids:
        seen.append(client.post(f"/api/v1/live/{pin}/advance",
                                headers=host).get_json()["question"]["id"])
    assert seen == ids


@pytest.mark.parametrize("body", [
    {}, {"count": 0}, {"count": 3, "seconds_per_question": 2},
    {"count": 3, "seconds_per_question": "20"}, {"count": 3, "topics": ["nope"]},
    {"question_ids": [999999]}, {"question_ids": "1,2"}, {"question_ids": True},
    {"count": 3, "speed_bonus": "yes"},
])
def test_bad_warm_up_options_are_400_naming_the_field(client, host, body):
    response = client.post("/api/v1/live", json=body, headers=host)
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]


def test_create_returns_pin_and_join_url(client, host):
    response = client.post("/api/v1/live", json={"count": 2}, headers=host)
    body = response.get_json()
    assert response.status_code == 201
    assert len(body["pin"]) == 6 and body["pin"].isdigit()
    assert body["join_url"].endswith(f"/join?pin={body['pin']}")


def test_logged_in_students_answers_feed_their_review(app, client, host, start, api_token):
    pin = start()
    student = api_token("stu", "student")
    player = join(client, pin, "stu", headers=student)
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    answer(client, pin, 0, key_of(app, state["question"]["id"]), player)
    progress = client.get("/api/v1/progress", headers=student).get_json()
    seen = [f for f in progress["facts"] if f["seen"]]
    assert seen and seen[0]["correct"] == 1 and seen[0]["due"]


def test_logged_in_student_rejoining_gets_the_same_player(client, start, api_token):
    pin = start()
    student = api_token("stu", "student")
    join(client, pin, "stu", headers=student)
    again = client.post(f"/api/v1/live/{pin}/players", json={"nickname": "other"},
                        headers=student)
    assert again.status_code == 201 and again.get_json()["nickname"] == "stu"


def test_speed_bonus_and_confidence_change_the_points(app, client, host, start):
    pin = start(speed_bonus=True, confidence=True)
    sure, unsure, wrong = (join(client, pin, n) for n in ("sure", "unsure", "wrong"))
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    assert state["confidence"] is True and state["speed_bonus"] is True
    key = key_of(app, state["question"]["id"])
    set_deadline(app, pin, timedelta(seconds=10))  # half of the 20 s left
    answer(client, pin, 0, key, sure, confidence="sure")
    answer(client, pin, 0, key, unsure, confidence="unsure")
    answer(client, pin, 0, wrong_choice(state, key), wrong, confidence="sure")
    scores = {p["nickname"]: p["score"] for p in client.get(
        f"/api/v1/live/{pin}/results", headers=host).get_json()["players"]}
    assert scores["wrong"] == -250
    assert 1000 < scores["unsure"] <= 1250 < scores["sure"] <= 1875


def test_csv_export_neutralises_formulas(client, host, start):
    pin = start()
    join(client, pin, "=HYPERLINK(1)")
    join(client, pin, "@SUM(A1)")
    join(client, pin, "plain")
    response = client.get(f"/api/v1/live/{pin}/export?format=csv", headers=host)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    names = {row[1] for row in rows[1:]}
    assert names == {"'=HYPERLINK(1)", "'@SUM(A1)", "plain"}
    assert client.get(f"/api/v1/live/{pin}/export?format=xls", headers=host).status_code == 400


def test_every_live_endpoint_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    expected = {"/api/v1/live": "post", "/api/v1/live/{pin}/advance": "post",
                "/api/v1/live/{pin}/players": "post", "/api/v1/live/{pin}/state": "get",
                "/api/v1/live/{pin}/answers/{question_index}": "put",
                "/api/v1/live/{pin}/results": "get", "/api/v1/live/{pin}/end": "post",
                "/api/v1/live/{pin}/kick": "post", "/api/v1/live/{pin}/reveal": "post",
                "/api/v1/live/{pin}/me": "get", "/api/v1/live/{pin}/export": "get"}
    for path, method in expected.items():
        assert method in paths[path], path


def test_simultaneous_answers_are_each_stored_exactly_once(app, client, host, start):
    pin = start()
    players = [join(client, pin, f"p{i}") for i in range(30)]
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    key = key_of(app, state["question"]["id"])
    other = wrong_choice(state, key)
    # Every player sends twice at the same instant; the first five change their mind.
    sends = [(i, player, key) for i, player in enumerate(players)]
    sends += [(i, player, other if i < 5 else key) for i, player in enumerate(players)]
    barrier = threading.Barrier(len(sends))
    statuses: dict[int, list[int]] = {}

    def send(i, player, response):
        phone = app.test_client()
        barrier.wait()
        reply = phone.put(f"/api/v1/live/{pin}/answers/0", json={"response": response},
                          headers=player)
        statuses.setdefault(i, []).append(reply.status_code)

    threads = [threading.Thread(target=send, args=s) for s in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(sorted(codes) == [200, 200] for i, codes in statuses.items() if i >= 5)
    assert all(sorted(codes) == [200, 409] for i, codes in statuses.items() if i < 5)
    results = client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()
    assert results["answer_count"] == 30
    assert sum(p["score"] for p in results["players"]) == sum(
        1000 for p in results["players"] if p["correct"])


def test_a_failed_batch_refuses_every_answer_in_it(app, client, host, start, monkeypatch):
    from quizapp.services import live

    pin = start()
    player = join(client, pin, "ada")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()

    def broken(conn, batch):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(live.answers, "_store", broken)
    key = key_of(app, state["question"]["id"])
    reply = answer(client, pin, 0, key, player)
    assert reply.status_code == 503 and "send it again" in reply.get_json()["error"]["message"]
    monkeypatch.undo()
    assert client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()[
        "answer_count"] == 0
    assert answer(client, pin, 0, key, player).status_code == 200


def test_players_learn_their_rank_with_shared_places_after_the_reveal(app, client, host,
                                                                      start):
    pin = start()
    players = {name: join(client, pin, name) for name in ("ada", "bo", "cy")}
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    key = key_of(app, state["question"]["id"])
    answer(client, pin, 0, key, players["ada"])
    answer(client, pin, 0, key, players["bo"])
    answer(client, pin, 0, wrong_choice(state, key), players["cy"])
    client.post(f"/api/v1/live/{pin}/reveal", headers=host)
    ranks = {name: client.get(f"/api/v1/live/{pin}/me", headers=player).get_json()
             for name, player in players.items()}
    assert {name: me["rank"] for name, me in ranks.items()} == {"ada": 1, "bo": 1, "cy": 3}
    assert {me["players"] for me in ranks.values()} == {3}
    assert ranks["cy"]["answer"]["correct"] is False and ranks["cy"]["score"] == 0


def _junk(rng, depth=0):
    """A random JSON value, nested a little."""
    kind = rng.randrange(8 if depth < 2 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, 1.5, float(rng.randrange(10))])
    if kind == 3:
        return rng.choice(["", "a", "e1", "l1", "\x00", "<script>", "x" * 400, "🙂"])
    if kind == 4:
        return "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(30)))
    if kind == 5:
        return [_junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {str(_junk(rng, depth + 1))[:10]: _junk(rng, depth + 1)
            for _ in range(rng.randrange(4))}


def test_fuzzed_live_requests_never_fail_with_a_server_error(client, host, start):
    import random

    pin = start(types=None)
    player = join(client, pin, "ada")
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    rng = random.Random(5)
    for _ in range(150):
        body = rng.choice([{"response": _junk(rng), "confidence": _junk(rng)},
                           {"response": _junk(rng)}, _junk(rng)])
        index = rng.choice(["0", "1", "-1", "99999999999999999999", "x"])
        token = rng.choice([player["X-Player-Token"], "", "x" * 300, "\u00e9"])
        calls = [
            client.put(f"/api/v1/live/{pin}/answers/{index}", json=body,
                       headers={"X-Player-Token": token}),
            client.post(f"/api/v1/live/{pin}/players", json=body),
            client.post("/api/v1/live", json=body, headers=host),
            client.post(f"/api/v1/live/{pin}/kick", json=body, headers=host),
            client.post(f"/api/v1/live/{pin}/advance", json=body, headers=host),
            client.get(f"/api/v1/live/{str(_junk(rng))[:8]}/state"),
        ]
        for reply in calls:
            assert reply.status_code < 500, (reply.request.path, body, reply.get_json())
            if reply.status_code >= 400 and reply.status_code != 404:
                assert reply.get_json()["error"]["message"]


def _answer_exchanges(client, pin: str, index: int, player: dict, key: str, wrong: str):
    """The answer requests a phone can send, and what came back (status, JSON, headers)."""
    sent = [(player, {"response": key}), (player, {"response": key}),
            (player, {"response": wrong}), ({"X-Player-Token": "nope"}, {"response": key}),
            (player, {"response": key, "confidence": "maybe"}),
            (player, {"response": "zz-not-a-choice"})]
    out = []
    for headers, body in sent:
        response = client.put(f"/api/v1/live/{pin}/answers/{index}", json=body,
                              headers=headers)
        out.append((response.status_code, response.get_json(), response.content_type,
                    {name: response.headers.get(name) for name in (
                        "Content-Security-Policy", "X-Content-Type-Options",
                        "X-Frame-Options", "Referrer-Policy")}))
    missing_pin = client.put("/api/v1/live/999999/answers/0", json={"response": key},
                             headers=player)
    out.append((missing_pin.status_code, missing_pin.get_json(), missing_pin.content_type, {}))
    return out


def test_answers_fast_path_replies_exactly_as_the_flask_view(app, client, host, start,
                                                              monkeypatch):
    """Answers skip Flask (see live/fastpath.py); phones must not see any difference."""
    pin = start()
    fast_player, flask_player = join(client, pin, "fast"), join(client, pin, "slow")
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    key = key_of(app, state["question"]["id"])
    wrong = wrong_choice(state, key)
    view = app.view_functions["api.answer_live"]
    calls = []
    monkeypatch.setitem(app.view_functions, "api.answer_live",
                        lambda **kw: calls.append(kw) or view(**kw))

    fast = _answer_exchanges(client, pin, 0, fast_player, key, wrong)
    # Well-formed answers are served before Flask; an unknown PIN goes on to Flask, which
    # counts it against the client (PIN guessing).
    assert all(call["pin"] != pin for call in calls), "answers are served before Flask"
    calls.clear()
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app.wsgi_app)  # Flask alone
    slow = _answer_exchanges(client, pin, 0, flask_player, key, wrong)
    assert len(calls) == len(slow)

    assert [r[0] for r in fast] == [200, 200, 409, 401, 400, 400, 404]
    assert fast == slow
    results = client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()
    assert results["answer_count"] == 2


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b'{"response": "a"}'), ("application/json", b"{not json"),
    ("application/json", b'["a"]'), ("application/json", b""),
])
def test_answers_the_fast_path_cannot_read_get_flasks_reason(client, host, start,
                                                               content_type, body):
    pin = start()
    player = join(client, pin, "ada")
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    response = client.put(f"/api/v1/live/{pin}/answers/0", data=body,
                          headers={**player, "Content-Type": content_type})
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]["message"]


def test_answers_fast_path_hands_failures_to_flask_with_a_fresh_session(
        app, client, host, start, monkeypatch):
    """A failure inside the fast path that leaves its session broken (a failed flush) is
    retried by Flask in a session of its own: the answer is stored once, no 500."""
    from quizapp.models import LivePlayer
    from quizapp.services import live

    pin = start()
    player = join(client, pin, "ada")
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    real, calls = live.submit_answer, []

    def fails_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            db.session.add(LivePlayer(game_id=None, nickname="x", nickname_key="x",
                                      token_hash="x"))
            db.session.flush()  # IntegrityError: the session now needs a rollback
        return real(*args, **kwargs)

    monkeypatch.setattr(live, "submit_answer", fails_once)
    response = answer(client, pin, 0, "a", player)
    assert response.status_code == 200, response.get_json()
    assert len(calls) == 2  # the fast path, then Flask
    results = client.get(f"/api/v1/live/{pin}/results", headers=host).get_json()
    assert results["answer_count"] == 1


@pytest.mark.parametrize("template, status", [
    ("/api/v1/live/ab/cde/answers/0", 404),      # no such route
    ("/api/v1/live/{pin}x/answers/0", 404),      # not a PIN
    ("/api/v1/live/{pin}/answers/99999", 401),   # index too long for the fast path
])
def test_answers_the_fast_path_does_not_own_go_to_flask(client, host, start, template,
                                                         status):
    pin = start()
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    response = client.put(template.format(pin=pin), json={"response": "a"},
                          headers={"X-Player-Token": "unknown"})
    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_an_answer_over_the_size_limit_is_413_from_flask(client, host, start):
    pin = start()
    player = join(client, pin, "ada")
    client.post(f"/api/v1/live/{pin}/advance", headers=host)
    response = client.put(f"/api/v1/live/{pin}/answers/0", json={"response": "a" * 600_000},
                          headers=player)
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == "That request is too large."
