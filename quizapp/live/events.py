"""Push a warm-up's state to phones: ``GET /api/v1/live/{pin}/events`` (Server-Sent Events).

Each event is exactly what ``GET /api/v1/live/{pin}/state`` returns (the same JSON, with
``server_time``), sent when the state changes: a new question, the reveal (at the deadline
too), the end. Phones that can listen need not poll, so a room of 2,000 costs nothing
between questions, and a new question reaches every phone as soon as the signal arrives
(signals.py) instead of at its next poll (docs/live-load.md has the measurements).

A stream holds its connection for minutes, so it needs a worker that keeps thousands of
idle connections for free: gunicorn's gevent worker (``quizapp serve --worker-class
gevent``). Under thread or sync workers each stream would hold a thread, so there the
endpoint answers 404 and the phone page polls, as it always did (``LIVE_PUSH``: "auto",
the default, pushes only under gevent; true or false force it).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from flask import Flask

from .. import signals
from ..domain.live import state_json
from ..errors import ServiceError
from ..models import utcnow
from ..services import live

#: Seconds between comments that keep an idle stream (and proxies) from timing out.
HEARTBEAT = 15.0
#: Seconds a stream lasts; then it ends and the browser reconnects (EventSource does).
MAX_STREAM = 600.0
#: Seconds between looks at the change signal's version (one attribute read, or a stat).
_WATCH = 0.05
_KEY = "quizapp.live-events"


def push_enabled(app: Flask) -> bool:
    """Serve streams here? Only where an idle connection costs no thread (see module doc)."""
    setting = app.config.get("LIVE_PUSH", "auto")
    if isinstance(setting, str) and setting.lower() == "auto":
        return _gevent_worker()
    if isinstance(setting, str):
        return setting.lower() in ("1", "true", "yes", "on")
    return bool(setting)


def _gevent_worker() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


class _Waker:
    """Wakes every waiting stream of this process when a game changes anywhere."""

    def __init__(self, app: Flask) -> None:
        self.app, self.pid = app, os.getpid()
        self.changed = threading.Condition()
        #: Grows with every change seen; a stream waits only if it has not moved since.
        self.generation = 0
        #: One stream at a time fills the state cache after a change (the rest read it).
        self.filling = threading.Lock()
        self.watcher = threading.Thread(target=self._watch, name="quizapp-live-events",
                                        daemon=True)

    def _watch(self) -> None:
        seen = signals.version(self.app, "live")
        while True:
            time.sleep(_WATCH)
            now = signals.version(self.app, "live")
            if now != seen:
                seen = now
                with self.changed:
                    self.generation += 1
                    self.changed.notify_all()

    def wait(self, since: int, timeout: float) -> None:
        """Wait for a change after generation ``since`` (at once if there was one)."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != since, timeout)


def _waker(app: Flask) -> _Waker:
    waker = app.extensions.get(_KEY)
    if waker is None or waker.pid != os.getpid():
        waker = app.extensions[_KEY] = _Waker(app)
        waker.watcher.start()  # after it is shared: starting may yield to other greenlets
    return waker


def _state(app: Flask, waker: _Waker, pin: str) -> tuple[bytes, str] | None:
    """(the /state body, its ETag) from this process's cache, else the database; None if
    no game has the PIN."""
    hit = live.cached_state_body(app, pin, utcnow())
    if hit is not None:
        return hit
    with waker.filling:
        now = utcnow()
        hit = live.cached_state_body(app, pin, now)
        if hit is not None:
            return hit
        with app.app_context():
            try:
                state, etag = live.public_state(pin, now)
            except ServiceError:
                return None
            return state_json(state, now).encode(), etag


def stream(app: Flask, pin: str, environ: dict[str, Any], start_response: Callable,
           headers: list[tuple[str, str]]) -> Iterable[bytes] | None:
    """Start a stream of ``pin``'s states; None if no game has the PIN (Flask says 404)."""
    waker = _waker(app)
    generation = waker.generation  # before reading the state: a change meanwhile is seen
    first = _state(app, waker, pin)
    if first is None:
        return None
    start_response("200 OK", [("Content-Type", "text/event-stream"),
                              ("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no"),
                              *headers])
    return _events(app, waker, pin, (generation, first))


def _event(body: bytes, etag: str) -> bytes:
    return b"id: " + etag.encode() + b"\ndata: " + body + b"\n\n"


def _seconds_to_deadline(body: bytes) -> float | None:
    state = json.loads(body)
    if state.get("phase") != "question" or not state.get("deadline"):
        return None
    deadline = datetime.fromisoformat(state["deadline"].replace("Z", "+00:00"))
    return (deadline.replace(tzinfo=None) - utcnow()).total_seconds()


def _events(app: Flask, waker: _Waker, pin: str,
            first: tuple[int, tuple[bytes, str]]) -> Iterator[bytes]:
    generation, (body, etag) = first
    yield b"retry: 1000\n" + _event(body, etag)
    ends = time.monotonic() + MAX_STREAM
    quiet_since = time.monotonic()
    while time.monotonic() < ends and b'"phase":"finished"' not in body:
        timeout = HEARTBEAT
        left = _seconds_to_deadline(body)
        if left is not None:  # the reveal comes at the deadline, without a signal
            timeout = min(timeout, max(0.0, left) + 0.05)
        waker.wait(generation, timeout)
        generation = waker.generation
        got = _state(app, waker, pin)
        if got is None:
            return
        if got[1] != etag:
            body, etag = got
            yield _event(body, etag)
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= HEARTBEAT:
            yield b": keep-alive\n\n"
            quiet_since = time.monotonic()
