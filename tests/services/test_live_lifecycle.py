"""Warm-ups end: a lifetime for unfinished games, PINs unique among open games by the
database, and ``quizapp live prune`` for old ones."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp import create_app
from quizapp.cli import main
from quizapp.config import ConfigurationError
from quizapp.domain.live import parse_age
from quizapp.extensions import db
from quizapp.models import LiveAnswer, LiveGame, LivePhase, LivePlayer, User, utcnow
from quizapp.services import live


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """No state cache: these tests move games' clocks in the database."""
    return {**app_config, "LIVE_STATE_CACHE": 0}


@pytest.fixture
def host(api_token) -> dict[str, str]:
    """Bearer headers of the instructor hosting the warm-ups."""
    return api_token("host1", "instructor")


def start(client, host, **options) -> dict:
    response = client.post("/api/v1/live", json={"count": 2, "types": ["mcq"], **options},
                           headers=host)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def age_game(app, game_id: int, by: timedelta, **changes) -> None:
    """Move a game's creation (and end, if any) ``by`` into the past."""
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        game.created_at -= by
        if game.ended_at is not None:
            game.ended_at -= by
        for name, value in changes.items():
            setattr(game, name, value)
        db.session.commit()


# --------------------------------------------------------------------------- durations

@pytest.mark.parametrize(("raw", "seconds"), [
    ("30d", 30 * 86400), ("12h", 12 * 3600), ("2w", 14 * 86400), ("90m", 5400),
    ("45s", 45), (" 12H ", 12 * 3600), ("600", 600), (3600, 3600)])
def test_durations_read_with_their_unit(raw, seconds):
    assert parse_age(raw) == timedelta(seconds=seconds)


@pytest.mark.parametrize("raw", ["", "30", "d", "30x", "-1d", "1.5h", "0d", "d30", "30 days",
                                 None, True, 0, "9999999d"])
def test_bad_durations_are_refused_with_the_format(raw):
    if raw == "30":
        assert parse_age(raw) == timedelta(seconds=30)  # whole seconds, as from JSON env
        return
    with pytest.raises(ValueError, match="not a duration.*30d, 12h, 2w"):
        parse_age(raw)


def test_lifetime_comes_from_the_environment(app_config, monkeypatch):
    monkeypatch.setenv("QUIZAPP_LIVE_GAME_LIFETIME", "90m")
    config = {k: v for k, v in app_config.items() if k != "LIVE_GAME_LIFETIME"}
    assert create_app(config).config["LIVE_GAME_LIFETIME"] == timedelta(minutes=90)
    monkeypatch.setenv("QUIZAPP_LIVE_GAME_LIFETIME", "soon")
    with pytest.raises(ConfigurationError, match="QUIZAPP_LIVE_GAME_LIFETIME"):
        create_app(config)


def test_default_lifetime_is_twelve_hours(app):
    assert app.config["LIVE_GAME_LIFETIME"] == timedelta(hours=12)


# ------------------------------------------------------------------------------ expiry

def test_an_unfinished_game_past_its_lifetime_has_ended(app, client, host):
    game = start(client, host)
    pin = game["pin"]
    token = client.post(f"/api/v1/live/{pin}/players", json={"nickname": "Ada"}
                        ).get_json()["player_token"]
    assert client.post(f"/api/v1/live/{pin}/advance", headers=host).status_code == 200
    age_game(app, game["id"], timedelta(hours=12, minutes=1),
             deadline=utcnow() + timedelta(seconds=30))

    state = client.get(f"/api/v1/live/{pin}/state").get_json()
    assert state["phase"] == "finished" and state["expired"] is True
    refused = client.post(f"/api/v1/live/{pin}/players", json={"nickname": "Bo"})
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "expired" and "has ended" in error["message"] \
        and "12 hours" in error["message"]
    answer = client.put(f"/api/v1/live/{pin}/answers/0", json={"response": "a"},
                        headers={"X-Player-Token": token})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "expired"
    assert client.post(f"/api/v1/live/{pin}/advance", headers=host).status_code == 409
    me = client.get(f"/api/v1/live/{pin}/me", headers={"X-Player-Token": token}).get_json()
    assert me["phase"] == "finished"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 0


def test_the_join_page_of_an_expired_pin_says_it_ended(app, client, host):
    game = start(client, host)
    age_game(app, game["id"], timedelta(hours=13))
    page = client.get(f"/join?pin={game['pin']}")
    assert page.status_code == 200
    assert "This warm-up has ended" in page.data.decode()
    posted = client.post("/join", data={"pin": game["pin"], "nickname": "Ada"})
    assert posted.status_code == 409
    assert "This warm-up has ended" in posted.data.decode()


def test_a_game_within_its_lifetime_stays_open(app, client, host):
    game = start(client, host)
    age_game(app, game["id"], timedelta(hours=11, minutes=59))
    assert client.get(f"/api/v1/live/{game['pin']}/state").get_json()["phase"] == "lobby"
    assert "expired" not in client.get(f"/api/v1/live/{game['pin']}/state").get_json()
    assert client.post(f"/api/v1/live/{game['pin']}/players",
                       json={"nickname": "Ada"}).status_code == 201
    assert "has ended" not in client.get(f"/join?pin={game['pin']}").data.decode()


def test_a_shorter_lifetime_is_obeyed(app, client, host):
    app.config["LIVE_GAME_LIFETIME"] = timedelta(minutes=30)
    game = start(client, host)
    age_game(app, game["id"], timedelta(minutes=31))
    refused = client.post(f"/api/v1/live/{game['pin']}/players", json={"nickname": "Ada"})
    assert refused.status_code == 409 and "30 minutes" in refused.get_json()["error"]["message"]


# -------------------------------------------------------------------------------- PINs

def _game(host_id: int, pin: str, phase: LivePhase = LivePhase.LOBBY) -> LiveGame:
    return LiveGame(pin=pin, host_id=host_id, question_ids=[1], phase=phase,
                    question_index=-1, seconds_per_question=20, version=1)


def test_the_database_refuses_two_open_games_with_one_pin(app, make_user):
    owner = make_user("host1", "instructor")
    with app.app_context():
        db.session.add_all([_game(owner.id, "123456", LivePhase.FINISHED),
                            _game(owner.id, "123456", LivePhase.FINISHED),
                            _game(owner.id, "123456")])
        db.session.commit()  # finished games may share the PIN of an open one
        db.session.add(_game(owner.id, "123456", LivePhase.QUESTION))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


class ForcedPins:
    """``new_pin`` that hands out 123456 twice, then other PINs: a forced collision."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pins = itertools.chain(["123456", "123456"], (f"{n}" for n in range(222222, 999999,
                                                                                   111111)))
        self.calls = 0

    def __call__(self, taken, rng=None) -> str:
        with self.lock:
            self.calls += 1
            return next(self.pins)


def test_two_concurrent_creations_with_one_pin_cannot_both_be_open(app, make_user,
                                                                   monkeypatch):
    owner = make_user("host1", "instructor")
    forced = ForcedPins()
    monkeypatch.setattr(live.games, "new_pin", forced)
    barrier = threading.Barrier(2)
    made: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            with app.app_context():
                user = db.session.get(User, owner.id)
                barrier.wait(timeout=10)
                game = live.create_game(user, count=2)
                db.session.commit()
                made.append(game.pin)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(made) == 2 and "123456" in made and len(set(made)) == 2
    assert forced.calls == 3  # the second creation drew again after the IntegrityError
    with app.app_context():
        open_pins = db.session.scalars(select(LiveGame.pin).where(
            LiveGame.phase != LivePhase.FINISHED)).all()
        assert sorted(open_pins) == sorted(made)


def test_an_expired_game_frees_its_pin_for_a_new_game(app, client, host, monkeypatch):
    old = start(client, host)
    age_game(app, old["id"], timedelta(hours=13))
    monkeypatch.setattr(live.games, "new_pin", lambda taken, rng=None: old["pin"])
    new = start(client, host)
    assert new["pin"] == old["pin"]
    with app.app_context():
        ended = db.session.get(LiveGame, old["id"])
        assert ended.phase is LivePhase.FINISHED
        assert ended.ended_at == ended.created_at + timedelta(hours=12)
    assert client.get(f"/api/v1/live/{new['pin']}/state").get_json()["phase"] == "lobby"


# ------------------------------------------------------------------------------- prune

def _finished(app, client, host, *, ended_ago: timedelta, players: int = 2) -> dict:
    """A game played to the end (players, one answer each), then moved into the past."""
    game = start(client, host)
    pin = game["pin"]
    tokens = [client.post(f"/api/v1/live/{pin}/players", json={"nickname": f"P{i}"}
                          ).get_json()["player_token"] for i in range(players)]
    state = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    choice = state["question"]["choices"][0]["id"]
    for token in tokens:
        assert client.put(f"/api/v1/live/{pin}/answers/0", json={"response": choice},
                          headers={"X-Player-Token": token}).status_code == 200
    assert client.post(f"/api/v1/live/{pin}/end", headers=host).status_code == 200
    age_game(app, game["id"], ended_ago)
    return game


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (LiveGame, LivePlayer, LiveAnswer))


def test_prune_deletes_old_ended_games_with_players_and_answers_only(app, client, host,
                                                                     runner):
    old = _finished(app, client, host, ended_ago=timedelta(days=31))
    young = _finished(app, client, host, ended_ago=timedelta(days=29))
    expired = start(client, host)  # never ended: expired 12 h after it began
    age_game(app, expired["id"], timedelta(days=40))
    open_old = start(client, host)  # open, and young enough to stay open
    age_game(app, open_old["id"], timedelta(hours=11))
    assert _counts(app) == (4, 4, 4)

    result = runner.invoke(main, ["live", "prune", "--older-than", "30d"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 warm-ups" in result.output and "2 players and 2 answers" in result.output
    assert f"PIN {old['pin']}" in result.output and f"PIN {expired['pin']}" in result.output
    assert f"PIN {young['pin']}" not in result.output
    assert _counts(app) == (2, 2, 2)
    with app.app_context():
        left = {g.id: g.phase for g in db.session.scalars(select(LiveGame))}
    assert left == {young["id"]: LivePhase.FINISHED, open_old["id"]: LivePhase.LOBBY}

    again = runner.invoke(main, ["live", "prune", "--older-than", "30d"])
    assert again.exit_code == 0 and "nothing deleted" in again.output
    assert _counts(app) == (2, 2, 2)


@pytest.mark.parametrize(("age", "kept"), [("12h", 0), ("2w", 1), ("4w", 2)])
def test_prune_accepts_hours_and_weeks(app, client, host, runner, age, kept):
    _finished(app, client, host, ended_ago=timedelta(days=1))
    _finished(app, client, host, ended_ago=timedelta(days=20))
    result = runner.invoke(main, ["live", "prune", "--older-than", age])
    assert result.exit_code == 0, result.output
    assert _counts(app)[0] == kept


@pytest.mark.parametrize("bad", ["30", "30x", "thirty days", "-5d", ""])
def test_prune_refuses_a_bad_age_clearly_and_deletes_nothing(app, client, host, runner, bad):
    _finished(app, client, host, ended_ago=timedelta(days=100))
    result = runner.invoke(main, ["live", "prune", "--older-than", bad])
    if bad == "30":  # 30 seconds is a valid age
        assert result.exit_code == 0
        return
    assert result.exit_code == 2
    assert "Invalid value for --older-than" in result.output and "30d, 12h, 2w" in result.output
    assert _counts(app)[0] == 1


def test_prune_needs_an_age(runner):
    result = runner.invoke(main, ["live", "prune"])
    assert result.exit_code == 2 and "--older-than" in result.output


def test_the_hosts_list_marks_an_expired_game_ended(app, client, host, auth):
    game = start(client, host)
    age_game(app, game["id"], timedelta(hours=13))
    auth.login("host1")
    page = client.get("/live/").data.decode()
    assert "Ended (left open too long)" in page
    assert f'href="/live/games/{game["id"]}"' not in page  # no host screen link
