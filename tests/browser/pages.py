"""Viewports and screenshot helper for browser tests (import as ``from pages import ...``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
#: Where screenshots go: test-artifacts/ (ignored by git) unless QUIZAPP_TEST_SCREENSHOTS names
#: a folder, e.g. docs/screenshots when the documented pictures are to be refreshed.
SCREENSHOTS = _ROOT / os.environ.get("QUIZAPP_TEST_SCREENSHOTS", "test-artifacts/screenshots")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot in SCREENSHOTS for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_overflow(page) -> bool:
    """True when nothing sticks out sideways (the page fits a phone).

    Waits for the page and its stylesheets first: right after a click that navigates, the
    new page may not be styled yet, and an unstyled page overflows (a flaky failure).
    """
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def question_payload(live_server, page) -> dict:
    """The key of the question on screen, read from the database (never from the page)."""
    from quizapp.extensions import db
    from quizapp.models import Attempt

    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))
    number = int(re.search(r"Question (\d+)", page.get_by_role("heading", level=1)
                           .inner_text()).group(1))
    with live_server.app.app_context():
        payload = dict(db.session.get(Attempt, attempt_id).items[number - 1].question.payload)
        db.session.remove()
    return payload
