"""The app serves real pages to a real browser."""

from pages import DESKTOP, PHONE, no_horizontal_overflow, screenshot


def test_welcome_page_renders_on_phone_and_desktop(live_server, new_page):
    for name, viewport in (("welcome-375", PHONE), ("welcome-1280", DESKTOP)):
        page = new_page(viewport)
        page.goto(live_server.url + "/")
        assert page.get_by_role("heading", level=1).inner_text() == "Know the commentary cold."
        # Nothing may overflow sideways on a phone.
        assert no_horizontal_overflow(page)
        screenshot(page, name)
