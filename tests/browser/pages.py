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


#: WCAG 2.2 AA: the rule tags axe-core runs (best-practice rules are left out).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> str:
    """Run axe-core on the page as it is now; return a readable report, empty when clean."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                       "resultTypes": ["violations"]})
    return results.generate_report() if results.violations_count else ""


def assert_accessible(page, state: str) -> None:
    """Fail with axe-core's report when the page state breaks a WCAG 2.2 AA rule."""
    report = axe_violations(page)
    assert not report, f"{state} ({page.viewport_size['width']} px, {page.url}): {report}"


def reflows(page, width: int = 320) -> list[str]:
    """Resize to ``width`` CSS px (400 % zoom of 1280) and list what sticks out sideways."""
    page.set_viewport_size({"width": width, "height": 640})
    page.wait_for_load_state("load")
    found = page.evaluate(_STICKING_OUT)
    if found:
        # The host screen swaps in fresh HTML as it polls; a swap caught mid-way is not a
        # layout that stays. Measure once more after it settles.
        page.wait_for_timeout(400)
        found = page.evaluate(_STICKING_OUT)
    return found


_STICKING_OUT = """() => {
        if (document.documentElement.scrollWidth <= innerWidth) return [];
        const out = [...document.querySelectorAll('body *')].filter(el => {
            const r = el.getBoundingClientRect();
            return r.right > innerWidth + 1 && !el.closest('.table-wrap, [role=region]');
        }).slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || ''));
        return out.length ? out : ['html: ' + document.documentElement.scrollWidth + ' px'];
    }"""


def unnamed_scroll_boxes(page) -> list[str]:
    """Boxes that scroll sideways but cannot be reached by Tab as a named region (2.1.1)."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
        const style = getComputedStyle(el);
        if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth)
            return false;
        return !(el.tabIndex >= 0 && el.getAttribute('role') === 'region'
                 && el.getAttribute('aria-label'));
    }).map(el => el.outerHTML.slice(0, 80))""")


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG contrast ratio of two sRGB colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


FOCUS_RING = """() => {
    const el = document.activeElement;
    const rgb = s => s.match(/[\\d.]+/g).map(Number);
    let style = getComputedStyle(el);
    let ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
        ? style.outlineColor : null;
    for (let box = el; !ring && box; box = box.parentElement) {  // a label/option ring
        const s = getComputedStyle(box);
        if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) ring = s.outlineColor;
    }
    let bg = null;
    for (let box = el.parentElement; box && !bg; box = box.parentElement) {
        const c = rgb(getComputedStyle(box).backgroundColor);
        if (c.length < 4 || c[3] > 0.5) bg = c;
    }
    return {ring: ring && rgb(ring), bg: bg || [255, 255, 255],
            what: el.outerHTML.slice(0, 60)};
}"""


def weak_focus_rings(page, stops: int = 25, minimum: float = 3.0) -> list[str]:
    """Tab through the page; list the focus rings with less than 3:1 against their background."""
    weak = []
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(stops):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # past the last stop
        found = page.evaluate(FOCUS_RING)
        if found["ring"] is None:
            weak.append(f"no ring: {found['what']}")
        elif contrast(found["ring"], found["bg"]) < minimum:
            weak.append(f"{contrast(found['ring'], found['bg']):.2f}:1 {found['what']}")
    return weak
