"""An instructor manages what they set up, at phone and laptop width: renames the class and
gives it a new join code, moves an assignment's due date and sets when it opens, opens a
student's answers from the gradebook, overrides a grade and gives an extension, closes and
deletes the assignment (after the confirmation), archives the class. Every state is
screenshotted and checked with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Role, utcnow
from quizapp.services import accounts, study, teach

from pages import DESKTOP, PHONE, assert_accessible, no_horizontal_overflow, screenshot
from support.helpers import PASSWORD, valid_response


def _world(app) -> dict:
    with app.app_context():
        prof = accounts.create_user("prof_mo", PASSWORD, Role.INSTRUCTOR)
        stu = accounts.create_user("stu_mo", PASSWORD, Role.STUDENT)
        db.session.commit()
        course = teach.create_course(prof, "Thursday seminar")
        db.session.commit()
        teach.join_course(stu, course.join_code)
        db.session.commit()
        a = teach.create_assignment(prof, course.id, title="Week 3", count=3, types=["mcq"],
                                    due_at=utcnow() + timedelta(days=3), max_attempts=2)
        db.session.commit()
        attempt = teach.start_assignment_attempt(stu, a.id)
        for item in attempt.items:
            study.record_answer(stu, attempt.id, item.question_id,
                                valid_response(item.question.payload))
        db.session.commit()
        study.finish_attempt(stu, attempt.id)
        db.session.commit()
        world = {"course": course.id, "code": course.join_code, "assignment": a.id}
        db.session.remove()
    return world


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _look(page, name: str, width: str) -> None:
    """Fits the screen, passes axe, and is saved for a person to look at."""
    if width == "375":
        assert no_horizontal_overflow(page), f"{name} overflows sideways on a phone"
    assert_accessible(page, name)
    screenshot(page, f"manage-{name}-{width}")


@pytest.mark.parametrize("width", ["375", "1280"])
def test_an_instructor_manages_a_class_and_an_assignment(live_server, new_page, width):
    w = _world(live_server.app)
    base = live_server.url
    page = new_page(PHONE if width == "375" else DESKTOP)
    _login(page, base, "prof_mo")

    # Class settings: a blank name is refused, then renamed; a new join code.
    page.goto(f"{base}/teach/classes/{w['course']}")
    page.get_by_role("link", name="Class settings").click()
    page.get_by_label("Class name").fill("")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator(".error-summary")).to_be_visible()
    _look(page, "class-settings-error", width)
    page.get_by_label("Class name").fill("Thursday seminar (B)")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Renamed to “Thursday seminar (B)”.")).to_be_visible()
    page.get_by_role("button", name="Give it a new join code").click()
    expect(page.get_by_text("The old code no longer works.")).to_be_visible()
    assert w["code"] not in page.locator("main").inner_text()
    _look(page, "class-settings", width)

    # Edit: move the due date, set when it opens.
    page.goto(f"{base}/teach/assignments/{w['assignment']}")
    page.get_by_role("link", name="Edit or move due date").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit assignment")
    expect(page.locator("#questions-fixed")).to_contain_text("questions are fixed")
    _look(page, "edit-assignment", width)
    page.get_by_label("Due", exact=True).fill("2099-02-01T10:30")
    page.get_by_label("Opens (optional)").fill("2099-01-20T08:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved “Week 3”.")).to_be_visible()
    expect(page.locator(".facts-line")).to_contain_text("Opens")

    # From the gradebook to one student's answers; an override, then an extension.
    page.get_by_role("link", name="stu_mo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("stu_mo")
    expect(page.locator(".answer-review li")).to_have_count(3)
    expect(page.locator(".answer-lines dt", has_text="Key")).to_have_count(3)
    page.get_by_label("Grade in points").fill("2.5")
    page.get_by_label("Reason (kept with the grade)").fill("")
    page.get_by_role("button", name="Set grade").click()
    expect(page.get_by_text("Say why you set this grade.")).to_be_visible()
    _look(page, "override-error", width)
    page.get_by_label("Reason (kept with the grade)").fill("Question 2 was ambiguous")
    page.get_by_role("button", name="Set grade").click()
    expect(page.get_by_text("Grade override saved.")).to_be_visible()
    page.get_by_label("New due date for this student").fill("2099-02-08T10:30")
    page.get_by_role("button", name="Give extension").click()
    expect(page.get_by_text("Extension saved.")).to_be_visible()
    _look(page, "student-work", width)
    page.get_by_role("link", name="Week 3").click()
    expect(page.locator(".gradebook")).to_contain_text("2.5 / 3")
    expect(page.locator(".gradebook .badge", has_text="override")).to_be_visible()
    expect(page.locator(".gradebook")).to_contain_text("extended to")
    _look(page, "gradebook", width)

    # Close now, then delete after the confirmation.
    page.get_by_role("button", name="Close now").click()
    expect(page.get_by_text("Closed “Week 3”: no attempt can start now.")).to_be_visible()
    page.get_by_role("link", name="Delete…").click()
    expect(page.locator(".loses")).to_contain_text("1 attempt")
    _look(page, "delete-assignment", width)
    page.get_by_role("button", name="Delete assignment and 1 attempt").click()
    expect(page.get_by_text("Deleted “Week 3” and its 1 attempt.")).to_be_visible()
    expect(page.get_by_text("Nothing assigned yet.")).to_be_visible()

    # Archive the class: it moves to the archived list.
    page.get_by_role("link", name="Class settings").click()
    page.get_by_role("button", name="Archive the class").click()
    expect(page.locator(".notice")).to_contain_text("Archived")
    _look(page, "class-archived", width)
    page.goto(f"{base}/teach/")
    expect(page.locator(".archived-list summary")).to_have_text("Archived classes (1)")
    page.goto(f"{base}/teach/classes/{w['course']}/delete")
    _look(page, "delete-class", width)
