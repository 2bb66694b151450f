"""Availability under concurrent writers: sign-ups while answers stream in, slow bodies.

The app is served for real (Werkzeug's threaded server on 127.0.0.1 and an ephemeral port,
one thread and one database connection per request), so requests race as in production.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from support.helpers import PASSWORD, basic_auth, valid_response

TIMEOUT = 30  # seconds for any one HTTP call


class Server:
    """The app on a loopback port, one thread per request."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers={"Content-Type": "application/json", **(headers or {})})
            response = conn.getresponse()
            data = response.read()
            return response.status, json.loads(data) if data else None
        finally:
            conn.close()

    def learner(self, name: str) -> dict[str, str]:
        """Sign up through the API; return Bearer headers."""
        status, body = self.request("POST", "/api/v1/users",
                                    {"username": name, "password": PASSWORD})
        assert status == 201, body
        status, body = self.request("POST", "/api/v1/tokens", headers=basic_auth(name))
        assert status == 200, body
        return {"Authorization": f"Bearer {body['token']}"}


@pytest.fixture
def server(app_config: dict, request: pytest.FixtureRequest) -> Iterator[Server]:
    """Serve a fresh app; a short busy timeout, so a held write lock shows as 503 soon.

    A test marked ``production_busy_timeout`` keeps the configured default instead: a
    refused lock upgrade fails at once whatever the timeout, while a short one would also
    turn a merely slow machine (another test process beside it) into 503s.
    """
    from quizapp import create_app
    from quizapp.extensions import db

    timeout = {} if request.node.get_closest_marker("production_busy_timeout") else {
        "SQLITE_BUSY_TIMEOUT": 2.0}
    # A whole class signs up from one address here: lift the per-address sign-up budget.
    app = create_app({**app_config, **timeout, "SIGNUP_MAX_PER_ADDRESS": 10_000})
    running = Server(app)
    yield running
    running.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _answer_stream(server: Server, headers: dict[str, str], stop: threading.Event,
                   statuses: list[int]) -> None:
    """Start attempts and answer every question until told to stop."""
    while not stop.is_set():
        status, attempt = server.request("POST", "/api/v1/attempts", {"count": 10}, headers)
        statuses.append(status)
        if status != 201:
            continue
        for question in attempt["questions"]:
            status, _ = server.request(
                "PUT", f"/api/v1/attempts/{attempt['id']}/responses/{question['id']}",
                {"response": valid_response(question)}, headers)
            statuses.append(status)


@pytest.mark.slow
@pytest.mark.production_busy_timeout
def test_api_sign_ups_succeed_while_answers_stream_in(server: Server):
    """Sign-up hashes the password outside the transaction and never gets 'busy' (503)."""
    answerers = [server.learner(f"answerer{i}") for i in range(4)]
    stop = threading.Event()
    answer_statuses: list[int] = []
    streams = [threading.Thread(target=_answer_stream,
                                args=(server, headers, stop, answer_statuses))
               for headers in answerers]
    for stream in streams:
        stream.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(
                lambda i: server.request("POST", "/api/v1/users",
                                         {"username": f"newcomer{i}", "password": PASSWORD}),
                range(300)))
    finally:
        stop.set()
        for stream in streams:
            stream.join(timeout=60)
    statuses = [status for status, _ in results]
    assert statuses.count(201) == 300, {s: statuses.count(s) for s in set(statuses)}
    assert answer_statuses and set(answer_statuses) <= {200, 201}


@pytest.mark.slow
def test_a_trickled_body_does_not_block_other_writes(server: Server):
    """A client that sends its headers and then its body slowly holds no database lock."""
    slow_headers = server.learner("slowpoke")
    body = json.dumps({"count": 3}).encode()
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    try:
        head = (f"POST /api/v1/attempts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {slow_headers['Authorization']}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        slow.sendall(head.encode() + body[:1])
        # Give the server time to start on the request (the old code took the write lock
        # here and waited for the rest of the body); then write past the busy timeout.
        threading.Event().wait(0.5)
        others = server.learner("meanwhile")
        status, attempt = server.request("POST", "/api/v1/attempts", {"count": 2}, others)
        assert status == 201, attempt
        for question in attempt["questions"]:
            status, _ = server.request(
                "PUT", f"/api/v1/attempts/{attempt['id']}/responses/{question['id']}",
                {"response": valid_response(question)}, others)
            assert status == 200
        slow.sendall(body[1:])
        reply = slow.makefile("rb").readline()
        assert reply.split()[1] == b"201", reply
    finally:
        slow.close()


def test_polling_unknown_pins_leaves_the_state_cache_at_its_bound(app_config, monkeypatch):
    """Each unknown PIN polled is cached as 'no game', but only up to the cache's bound."""
    from quizapp import create_app
    from quizapp.services import live

    monkeypatch.setattr(live.state, "MAX_CACHED_PINS", 50)
    app = create_app(app_config)
    client = app.test_client()
    for pin in range(100000, 100200):
        assert client.get(f"/api/v1/live/{pin}/state").status_code == 404
    assert len(app.extensions["quizapp.live"].states) == 50


def test_a_commentary_past_the_extraction_budget_gets_a_clear_422(app, client, api_token):
    """Extraction runs before the write transaction, within EXTRACTION_SECONDS."""
    from sqlalchemy import func, select

    from quizapp.extensions import db
    from quizapp.models import Commentary

    from support.helpers import COMMENTARY

    prof = api_token("prof", "instructor")
    app.config["EXTRACTION_SECONDS"] = 0
    refused = client.post("/api/v1/commentaries", json={"title": "Long", "text": COMMENTARY},
                          headers=prof)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "too_slow" and "Split it" in error["fields"]["text"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Commentary)
                                 .where(Commentary.title == "Long")) == 0
    app.config["EXTRACTION_SECONDS"] = 10
    assert client.post("/api/v1/commentaries", json={"title": "Long", "text": COMMENTARY},
                       headers=prof).status_code == 201
