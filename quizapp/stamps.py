"""Stamp files: how one worker tells the others on this machine that something changed.

A process that changes shared state appends a byte to a stamp file; every process compares
the file's (size, modification time) with what it saw when it filled its cache, at the
cost of one ``stat``. The file sits beside the SQLite database (so every worker using it
sees it), else in the instance folder (PostgreSQL: this machine's workers; other machines
wait for their caches' expiry). Used by the user cache (services/identity.py) and the
warm-up state cache (services/live/state.py).
"""

from __future__ import annotations

import os

from flask import Flask

from .database import sqlite_path

#: A stamp file is emptied when it grows past this many bytes (it only has to change).
_MAX_SIZE = 1 << 20


class StampFile:
    """One stamp file per app: ``<database>.<suffix>``, else ``<instance>/<fallback>``."""

    def __init__(self, suffix: str, fallback: str) -> None:
        self.suffix, self.fallback = suffix, fallback
        self._key = f"quizapp.stamp.{suffix}"

    def path(self, app: Flask) -> str:
        path = app.extensions.get(self._key)
        if path is None:
            database = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
            path = app.extensions[self._key] = (
                f"{database}.{self.suffix}" if database is not None
                else os.path.join(app.instance_path, self.fallback))
        return path

    def read(self, app: Flask) -> tuple[int, int]:
        """The stamp now: (size, modification time), or (0, 0) if there is no file."""
        try:
            info = os.stat(self.path(app))
        except OSError:
            return (0, 0)
        return info.st_size, info.st_mtime_ns

    def touch(self, app: Flask) -> None:
        """Change the stamp, so every process notices at its next ``read``."""
        path = self.path(app)
        try:
            if os.path.exists(path) and os.path.getsize(path) > _MAX_SIZE:
                os.truncate(path, 0)
            with open(path, "ab") as stamp:
                stamp.write(b".")
        except OSError:  # a read-only folder: the caches' expiry still bounds staleness
            app.logger.warning("cannot write %s; other workers may lag a little", path)
