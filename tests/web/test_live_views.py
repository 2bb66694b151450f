"""Warm-up pages: the host's screen, joining by PIN, the phone's answers, results."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import LiveAnswer, LiveGame, LivePlayer, Question, utcnow
from quizapp.services import live

#: Script-running nicknames short enough to pass the 20-character limit.
XSS = ["<script>alert(1)//", "<img src onerror=a>", "<svg/onload=alert()>"]


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """No state cache: these tests change the game in the database behind its back."""
    return {**app_config, "LIVE_STATE_CACHE": 0}


@pytest.fixture
def host_client(app, make_user, auth, client):
    """The test client logged in as instructor ``host1``."""
    make_user("host1", "instructor")
    auth.login("host1")
    return client


def start_game(client, **form) -> int:
    data = {"count": "3", "seconds": "20", "types": ["mcq"], **form}
    response = client.post("/live/", data=data)
    assert response.status_code == 302, response.data.decode()[:500]
    return int(response.location.rstrip("/").split("/")[-1])


def text_of(html: str) -> str:
    """The page's text, as a reader would get it (tags dropped, spaces collapsed)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def pin_of(app, game_id: int) -> str:
    with app.app_context():
        return db.session.get(LiveGame, game_id).pin


def test_host_starts_a_warm_up_and_sees_pin_link_and_qr(app, host_client):
    page = host_client.get("/live/")
    assert page.status_code == 200 and b"Start a warm-up" in page.data
    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    screen = host_client.get(f"/live/games/{game_id}").data.decode()
    assert f"{pin[:3]}&nbsp;{pin[3:]}" in screen and "/join" in screen
    assert f'src="/live/games/{game_id}/qr.svg"' in screen
    qr = host_client.get(f"/live/games/{game_id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and qr.data.startswith(b"<svg")
    assert b"style=" not in qr.data


def test_a_warm_up_longer_than_the_bank_holds_cleanly_says_why_it_is_shorter(app,
                                                                            host_client):
    # 20 from the seed commentary alone would ask facts twice: the host is told.
    response = host_client.post("/live/", data={"count": "20", "seconds": "20"},
                                follow_redirects=True)
    assert "This warm-up has" in text_of(response.data.decode())
    with app.app_context():
        game = db.session.scalars(select(LiveGame)).one()
        assert 10 <= len(game.question_ids) < 20


def test_bad_start_options_show_form_errors(host_client):
    response = host_client.post("/live/", data={"count": "0", "seconds": "1"})
    assert response.status_code == 400
    assert b"Choose 1 to 50" in response.data and b"Choose 5 to 300 seconds" in response.data
    bad_ids = host_client.post("/live/", data={"seconds": "20", "question_ids": "99999"})
    assert bad_ids.status_code == 400 and b"Unknown or retired" in bad_ids.data


def test_students_cannot_open_host_pages(app, client, make_user, auth):
    make_user("stu", "student")
    auth.login("stu")
    assert client.get("/live/").status_code == 403
    assert client.post("/live/", data={"count": "3", "seconds": "20"}).status_code == 403


def test_another_instructor_cannot_run_or_read_my_game(app, host_client, make_user, auth):
    game_id = start_game(host_client)
    auth.logout()
    make_user("host2", "instructor")
    auth.login("host2")
    for url in (f"/live/games/{game_id}", f"/live/games/{game_id}/panel",
                f"/live/games/{game_id}/results", f"/live/games/{game_id}/results.csv",
                f"/live/games/{game_id}/qr.svg"):
        assert host_client.get(url).status_code == 403, url
    for action in ("advance", "reveal", "end", "kick"):
        assert host_client.post(f"/live/games/{game_id}/{action}").status_code == 403, action
    assert host_client.get("/live/games/999999").status_code == 404


def test_join_sets_an_http_only_cookie_and_opens_the_phone_page(app, host_client):
    pin = pin_of(app, start_game(host_client))
    phone = app.test_client()
    response = phone.post("/join", data={"pin": f"{pin[:3]} {pin[3:]}", "nickname": " Ada "})
    assert response.status_code == 302 and response.location.endswith(f"/live/{pin}/play")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"live_{pin}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    play = phone.get(f"/live/{pin}/play")
    assert play.status_code == 200 and b"Ada" in play.data
    assert b"live-play.js" in play.data


def test_joining_with_a_taken_nickname_says_so(app, host_client):
    pin = pin_of(app, start_game(host_client))
    app.test_client().post("/join", data={"pin": pin, "nickname": "Ada"})
    clash = app.test_client().post("/join", data={"pin": pin, "nickname": "ADA"})
    assert clash.status_code == 409
    assert "already taken in this warm-up" in clash.data.decode()


def test_joining_with_a_wrong_pin_says_so(app, client):
    response = client.post("/join", data={"pin": "000000", "nickname": "Ada"})
    assert response.status_code == 404 and b"No warm-up has that PIN" in response.data
    malformed = client.post("/join", data={"pin": "12ab", "nickname": "Ada"})
    assert malformed.status_code == 400 and b"6 digits" in malformed.data


def test_play_page_without_cookie_sends_to_join(app, host_client):
    pin = pin_of(app, start_game(host_client))
    response = app.test_client().get(f"/live/{pin}/play")
    assert response.status_code == 302 and f"/join?pin={pin}" in response.location


def _ada_at_the_first_question(app, host_client):
    """A game at its first question and a phone joined as Ada: (game id, PIN, phone, key)."""
    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    phone = app.test_client()
    phone.post("/join", data={"pin": pin, "nickname": "Ada"})
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        key = db.session.get(Question, game.question_ids[0]).payload["answer"]
    return game_id, pin, phone, key


def test_reload_rejoins_with_the_same_identity_and_score(app, host_client):
    game_id, pin, phone, key = _ada_at_the_first_question(app, host_client)
    assert phone.post(f"/live/{pin}/answers/0", json={"response": key}).status_code == 200
    host_client.post(f"/live/games/{game_id}/reveal")
    # The phone reloads, and opens the join link again: same player, same score.
    again = phone.get(f"/join?pin={pin}")
    assert again.status_code == 302 and again.location.endswith(f"/live/{pin}/play")
    me = phone.get(f"/live/{pin}/me").get_json()
    assert (me["nickname"], me["score"], me["answer"]["correct"]) == ("Ada", 1000, True)
    # A double-submitted join form does not make a second player.
    twice = phone.post("/join", data={"pin": pin, "nickname": "Ada"})
    assert twice.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LivePlayer.id))) == 1


def test_phone_answer_twice_counts_once_and_late_is_refused(app, host_client):
    game_id, pin, phone, key = _ada_at_the_first_question(app, host_client)
    first = phone.post(f"/live/{pin}/answers/0", json={"response": key})
    second = phone.post(f"/live/{pin}/answers/0", json={"response": key})
    assert (first.status_code, second.status_code) == (200, 200)
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "0"})
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        game.deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
    late = phone.post(f"/live/{pin}/answers/1", json={"response": "a"})
    assert late.status_code == 409 and "Time is up" in late.get_json()["error"]["message"]
    with app.app_context():
        assert live.results(db.session.get(LiveGame, game_id))["answer_count"] == 1


def test_phone_answer_needs_the_player_cookie(app, host_client):
    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    stranger = app.test_client().post(f"/live/{pin}/answers/0", json={"response": "a"})
    assert stranger.status_code == 401 and stranger.get_json()["error"]["message"]
    garbage = app.test_client().post(f"/live/{pin}/answers/0", data="not json")
    assert garbage.status_code == 400


def test_phone_answer_needs_a_csrf_token(csrf_app, make_user):
    # Built on the CSRF-protected app, as served.
    phone = csrf_app.test_client()
    with csrf_app.app_context():
        from quizapp.models import Role, User
        from quizapp.services import accounts

        accounts.create_user("host1", "correct horse battery", Role.INSTRUCTOR)
        db.session.commit()
        host = db.session.scalar(db.select(User).where(User.username == "host1"))
        game = live.create_game(host, count=2)
        db.session.commit()
        pin = game.pin
        _player, token = live.join(pin, "Ada")
        db.session.commit()
    phone.set_cookie(f"live_{pin}", token)
    response = phone.post(f"/live/{pin}/answers/0", json={"response": "a"},
                          headers={"Accept": "application/json"})
    assert response.status_code == 400  # refused before any answer logic runs
    # The page's script asked for JSON, so the refusal is JSON it can show.
    assert response.get_json()["error"]["code"] == "csrf"
    page = phone.get(f"/live/{pin}/play").data.decode()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    with_token = phone.post(f"/live/{pin}/answers/0", json={"response": "a"},
                            headers={"X-CSRFToken": csrf})
    assert with_token.status_code == 409  # past CSRF; still in the lobby


def test_xss_nicknames_are_shown_escaped_on_the_host_screen(app, host_client):
    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    for payload in XSS:
        joined = app.test_client().post("/join", data={"pin": pin, "nickname": payload})
        assert joined.status_code == 302, payload
    escaped = [p.replace("<", "&lt;").replace(">", "&gt;") for p in XSS]
    lobby = host_client.get(f"/live/games/{game_id}").data.decode()
    board = host_client.get(f"/live/games/{game_id}?view=leaderboard").data.decode()
    host_client.post(f"/live/games/{game_id}/end")
    podium = host_client.get(f"/live/games/{game_id}").data.decode()
    results = host_client.get(f"/live/games/{game_id}/results").data.decode()
    for html in (lobby, board, podium, results):
        assert not any(payload in html for payload in XSS)
    for html in (lobby, podium, results):
        assert all(text in html for text in escaped)


def test_host_runs_the_game_from_the_screen(app, host_client):
    game_id = start_game(host_client, count="2")
    pin = pin_of(app, game_id)
    phone = app.test_client()
    phone.post("/join", data={"pin": pin, "nickname": "Ada"})
    lobby = host_client.get(f"/live/games/{game_id}").data.decode()
    assert "1 player joined" in text_of(lobby) and "Ada" in lobby
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    question = host_client.get(f"/live/games/{game_id}").data.decode()
    assert 'role="timer"' in question and "Question 1" in question
    # A double click on "Start" must not skip the first question.
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    with app.app_context():
        assert db.session.get(LiveGame, game_id).question_index == 0
    host_client.post(f"/live/games/{game_id}/reveal")
    reveal = host_client.get(f"/live/games/{game_id}").data.decode()
    assert 'class="histogram"' in reveal and "From the commentary" in reveal
    board = host_client.get(f"/live/games/{game_id}?view=leaderboard").data.decode()
    assert "Leaderboard" in board and "Ada" in board
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "0"})
    host_client.post(f"/live/games/{game_id}/reveal")
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "1"})
    podium = host_client.get(f"/live/games/{game_id}").data.decode()
    assert "Podium" in podium and "Results and CSV export" in podium


def test_host_kicks_a_player_by_button_or_nickname(app, host_client):
    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    for name in ("Ada", "Bo"):
        app.test_client().post("/join", data={"pin": pin, "nickname": name})
    with app.app_context():
        ada = db.session.scalar(db.select(LivePlayer).where(LivePlayer.nickname == "Ada"))
    host_client.post(f"/live/games/{game_id}/kick", data={"player_id": str(ada.id)})
    host_client.post(f"/live/games/{game_id}/kick", data={"nickname": "bo"})
    missing = host_client.post(f"/live/games/{game_id}/kick", data={"nickname": "nobody"},
                               follow_redirects=True)
    assert b"No player has that nickname" in missing.data
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LivePlayer.id))
                                 .where(LivePlayer.kicked.is_(True))) == 2
    lobby = host_client.get(f"/live/games/{game_id}").data.decode()
    assert "0 players joined" in text_of(lobby)


def test_panel_answers_304_while_nothing_changes(app, host_client):
    game_id = start_game(host_client)
    first = host_client.get(f"/live/games/{game_id}/panel")
    etag = first.headers["ETag"]
    same = host_client.get(f"/live/games/{game_id}/panel", headers={"If-None-Match": etag})
    assert same.status_code == 304
    app.test_client().post("/join", data={"pin": pin_of(app, game_id), "nickname": "Ada"})
    changed = host_client.get(f"/live/games/{game_id}/panel", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Ada" in changed.data


def test_the_host_page_carries_its_panels_etag_so_the_first_poll_swaps_nothing(app,
                                                                              host_client):
    # Under load, the first poll replaced an unchanged panel while the host clicked in it.
    game_id = start_game(host_client)
    page = host_client.get(f"/live/games/{game_id}").get_data(as_text=True)
    tag = re.search(r'data-panel-etag="([0-9a-f]+)"', page).group(1)
    poll = host_client.get(f"/live/games/{game_id}/panel", headers={"If-None-Match": f'"{tag}"'})
    assert poll.status_code == 304


def test_results_page_and_formula_safe_csv(app, host_client):
    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    app.test_client().post("/join", data={"pin": pin, "nickname": "=cmd|' /C calc'!A0"})
    host_client.post(f"/live/games/{game_id}/end")
    page = host_client.get(f"/live/games/{game_id}/results")
    assert page.status_code == 200 and b"Download CSV" in page.data
    export = host_client.get(f"/live/games/{game_id}/results.csv")
    assert export.mimetype == "text/csv" and "attachment" in export.headers[
        "Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.data.decode())))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_host_screen_uses_no_inline_script_or_style(app, host_client):
    game_id = start_game(host_client)
    html = host_client.get(f"/live/games/{game_id}").data.decode()
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_logged_in_students_warm_up_answers_feed_their_review(app, host_client, make_user):
    from quizapp.models import FactProgress

    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    student = make_user("stu", "student")
    phone = app.test_client()
    phone.post("/login", data={"username": "stu", "password": "correct horse battery"})
    phone.post("/join", data={"pin": pin, "nickname": "Stu"})
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        question = db.session.get(Question, game.question_ids[0])
        key, facts = question.payload["answer"], list(question.fact_ids)
    assert phone.post(f"/live/{pin}/answers/0", json={"response": key}).status_code == 200
    with app.app_context():
        progress = db.session.scalars(db.select(FactProgress).where(
            FactProgress.user_id == student.id)).all()
        assert {p.fact_id for p in progress} == set(facts)
        assert all(p.correct == 1 and p.due is not None for p in progress)


@pytest.mark.parametrize(("action", "field"), [("advance", "from_index"), ("kick", "player_id")])
@pytest.mark.parametrize("value", ["²", "٣", "1e3", "-", "99999999999999999999"])
def test_odd_numbers_in_host_forms_are_refused_cleanly(app, host_client, action, field, value):
    game_id = start_game(host_client)
    response = host_client.post(f"/live/games/{game_id}/{action}", data={field: value})
    # advance: the form is refused (400), so no guard-less advance happens; kick: no player
    # has that id or an empty nickname, so it flashes and goes back to the screen (302).
    assert response.status_code == (400 if action == "advance" else 302)
    with app.app_context():
        assert db.session.get(LiveGame, game_id).question_index == -1


@pytest.mark.parametrize("data", [{}, {"from_index": ""}, {"from_index": "²"}])
def test_advance_without_an_ascii_from_index_keeps_the_double_click_guard(app, host_client,
                                                                          data):
    game_id = start_game(host_client)
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    # A second click whose index is missing or not ASCII digits must not skip question 1.
    assert host_client.post(f"/live/games/{game_id}/advance", data=data).status_code == 400
    with app.app_context():
        assert db.session.get(LiveGame, game_id).question_index == 0


# ------------------------------------------- what new hosts tripped over (issue 15, item 4)

def _players(app, game_id: int, scores: dict[str, float]) -> None:
    """Join the players and give them these scores."""
    pin = pin_of(app, game_id)
    for name in scores:
        app.test_client().post("/join", data={"pin": pin, "nickname": name})
    with app.app_context():
        for player in db.session.scalars(db.select(LivePlayer).where(
                LivePlayer.game_id == game_id)):
            player.score = scores[player.nickname]
        db.session.commit()


def _podium(html: str) -> dict[str, tuple[str, str]]:
    """Nickname -> (block class, number on the block)."""
    return {name: (place, rank) for place, name, rank in re.findall(
        r'class="podium-place (podium-\d)">\s*<span class="podium-name">([^<]+)</span>'
        r'.*?<span class="visually-hidden">Place </span>(\d+)</span>', html, re.S)}


def test_an_early_reveal_does_not_say_times_up(app, host_client):
    game_id = start_game(host_client, seconds="60")
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    host_client.post(f"/live/games/{game_id}/reveal")
    screen = text_of(host_client.get(f"/live/games/{game_id}").data.decode())
    assert "Time’s up" not in screen and "Answer shown" in screen


def test_the_deadline_passing_still_says_times_up(app, host_client):
    game_id = start_game(host_client, seconds="60")
    host_client.post(f"/live/games/{game_id}/advance", data={"from_index": "-1"})
    with app.app_context():  # the full 60 s passed two minutes ago
        game = db.session.get(LiveGame, game_id)
        game.question_started_at -= timedelta(seconds=180)
        game.deadline = game.question_started_at + timedelta(seconds=60)
        db.session.commit()
    screen = text_of(host_client.get(f"/live/games/{game_id}").data.decode())
    assert "Time’s up" in screen


@pytest.mark.parametrize("scores, expected", [
    # A tie for second: both on the silver block, nobody on bronze.
    ({"Ada": 900.0, "Bo": 500.0, "Cy": 500.0},
     {"Ada": ("podium-1", "1"), "Bo": ("podium-2", "2"), "Cy": ("podium-2", "2")}),
    # Nobody scored: three firsts on one height.
    ({"Ada": 0.0, "Bo": 0.0, "Cy": 0.0},
     {"Ada": ("podium-1", "1"), "Bo": ("podium-1", "1"), "Cy": ("podium-1", "1")}),
    ({"Ada": 900.0, "Bo": 500.0, "Cy": 100.0},
     {"Ada": ("podium-1", "1"), "Bo": ("podium-2", "2"), "Cy": ("podium-3", "3")}),
])
def test_podium_blocks_follow_competition_ranks(app, host_client, scores, expected):
    game_id = start_game(host_client)
    _players(app, game_id, scores)
    host_client.post(f"/live/games/{game_id}/end")
    assert _podium(host_client.get(f"/live/games/{game_id}").data.decode()) == expected


def test_the_header_stops_advertising_the_pin_after_the_end(app, host_client):
    game_id = start_game(host_client)
    pin = pin_of(app, game_id)
    lobby = text_of(host_client.get(f"/live/games/{game_id}").data.decode())
    assert f"with PIN {pin[:3]} {pin[3:]}" in lobby
    host_client.post(f"/live/games/{game_id}/end")
    over = text_of(host_client.get(f"/live/games/{game_id}").data.decode())
    assert "with PIN" not in over and "Join at" not in over


def test_csv_points_are_rounded_as_the_screen_shows_them(app, host_client):
    game_id = start_game(host_client)
    _players(app, game_id, {"Ada": 2952.3, "Bo": 1000.5})
    with app.app_context():
        ada = db.session.scalar(db.select(LivePlayer).where(LivePlayer.nickname == "Ada"))
        game = db.session.get(LiveGame, game_id)
        game.question_index = 0
        db.session.add(LiveAnswer(game_id=game_id, player_id=ada.id, question_index=0,
                                  question_id=game.question_ids[0], response=None,
                                  correct=True, points=952.3))
        db.session.commit()
    host_client.post(f"/live/games/{game_id}/end")
    rows = list(csv.DictReader(io.StringIO(
        host_client.get(f"/live/games/{game_id}/results.csv").data.decode())))
    by_name = {r["nickname"]: r for r in rows}
    assert by_name["Ada"]["score"] == "2952" and by_name["Bo"]["score"] == "1001"
    assert by_name["Ada"]["Q1 points"] == "952"
    page = text_of(host_client.get(f"/live/games/{game_id}/results").data.decode())
    assert "2,952" in page and "1,001" in page


def test_whole_points_rounds_halves_up_like_the_phones():
    from quizapp.domain.scoring import whole_points

    assert [whole_points(x) for x in (0.5, 1.5, 2.5, 2952.3, 0.0)] == [1, 2, 3, 2952, 0]


def test_join_urls_wrap_at_slashes_and_dots_not_mid_word(app, host_client):
    game_id = start_game(host_client)
    screen = host_client.get(f"/live/games/{game_id}").data.decode()
    assert "localhost/<wbr>join" in screen
    created = host_client.post("/teach/", data={"name": "Seminar"})
    page = host_client.get(created.location).data.decode()
    link = re.search(r'<p class="join-link">.*?</p>', page, re.S).group(0)
    assert "/<wbr>" in link
    css = (Path(app.static_folder) / "css" / "teach.css").read_text(encoding="utf-8")
    assert "break-all" not in css


def _phone_exchanges(app, pin: str, index: int, key: str, wrong: str, nickname: str):
    """What a phone page can send as answers (cookie + CSRF header), and what came back."""
    phone = app.test_client()
    with app.app_context():
        _player, token = live.join(pin, nickname)
        db.session.commit()
    phone.set_cookie(f"live_{pin}", token)
    page = phone.get(f"/live/{pin}/play").data.decode()
    token_header = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"',
                                              page).group(1)}
    sent = [(phone, token_header, {"response": key}), (phone, token_header, {"response": key}),
            (phone, token_header, {"response": wrong}),
            (phone, {"X-CSRFToken": "forged"}, {"response": key}),
            (phone, {}, {"response": key}),
            (phone, token_header, {"response": key, "confidence": "maybe"}),
            (phone, token_header, {"response": "zz-not-a-choice"})]
    stranger = app.test_client()  # no player cookie, but a session with a CSRF token
    stranger_page = stranger.get(f"/join?pin={pin}").data.decode()
    sent.append((stranger, {"X-CSRFToken": re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                                     stranger_page).group(1)},
                 {"response": key}))
    out = []
    for client, headers, body in sent:
        response = client.post(f"/live/{pin}/answers/{index}", json=body, headers=headers)
        error = (response.get_json(silent=True) or {}).get("error", {})
        out.append((response.status_code, response.get_json(silent=True) if
                    response.status_code != 400 or "code" in error else "csrf",
                    response.content_type,
                    {name: response.headers.get(name) for name in (
                        "Content-Security-Policy", "X-Content-Type-Options",
                        "X-Frame-Options", "Referrer-Policy", "Vary", "Cache-Control")}))
    missing = phone.post(f"/live/999999/answers/{index}", json={"response": key},
                         headers=token_header)
    out.append((missing.status_code, missing.get_json(), missing.content_type, {}))
    return out


def test_phone_answers_fast_path_replies_exactly_as_the_flask_view(csrf_app, monkeypatch):
    """The phone page's answers skip Flask like the API's (live/fastpath.py), CSRF checked
    by Flask-WTF itself; a phone must not see any difference."""
    from quizapp.models import Role, User
    from quizapp.services import accounts

    with csrf_app.app_context():
        accounts.create_user("host1", "correct horse battery", Role.INSTRUCTOR)
        db.session.commit()
        host = db.session.scalar(db.select(User).where(User.username == "host1"))
        game = live.create_game(host, count=2, types=["mcq"])
        db.session.commit()
        pin = game.pin
        live.advance(host, utcnow(), game_id=game.id)
        db.session.commit()
        question = db.session.get(Question, db.session.get(LiveGame, game.id).question_ids[0])
        key = question.payload["answer"]
        wrong = next(c["id"] for c in question.payload["choices"] if c["id"] != key)
    view = csrf_app.view_functions["live.play_answer"]
    calls = []
    monkeypatch.setitem(csrf_app.view_functions, "live.play_answer",
                        lambda **kw: calls.append(kw) or view(**kw))

    fast = _phone_exchanges(csrf_app, pin, 0, key, wrong, "fast")
    # Answers with a good CSRF token are served before Flask; a forged or missing token
    # goes to Flask, which refuses it (400); so does an unknown PIN (404, counted).
    assert [c["pin"] for c in calls] == ["999999"]
    calls.clear()
    monkeypatch.setattr(csrf_app, "wsgi_app", csrf_app.wsgi_app.wsgi_app)  # Flask alone
    slow = _phone_exchanges(csrf_app, pin, 0, key, wrong, "slow")
    assert len(calls) == 7  # all but the two CSRF refusals reached the view

    assert [r[0] for r in fast] == [200, 200, 409, 400, 400, 400, 400, 401, 404]
    assert fast == slow
    with csrf_app.app_context():
        assert live.results(db.session.get(LiveGame, game.id))["answer_count"] == 2


def _signed_session_and_token(app, secret=None):
    """A session cookie holding a CSRF token, and that token signed, as a page sends them."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    with app.test_request_context():
        signed = generate_csrf(secret_key=secret)
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return cookie, signed


@pytest.mark.parametrize("case", ["good", "other header", "forged", "other session",
                                  "no session", "session of another key",
                                  "token of another key", "no header", "https",
                                  "https from this host", "https from another host",
                                  "cookie not UTF-8"])
def test_the_fast_paths_csrf_check_lets_through_only_what_flask_wtf_would(csrf_app, case):
    """live/fastpath.py checks the phone's CSRF header without Flask; it must pass exactly
    the answers Flask-WTF's own check passes (or leave the decision to Flask)."""
    from flask_wtf.csrf import CSRFError
    from werkzeug.test import EnvironBuilder

    from quizapp.extensions import csrf
    from quizapp.live.fastpath import LiveFastPath

    cookie, signed = _signed_session_and_token(csrf_app)
    other_cookie, other_signed = _signed_session_and_token(csrf_app)
    headers = {"X-CSRFToken": signed}
    scheme = "http"
    if case == "other header":
        headers = {"X-CSRF-Token": signed}
    elif case == "forged":
        # The first character carries six bits of the payload: any other one breaks the
        # signature (the last one's low bits are padding, so changing it may not).
        headers = {"X-CSRFToken": ("B" if signed[0] == "A" else "A") + signed[1:]}
    elif case == "other session":
        cookie = other_cookie
    elif case == "no session":
        cookie = None
    elif case == "session of another key":
        from flask.sessions import SecureCookieSessionInterface
        from itsdangerous import URLSafeTimedSerializer

        cookie = URLSafeTimedSerializer("not the app's key", salt="cookie-session",
                                        serializer=SecureCookieSessionInterface.serializer,
                                        signer_kwargs={"key_derivation": "hmac",
                                                       "digest_method": "sha1"}).dumps(
            {"csrf_token": "x"})
    elif case == "token of another key":
        _cookie, headers["X-CSRFToken"] = _signed_session_and_token(csrf_app, "another key")
    elif case == "no header":
        headers = {}
    elif case.startswith("https"):
        scheme = "https"
        if case != "https":
            headers["Referer"] = ("https://localhost/live/123456/play" if "this" in case
                                  else "https://elsewhere.example/")
    assert other_signed != signed
    if cookie is not None:
        headers["Cookie"] = f"{csrf_app.config['SESSION_COOKIE_NAME']}={cookie}"
    builder = EnvironBuilder(path="/live/123456/answers/0", method="POST", json={"response": "a"},
                             headers=headers, base_url=f"{scheme}://localhost/")
    environ = builder.get_environ()
    if case == "cookie not UTF-8":  # as a browser may send a cookie of another site's
        environ["HTTP_COOKIE"] = "pref=caf\xe9; " + environ["HTTP_COOKIE"]  # byte 0xE9

    from werkzeug.wrappers import Request

    fast = LiveFastPath(csrf_app.wsgi_app, csrf_app)._csrf_passes(Request(dict(environ)))
    with csrf_app.request_context(dict(environ)):
        try:
            csrf.protect()
            flask_wtf_passes = True
        except CSRFError:
            flask_wtf_passes = False
    assert fast == (case in ("good", "other header", "https from this host",
                             "cookie not UTF-8"))
    assert fast == flask_wtf_passes
