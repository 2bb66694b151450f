"""Where newcomers got stuck (issue 15, items 8, 9, 12), at phone and laptop widths."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Fact, FactProgress, FactStatus, Role, User, utcnow
from quizapp.services import accounts, teach

from pages import DESKTOP, PHONE, no_horizontal_overflow

PASSWORD = "a long enough password"
#: Where these tests leave their screenshots for a person to look at.
SHOTS = Path(os.environ.get("QUIZAPP_TEST_SHOTS", "/tmp/first-use-shots"))
SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])


def _user(live_server, name: str, role: Role = Role.STUDENT) -> int:
    with live_server.app.app_context():
        user = accounts.create_user(name, PASSWORD, role)
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return user_id


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _shot(page, name: str, viewport: dict) -> None:
    if viewport is PHONE:
        assert no_horizontal_overflow(page), f"{name} overflows sideways on a phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{viewport['width']}.png"), full_page=True)


@SIZES
def test_a_student_with_a_class_code_finds_where_to_enter_it(live_server, new_page, viewport):
    base = live_server.url
    prof = _user(live_server, "prof_b", Role.INSTRUCTOR)
    _user(live_server, "kim")
    with live_server.app.app_context():
        code = teach.create_course(db.session.get(User, prof), "Seminar B").join_code
        db.session.commit()
        db.session.remove()
    page = new_page(viewport)
    page.goto(base + "/join")  # the warm-up form first, as newcomers did
    page.get_by_label("Game PIN").fill(code)
    page.get_by_label("Nickname").fill("Kim")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_text("looks like a class code")).to_be_visible()
    _shot(page, "join-warm-up-class-code", viewport)
    _login(page, base, "kim")
    if viewport is PHONE:
        expect(page.locator("main").get_by_role("link", name="Join a class")).to_be_visible()
    _shot(page, "dashboard-class-links", viewport)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join a class").click()
    page.get_by_label("Join code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Join Seminar B").click()
    expect(page.get_by_text("Seminar B").first).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link",
                                                            name="My assignments").click()
    assert page.url.endswith("/assignments")
    _shot(page, "my-assignments", viewport)


@SIZES
def test_an_instructor_lands_on_the_teaching_dashboard(live_server, new_page, viewport):
    _user(live_server, "prof_c", Role.INSTRUCTOR)
    page = new_page(viewport)
    _login(page, live_server.url, "prof_c")
    assert page.url.endswith("/teach/")
    page.get_by_role("link", name="quizapp").first.click()
    assert page.url.endswith("/teach/")
    _shot(page, "instructor-home", viewport)


@SIZES
def test_the_progress_page_is_grouped_filtered_and_folds_mastered_facts(live_server, new_page,
                                                                         viewport):
    user_id = _user(live_server, "lee")
    with live_server.app.app_context():
        facts = db.session.scalars(select(Fact.id).where(Fact.status == FactStatus.APPROVED)
                                   .order_by(Fact.position, Fact.id)).all()
        for n, fact_id in enumerate(facts):  # every fact seen: most mastered, a few due
            mastered = n % 8 != 0
            db.session.add(FactProgress(
                user_id=user_id, fact_id=fact_id, seen=2, correct=2 if mastered else 1,
                last_seen=utcnow() - timedelta(hours=2),
                due=utcnow() + (timedelta(days=4) if mastered else -timedelta(hours=1))))
        db.session.commit()
        db.session.remove()
    page = new_page(viewport)
    _login(page, live_server.url, "lee")
    page.goto(live_server.url + "/progress")
    height = page.evaluate("document.documentElement.scrollHeight")
    # Mastered facts fold away: on a phone the page was 21,000 px with every fact open.
    assert height < 9000, height
    expect(page.locator("details.mastered-facts").first).not_to_have_attribute("open", "")
    _shot(page, "progress-grouped", viewport)
    page.get_by_label("Status").select_option("due")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("tr[id^=fact-]")
    expect(rows).to_have_count(len(range(0, len(facts), 8)))
    _shot(page, "progress-due", viewport)
