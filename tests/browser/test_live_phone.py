"""The phone page of a warm-up: no "Time's up" after an early reveal (#15 item 4), one h1
and the prompt spoken once (#17 item 10), an expired PIN; the host's saved question sets
(#15 item 15) and tile-coloured bars, at 375 and 1280 px with axe-core."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import LiveGame, Question, QuestionStatus

from pages import DESKTOP, PHONE, assert_accessible, no_horizontal_overflow, screenshot

VIEWPORTS = {"375": PHONE, "1280": DESKTOP}


def api(base: str, method: str, path: str, body=None, headers=None):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=5) as reply:
        return json.loads(reply.read() or b"null")


def host_token(live_server, make_user) -> dict[str, str]:
    make_user("host1", "instructor")
    basic = base64.b64encode(b"host1:correct horse battery").decode()
    token = api(live_server.url, "POST", "/api/v1/tokens",
                headers={"Authorization": f"Basic {basic}"})["token"]
    return {"Authorization": f"Bearer {token}"}


def mcq_game(live_server, bearer, count: int = 1) -> tuple[str, list[int]]:
    with live_server.app.app_context():
        ids = list(db.session.scalars(db.select(Question.id).where(
            Question.type == "mcq", Question.status == QuestionStatus.ACTIVE,
            Question.owner_id.is_(None)).order_by(Question.id).limit(count)))
        db.session.remove()
    pin = api(live_server.url, "POST", "/api/v1/live",
              {"question_ids": ids, "seconds_per_question": 120}, bearer)["pin"]
    return pin, ids


def key_and_prompt(live_server, question_id: int) -> tuple[str, str]:
    with live_server.app.app_context():
        payload = db.session.get(Question, question_id).payload
        db.session.remove()
    return payload["answer"], payload["prompt"]


def join(phone, base: str, pin: str, nickname: str = "Ada") -> None:
    phone.goto(f"{base}/join?pin={pin}")
    phone.get_by_label("Nickname").fill(nickname)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You’re in!")).to_be_visible()


def tap(phone, live_server, question_id: int, right: bool = True) -> None:
    key, _ = key_and_prompt(live_server, question_id)
    tiles = phone.locator(".p-choice")
    expect(tiles.first).to_be_visible()
    with live_server.app.app_context():
        choices = [c["id"] for c in db.session.get(Question, question_id).payload["choices"]]
        db.session.remove()
    index = choices.index(key) if right else next(i for i, c in enumerate(choices) if c != key)
    tiles.nth(index).click()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_an_early_reveal_never_says_times_up_while_the_result_is_on_its_way(
        live_server, new_page, make_user, width):
    """The host reveals with most of the time left while the phone's status request
    fails: the phone said "Time’s up"; now "Answer shown", then the result."""
    bearer = host_token(live_server, make_user)
    pin, ids = mcq_game(live_server, bearer)
    phone = new_page(VIEWPORTS[width])
    join(phone, live_server.url, pin)
    api(live_server.url, "POST", f"/api/v1/live/{pin}/advance", {}, bearer)
    tap(phone, live_server, ids[0])
    expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()
    phone.reload()  # the status the page holds now has the answer but no result yet
    expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()

    phone.route(re.compile(r"/live/\d{6}/me$"), lambda route: route.abort())
    api(live_server.url, "POST", f"/api/v1/live/{pin}/reveal", {}, bearer)
    expect(phone.get_by_role("heading", name="Answer shown")).to_be_visible()
    expect(phone.get_by_text("Time’s up")).to_have_count(0)
    expect(phone.locator("#screen").get_by_text("Your answer was received")).to_be_visible()
    screenshot(phone, f"live-phone-answer-shown-{width}")
    assert_accessible(phone, "phone: answer shown, result on its way")

    phone.unroute(re.compile(r"/live/\d{6}/me$"))
    expect(phone.get_by_role("heading", name="Correct!")).to_be_visible(timeout=5000)
    expect(phone.get_by_text("Time’s up")).to_have_count(0)


def test_an_answer_sent_after_an_early_reveal_says_the_host_showed_it(
        live_server, new_page, make_user):
    """The phone has not yet seen the reveal when it answers: the refusal names the host's
    early reveal, not "Time is up", while the phone's countdown still runs."""
    bearer = host_token(live_server, make_user)
    pin, ids = mcq_game(live_server, bearer)
    phone = new_page(PHONE)
    join(phone, live_server.url, pin)
    api(live_server.url, "POST", f"/api/v1/live/{pin}/advance", {}, bearer)
    expect(phone.locator(".p-choice").first).to_be_visible()
    # Hold the phone's view of the game: every poll answers "nothing changed".
    phone.route(re.compile(r"/api/v1/live/\d{6}/state$"),
                lambda route: route.fulfill(status=304, body=""))
    api(live_server.url, "POST", f"/api/v1/live/{pin}/reveal", {}, bearer)
    tap(phone, live_server, ids[0])
    expect(phone.get_by_role("heading", name="Answer shown")).to_be_visible()
    expect(phone.locator("#screen").get_by_text(
        "The host showed the answer before yours arrived")).to_be_visible()
    expect(phone.get_by_text(re.compile("Time is up|Time’s up"))).to_have_count(0)
    screenshot(phone, "live-phone-closed-before-answer-375")
    assert_accessible(phone, "phone: answer arrived after an early reveal")
    phone.unroute(re.compile(r"/api/v1/live/\d{6}/state$"))
    expect(phone.get_by_role("heading", name="No answer this time")).to_be_visible()


ONE_H1 = "() => document.querySelectorAll('h1').length"


@pytest.mark.parametrize("width", VIEWPORTS)
def test_the_phone_page_has_one_h1_and_speaks_the_prompt_once(live_server, new_page,
                                                                make_user, width):
    bearer = host_token(live_server, make_user)
    pin, ids = mcq_game(live_server, bearer, count=2)
    phone = new_page(VIEWPORTS[width])
    phone.route(re.compile(r"/static/js/live-play\.js"), lambda route: route.abort())
    phone.goto(f"{live_server.url}/join?pin={pin}")
    phone.get_by_label("Nickname").fill("Ada")
    phone.get_by_role("button", name="Join").click()
    # Before the script runs (or without it), the page already has its h1.
    expect(phone.get_by_role("heading", level=1, name="You’re in, Ada!")).to_be_visible()
    assert phone.evaluate(ONE_H1) == 1
    phone.unroute(re.compile(r"/static/js/live-play\.js"))
    phone.reload()
    expect(phone.get_by_role("heading", level=1, name="You’re in!")).to_be_visible()
    assert phone.evaluate(ONE_H1) == 1

    api(live_server.url, "POST", f"/api/v1/live/{pin}/advance", {}, bearer)
    _, prompt = key_and_prompt(live_server, ids[0])
    expect(phone.get_by_role("heading", level=1, name=prompt)).to_be_visible()
    expect(phone.locator("#announcer")).to_have_text("Question 1 of 2.")
    assert phone.evaluate(ONE_H1) == 1
    # Focus is on the prompt (read once); nothing else in the tree repeats it.
    assert phone.evaluate("document.activeElement.id") == "prompt"
    tree = phone.locator("body").aria_snapshot()
    assert tree.count(prompt) == 1, tree
    expect(phone.get_by_role("list", name="Answers")).to_be_visible()
    screenshot(phone, f"live-phone-question-h1-{width}")
    assert_accessible(phone, "phone question")

    tap(phone, live_server, ids[0], right=False)
    expect(phone.get_by_role("heading", level=1, name="Answer locked in")).to_be_visible()
    assert phone.evaluate(ONE_H1) == 1
    api(live_server.url, "POST", f"/api/v1/live/{pin}/reveal", {}, bearer)
    expect(phone.get_by_role("heading", level=1, name="Not quite")).to_be_visible()
    assert phone.evaluate(ONE_H1) == 1
    api(live_server.url, "POST", f"/api/v1/live/{pin}/end", {}, bearer)
    expect(phone.get_by_role("heading", level=1, name="That’s the end!")).to_be_visible()
    assert phone.evaluate(ONE_H1) == 1


@pytest.mark.parametrize("width", VIEWPORTS)
def test_an_expired_warm_up_says_it_ended_on_the_phone_and_the_join_page(
        live_server, new_page, make_user, width):
    bearer = host_token(live_server, make_user)
    pin, _ids = mcq_game(live_server, bearer)
    phone = new_page(VIEWPORTS[width])
    join(phone, live_server.url, pin)
    with live_server.app.app_context():
        game = db.session.scalar(db.select(LiveGame).where(LiveGame.pin == pin))
        game.created_at -= timedelta(hours=13)
        db.session.commit()
        db.session.remove()
    expect(phone.get_by_role("heading", level=1, name="This warm-up has ended")
           ).to_be_visible(timeout=5000)
    screenshot(phone, f"live-phone-expired-{width}")
    assert_accessible(phone, "phone: expired warm-up")
    other = new_page(VIEWPORTS[width])
    other.goto(f"{live_server.url}/join?pin={pin}")
    expect(other.get_by_role("status")).to_contain_text("This warm-up has ended")
    other.get_by_label("Nickname").fill("Late")
    other.get_by_role("button", name="Join").click()
    expect(other.get_by_text("This warm-up has ended").first).to_be_visible()
    assert no_horizontal_overflow(other)
    screenshot(other, f"live-join-expired-{width}")
    assert_accessible(other, "join page: expired warm-up")


def _login(page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill("host1")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_instructor_saves_a_set_and_starts_a_warm_up_from_it(live_server, new_page,
                                                             make_user, width):
    make_user("host1", "instructor")
    base = live_server.url
    page = new_page(VIEWPORTS[width])
    _login(page, base)
    page.goto(base + "/live/")
    page.get_by_role("link", name="Question sets").click()
    expect(page.get_by_role("heading", level=1, name="Question sets")).to_be_visible()
    assert_accessible(page, "question sets, empty")
    page.get_by_role("link", name="New question set").click()
    page.get_by_label("Number of questions to draw").fill("4")
    page.get_by_label("Multiple choice").check()
    page.get_by_role("button", name="Preview questions").click()
    boxes = page.locator("input[name=questions]")
    expect(boxes).to_have_count(4)
    assert no_horizontal_overflow(page)
    screenshot(page, f"live-set-preview-{width}")
    assert_accessible(page, "question set preview")
    boxes.nth(1).uncheck()
    kept = [int(boxes.nth(i).get_attribute("value")) for i in (0, 2, 3)]
    page.get_by_role("button", name="Save set").click()  # no name yet
    expect(page.get_by_text("Type a name")).to_be_visible()
    expect(page.locator("input[name=questions]:checked")).to_have_count(3)  # choice kept
    screenshot(page, f"live-set-needs-name-{width}")
    assert_accessible(page, "question set without a name")
    page.get_by_label("Name of the set").fill("Week 3: partners")
    page.get_by_role("button", name="Save set").click()
    expect(page.get_by_role("heading", level=1, name="Question sets")).to_be_visible()
    expect(page.get_by_text("Saved the set “Week 3: partners” (3 questions).")).to_be_visible()
    with live_server.app.app_context():
        from quizapp.models import LiveQuestionSet

        saved = db.session.scalar(db.select(LiveQuestionSet))
        assert (saved.name, saved.question_ids) == ("Week 3: partners", kept)
        db.session.remove()
    screenshot(page, f"live-set-saved-{width}")
    assert_accessible(page, "question sets list")


@pytest.mark.parametrize("width", VIEWPORTS)
def test_a_saved_set_runs_with_tile_coloured_bars(live_server, new_page, make_user, width):
    bearer = host_token(live_server, make_user)
    base = live_server.url
    with live_server.app.app_context():
        ids = list(db.session.scalars(db.select(Question.id).where(
            Question.type == "mcq", Question.status == QuestionStatus.ACTIVE,
            Question.owner_id.is_(None)).order_by(Question.id).limit(2)))
        db.session.remove()
    made = api(base, "POST", "/api/v1/live/sets", {"name": "Week 3: partners",
                                                   "question_ids": ids}, bearer)
    page = new_page(VIEWPORTS[width])
    _login(page, base)
    page.goto(f"{base}/live/sets")
    expect(page.get_by_role("heading", level=2, name="Week 3: partners")).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, f"live-sets-{width}")
    assert_accessible(page, "question sets")
    page.get_by_role("link", name="Edit “Week 3: partners”").click()
    expect(page.locator("input[name=questions]")).to_have_count(2)
    screenshot(page, f"live-set-edit-{width}")
    assert_accessible(page, "question set editor")
    page.goto(f"{base}/live/sets")
    page.get_by_role("link", name="Start a warm-up with “Week 3: partners”").click()
    expect(page.get_by_label("Or a saved question set")).to_have_value(str(made["id"]))
    page.get_by_label("Show the answer as soon as every player has answered").check()
    screenshot(page, f"live-start-from-set-{width}")
    assert_accessible(page, "warm-up start form with sets")
    page.get_by_role("button", name="Create warm-up and show the PIN").click()
    expect(page.get_by_text("Game PIN")).to_be_visible()
    game_id = int(re.search(r"/live/games/(\d+)", page.url).group(1))
    with live_server.app.app_context():
        game = db.session.get(LiveGame, game_id)
        assert game.question_ids == ids and game.auto_reveal
        pin = game.pin
        db.session.remove()

    phone = new_page(PHONE)
    join(phone, base, pin)
    page.get_by_role("button", name="Start the warm-up").click()
    tap(phone, live_server, ids[0], right=False)
    # The only player answered: the server shows the answer without the host's button.
    expect(page.locator(".histogram")).to_be_visible(timeout=5000)
    expect(phone.get_by_role("heading", level=1, name="Not quite")).to_be_visible()
    fills = page.eval_on_selector_all(
        ".histogram .bar-fill", "els => els.map(e => getComputedStyle(e).fill)")
    expected = page.evaluate("""() => [0, 1, 2, 3, 4, 5].map(i => getComputedStyle(
        document.documentElement).getPropertyValue('--t' + i).trim())""")
    assert len(fills) >= 2
    to_rgb = page.evaluate("""(hexes) => hexes.map(h => {
        const n = parseInt(h.slice(1), 16);
        return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`; })""", expected)
    assert fills == to_rgb[:len(fills)]
    screenshot(page, f"live-host-reveal-tiles-{width}")
    assert_accessible(page, "host reveal with tile-coloured bars")
