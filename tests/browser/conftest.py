"""Browser fixtures: the real app served from a thread, driven by Playwright + Debian Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator

import pytest
from werkzeug.serving import make_server

from pages import DESKTOP

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


#: Werkzeug's development server (the tests' live server, never production's gunicorn)
#: skips closing a static file's response when the browser drops the connection while it
#: drains the socket: the file's ResourceWarning then fails whichever test is running.
DROPPED_STATIC_FILE = ("ignore:unclosed file <_io.BufferedReader name='[^']*/static/"
                       ":ResourceWarning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.filterwarnings(DROPPED_STATIC_FILE))


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the session; skipped only where Chromium is not installed."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("QUIZAPP_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True)
        yield chromium
        chromium.close()


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(csrf_app) -> Iterator[LiveServer]:
    """Serve the app (CSRF on, as in production) on an ephemeral loopback port."""
    server = LiveServer(csrf_app).start()
    yield server
    server.stop()


@pytest.fixture
def new_page(browser) -> Iterator[Callable]:
    """Return a function that opens a page in a fresh context (phone or desktop size)."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or DESKTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
