"""A printed quiz in Chromium: a paper preview at 1280 px, and print-to-PDF on A4 and Letter
with the questions first and the answer key on pages of its own."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.services import accounts

from pages import DESKTOP, SCREENSHOTS, axe_violations, screenshot

USERNAME = "printing_pat"
PASSWORD = "a long enough password"


def _pdf_info(path) -> tuple[int, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                         check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    size = re.search(r"^Page size:\s+(.*)$", out, re.M).group(1)
    return pages, size


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdfinfo"),
                    reason="needs poppler-utils (apt-get install -y poppler-utils)")
def test_a_practice_quiz_prints_to_pdf_with_its_key_on_later_pages(live_server, new_page):
    with live_server.app.app_context():
        accounts.create_user(USERNAME, PASSWORD, Role.STUDENT)
        db.session.commit()
        db.session.remove()
    page = new_page(DESKTOP)
    page.goto(live_server.url + "/login")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/quiz/new")
    page.get_by_role("radio", name="10").check()
    page.get_by_role("button", name="Print it instead").click()
    page.wait_for_url(re.compile(r"/print/practice\?.*seed="))
    assert page.get_by_role("heading", level=1).inner_text() == "Practice quiz"
    prompts = page.locator(".pq-text").all_inner_texts()
    assert len(prompts) == 10
    assert axe_violations(page) == ""
    screenshot(page, "print-practice-1280")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sizes = {"a4": "(A4)", "letter": "(letter)"}
    for paper, size_name in sizes.items():
        if paper == "letter":
            page.get_by_role("link", name="Letter").click()
            page.wait_for_url(re.compile(r"paper=letter"))
            # The same seed: the same questions on the other paper.
            assert page.locator(".pq-text").all_inner_texts() == prompts
        path = SCREENSHOTS / f"print-practice-{paper}.pdf"
        page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
        pages, size = _pdf_info(path)
        assert size.endswith(size_name), size
        assert pages > 1
        text = _pdf_text(path)
        # Questions first, the key after a page break: the first prompt on page 1, the key
        # heading on a later page, and none of the app's navigation.
        pages_text = text.split("\f")
        assert _squash(prompts[0])[:60] in _squash(pages_text[0])
        key_page = next(n for n, p in enumerate(pages_text) if "Answer key" in p)
        assert key_page >= 1
        assert "Answer key" not in "".join(pages_text[:key_page])
        assert "Log out" not in text and "Print it" not in text and "Paper:" not in text
