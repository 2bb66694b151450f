"""Database URLs and engine behaviour for the two supported backends.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and write transactions
take the write lock up front (``BEGIN IMMEDIATE``): a deferred read-then-write transaction
fails with "database is locked" under concurrency whatever the timeout. The app opens the
file with ``mode=rw`` so a deleted database fails loudly instead of being recreated empty;
only ``init-db`` and the first start of the embedded default create it.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError

DEFAULT_FILE = "quizapp.db"


def resolve_url(configured: str | None, instance_path: str) -> str:
    """Turn the configured URL (or None for the default) into the URL the engine uses."""
    if not configured:
        configured = f"sqlite:///{Path(instance_path) / DEFAULT_FILE}"
    url = make_url(configured)
    if url.drivername.startswith("postgres"):
        # "postgresql://" means psycopg 3 here, the driver quizapp installs.
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:"):
        path = Path(url.database).resolve()
        return f"sqlite:///file:{path}?mode=rw&uri=true"
    return configured


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return None
    name = parsed.database
    if name.startswith("file:"):
        name = name[5:].split("?", 1)[0]
    return None if name in ("", ":memory:") else Path(name)


def create_sqlite_file(url: str) -> bool:
    """Create the SQLite file behind ``url`` if it is missing; return whether it was created."""
    path = sqlite_path(url)
    if path is None or path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()
    return True


#: PostgreSQL connections per worker process (the change listener's is one more).
POOL_SIZE = 10
#: Seconds a request waits for one of them before it is answered 503.
POOL_TIMEOUT = 10.0


def engine_options(url: str, busy_timeout: float) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout, "check_same_thread": False}}
    # At most POOL_SIZE connections per worker, however many requests a gevent worker holds:
    # the rest wait for one (up to POOL_TIMEOUT, then 503), so several servers' workers fit
    # under PostgreSQL's max_connections (docs/deploying.md).
    return {"pool_pre_ping": True, "pool_size": POOL_SIZE, "max_overflow": 0,
            "pool_timeout": POOL_TIMEOUT}


def install_engine_hooks(engine: Engine, config: dict[str, Any]) -> None:
    """Set SQLite pragmas and the BEGIN / BEGIN IMMEDIATE switch on a new engine."""
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(config["SQLITE_BUSY_TIMEOUT"] * 1000)
    path = sqlite_path(engine.url.render_as_string(hide_password=False))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):
        if path is not None:
            record.info["file_id"] = _file_id(path)
            # SQLite opens a file it may not write read-only, without saying so.
            record.info["writable"] = _writable(path)
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_conn, record, _proxy):
        # A pooled connection keeps a deleted or replaced file open and would write into it
        # unseen; drop it, so the reconnect (mode=rw) fails loudly instead.
        if path is not None and record.info.get("file_id") != _file_id(path):
            raise DisconnectionError(f"The database file {path} was removed or replaced.")
        # Made read-only (or writable again) since this connection opened: an open file
        # keeps the access it was opened with, so reconnect to get the file's access now.
        if path is not None and record.info.get("writable") != _writable(path):
            raise DisconnectionError(f"The database file {path} changed its write access.")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate") \
            or _request_writes()
        conn.info["began_immediate"] = bool(immediate)
        if immediate and path is not None:
            _queue_for_write(conn.connection.info, path, config["SQLITE_BUSY_TIMEOUT"])
        if immediate:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # may wait and fail: SQLAlchemy wraps it
        else:
            # A deferred BEGIN takes no lock and cannot fail; sent to the driver directly, it
            # skips SQLAlchemy's statement machinery, half of what a request's transaction
            # cost (docs/performance.md).
            conn.connection.dbapi_connection.execute("BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):
        if record.info.pop("writing", False):
            fcntl.flock(record.info["write_queue"], fcntl.LOCK_UN)

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_conn, record):
        fd = record.info.pop("write_queue", None)
        record.info.pop("writing", None)
        if fd is not None:
            os.close(fd)  # also releases its lock


_WRITES = "quizapp_request_writes"


def expect_writes() -> None:
    """This request writes: its first transaction, whenever it begins, takes the write lock.

    Unlike ``begin_write`` nothing happens now, so what a request can refuse before it
    touches the database (a malformed body, a wrong type) is refused without queueing
    behind other writers.
    """
    setattr(g, _WRITES, True)


def _request_writes() -> bool:
    return has_request_context() and getattr(g, _WRITES, False)


def _queue_for_write(info: dict, path: Path, timeout: float) -> None:
    """Wait for this process's and the other workers' writers by a file lock, then go on.

    SQLite's own busy handler polls with sleeps that grow to 100 ms, so under a burst the
    workers waiting for the write lock sleep past the moment it is free. Writers of this app
    queue on ``<database>-writers`` instead and go as soon as it is released (after the
    commit, when the connection returns to the pool). SQLite's lock still decides; this only
    orders the app's own writers. Gives up like SQLite does, after the busy timeout.
    """
    if info.get("writing"):
        return
    fd = info.get("write_queue")
    if fd is None:
        try:
            fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return  # e.g. a read-only folder: SQLite's busy handler alone
        info["write_queue"] = fd
    deadline = time.monotonic() + timeout
    delay = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OperationalError("BEGIN IMMEDIATE", None,
                                       sqlite3.OperationalError("database is locked")) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.002)
    info["writing"] = True


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)  # false for an immutable file (chattr +i), even for root


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def begin_write(session) -> None:
    """Start the session's transaction as a write: on SQLite, take the write lock now.

    Call before the first query of a use case that reads and then writes.
    """
    session = session() if hasattr(session, "registry") else session  # scoped_session
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})
    elif session.get_bind().dialect.name == "sqlite":
        conn = session.connection()
        if not conn.info.get("began_immediate"):
            # A read already began the transaction; end it and start again as a write.
            session.rollback()
            session.connection(execution_options={"sqlite_immediate": True})
