"""``quizapp serve``: gunicorn run in this process, on the installed quizapp.

Started as ``python -m gunicorn quizapp.wsgi:app``, gunicorn puts the working directory
first on ``sys.path``: from a clone's root its workers imported ``./quizapp`` (with
``./instance/``) while ``serve`` had set up the database of the installed package, and every
database request failed (issue 12.14). Here gunicorn is a library (its documented "custom
application"): the workers fork from this process and use the package it already imported.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

#: Longest path a Unix socket may have (sun_path is 108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100


def gunicorn_options(app: Flask, bind: str, workers: int, threads: int,
                     timeout: int, worker_class: str | None = None) -> dict[str, Any]:
    """gunicorn's settings for ``quizapp serve`` (docs/deploying.md says why each)."""
    extra: dict[str, Any] = {}
    if worker_class == "gevent":
        # Each phone of a warm-up keeps a stream open (live/events.py) and a connection
        # to answer on: 2,000 phones are 4,000 connections, shared by the workers.
        extra = {"worker_class": "gevent", "worker_connections": 5000}
    elif worker_class is not None:
        extra = {"worker_class": worker_class}
    return {
        **extra,
        "bind": bind, "workers": workers, "threads": threads, "accesslog": "-",
        # A sync worker busy reading a slow request is killed and replaced after this.
        "timeout": timeout, "graceful_timeout": timeout, "keepalive": 2,
        # Small request heads: a client cannot make a worker read a large one slowly.
        "limit_request_line": 4094, "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        # X-Forwarded-* are trusted by the app (ProxyFix) when QUIZAPP_TRUSTED_PROXIES says
        # so, never by gunicorn, whose default trusts any proxy on 127.0.0.1.
        "forwarded_allow_ips": "", "secure_scheme_headers": {},
        "proc_name": "quizapp",
        **_control_socket_options(app.instance_path),
    }


def _control_socket_options(instance_path: str) -> dict[str, Any]:
    """Give this app its own gunicorn control socket, in its instance folder.

    gunicorn 25.1 and newer open a control socket (for ``gunicornc``) at one path per user
    by default, so a second quizapp (or any other gunicorn) on the machine would take it
    over. Older versions have no such option.
    """
    import gunicorn

    if tuple(gunicorn.version_info[:2]) < (25, 1):
        return {}
    path = os.path.join(instance_path, "gunicorn.ctl")
    if len(path.encode()) > _MAX_SOCKET_PATH:
        return {"control_socket_disable": True}
    return {"control_socket": path}


def _drop_server_banner() -> None:
    """Send no ``Server: gunicorn`` header: gunicorn writes it always, with no setting."""
    from gunicorn.http import wsgi

    original = wsgi.Response.default_headers
    if getattr(original, "without_banner", False):
        return

    def default_headers(self) -> list[str]:
        return [h for h in original(self) if not h.lower().startswith("server:")]

    default_headers.without_banner = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers


class QuizappServer(BaseApplication):
    """gunicorn serving ``quizapp.wsgi.app``, imported in each worker from this package."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from .wsgi import app

        return app


def run(options: dict[str, Any]) -> None:
    """Serve until gunicorn's master stops."""
    from .memory import return_large_buffers

    return_large_buffers()  # before the workers fork: they inherit it
    _drop_server_banner()
    QuizappServer(options).run()
