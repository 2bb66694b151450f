"""An instructor creates a class, a student joins by link on a phone, takes the assignment,
and the instructor reads the gradebook and item analysis and downloads the CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.services import accounts

from pages import DESKTOP, PHONE, PROJECTOR, no_horizontal_overflow, question_payload, screenshot

PASSWORD = "a long enough password"


def _answer(page, payload: dict, right: bool) -> None:
    key = payload["answer"]
    if payload["type"] == "mcq":
        wrong = next(c["id"] for c in payload["choices"] if c["id"] != key)
        page.locator(f"input[name=response][value={key if right else wrong}]").check()
    else:  # true_false
        value = key if right else not key
        page.locator(f"input[name=response][value={'true' if value else 'false'}]").check()
    page.get_by_role("button", name="Check answer").click()


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _shot(page, name: str, phone: bool) -> None:
    if phone:
        assert no_horizontal_overflow(page), f"{name} overflows sideways on a phone"
    screenshot(page, f"teach-{name}-{'375' if phone else '1280'}")


def test_class_assignment_gradebook_and_csv(live_server, new_page):
    base = live_server.url
    with live_server.app.app_context():
        accounts.create_user("prof_ada", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
        db.session.remove()

    # The instructor creates a class on a desktop.
    teacher = new_page(DESKTOP)
    _login(teacher, base, "prof_ada")
    teacher.get_by_role("link", name="Teach").click()
    teacher.get_by_label("Class name").fill("Tuesday seminar")
    teacher.get_by_role("button", name="Create class").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Tuesday seminar")
    code = teacher.locator(".big-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    join_link = teacher.locator(".join-link a").inner_text()
    assert join_link.endswith(f"/classes/join/{code}")
    qr = teacher.locator("img.qr")
    expect(qr).to_be_visible()
    # The QR code is a request of its own: wait for it to load (a broken one never does).
    teacher.wait_for_function("document.querySelector('img.qr').complete && "
                              "document.querySelector('img.qr').naturalWidth > 0")

    # A student opens the join link on a phone, signs up, and joins.
    phone = new_page(PHONE)
    phone.goto(join_link)
    assert "/login" in phone.url
    phone.get_by_role("link", name="Create an account").click()
    phone.get_by_label("Username").fill("stu_bo")
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.get_by_label("Repeat password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign up").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Join Tuesday seminar")
    phone.get_by_role("button", name="Join Tuesday seminar").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your assignments")
    assert phone.get_by_text("You joined Tuesday seminar.").is_visible()

    # The instructor sees the student on the roster and assigns a quiz.
    teacher.reload()
    expect(teacher.locator("#roster")).to_contain_text("stu_bo")
    _shot(teacher, "class", phone=False)
    teacher.get_by_role("link", name="New assignment").click()
    teacher.get_by_label("Title").fill("Week 1: Vilnius")
    teacher.get_by_label("Number of questions").fill("3")
    teacher.get_by_role("checkbox", name="Multiple choice").check()
    teacher.get_by_role("checkbox", name="True / false").check()
    teacher.get_by_label("Due").fill("2099-06-01T17:00")
    teacher.get_by_label("Attempts allowed").fill("2")
    teacher.get_by_label("Grade by").select_option("highest")
    _shot(teacher, "assignment-form", phone=False)
    teacher.get_by_role("button", name="Assign to Tuesday seminar").click()
    expect(teacher.locator("#assignments")).to_contain_text("Week 1: Vilnius")

    # The student starts it from the assignment list and answers (one wrong).
    phone.goto(base + "/assignments")
    expect(phone.get_by_role("heading", name="Week 1: Vilnius")).to_be_visible()
    _shot(phone, "student-assignments", phone=True)
    phone.get_by_role("button", name="Start Week 1: Vilnius").click()
    for number in (1, 2, 3):
        expect(phone.get_by_role("heading", level=1)).to_have_text(f"Question {number} of 3")
        _answer(phone, question_payload(live_server, phone), right=number != 2)
        if number < 3:
            phone.get_by_role("link", name=re.compile("Next question")).click()
    phone.get_by_role("button", name="Finish and see your score").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("You scored 2 out of 3")

    # The gradebook shows the grade; the item analysis shows the choices; CSV downloads.
    teacher.get_by_role("link", name="Week 1: Vilnius").first.click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Week 1: Vilnius")
    row = teacher.get_by_role("row", name=re.compile("stu_bo"))
    expect(row).to_contain_text("finished")
    expect(row).to_contain_text("2 / 3")
    assert teacher.locator("svg.hist-svg rect.hist-bar").count() == 10
    _shot(teacher, "gradebook", phone=False)
    with teacher.expect_download() as download_info:
        teacher.get_by_role("link", name="Gradebook (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-grades.csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [(r["username"], r["status"], r["grade"], r["max_score"]) for r in rows] == \
        [("stu_bo", "finished", "2", "3")]

    teacher.get_by_role("link", name="Item analysis").click()
    expect(teacher.locator("li.item")).to_have_count(3)
    assert teacher.locator("table.choices").count() == 3
    _shot(teacher, "items", phone=False)

    # The same pages on a phone (the instructor checks between classes).
    mobile = new_page(PHONE)
    _login(mobile, base, "prof_ada")
    gradebook_url, items_url = teacher.url.replace("/items", ""), teacher.url
    class_url = base + teacher.locator(".breadcrumb a").nth(1).get_attribute("href")
    for name, url in (("class", class_url), ("gradebook", gradebook_url),
                      ("items", items_url),
                      ("assignment-form", class_url + "/assignments/new")):
        mobile.goto(url)
        _shot(mobile, name, phone=True)

    # The join screen for the projector: code and QR large.
    projector = new_page(PROJECTOR)
    _login(projector, base, "prof_ada")
    projector.goto(class_url + "/join-screen")
    expect(projector.locator(".join-screen-code")).to_have_text(code)
    screenshot(projector, "teach-join-screen-1920")


def test_instructor_pages_work_by_keyboard(live_server, new_page):
    with live_server.app.app_context():
        accounts.create_user("prof_kim", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
        db.session.remove()
    page = new_page(DESKTOP)
    _login(page, live_server.url, "prof_kim")
    page.goto(live_server.url + "/teach/")
    page.get_by_label("Class name").focus()
    page.keyboard.type("Keyboard class")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Create class"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Keyboard class")
    # Every focusable control shows a visible focus ring (outline) when tabbed to.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_commentary_candidates_and_question_review(live_server, new_page):
    base = live_server.url
    commentary = (Path(__file__).resolve().parents[2] / "seeds" /
                  "nato-japan-commentary.txt").read_text(encoding="utf-8")
    with live_server.app.app_context():
        accounts.create_user("prof_lee", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
        db.session.remove()
    for viewport, phone in ((DESKTOP, False), (PHONE, True)):
        page = new_page(viewport)
        _login(page, base, "prof_lee")
        page.goto(base + "/teach/commentaries")
        page.get_by_label("Title").fill(f"NATO and Japan ({'phone' if phone else 'desk'})")
        page.get_by_label("Text of the commentary").fill(commentary)
        page.get_by_role("button", name="Find candidate facts").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("NATO and Japan")
        assert page.locator("li.candidate").count() >= 30
        page.get_by_role("button", name="Tick all to review").click()
        page.get_by_role("button", name="Approve ticked").click()
        expect(page.locator(".flash-success")).to_contain_text("Approved")
        # Dates, names, lists, counts, second blanks of a sentence and years that do not
        # date their sentence's main event wait for the instructor (13 approved: 8
        # acronyms for matching, 5 years).
        assert page.locator("li.candidate.status-approved").count() >= 12
        _shot(page, "commentary", phone=phone)
        page.get_by_role("link", name="review its questions").click()
        _shot(page, "review", phone=phone)
        page.locator(".review-item a.strong-link").first.click()
        expect(page.get_by_role("heading", level=2, name="Edit wording")).to_be_visible()
        _shot(page, "question", phone=phone)


def test_a_long_assignment_and_warm_up_of_one_commentary_say_how_many_it_holds(live_server,
                                                                               new_page):
    # 20 questions of the seed commentary alone would ask facts twice: on a phone, the
    # assignment form says how many it can hold, and the warm-up says why it is shorter.
    base = live_server.url
    with live_server.app.app_context():
        accounts.create_user("prof_lee", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
        db.session.remove()
    page = new_page(PHONE)
    _login(page, base, "prof_lee")
    page.goto(base + "/teach/")
    page.get_by_label("Class name").fill("Seminar B")
    page.get_by_role("button", name="Create class").click()
    page.get_by_role("link", name="New assignment").click()
    page.get_by_label("Title").fill("Everything")
    page.get_by_label("Number of questions").fill("20")
    page.get_by_label("Due").fill("2099-06-01T17:00")
    page.get_by_role("button", name="Assign to Seminar B").click()
    expect(page.get_by_text(re.compile(r"holds \d+ questions without asking a fact twice"))
           ).to_be_visible()
    _shot(page, "assignment-too-long", phone=True)
    page.set_viewport_size(DESKTOP)
    _shot(page, "assignment-too-long", phone=False)

    page.set_viewport_size(PHONE)
    page.goto(base + "/live/")
    page.get_by_label("Number of questions").fill("20")
    page.get_by_role("button", name="Create warm-up and show the PIN").click()
    expect(page.get_by_text(re.compile(r"This warm-up has \d+ questions, not 20"))
           ).to_be_visible()
    _shot(page, "warm-up-shorter", phone=True)
    page.set_viewport_size(DESKTOP)
    _shot(page, "warm-up-shorter", phone=False)
