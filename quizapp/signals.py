"""Change signals: how one process tells every other process, on any server, "X changed".

Each process keeps caches (a warm-up's public state, who a session or token belongs to)
and must drop them when another process changes what they hold. ``version(app, kind)`` is
cheap (no I/O on the hot path) and changes whenever any process anywhere ``announce``\\ d
``kind``; a cache remembers the version it was filled under and trusts itself only while
the version is the same.

The transport depends on the database, the one thing every app server shares:

* **PostgreSQL** (several servers): ``announce`` sends ``NOTIFY quizapp_<kind>``; each
  process has one listener thread holding ``LISTEN`` on a connection of its own (psycopg),
  which counts the notifications. PostgreSQL delivers them to every listening session on
  every server within milliseconds; the announcing process counts its own at once (a
  logout must not outlive it in the worker's other threads for those milliseconds), and
  so skips its echo, known by the process's token in the payload (counted twice, a
  cache filled between the two would be thrown away for nothing).
  While the listener is not connected (starting, or the database went away), ``version``
  changes on every call, so no cache is trusted and every read goes to the database:
  slower, never stale. A reconnect may have missed signals, so
  it starts a new generation, which invalidates everything cached before.
* **SQLite** (the embedded default, one machine): a stamp file beside the database file
  (stamps.py), which every worker on the machine sees with one ``stat``; no thread.
"""

from __future__ import annotations

import itertools
import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Hashable

from flask import Flask
from sqlalchemy import text

from .stamps import StampFile

#: The kinds of change announced, with their stamp files on SQLite (file suffix, fallback).
KINDS = {
    "live": StampFile("live-stamp", "live-state.stamp"),
    "users": StampFile("users-stamp", "users.stamp"),
}
_CHANNEL = "quizapp_{}"
#: Seconds the listener waits for a notification before checking its connection.
_HEARTBEAT = 5.0
#: Seconds between attempts to reconnect a listener that lost its connection.
_RETRY = 0.5
#: A listener stops after this many seconds without a reader (connected) ...
_IDLE = 600.0
#: ... or without a reader while it cannot connect.
_RETRY_FOR = 10.0
_log = logging.getLogger(__name__)
_KEY = "quizapp.signals"
_unique = itertools.count()


class _Listener:
    """One process's LISTEN connection to a PostgreSQL database and what it heard (a thread).

    Shared by every app of the process on that database (gunicorn: one app per worker;
    tests: many). It stops when nothing asked for a version for ``_IDLE`` seconds, or
    cannot connect and nothing asked for ``_RETRY_FOR`` seconds (a dropped test database),
    and is started again on the next ask.
    """

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.pid = os.getpid()
        #: Sent as the payload of this process's notifications, to know their echoes.
        self.token = f"{self.pid}-{secrets.token_hex(8)}"
        self.generation = 0
        self.connected = False
        self.stopped = False
        self.used = time.monotonic()
        self.counts = dict.fromkeys(KINDS, 0)
        # What this process announced itself: its own apps and threads must not wait for
        # the notification's round trip through the database (see ``announced``).
        self.own = dict.fromkeys(KINDS, 0)
        self._own_lock = threading.Lock()
        self._sleep = time.sleep

    def start(self) -> None:
        """Run the listener in an operating-system thread, even under gevent.

        psycopg chose its C wait function when it was imported, before gunicorn's gevent
        worker patched the process, so a LISTEN waiting in a greenlet would stop every other
        greenlet of the worker. In a thread of its own it waits with the GIL released.
        """
        monkey = sys.modules.get("gevent.monkey")
        if monkey is not None and monkey.is_module_patched("threading"):
            self._sleep = monkey.get_original("time", "sleep")
            monkey.get_original("_thread", "start_new_thread")(self._run, ())
        else:
            threading.Thread(target=self._run, name="quizapp-signals", daemon=True).start()

    def version(self, kind: str) -> Hashable:
        self.used = time.monotonic()
        if not self.connected:
            return ("unconnected", next(_unique))
        return (self.generation, self.counts[kind], self.own[kind])

    def announced(self, kind: str) -> None:
        """This process sent ``kind``: its version changes now, not when the echo arrives."""
        with self._own_lock:
            self.own[kind] += 1

    def heard(self, channel: str, payload: str) -> None:
        """A notification arrived; this process's own were counted when sent."""
        kind = channel.removeprefix("quizapp_")
        if kind in self.counts and payload != self.token:
            self.counts[kind] += 1

    def _idle(self, limit: float) -> bool:
        return time.monotonic() - self.used > limit

    def _run(self) -> None:
        import psycopg

        try:
            while not self._idle(_RETRY_FOR):
                try:
                    with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5,
                                         application_name="quizapp-signals") as conn:
                        for kind in KINDS:
                            conn.execute(f"LISTEN {_CHANNEL.format(kind)}")
                        self.generation += 1  # signals may have been missed meanwhile
                        self.connected = True
                        while not self._idle(_IDLE):
                            for note in conn.notifies(timeout=_HEARTBEAT):
                                self.heard(note.channel, note.payload)
                            conn.execute("SELECT 1")  # notices a connection that died quietly
                        return
                except Exception:  # noqa: BLE001 - keep listening whatever happened
                    if self.connected:
                        _log.warning("lost the change-signal connection; reconnecting",
                                     exc_info=True)
                    self.connected = False
                    self._sleep(_RETRY)
        finally:
            self.connected = False
            self.stopped = True


#: This process's listeners, by connection string.
_listeners: dict[str, _Listener] = {}
_listeners_lock = threading.Lock()


def _postgres_conninfo(app: Flask) -> str | None:
    conninfo = app.extensions.get(_KEY, False)
    if conninfo is False:
        from sqlalchemy.engine import make_url

        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        conninfo = app.extensions[_KEY] = (
            url.set(drivername="postgresql").render_as_string(hide_password=False)
            if url.get_backend_name() == "postgresql" else None)
    return conninfo


def _listener(app: Flask) -> _Listener | None:
    """This process's listener for ``app``'s database (started on first use, after a fork,
    and after it stopped), or None on SQLite."""
    conninfo = _postgres_conninfo(app)
    if conninfo is None:
        return None
    listener = _listeners.get(conninfo)
    if listener is None or listener.stopped or listener.pid != os.getpid():
        with _listeners_lock:
            listener = _listeners.get(conninfo)
            if listener is None or listener.stopped or listener.pid != os.getpid():
                listener = _listeners[conninfo] = _Listener(conninfo)
            else:
                return listener
        # Started outside the lock: under gevent, starting a thread yields to other greenlets
        # (and a lock made before gevent patched the process would then block them all).
        listener.start()
    return listener


def version(app: Flask, kind: str) -> Hashable:
    """Changes whenever any process, on any server, announces ``kind`` (see module doc)."""
    listener = _listener(app)
    if listener is None:
        return KINDS[kind].read(app)
    return listener.version(kind)


def announce(app: Flask, kind: str) -> None:
    """Tell every process that ``kind`` changed (call after committing the change)."""
    listener = _listener(app)
    if listener is None:
        KINDS[kind].touch(app)
        return
    listener.announced(kind)
    from .extensions import db

    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_notify(:channel, :sender)"),
                         {"channel": _CHANNEL.format(kind), "sender": listener.token})
            conn.commit()
    except Exception:  # noqa: BLE001 - the change is committed; caches still expire
        app.logger.warning("could not announce a %s change; other servers' caches may lag "
                           "until they expire", kind, exc_info=True)
