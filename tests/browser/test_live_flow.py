"""A warm-up in two browsers: the host on a projector, a player on a phone."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import LiveGame, LivePlayer, Question
from quizapp.services import live

from pages import PHONE, PROJECTOR, no_horizontal_overflow, screenshot

# At most 24 characters, the column's size on PostgreSQL (joining allows 20).
XSS = ["<script>alert()</script>", "<svg onload=alert(1)>"]
CROWD = ["Kenji", "Marta", "Oluwaseun", "Priya", "Tomás"]


def put_answer(base: str, pin: str, index: int, token: str, response) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/live/{pin}/answers/{index}", method="PUT",
        data=json.dumps({"response": response}).encode(),
        headers={"Content-Type": "application/json", "X-Player-Token": token})
    with urllib.request.urlopen(request, timeout=5) as reply:
        return reply.status


def test_warm_up_on_projector_and_phone(live_server, new_page, make_user):
    make_user("host1", "instructor")
    app = live_server.app
    dialogs: list[str] = []

    host = new_page(PROJECTOR)
    host.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    host.goto(live_server.url + "/login")
    host.get_by_label("Username").fill("host1")
    host.get_by_label("Password").fill("correct horse battery")
    host.get_by_role("button", name="Log in").click()
    host.goto(live_server.url + "/live/")
    screenshot(host, "live-host-start-1920")
    host.get_by_label("Number of questions").fill("2")
    host.get_by_label("Multiple choice").check()
    host.get_by_role("button", name="Create warm-up and show the PIN").click()
    expect(host.get_by_text("Game PIN")).to_be_visible()
    game_id = int(re.search(r"/live/games/(\d+)", host.url).group(1))
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        pin, question_ids = game.pin, list(game.question_ids)
        keys = [db.session.get(Question, q).payload["answer"] for q in question_ids]
        choices = [[c["id"] for c in db.session.get(Question, q).payload["choices"]]
                   for q in question_ids]
        crowd = {name: live.join(pin, name)[1] for name in CROWD}
        # Worst-case nicknames, written straight to the database (longer than joining allows).
        for i, payload in enumerate(XSS):
            db.session.add(LivePlayer(game_id=game_id, nickname=payload,
                                      nickname_key=f"xss{i}", token_hash=f"{i:064d}"))
        db.session.commit()

    phone = new_page(PHONE)
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    phone.goto(f"{live_server.url}/join?pin={pin}")
    screenshot(phone, "live-player-join-375")
    assert no_horizontal_overflow(phone)
    phone.get_by_label("Nickname").fill("Ada")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You’re in!")).to_be_visible()

    # The lobby fills up on the projector without a reload; names are shown as text.
    expect(host.locator(".joined-count")).to_have_text("8")
    expect(host.get_by_text(XSS[0], exact=True)).to_be_visible()
    expect(host.get_by_text(XSS[1], exact=True)).to_be_visible()
    screenshot(host, "live-host-lobby-1920")

    # Question 1: the countdown runs; the phone gets the question.
    host.get_by_role("button", name="Start the warm-up").click()
    expect(host.locator("#timer-num")).to_be_visible()
    expect(phone.locator(".p-choice").first).to_be_visible()
    for name, token in crowd.items():
        wrong = [c for c in choices[0] if c != keys[0]]
        pick = keys[0] if name in ("Kenji", "Marta", "Priya") else wrong[len(name) % len(wrong)]
        assert put_answer(live_server.url, pin, 0, token, pick) == 200
    expect(host.locator("#answered-count")).to_have_text("5")
    screenshot(host, "live-host-question-1920")
    screenshot(phone, "live-player-answer-375")
    assert no_horizontal_overflow(phone)
    phone.locator(".p-choice").nth(choices[0].index(keys[0])).click()
    expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()
    screenshot(phone, "live-player-waiting-375")

    # Reveal: key, histogram and source on the projector; the result on the phone.
    host.get_by_role("button", name="Show the answer now").click()
    expect(host.locator(".histogram")).to_be_visible()
    expect(host.locator(".reveal-key")).to_contain_text("4 of 6 right")
    screenshot(host, "live-host-reveal-1920")
    expect(phone.get_by_role("heading", name="Correct!")).to_be_visible()
    screenshot(phone, "live-player-result-375")
    assert no_horizontal_overflow(phone)

    # A reload keeps the player and the score.
    phone.reload()
    expect(phone.get_by_role("heading", name="Correct!")).to_be_visible()
    expect(phone.locator("#player-score")).not_to_have_text("0 pts")
    score_text = phone.locator("#player-score").inner_text()

    host.get_by_role("link", name="Leaderboard").click()
    expect(host.locator(".board")).to_contain_text("Ada")
    screenshot(host, "live-host-leaderboard-1920")

    # Question 2, then the podium.
    host.get_by_role("button", name="Next question").click()
    expect(phone.locator(".p-count")).to_have_text("Question 2 of 2")
    phone.locator(".p-choice").nth(choices[1].index(keys[1])).click()
    expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()
    host.get_by_role("button", name="Show the answer now").click()
    expect(host.locator(".histogram")).to_be_visible()
    host.get_by_role("button", name="Show the podium").click()
    expect(host.get_by_role("heading", name="Podium")).to_be_visible()
    expect(host.locator(".podium-1")).to_contain_text("Ada")
    screenshot(host, "live-host-podium-1920")
    expect(phone.get_by_role("heading", name="That’s the end!")).to_be_visible()
    expect(phone.locator(".place")).to_have_text("1st")
    screenshot(phone, "live-player-final-375")
    assert phone.locator("#player-score").inner_text() != score_text

    host.get_by_role("link", name="Results and CSV export").click()
    expect(host.get_by_role("heading", name=re.compile("Warm-up results"))).to_be_visible()
    expect(host.get_by_role("link", name="Download CSV")).to_be_visible()
    screenshot(host, "live-host-results-1920")

    assert dialogs == []  # no nickname ran as script


def api(base: str, method: str, path: str, body=None, headers=None):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=5) as reply:
        return json.loads(reply.read() or b"null")


def test_phone_answers_every_question_form_with_confidence(live_server, new_page, make_user):
    import base64

    from quizapp.models import QuestionStatus

    make_user("host1", "instructor")
    app = live_server.app
    basic = base64.b64encode(b"host1:correct horse battery").decode()
    token = api(live_server.url, "POST", "/api/v1/tokens",
                headers={"Authorization": f"Basic {basic}"})["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        ids = [db.session.scalar(db.select(Question.id).where(
            Question.type == qtype, Question.status == QuestionStatus.ACTIVE).limit(1))
            for qtype in ("mcq", "multi", "true_false", "short", "ordering", "matching")]
    pin = api(live_server.url, "POST", "/api/v1/live",
              {"question_ids": ids, "confidence": True}, bearer)["pin"]

    phone = new_page(PHONE)
    phone.goto(f"{live_server.url}/join?pin={pin}")
    phone.get_by_label("Nickname").fill("Ada")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You’re in!")).to_be_visible()

    def submit(sure: bool = True):
        name = "Submit: I’m sure" if sure else "Submit: not sure"
        phone.get_by_role("button", name=name).click()
        expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()

    for index, qtype in enumerate(("mcq", "multi", "true_false", "short", "ordering",
                                   "matching")):
        api(live_server.url, "POST", f"/api/v1/live/{pin}/advance", {}, bearer)
        expect(phone.locator(".p-count")).to_have_text(f"Question {index + 1} of 6")
        if qtype in ("mcq", "true_false"):
            phone.locator(".p-choice").first.click()
            expect(phone.locator(".p-choice").first).to_have_attribute("aria-pressed", "true")
            submit()
        elif qtype == "multi":
            phone.get_by_role("button", name="Submit: not sure").click()
            expect(phone.get_by_role("alert").filter(has_text="Choose at least one")
                   ).to_be_visible()
            phone.locator(".p-choice input").first.check()
            submit(sure=False)
        elif qtype == "short":
            phone.get_by_label("Your answer").fill("2014")
            phone.get_by_label("Your answer").press("Enter")
            expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()
        elif qtype == "ordering":
            phone.locator(".p-order .down").first.click()
            screenshot(phone, "live-player-ordering-375")
            assert no_horizontal_overflow(phone)
            submit()
        else:
            for group in phone.locator(".p-match-group").all():
                group.get_by_role("radio").first.check()
            screenshot(phone, "live-player-matching-375")
            assert no_horizontal_overflow(phone)
            submit()
    results = api(live_server.url, "GET", f"/api/v1/live/{pin}/results", headers=bearer)
    assert results["answer_count"] == 6


def test_phone_listens_to_pushed_states_instead_of_polling(live_server, new_page, make_user):
    """Where the server pushes (LIVE_PUSH, gevent workers in production), the phone page
    follows the game through its event stream and sends no state polls while it is open."""
    import base64

    app = live_server.app
    app.config["LIVE_PUSH"] = True
    requests: list[str] = []
    inner = app.wsgi_app

    def counting(environ, start_response):
        requests.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = counting
    make_user("host1", "instructor")
    basic = base64.b64encode(b"host1:correct horse battery").decode()
    token = api(live_server.url, "POST", "/api/v1/tokens",
                headers={"Authorization": f"Basic {basic}"})["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    pin = api(live_server.url, "POST", "/api/v1/live", {"count": 2, "types": ["mcq"]},
              bearer)["pin"]

    phone = new_page(PHONE)
    phone.goto(f"{live_server.url}/join?pin={pin}")
    phone.get_by_label("Nickname").fill("Ada")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You’re in!")).to_be_visible()
    for _ in range(100):  # the page opens its stream once its script has run
        if f"/api/v1/live/{pin}/events" in requests:
            break
        phone.wait_for_timeout(50)
    phone.wait_for_timeout(300)  # the first poll (sent with the stream) has come back
    polls_before = requests.count(f"/api/v1/live/{pin}/state")

    for number in (1, 2):
        api(live_server.url, "POST", f"/api/v1/live/{pin}/advance", {}, bearer)
        expect(phone.locator(".p-count")).to_have_text(f"Question {number} of 2")
        phone.locator(".p-choice").first.click()
        expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()
        api(live_server.url, "POST", f"/api/v1/live/{pin}/reveal", {}, bearer)
        expect(phone.locator(".p-key")).to_be_visible()
    screenshot(phone, "live-player-pushed-result-375")
    api(live_server.url, "POST", f"/api/v1/live/{pin}/end", {}, bearer)
    expect(phone.get_by_role("heading", name="That’s the end!")).to_be_visible()
    # Four changes and the end arrived by push; the page never polled meanwhile (a poll
    # every ~0.7 s would have made several).
    assert requests.count(f"/api/v1/live/{pin}/state") == polls_before
    assert requests.count(f"/api/v1/live/{pin}/events") == 1
