"""Warm-up services: PINs, nicknames, the state cache, histograms, scoring by the clock."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import event

from quizapp.domain.exports import csv_cell
from quizapp.domain.live import ranked
from quizapp.domain.scoring import live_points
from quizapp.errors import ServiceError
from quizapp.extensions import db
from quizapp.models import LiveGame, LivePhase, Question, Role, User, utcnow
from quizapp.services import live


class ScriptedRandom(random.Random):
    """Hands out the given numbers in turn."""

    def __init__(self, numbers):
        super().__init__(0)
        self._numbers = iter(numbers)

    def randrange(self, *args, **kwargs):
        return next(self._numbers)


def test_new_pin_skips_pins_of_unfinished_games():
    pin = live.new_pin({"123456", "222222"}, ScriptedRandom([123456, 222222, 654321]))
    assert pin == "654321"


def test_pin_is_unique_among_unfinished_games_only(app, make_user):
    host = make_user("host1", "instructor")
    with app.app_context():
        user = db.session.get(User, host.id)
        first = live.create_game(user, count=2)
        db.session.commit()
        taken = first.pin
        assert taken in live.games._unfinished_pins()
        live.end_game(user, utcnow(), game_id=first.id)
        db.session.commit()
        assert taken not in live.games._unfinished_pins()


@pytest.mark.parametrize(("raw", "clean"), [
    ("  Ada  ", "Ada"), ("Ada   Lovelace", "Ada Lovelace"), ("Zoë", "Zoë"),
    ("👩‍🚀 astro", "👩‍🚀 astro"), ("x" * 20, "x" * 20), ("<b>hi</b>", "<b>hi</b>"),
])
def test_clean_nickname_trims_and_keeps_what_people_type(raw, clean):
    assert live.clean_nickname(raw) == clean


@pytest.mark.parametrize("raw", ["", " \t ", "x" * 21, "tab\there", "nul\x00", "rlo\u202e",
                                 "zw\u200bsp", "del\x7f", None, 3])
def test_clean_nickname_refuses_empty_long_and_invisible(raw):
    with pytest.raises(ServiceError) as err:
        live.clean_nickname(raw)
    assert err.value.status == 400 and err.value.fields["nickname"]


def test_nickname_key_folds_case_and_width_and_fits_the_column():
    assert live.nickname_key("ANNA") == live.nickname_key("anna") == live.nickname_key("Ａｎｎａ")
    long_key = live.nickname_key("ß" * 20)  # folds to 40 characters
    assert len(long_key) <= 24 and long_key == live.nickname_key("SS" * 20)


def test_histogram_counts_choices_and_marks_the_key():
    payload = {"type": "multi", "answer": ["a", "c"],
               "choices": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"},
                           {"id": "c", "text": "C"}]}
    bars = live.histogram(payload, [(["a", "c"], True), (["a", "b"], False), (["c"], False)])
    assert [(b["id"], b["count"], b["correct"]) for b in bars] == [
        ("a", 2, True), ("b", 1, False), ("c", 2, True)]


def test_histogram_of_typed_answers_never_shows_the_text():
    payload = {"type": "short", "answer": "2014", "accepted": ["2014"]}
    bars = live.histogram(payload, [("2014", True), ("rude words", False)])
    assert [(b["label"], b["count"]) for b in bars] == [("Right", 1), ("Wrong", 1)]


def test_histogram_of_ordering_separates_partly_right():
    payload = {"type": "ordering", "answer": ["e1", "e2", "e3"],
               "items": [{"id": f"e{i}", "text": str(i)} for i in (1, 2, 3)]}
    bars = live.histogram(payload, [(["e1", "e2", "e3"], True), (["e1", "e3", "e2"], False),
                                    (["e3", "e1", "e2"], False)])
    assert [(b["id"], b["count"]) for b in bars] == [("right", 1), ("partly", 1), ("wrong", 1)]


def test_true_false_histogram_has_two_bars():
    bars = live.histogram({"type": "true_false", "answer": False},
                          [(True, False), (False, True), (False, True)])
    assert [(b["label"], b["count"], b["correct"]) for b in bars] == [
        ("True", 1, False), ("False", 2, True)]


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("|cmd", "'|cmd"), ("%1", "'%1"), ("\nx", "'\nx"), ("Ada", "Ada"),
    (-250.0, "-250"),
])
def test_csv_cell_neutralises_formula_text_only(value, safe):
    assert csv_cell(value) == safe


def test_ranking_shares_places_on_equal_scores():
    places = ranked([("a", 30), ("b", 20), ("c", 20), ("d", 10)])
    assert [(rank, item) for rank, item, _ in places] == [(1, "a"), (2, "b"), (2, "c"),
                                                         (4, "d")]


def test_highlight_marks_the_key_in_the_quote():
    parts = live.highlight("Japan opened its Mission to NATO in 2018.", "2018")
    assert ("2018", True) in parts and "".join(t for t, _ in parts).endswith("2018.")


@pytest.mark.parametrize(("correct", "credit", "left", "bonus", "confidence", "points"), [
    (True, 1.0, 20, False, None, 1000),
    (True, 1.0, 20, True, None, 1500),
    (True, 1.0, 10, True, None, 1250),
    (True, 1.0, 0, True, None, 1000),
    (False, 0.0, 20, True, None, 0),
    (False, 0.5, 20, True, None, 500),
    (True, 1.0, 20, False, "sure", 1500),
    (True, 1.0, 20, False, "unsure", 1000),
    (False, 0.0, 20, False, "sure", -250),
    (False, 0.0, 20, False, "unsure", 0),
])
def test_live_points_put_accuracy_first(correct, credit, left, bonus, confidence, points):
    assert live_points(correct, credit, seconds_left=left, seconds_total=20,
                       speed_bonus=bonus, confidence=confidence) == points


def test_a_slow_right_answer_beats_a_fast_wrong_one():
    slow_right = live_points(True, 1.0, seconds_left=0.1, seconds_total=20, speed_bonus=True,
                             confidence=None)
    fast_wrong = live_points(False, 0.0, seconds_left=19.9, seconds_total=20,
                             speed_bonus=True, confidence=None)
    assert slow_right > fast_wrong


@pytest.fixture
def game_at_question(app, make_user, create_game):
    """A game with one player, its first question open; returns (pin, token, start)."""
    host = make_user("host1", "instructor")
    game = create_game(host, count=2, types=["mcq"])
    with app.app_context():
        user = db.session.get(User, host.id)
        pin = game.pin
        _player, token = live.join(pin, "ada")
        db.session.commit()
        start = utcnow()
        live.advance(user, start, game_id=game.id)
        db.session.commit()
        return pin, token, start


def test_server_clock_decides_what_is_late(app, game_at_question):
    pin, token, start = game_at_question
    with app.app_context():
        game = live.game_for_pin(pin)
        key = db.session.get(Question, game.question_ids[0]).payload["answer"]
        with pytest.raises(ServiceError) as err:
            live.submit_answer(pin, token, 0, key, None, start + timedelta(seconds=20))
        assert err.value.status == 409
        db.session.rollback()
        receipt = live.submit_answer(pin, token, 0, key, None,
                                     start + timedelta(seconds=19, milliseconds=999))
        db.session.commit()
        assert receipt.created


def test_phase_is_derived_from_the_deadline_when_read(app, game_at_question):
    pin, _token, start = game_at_question
    with app.app_context():
        game = live.game_for_pin(pin)
        assert live.effective_phase(game, start + timedelta(seconds=19)) is LivePhase.QUESTION
        assert live.effective_phase(game, start + timedelta(seconds=20)) is LivePhase.REVEAL
        assert game.phase is LivePhase.QUESTION  # nothing was written


def test_state_cache_serves_a_thousand_polls_with_one_query(app, game_at_question):
    pin, _token, start = game_at_question
    statements = []
    with app.app_context():
        app.extensions.pop("quizapp.live", None)
        event.listen(db.engine, "before_cursor_execute",
                     lambda *args: statements.append(args[2]))
        for i in range(1000):
            live.public_state(pin, start + timedelta(milliseconds=i // 10))
        assert len(statements) <= 3  # the game, and the question once


def test_state_cache_never_outlives_the_deadline(app, game_at_question):
    pin, _token, start = game_at_question
    with app.app_context():
        state, etag = live.public_state(pin, start + timedelta(seconds=19, milliseconds=900))
        assert state["phase"] == "question"
        later, later_etag = live.public_state(pin, start + timedelta(seconds=20))
        assert later["phase"] == "reveal" and later_etag != etag


def test_publish_forgets_the_cached_state(app, game_at_question, make_user):
    pin, _token, start = game_at_question
    with app.app_context():
        before, _ = live.public_state(pin, start)
        game = db.session.scalar(db.select(LiveGame).where(LiveGame.pin == pin))
        host = db.session.get(User, game.host_id)
        live.advance(host, start, game_id=game.id)
        db.session.commit()
        live.publish(pin)
        after, _ = live.public_state(pin, start)
        assert (before["question_index"], after["question_index"]) == (0, 1)


def test_only_instructors_create_games(app, make_user):
    student = make_user("stu", "student")
    with app.app_context():
        user = db.session.get(User, student.id)
        assert user.role is Role.STUDENT
        with pytest.raises(ServiceError) as err:
            live.create_game(user, count=2)
        assert err.value.status == 403


def test_points_use_the_time_left_on_the_server_clock(app, make_user):
    host = make_user("host1", "instructor")
    with app.app_context():
        user = db.session.get(User, host.id)
        game = live.create_game(user, count=1, types=["mcq"], speed_bonus=True,
                                confidence=True)
        db.session.commit()
        pin, game_id = game.pin, game.id
        tokens = {name: live.join(pin, name)[1] for name in ("fast", "slow", "rash")}
        db.session.commit()
        start = utcnow()
        live.advance(user, start, game_id=game_id)
        db.session.commit()
        key = db.session.get(Question, game.question_ids[0]).payload["answer"]
        wrong = "a" if key != "a" else "b"
        live.submit_answer(pin, tokens["fast"], 0, key, "sure", start)
        live.submit_answer(pin, tokens["slow"], 0, key, "unsure", start + timedelta(seconds=15))
        live.submit_answer(pin, tokens["rash"], 0, wrong, "sure", start + timedelta(seconds=1))
        db.session.commit()
        scores = {p["nickname"]: p["score"] for p in live.results(game)["players"]}
        assert scores == {"fast": 2250, "slow": 1125, "rash": -250}


def test_a_change_published_by_one_worker_reaches_the_others_at_once(app, app_config,
                                                                    game_at_question):
    from quizapp import create_app

    pin, _token, start = game_at_question
    other = create_app(app_config)  # a second gunicorn worker on the same database
    try:
        with app.app_context():
            before, _ = live.public_state(pin, start)
        with other.app_context():
            game = live.game_for_pin(pin)
            live.advance(db.session.get(User, game.host_id), start, game_id=game.id)
            db.session.commit()
            live.publish(pin)
        with app.app_context():
            after, _ = live.public_state(pin, start)  # the same instant: no expiry helped
        assert after["question_index"] == before["question_index"] + 1
    finally:
        with other.app_context():
            db.engine.dispose()


def test_cached_polls_are_answered_before_flask_with_the_same_response(app, game_at_question):
    pin, _token, _start = game_at_question
    app.config["LIVE_STATE_CACHE"] = 60  # nothing expires during the test
    seen = []
    app.before_request(lambda: seen.append(1))
    client = app.test_client()
    first = client.get(f"/api/v1/live/{pin}/state")
    assert len(seen) == 1  # a miss: Flask answered and filled the cache
    second = client.get(f"/api/v1/live/{pin}/state")
    assert len(seen) == 1  # a hit: answered from the cache
    assert second.get_json() == {**first.get_json(), "server_time": second.get_json()[
        "server_time"]}
    # Every header Flask sends (security headers included) is sent the same way.
    def headers(reply):
        return {k: v for k, v in reply.headers.items() if k != "Content-Length"}

    assert headers(second) == headers(first)
    again = client.get(f"/api/v1/live/{pin}/state",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and len(seen) == 1
