"""Issue 15 item 16 in a browser at 375 and 1280 px: "my mistakes" from the progress and
practice pages, flashcards by tap and by keyboard, and the account page's data rights."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Fact, FactProgress, Question, Role, User
from quizapp.services import accounts, study

from pages import DESKTOP, PHONE, axe_violations, no_horizontal_overflow, screenshot
from support.helpers import PASSWORD, wrong_response

SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])


def _student(live_server, name: str, mistakes: int = 0) -> None:
    """A student; with ``mistakes``, a finished practice quiz of that many wrong mcqs."""
    with live_server.app.app_context():
        user = accounts.create_user(name, PASSWORD, Role.STUDENT)
        db.session.commit()
        if mistakes:
            ids = list(db.session.scalars(select(Question.id).where(
                Question.type == "mcq", Question.owner_id.is_(None)).order_by(Question.id)
                .limit(mistakes)))
            attempt = study.start_attempt(user, count=mistakes, question_ids=ids)
            db.session.commit()
            for item in attempt.items:
                study.record_answer(user, attempt.id, item.question_id,
                                    wrong_response(item.question.payload))
                db.session.commit()
            study.finish_attempt(user, attempt.id)
            db.session.commit()
        db.session.remove()


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _look(page, name: str, viewport: dict) -> None:
    assert no_horizontal_overflow(page), f"{name} overflows sideways"
    screenshot(page, f"item16-{name}-{viewport['width']}")


@SIZES
def test_mistakes_are_practised_from_the_progress_page(live_server, new_page, viewport):
    _student(live_server, "mira", mistakes=3)
    _student(live_server, "newbie")
    base = live_server.url
    page = new_page(viewport)
    _login(page, base, "newbie")
    page.goto(base + "/quiz/new")
    page.get_by_role("link", name="my mistakes").click()
    expect(page.get_by_role("heading", name="No mistakes to practise")).to_be_visible()
    _look(page, "mistakes-empty", viewport)

    page = new_page(viewport)
    _login(page, base, "mira")
    page.goto(base + "/progress")
    page.get_by_role("link", name="Practise my mistakes").click()
    expect(page.get_by_role("heading", name="Practise 3 mistakes")).to_be_visible()
    _look(page, "mistakes", viewport)
    page.get_by_role("button", name="Practise my mistakes").click()
    expect(page.locator(".badge").filter(has_text="My mistakes").first).to_be_visible()
    _look(page, "mistakes-question", viewport)


def _topic(live_server) -> tuple[str, list[str]]:
    with live_server.app.app_context():
        topic = db.session.scalar(select(Fact.topic).order_by(Fact.document_id, Fact.position))
        facts = list(db.session.scalars(select(Fact.id).where(Fact.topic == topic)
                                        .order_by(Fact.document_id, Fact.position, Fact.id)))
        db.session.remove()
    return topic, facts


@SIZES
def test_flashcards_by_tap_and_by_keyboard_feed_the_schedule(live_server, browser, viewport):
    _student(live_server, "flo")
    topic, facts = _topic(live_server)
    base = live_server.url
    # The phone is a touch screen (Playwright's tap needs has_touch).
    context = browser.new_context(viewport=viewport, has_touch=viewport is PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    _login(page, base, "flo")
    page.goto(base + "/progress")
    page.get_by_role("link", name="Flashcards", exact=True).click()
    _look(page, "flashcard-topics", viewport)
    page.locator(f'a[href="/flashcards/{topic}"]').click()
    position = page.locator(".fc-position")
    expect(position).to_have_text(f"Card 1 of {len(facts)}")
    current = page.locator(".fc-card.is-current")
    expect(current.locator(".fc-prompt")).to_be_visible()
    expect(current.locator(".fc-back")).to_be_hidden()
    _look(page, "flashcard-front", viewport)
    if viewport is PHONE:
        current.locator(".fc-face").tap()
    else:
        page.evaluate("document.activeElement.blur()")  # focus on no control
        page.keyboard.press("Space")
    expect(current.locator(".fc-back")).to_be_visible()
    expect(current.locator(".fc-quote")).to_be_visible()
    expect(page.get_by_role("button", name="Show the question")).to_have_attribute(
        "aria-expanded", "true")
    _look(page, "flashcard-back", viewport)
    report = axe_violations(page)
    assert not report, report
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text(f"Card 2 of {len(facts)}")
    expect(page.locator(".fc-card.is-current .fc-back")).to_be_hidden()
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text(f"Card 1 of {len(facts)}")
    page.keyboard.press("Enter")  # focus is on the flip button: Enter turns the card
    expect(page.locator(".fc-card.is-current .fc-back")).to_be_visible()
    page.get_by_role("button", name="I didn’t").locator("visible=true").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text(
        "comes back for review")
    expect(position).to_have_text(f"Card 2 of {len(facts)}")
    _look(page, "flashcard-rated", viewport)
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "flo"))
        row = db.session.scalar(select(FactProgress).where(
            FactProgress.user_id == user.id, FactProgress.fact_id == facts[0]))
        assert row is not None and row.card and row.due is not None and row.seen == 0
        db.session.remove()
    context.close()


@SIZES
def test_the_account_page_downloads_and_deletes(live_server, new_page, viewport):
    _student(live_server, "dora", mistakes=2)
    base = live_server.url
    page = new_page(viewport)
    _login(page, base, "dora")
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Download your data")).to_be_visible()
    _look(page, "account", viewport)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download all (JSON)").click()
    assert info.value.suggested_filename.startswith("quizapp-dora-")
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Delete your account?")).to_be_visible()
    page.get_by_label("Your password").fill("not the password at all")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    _look(page, "delete-account", viewport)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_text("Your account and its data are deleted.")).to_be_visible()
    _look(page, "deleted", viewport)
    with live_server.app.app_context():
        assert db.session.scalar(select(User).where(User.username == "dora")) is None
        db.session.remove()
