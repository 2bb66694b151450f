"""A student signs up, takes quizzes on a phone and a desktop, and reads the feedback."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Fact

from pages import DESKTOP, PHONE, no_horizontal_overflow, question_payload, screenshot

USERNAME = "browser_sam"
PASSWORD = "a long enough password"


def _answer(page, payload: dict, right: bool = True) -> None:
    """Fill the answering widgets of any question type with a right or a wrong answer."""
    kind, key = payload["type"], payload["answer"]
    if kind == "mcq":
        wrong = next(c["id"] for c in payload["choices"] if c["id"] != key)
        page.locator(f"input[name=response][value={key if right else wrong}]").check()
    elif kind == "multi":
        picks = key if right else [c["id"] for c in payload["choices"] if c["id"] not in key][:1]
        for choice in picks:
            page.locator(f"input[name=response][value={choice}]").check()
    elif kind == "true_false":
        value = key if right else not key
        page.locator(f"input[name=response][value={'true' if value else 'false'}]").check()
    elif kind == "short":
        page.locator("input[name=response]").fill(key if right else "Atlantis")
    elif kind == "ordering":
        order = key if right else list(reversed(key))
        for position, item_id in enumerate(order, 1):
            page.locator(f"select[name=response-{item_id}]").select_option(str(position))
    elif kind == "matching":
        for left, right_id in key.items():
            page.locator(f"select[name=response-{left}]").select_option(right_id)
    page.get_by_role("button", name="Check answer").click()


def _wait_for_focus(page, element_id: str) -> None:
    """Wait until the page script has moved focus to ``element_id`` (fails on timeout)."""
    expect(page.locator(f"#{element_id}")).to_be_focused(timeout=5000)


def _answer_by_keyboard(page, payload: dict) -> None:
    """Answer with Tab, arrows, Space and Enter only (focus starts on the question heading)."""
    _wait_for_focus(page, "question-heading")
    page.keyboard.press("Tab")
    if payload["type"] == "short":
        page.keyboard.type(payload["answer"])
    else:
        if payload["type"] == "mcq":
            index = [c["id"] for c in payload["choices"]].index(payload["answer"])
        else:  # true_false: True comes first
            index = 0 if payload["answer"] else 1
        page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check answer"
    page.keyboard.press("Enter")


def _tab_to(page, text: str) -> None:
    for _ in range(15):
        page.keyboard.press("Tab")
        if text in page.evaluate("document.activeElement.textContent"):
            return
    raise AssertionError(f"{text!r} cannot be reached with Tab")


def _heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def _shot(page, name: str, phone: bool) -> None:
    if phone:
        assert no_horizontal_overflow(page), f"{name} overflows sideways on a phone"
    screenshot(page, f"student-{name}-{'375' if phone else '1280'}")


def test_student_quiz_on_a_phone_by_mouse_and_keyboard(live_server, new_page):
    page = new_page(PHONE)
    page.goto(live_server.url + "/register")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    assert _heading(page) == f"Hello, {USERNAME}"

    page.get_by_role("link", name=re.compile("Start a practice quiz")).click()
    assert _heading(page) == "New practice quiz"
    _shot(page, "new-quiz", phone=True)
    page.get_by_role("radio", name="5").check()
    for form in ("Multiple choice", "True or false", "Type the answer"):
        page.get_by_role("checkbox", name=form).check()
    page.get_by_role("button", name="Start the quiz").click()

    # Question 1: a wrong answer, then the feedback quotes its source sentence.
    assert _heading(page) == "Question 1 of 5"
    _shot(page, "question", phone=True)
    payload = question_payload(live_server, page)
    _answer(page, payload, right=False)
    feedback = page.locator("#feedback")
    assert "Not quite" in feedback.get_by_role("heading", level=2).inner_text()
    _wait_for_focus(page, "feedback-heading")
    marked = " ".join(feedback.locator("mark").all_inner_texts())
    assert payload["source"]["quotes"][0] in marked
    _shot(page, "feedback", phone=True)

    # Question 2 by keyboard only: Tab, Space/arrows, Enter.
    page.get_by_role("link", name=re.compile("Next question")).click()
    assert _heading(page) == "Question 2 of 5"
    _answer_by_keyboard(page, question_payload(live_server, page))
    assert "Right!" in page.locator("#feedback-heading").inner_text()
    _tab_to(page, "Next question")
    page.keyboard.press("Enter")

    # A reload, or coming back later, resumes at the first unanswered question.
    assert _heading(page) == "Question 3 of 5"
    page.reload()
    assert _heading(page) == "Question 3 of 5"
    attempt_url = page.url
    page.goto(live_server.url + "/dashboard")
    page.get_by_role("link", name=re.compile("Resume")).click()
    assert _heading(page) == "Question 3 of 5" and page.url == attempt_url

    for number in (3, 4, 5):
        assert _heading(page) == f"Question {number} of 5"
        _answer(page, question_payload(live_server, page), right=True)
        assert "Right!" in page.locator("#feedback-heading").inner_text()
        if number < 5:
            page.get_by_role("link", name=re.compile("Next question")).click()
    page.get_by_role("button", name="Finish and see your score").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You scored 4 out of 5")
    assert page.locator(".result-item").count() == 5
    _shot(page, "result", phone=True)

    page.get_by_role("link", name="Progress", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress on every fact")
    assert page.locator(".progress-table tbody tr").count() > 50
    page.get_by_label("Topic").select_option(label="The Vilnius Summit (2023)")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("in The Vilnius Summit (2023)")).to_have_count(1)
    assert page.locator(".progress-table tbody tr").count() < 20
    _shot(page, "progress", phone=True)

    page.get_by_role("link", name="Dashboard", exact=True).click()
    # count() does not wait: the click only starts the navigation.
    expect(page.locator("svg.bar-chart")).to_have_count(1)
    assert page.get_by_role("cell", name="4 / 5").count() == 1
    _shot(page, "dashboard", phone=True)

    page.goto(live_server.url + "/source")
    # Every fact is listed under the paragraph that holds its (highlighted) quote.
    with live_server.app.app_context():
        facts = db.session.scalar(select(func.count()).select_from(Fact))
        db.session.remove()
    assert page.locator(".fact-list li").count() == facts
    assert page.locator(".source-para mark").count() > 30
    _shot(page, "source", phone=True)


def test_student_timeline_and_matching_on_a_desktop(live_server, new_page):
    page = new_page(DESKTOP)
    page.goto(live_server.url + "/register")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    _shot(page, "dashboard-empty", phone=False)

    page.goto(live_server.url + "/quiz/new")
    page.get_by_role("checkbox", name="Timeline").check()
    page.get_by_role("checkbox", name="Matching").check()
    page.get_by_label("Or type a number").fill("2")
    _shot(page, "new-quiz", phone=False)
    page.get_by_role("button", name="Start the quiz").click()

    assert _heading(page) == "Question 1 of 2"
    _shot(page, "question", phone=False)
    # Nothing chosen for a matching question (or a repeated position) is refused, not saved.
    payload = question_payload(live_server, page)
    if payload["type"] == "matching":
        page.get_by_role("button", name="Check answer").click()
        assert "Choose a match for every item" in page.get_by_role("alert").inner_text()
    _answer(page, payload, right=False)
    assert page.locator("#feedback mark").count() >= 1
    _shot(page, "feedback", phone=False)
    page.get_by_role("link", name=re.compile("Next question")).click()
    _answer(page, question_payload(live_server, page), right=True)
    page.get_by_role("button", name="Finish and see your score").click()
    assert _heading(page).startswith("You scored")
    _shot(page, "result", phone=False)

    page.goto(live_server.url + "/dashboard")
    _shot(page, "dashboard", phone=False)
    page.goto(live_server.url + "/progress?topic=milestones")
    _shot(page, "progress", phone=False)
    page.goto(live_server.url + "/source")
    _shot(page, "source", phone=False)

    # "Practise this fact" starts a short quiz on that fact alone.
    page.locator(".fact-list button").first.click()
    assert re.match(r"Question 1 of [123]$", _heading(page))


def test_a_twenty_question_quiz_of_one_commentary_says_why_it_is_shorter(live_server,
                                                                         new_page):
    # The seed commentary alone cannot give 20 questions without asking a fact twice:
    # the student is told, on a phone, before the first question.
    page = new_page(PHONE)
    page.goto(live_server.url + "/register")
    page.get_by_label("Username").fill("browser_twenty")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("link", name=re.compile("Start a practice quiz")).click()
    page.get_by_role("radio", name="20").check()
    page.get_by_role("button", name="Start the quiz").click()
    total = int(re.search(r"of (\d+)", _heading(page)).group(1))
    assert 10 <= total < 20
    expect(page.get_by_text(f"This quiz has {total} questions, not 20")).to_be_visible()
    assert no_horizontal_overflow(page)
    _shot(page, "shorter-quiz", phone=True)
    page.set_viewport_size(DESKTOP)
    _shot(page, "shorter-quiz", phone=False)
