"""An instructor writes one question of each form by hand, at phone and laptop sizes, is
told what to fix when a rule is broken, and imports a GIFT file after its preview."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question, Role
from quizapp.services import accounts

from pages import DESKTOP, PHONE, assert_accessible, no_horizontal_overflow, screenshot

PASSWORD = "a long enough password"
TOPIC = "vilnius-2023"
QUOTE = ("In addition to 31 NATO member states, four heads of government of Indo-Pacific "
         "countries attended the meeting.")


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _fill(page, qtype: str) -> str:
    """Fill the author form for one form; return its prompt."""
    label = {"mcq": "Multiple choice", "multi": "Multiple response",
             "true_false": "True / false", "short": "Short answer",
             "ordering": "Timeline ordering", "matching": "Matching"}[qtype]
    page.get_by_label(label, exact=True).check()
    page.get_by_label("Topic").select_option(TOPIC)
    prompt = f"How did Vilnius go ({qtype})?"
    if qtype == "true_false":
        prompt = "Four Indo-Pacific heads of government attended the Vilnius summit."
        page.get_by_label("Statement").fill(prompt)
        page.get_by_label("True", exact=True).check()
    else:
        page.get_by_label("Question").fill(prompt)
    if qtype in ("mcq", "multi"):
        page.get_by_label("Right answer").fill("31 member states" if qtype == "mcq"
                                               else "Japan\nAustralia")
        page.get_by_label("Wrong answers, one a line").fill("30 member states\n"
                                                            "32 member states")
    elif qtype == "short":
        page.get_by_label("Accepted answers, one a line").fill("31\nthirty-one")
    elif qtype == "ordering":
        page.get_by_label("Events in the right order").fill(
            "Japan joins CMX\nVilnius summit\nA later summit")
    elif qtype == "matching":
        for n, (left, right) in enumerate((("CMX", "Crisis Management Exercise"),
                                           ("ITPP", "Individually Tailored Partnership "
                                                    "Programme")), 1):
            page.get_by_label(f"Item {n}", exact=True).fill(left)
            page.get_by_label(f"Its match {n}", exact=True).fill(right)
    page.get_by_label("Explanation shown after answering (optional)").fill(
        "The commentary counts 31 member states and four partners.")
    page.get_by_label("Source sentence (optional)").fill(QUOTE)
    return prompt


@pytest.mark.parametrize("size", ["375", "1280"])
def test_an_instructor_writes_one_question_of_each_form(live_server, new_page, size):
    base = live_server.url
    with live_server.app.app_context():
        accounts.create_user("prof_pen", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
        db.session.remove()
    page = new_page(PHONE if size == "375" else DESKTOP)
    _login(page, base, "prof_pen")
    page.goto(base + "/teach/questions")
    page.get_by_role("link", name="Write a question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a question")

    # A broken rule: one wrong answer only, and no topic chosen yet is fine (the first).
    page.get_by_label("Question").fill("Which is it?")
    page.get_by_label("Right answer").fill("This")
    page.get_by_label("Wrong answers, one a line").fill("That")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator("#wrong-error")).to_have_text("Give at least two wrong answers.")
    expect(page.get_by_role("alert").first).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, f"author-error-{size}")
    assert_accessible(page, "author form with an error")

    for qtype in ("mcq", "multi", "true_false", "short", "ordering", "matching"):
        page.goto(base + "/teach/questions/new")
        prompt = _fill(page, qtype)
        # Only the chosen form's answer fields are shown.
        assert page.locator("section[data-forms]:visible").count() == 1
        assert no_horizontal_overflow(page)
        screenshot(page, f"author-{qtype}-{size}")
        page.get_by_role("button", name="Save the question").click()
        expect(page.locator(".flash, .notice, [role=status]").first).to_contain_text("Saved")
        expect(page.locator(".preview-prompt")).to_contain_text(prompt.rstrip("?"))
        if qtype == "matching":
            assert no_horizontal_overflow(page)
            screenshot(page, f"author-saved-{qtype}-{size}")
            assert_accessible(page, "own question page")
    with live_server.app.app_context():
        mine = db.session.scalars(select(Question).where(Question.owner_id.is_not(None))).all()
        assert sorted(q.type for q in mine) == sorted(
            ["mcq", "multi", "true_false", "short", "ordering", "matching"])
        assert all(q.payload["source"]["quote"] == QUOTE for q in mine)
        db.session.remove()


GIFT = """::Capital::What is the capital of Belgium, where NATO sits? {
  =Brussels
  ~Paris
  ~Vienna
}

::Number::What is pi? {#3.14:0.01}
"""


@pytest.mark.parametrize("size", ["375", "1280"])
def test_an_instructor_imports_a_gift_file_after_the_preview(live_server, new_page, size,
                                                             tmp_path):
    base = live_server.url
    with live_server.app.app_context():
        accounts.create_user("prof_imp", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
        db.session.remove()
    path = tmp_path / "questions.gift"
    path.write_text(GIFT, encoding="utf-8")
    page = new_page(PHONE if size == "375" else DESKTOP)
    _login(page, base, "prof_imp")
    page.goto(base + "/teach/questions")
    page.get_by_role("link", name="Import from GIFT or Moodle XML").click()
    assert_accessible(page, "import form")
    page.get_by_label("Topic of the imported questions").select_option(TOPIC)
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 1 to import, 1 left out")).to_be_visible()
    expect(page.locator(".skipped-list")).to_contain_text("numerical")
    assert no_horizontal_overflow(page)
    screenshot(page, f"import-preview-{size}")
    assert_accessible(page, "import preview")
    page.get_by_role("button", name="Import 1 question").click()
    expect(page.locator("body")).to_contain_text("Imported 1 question; 1 left out")
    expect(page.locator(".review-list")).to_contain_text("capital of Belgium")
