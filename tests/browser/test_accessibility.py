"""WCAG 2.2 AA: axe-core on every page state at 375 and 1280 px, reflow at 320 px, and the
issue-17 checks that axe cannot make (focus not obscured, focus kept, focus ring contrast)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Fact, FactStatus, Role, utcnow
from quizapp.services import accounts, live, study, teach

from pages import (
    DESKTOP,
    PHONE,
    axe_violations,
    contrast,
    reflows,
    screenshot,
    unnamed_scroll_boxes,
    weak_focus_rings,
)
from support.helpers import COMMENTARY, PASSWORD, valid_response

VIEWPORTS = {"375": PHONE, "1280": DESKTOP}


def _build_world(app) -> dict:
    """An instructor, two students in a class, a timed assignment with a finished attempt
    (so the gradebook, item analysis and misconception map have data), a commentary with
    candidates, a practice attempt half done and a warm-up in its lobby."""
    with app.app_context():
        prof = accounts.create_user("prof_axe", PASSWORD, Role.INSTRUCTOR)
        stu = accounts.create_user("stu_axe", PASSWORD, Role.STUDENT)
        other = accounts.create_user("stu_two", PASSWORD, Role.STUDENT)
        db.session.commit()
        course = teach.create_course(prof, "Seminar A")
        db.session.commit()
        for user in (stu, other):
            teach.join_course(user, course.join_code)
            db.session.commit()
        timed = teach.create_assignment(
            prof, course.id, title="Week 1", count=3, types=["mcq", "true_false"],
            due_at=utcnow() + timedelta(days=7), max_attempts=3, time_limit_minutes=10)
        db.session.commit()
        for user in (stu, other):
            attempt = teach.start_assignment_attempt(user, timed.id)
            for item in attempt.items:
                study.record_answer(user, attempt.id, item.question_id,
                                    valid_response(item.question.payload))
            db.session.commit()
            study.finish_attempt(user, attempt.id)
            db.session.commit()
        # Management states: an extension and an override, one assignment not open yet,
        # an archived class.
        teach.set_extension(prof, timed.id, stu.id, utcnow() + timedelta(days=9))
        teach.set_override(prof, timed.id, stu.id, 2.5, "Question 2 was ambiguous")
        teach.create_assignment(prof, course.id, title="Week 2", count=2, types=["mcq"],
                                due_at=utcnow() + timedelta(days=14),
                                available_from=utcnow() + timedelta(days=7))
        old = teach.create_course(prof, "Last term")
        db.session.commit()
        teach.update_course(prof, old.id, {"archived": True})
        db.session.commit()
        practice = study.start_attempt(stu, count=3, types=["mcq", "true_false", "short"])
        first = practice.items[0]
        db.session.commit()
        study.record_answer(stu, practice.id, first.question_id,
                            valid_response(first.question.payload))
        db.session.commit()
        doc = teach.create_commentary(prof, "NATO and Japan", COMMENTARY)
        db.session.commit()
        fact_id = doc.facts[0].id
        own = teach.create_question(prof, {
            "type": "matching", "topic": "vilnius-2023", "prompt": "Match each acronym.",
            "pairs": [["CMX", "Crisis Management Exercise"],
                      ["ITPP", "Individually Tailored Partnership Programme"]]})
        db.session.commit()
        game = live.create_game(prof, count=2, types=["mcq"])
        db.session.commit()
        # The seed's first topic: the uploaded commentary's facts are only candidates, and
        # PostgreSQL orders ties on position between the two documents either way.
        topic = db.session.scalar(db.select(Fact.topic).where(
            Fact.status == FactStatus.APPROVED).order_by(Fact.document_id, Fact.position))
        ended = live.create_game(prof, count=1, types=["mcq"])
        db.session.commit()
        live.end_game(prof, utcnow(), game_id=ended.id)
        saved = live.save_set(prof, "Week 1 warm-up", list(game.question_ids))
        db.session.commit()
        world = {"topic": topic, "ended_pin": ended.pin, "set": saved.id,
                 "course": course.id, "code": course.join_code, "assignment": timed.id,
                 "practice": practice.id, "document": doc.id, "fact": fact_id,
                 "game": game.id, "pin": game.pin,
                 "question": practice.items[0].question_id, "own": own.id, "student": stu.id,
                 "archived": old.id}
        db.session.remove()
    return world


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _audit(page, state: str, found: list[str], phone_wide: bool) -> None:
    report = axe_violations(page)
    if report:
        found.append(f"{state} at {page.viewport_size['width']} px ({page.url}): {report}")
    boxes = unnamed_scroll_boxes(page)
    if boxes:
        found.append(f"{state}: scroll boxes that are not focusable named regions: {boxes}")
    if phone_wide:
        size = page.viewport_size
        sticking_out = reflows(page)
        if sticking_out:
            found.append(f"{state} does not reflow at 320 px: {sticking_out}")
        page.set_viewport_size(size)


def _public_states(base: str, w: dict) -> list[tuple[str, str]]:
    return [("welcome", "/"), ("login", "/login"), ("register", "/register"),
            ("join a warm-up", "/join"), ("join with pin", f"/join?pin={w['pin']}"),
            ("join an ended warm-up", f"/join?pin={w['ended_pin']}")]


def _student_states(base: str, w: dict) -> list[tuple[str, str]]:
    return [("dashboard", "/dashboard"), ("new quiz", "/quiz/new"),
            ("question", f"/attempts/{w['practice']}/questions/2"),
            ("question with feedback", f"/attempts/{w['practice']}/questions/1"),
            ("review", "/review"), ("source", "/source"), ("progress", "/progress"),
            ("assignments", "/assignments"), ("join class", f"/classes/join/{w['code']}"),
            ("join class by code", "/classes/join"), ("my mistakes", "/mistakes"),
            ("flashcard topics", "/flashcards"), ("flashcards", f"/flashcards/{w['topic']}"),
            ("account", "/account"), ("delete account", "/account/delete")]


def _instructor_states(base: str, w: dict) -> list[tuple[str, str]]:
    c, a = w["course"], w["assignment"]
    return [("teach", "/teach/"), ("class", f"/teach/classes/{c}"),
            ("join screen", f"/teach/classes/{c}/join-screen"),
            ("misconceptions", f"/teach/classes/{c}/misconceptions"),
            ("assignment form", f"/teach/classes/{c}/assignments/new"),
            ("gradebook", f"/teach/assignments/{a}"),
            ("edit assignment", f"/teach/assignments/{a}/edit"),
            ("delete assignment", f"/teach/classes/{c}/assignments/{a}/delete"),
            ("student's attempts", f"/teach/assignments/{a}/students/{w['student']}"),
            ("class settings", f"/teach/classes/{c}/settings"),
            ("delete class", f"/teach/classes/{c}/delete"),
            ("archived class", f"/teach/classes/{w['archived']}"),
            ("item analysis", f"/teach/assignments/{a}/items"),
            ("question bank", "/teach/questions"),
            ("question", f"/teach/questions/{w['question']}"),
            ("write a question", "/teach/questions/new"),
            ("own question", f"/teach/questions/{w['own']}"),
            ("edit own question", f"/teach/questions/{w['own']}/rewrite"),
            ("import questions", "/teach/questions/import"),
            ("commentaries", "/teach/commentaries"),
            ("commentary", f"/teach/commentaries/{w['document']}"),
            ("fact", f"/teach/facts/{w['fact']}"),
            ("warm-ups", "/live/"), ("host lobby", f"/live/games/{w['game']}"),
            ("account", "/account"), ("delete account with classes", "/account/delete"),
            ("question sets", "/live/sets"), ("new question set", "/live/sets/new"),
            ("question set", f"/live/sets/{w['set']}")]


@pytest.mark.parametrize("audience", ["student", "instructor"])
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_every_page_state_passes_axe_and_reflows(live_server, new_page, width, audience):
    """axe-core (WCAG 2.2 AA) at 375 and 1280 px; reflow at 320 px (1.4.10, item 6).

    Split by width and audience so that parallel test processes share the minute it takes.
    """
    w = _build_world(live_server.app)
    base = live_server.url
    found: list[str] = []
    page = new_page(VIEWPORTS[width])
    if audience == "student":
        for state, path in _public_states(base, w):
            page.goto(base + path)
            _audit(page, state, found, width == "1280")
        _login(page, base, "stu_axe")
        states = _student_states(base, w)
    else:
        _login(page, base, "prof_axe")
        states = _instructor_states(base, w)
    for state, path in states:
        page.goto(base + path)
        _audit(page, state, found, width == "1280")
    assert not found, "\n\n".join(found)


def test_warm_up_states_pass_axe_and_reflow(live_server, new_page):
    """Every host and phone screen of a warm-up, through to the podium and results."""
    w = _build_world(live_server.app)
    base = live_server.url
    found: list[str] = []
    host = new_page(DESKTOP)
    _login(host, base, "prof_axe")
    with live_server.app.app_context():  # three on the podium
        for name in ("Bartholomew", "Chiamaka"):
            live.join(w["pin"], name)
        db.session.commit()
        db.session.remove()
    phone = new_page(PHONE)
    phone.goto(f"{base}/join?pin={w['pin']}")
    phone.get_by_label("Nickname").fill("Ada")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="You’re in!")).to_be_visible()
    _audit(phone, "phone lobby", found, False)
    host.goto(f"{base}/live/games/{w['game']}")
    _audit(host, "host lobby", found, True)
    host.get_by_role("button", name="Start the warm-up").click()
    expect(phone.locator(".p-choice").first).to_be_visible()
    _audit(host, "host question", found, True)
    _audit(phone, "phone question", found, False)
    phone.locator(".p-choice").first.click()
    expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()
    _audit(phone, "phone answered", found, False)
    host.get_by_role("button", name="Show the answer now").click()
    expect(host.locator(".histogram")).to_be_visible()
    _audit(host, "host reveal", found, True)
    expect(phone.locator(".p-reveal, .p-result").first).to_be_visible()
    _audit(phone, "phone reveal", found, False)
    host.get_by_role("link", name="Leaderboard").click()
    expect(host.locator(".board")).to_be_visible()
    _audit(host, "host leaderboard", found, True)
    host.get_by_role("button", name="Next question").click()
    expect(phone.locator(".p-count")).to_have_text("Question 2 of 2")
    host.get_by_role("button", name="Show the answer now").click()
    host.get_by_role("button", name="Show the podium").click()
    expect(host.get_by_role("heading", name="Podium")).to_be_visible()
    _audit(host, "host podium", found, True)
    expect(phone.get_by_role("heading", name="That’s the end!")).to_be_visible()
    _audit(phone, "phone final", found, False)
    host.get_by_role("link", name="Results and CSV export").click()
    _audit(host, "host results", found, True)
    host.set_viewport_size(PHONE)
    _audit(host, "host results", found, False)
    assert not found, "\n\n".join(found)


HIDDEN_BY_STICKY = """() => {
    const el = document.activeElement;
    if (el === document.body) return false;  // focus left the page for the browser's own UI
    const r = el.getBoundingClientRect();
    return [...document.querySelectorAll('*')].some(bar => {
        const style = getComputedStyle(bar);
        if (!['sticky', 'fixed'].includes(style.position) || bar.contains(el)) return false;
        const b = bar.getBoundingClientRect();
        return r.top < b.bottom && r.bottom > b.top && r.left < b.right && r.right > b.left;
    });
}"""


def _obscured_focus_stops(page, key: str, stops: int) -> list[str]:
    hidden = []
    for _ in range(stops):
        page.keyboard.press(key)
        if page.evaluate(HIDDEN_BY_STICKY):
            hidden.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
    return hidden


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 320, "height": 200}],  # 400 % zoom
                         ids=["1280x800", "400pc-zoom"])
def test_focus_is_never_under_the_sticky_bar_on_candidates(live_server, new_page, viewport):
    """Item 4 (2.4.11 Focus Not Obscured): Tab and Shift+Tab through the candidate list."""
    w = _build_world(live_server.app)
    page = new_page(viewport)
    _login(page, live_server.url, "prof_axe")
    page.goto(f"{live_server.url}/teach/commentaries/{w['document']}")
    stops = page.locator("main a, main button, main input:not([type=hidden])").count()
    assert stops > 50
    page.locator("main h1").focus()
    hidden = _obscured_focus_stops(page, "Tab", stops)
    hidden += _obscured_focus_stops(page, "Shift+Tab", stops)
    assert hidden == [], f"{len(hidden)} focus stops hidden under the sticky bar: {hidden[:3]}"


def test_focus_ring_has_3_to_1_contrast(live_server, new_page):
    """Item 8 (1.4.11): the ring of every focus stop stands out 3:1 from its background."""
    w = _build_world(live_server.app)
    page = new_page(DESKTOP)
    page.goto(live_server.url + "/login")
    weak = weak_focus_rings(page)
    _login(page, live_server.url, "stu_axe")
    for path in ("/dashboard", f"/attempts/{w['practice']}/questions/2", "/source"):
        page.goto(live_server.url + path)
        weak += weak_focus_rings(page)
    assert weak == []


def _join_now(app, pin: str, name: str) -> None:
    with app.app_context():
        live.join(pin, name)
        db.session.commit()
        db.session.remove()


def test_host_projector_keeps_focus_when_it_refreshes(live_server, new_page):
    """Item 5 (2.4.3, 2.4.7): a refresh keeps focus; Start precedes every player's Remove."""
    w = _build_world(live_server.app)
    host = new_page(DESKTOP)
    _login(host, live_server.url, "prof_axe")
    host.goto(f"{live_server.url}/live/games/{w['game']}")
    for number, name in enumerate(("Kenji", "Marta", "Priya"), 1):
        _join_now(live_server.app, w["pin"], name)
        expect(host.locator(".joined-count")).to_have_text(str(number))
    start = host.get_by_role("button", name="Start the warm-up")
    removes = host.get_by_role("button", name="Remove Kenji")
    assert start.evaluate("(el, other) => !!(el.compareDocumentPosition(other) & 4)",
                          removes.element_handle())
    # Focus on a control without an id: a phone joining replaces the panel, focus stays.
    host.locator("summary").focus()
    _join_now(live_server.app, w["pin"], "Oluwaseun")
    expect(host.locator(".joined-count")).to_have_text("4")
    expect(host.locator("summary")).to_be_focused()


def _timed_attempt(app, w: dict) -> int:
    """A fresh, unanswered attempt at the timed assignment (10 minutes) for stu_two."""
    from quizapp.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "stu_two"))
        attempt_id = teach.start_assignment_attempt(user, w["assignment"]).id
        db.session.commit()
        db.session.remove()
    return attempt_id


def test_timed_quiz_warns_before_zero_and_late_answer_is_announced(live_server, new_page):
    """Item 9 (2.2.1, 4.1.3): a timer with a status warning; the late message after the H1."""
    from quizapp.models import Attempt

    w = _build_world(live_server.app)
    attempt_id = _timed_attempt(live_server.app, w)
    page = new_page(PHONE)
    _login(page, live_server.url, "stu_two")
    page.clock.install()
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    expect(page.get_by_role("timer", name="Time left")).to_be_visible()
    status = page.locator("#timer-status[role=status]")
    expect(status).to_have_text("")
    page.clock.run_for("05:10")
    expect(status).to_contain_text("5 minutes left")
    page.clock.run_for("04:00")
    expect(status).to_contain_text("1 minute left")
    report = axe_violations(page)
    assert not report, report

    # The time runs out on the server while the student still answers.
    with live_server.app.app_context():
        db.session.get(Attempt, attempt_id).deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    page.locator("input[name=response]").first.check()
    page.get_by_role("button", name="Check answer").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_focused()
    described = heading.get_attribute("aria-describedby")
    assert described and "Time is up" in page.locator(f"#{described}").inner_text()
    # In reading order the message comes right after the heading that has focus.
    assert page.evaluate(f"""document.getElementById('question-heading').nextElementSibling
                             === document.getElementById('{described}')""")


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATIC = Path(__file__).resolve().parents[2] / "static"


def test_no_aria_label_on_elements_that_do_not_expose_it():
    """Item 10: aria-label on a plain <p>/<span>/<strong> is dropped by screen readers."""
    bad = [f"{path.name}: {m.group(0)[:60]}" for path in TEMPLATES.rglob("*.html")
           for m in re.finditer(r"<(p|span|strong)\b(?![^>]*\brole=)[^>]*\baria-label=[^>]*>",
                                path.read_text(encoding="utf-8"))]
    assert bad == []


def test_tile_letters_have_4_5_to_1_contrast():
    """Item 10 (1.4.3): white letters on their chip over every tile colour."""
    css = (STATIC / "css" / "live.css").read_text(encoding="utf-8")
    tiles = re.findall(r"--t\d: #([0-9a-f]{6})", css)
    alpha_rgb = re.search(r"\.tile-letter \{[^}]*background: rgba\((\d+), (\d+), (\d+), ([\d.]+)\)",
                          css)
    *chip, alpha = (float(x) for x in alpha_rgb.groups())
    assert len(tiles) == 6
    for tile in tiles:
        rgb = [int(tile[i:i + 2], 16) for i in (0, 2, 4)]
        mixed = tuple(c * (1 - alpha) + k * alpha for c, k in zip(rgb, chip, strict=True))
        assert contrast((255, 255, 255), mixed) >= 4.5, tile


def test_timeline_swap_and_reduced_motion_and_phone_heading(live_server, new_page):
    """Item 10: a position swap is announced; the projector bar stops under reduced motion."""
    w = _build_world(live_server.app)
    with live_server.app.app_context():
        from quizapp.models import User

        stu = db.session.scalar(db.select(User).where(User.username == "stu_axe"))
        attempt_id = study.start_attempt(stu, count=1, types=["ordering"]).id
        db.session.commit()
        db.session.remove()
    page = new_page(DESKTOP)
    _login(page, live_server.url, "stu_axe")
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    selects = page.locator("select[data-order-group]")
    first = selects.nth(0).input_value()
    selects.nth(1).select_option(first)
    expect(page.get_by_role("status").filter(has_text="Swapped")).to_contain_text(
        "is now in position")

    host = new_page(DESKTOP)
    host.emulate_media(reduced_motion="reduce")
    _login(host, live_server.url, "prof_axe")
    host.goto(f"{live_server.url}/live/games/{w['game']}")
    host.get_by_role("button", name="Start the warm-up").click()
    expect(host.locator("#timer-num")).to_be_visible()
    expect(host.locator(".timer-bar")).to_be_hidden()


def test_refused_answer_focuses_the_first_field_to_fix(live_server, new_page):
    """Item 10 (3.3.1): after a refused answer focus goes to the first error, not the H1."""
    _build_world(live_server.app)
    with live_server.app.app_context():
        from quizapp.models import User

        stu = db.session.scalar(db.select(User).where(User.username == "stu_axe"))
        attempt_id = study.start_attempt(stu, count=1, types=["matching"]).id
        db.session.commit()
        db.session.remove()
    page = new_page(PHONE)
    _login(page, live_server.url, "stu_axe")
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    page.get_by_role("button", name="Check answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a match for every item")
    expect(page.locator(".has-error select").first).to_be_focused()


def _refused(page, state: str, found: list[str]) -> None:
    """Audit a refused form's page (axe, at the page's width) and keep a screenshot."""
    _audit(page, state, found, phone_wide=False)
    screenshot(page, f"refused-{state.replace(' ', '-')}-{page.viewport_size['width']}")


@pytest.mark.parametrize("width", ["375", "1280"])
def test_every_refused_form_focuses_the_first_field_to_fix(live_server, new_page, width):
    """Item 10 (3.3.1, 2.4.3): after a refused sign-up, login or instructor form, focus is on
    the first field in error (a refusal naming no field: the form's first field, described
    by the error), not on the heading or the top of the page."""
    w = _build_world(live_server.app)
    base, found = live_server.url, []
    page = new_page(VIEWPORTS[width])

    # Sign-up: the username is fine, the passwords differ: the first error is "Repeat".
    page.goto(base + "/register")
    page.get_by_label("Username").fill("new_student")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("another long password")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".has-error")).to_have_count(1)
    expect(page.get_by_label("Repeat password")).to_be_focused()
    _refused(page, "sign-up", found)
    # Nothing typed: the username, the first of three fields in error.
    page.get_by_label("Username").fill("")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_label("Username")).to_be_focused()
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")

    # Login with a wrong password: no field is marked, so the username field, described by
    # the message.
    page.goto(base + "/login")
    page.get_by_label("Username").fill("stu_axe")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    username = page.get_by_label("Username")
    expect(username).to_be_focused()
    expect(username).to_have_attribute("aria-describedby", re.compile(r"\berror-summary\b"))
    _refused(page, "login", found)
    # Only a username: the password field is the one in error.
    page.get_by_label("Password").fill("")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Password")).to_be_focused()

    # Instructor forms: a class without a name, an assignment without a title.
    _login(page, base, "prof_axe")
    page.goto(base + "/teach/")
    page.get_by_role("button", name="Create class").click()
    expect(page.get_by_label("Class name")).to_be_focused()
    _refused(page, "new class", found)
    page.goto(f"{base}/teach/classes/{w['course']}/assignments/new")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name=re.compile("^Assign to")).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Title")).to_be_focused()
    _refused(page, "new assignment", found)
    assert found == [], "\n".join(found)


def _tab_until(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_warm_up_by_keyboard_only(live_server, new_page):
    """A warm-up played and hosted with Tab, Enter and typing only, no pointer."""
    w = _build_world(live_server.app)
    phone = new_page(PHONE)
    phone.goto(f"{live_server.url}/join?pin={w['pin']}")
    _tab_until(phone, "input[name=nickname]")
    phone.keyboard.type("Keys")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="You’re in!")).to_be_visible()

    host = new_page(DESKTOP)
    _login(host, live_server.url, "prof_axe")
    host.goto(f"{live_server.url}/live/games/{w['game']}")
    expect(host.locator(".joined-count")).to_have_text("1")
    _tab_until(host, "#host-next")
    host.keyboard.press("Enter")
    expect(phone.locator(".p-choice").first).to_be_visible()
    _tab_until(phone, ".p-choice")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Answer locked in")).to_be_visible()
    _tab_until(host, "#host-reveal")
    host.keyboard.press("Enter")
    expect(host.locator(".histogram")).to_be_visible()
    _tab_until(host, "#host-next")
    host.keyboard.press("Enter")
    expect(phone.locator(".p-count")).to_have_text("Question 2 of 2")


def test_flashcard_turned_over_and_empty_mistakes_pass_axe(live_server, new_page):
    """Issue 15 item 16: a flashcard's back with its rating buttons, at both widths, and
    "my mistakes" for a student who has none (stu_two answered only an assignment)."""
    w = _build_world(live_server.app)
    found: list[str] = []
    for width, viewport in VIEWPORTS.items():
        page = new_page(viewport)
        _login(page, live_server.url, "stu_two")
        page.goto(f"{live_server.url}/flashcards/{w['topic']}")
        page.get_by_role("button", name="Show the answer").click()
        expect(page.get_by_role("button", name="I knew it").first).to_be_visible()
        _audit(page, "flashcard back", found, width == "1280")
        page.get_by_role("button", name="I knew it").locator("visible=true").click()
        expect(page.locator("[data-fc-status]")).to_contain_text("Saved")
        _audit(page, "flashcard rated", found, False)
        page.goto(f"{live_server.url}/mistakes")
        _audit(page, "my mistakes", found, width == "1280")
    assert not found, "\n\n".join(found)
