"""Two app servers on one PostgreSQL: what one is told, the other knows (issue #14).

Two real ``quizapp serve`` processes on loopback, each with its own instance folder (no
shared files), on a PostgreSQL database of this test's own. Their caches are told to keep
a warm-up's state for an hour (``QUIZAPP_LIVE_STATE_CACHE``) and a user for the identity
cache's 30 s, so without the change signals (signals.py: LISTEN/NOTIFY) the second server
would keep serving what it had cached, and every wait below would run out.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from support.helpers import FAST_HASHER, PASSWORD

SERVE = [sys.executable, "-P", "-c", "from quizapp.cli import main; main()", "serve",
         "--bind", "127.0.0.1:0", "--workers", "1", "--threads", "8"]
#: Generous: a propagation that works takes milliseconds; a broken one never happens.
WAIT = 10.0

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(
    bool(os.environ.get("QUIZAPP_TEST_DATABASE_URL")),
    reason="runs in the SQLite stage; makes its own PostgreSQL database there")]


def _seed(url: str) -> None:
    """Migrate and seed the database; make the instructor ``host1``."""
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.models import Role
    from quizapp.services import accounts
    from quizapp.services.setup import init_db

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url,
                      "PASSWORD_HASHER": FAST_HASHER})
    with app.app_context():
        init_db()
        accounts.create_user("host1", PASSWORD, Role.INSTRUCTOR)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _start(url: str, folder: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")}
    env.update(QUIZAPP_DATABASE_URL=url, QUIZAPP_INSTANCE_PATH=str(folder),
               QUIZAPP_SECRET_KEY="two-servers-" + "k" * 32, QUIZAPP_LIVE_STATE_CACHE="3600")
    log = folder / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*SERVE, *extra], cwd=folder, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


def _port(proc: subprocess.Popen, log: Path) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return int(found.group(1))
        time.sleep(0.05)
    raise AssertionError(log.read_text())


@pytest.fixture
def servers(fresh_postgres: str, tmp_path: Path) -> Iterator[tuple[int, int]]:
    """Two ``quizapp serve`` on one fresh PostgreSQL database; yields their ports."""
    _seed(fresh_postgres)
    # b pushes states to phones (gevent workers, live/events.py); a only serves polls.
    started = [_start(fresh_postgres, tmp_path / "a"),
               _start(fresh_postgres, tmp_path / "b", "--worker-class", "gevent")]
    try:
        yield tuple(_port(proc, log) for proc, log in started)
    finally:
        for proc, _log in started:
            os.killpg(proc.pid, signal.SIGINT)  # gunicorn's quick shutdown
        for proc, _log in started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    for name in ("a", "b"):  # signals went through PostgreSQL, not stamp files
        assert not list((tmp_path / name).glob("*.stamp"))


def call(port: int, method: str, path: str, body=None, headers=None):
    """One request on a fresh connection: (status, JSON or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        conn.close()


def until(check, what: str):
    """Ask ``check`` again until it returns something true; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"the other server never saw {what}"
        time.sleep(0.02)


def test_two_servers_share_game_state_answers_and_revocations(servers, fresh_postgres):
    a, b = servers
    basic = {"Authorization": "Basic " + base64.b64encode(
        f"host1:{PASSWORD}".encode()).decode()}
    status, body = call(a, "POST", "/api/v1/tokens", headers=basic)
    assert status == 200, body
    host = {"Authorization": f"Bearer {body['token']}"}
    status, body = call(a, "POST", "/api/v1/live", {"count": 2, "types": ["mcq"],
                                                    "seconds_per_question": 120}, host)
    assert status == 201, body
    pin = body["pin"]

    # Players join through either server; server b caches the lobby state.
    players = []
    for i in range(20):
        status, body = call((a, b)[i % 2], "POST", f"/api/v1/live/{pin}/players",
                            {"nickname": f"p{i}"})
        assert status == 201, body
        players.append({"X-Player-Token": body["player_token"]})
    assert call(b, "GET", f"/api/v1/live/{pin}/state")[1]["phase"] == "lobby"
    _listeners_connected(fresh_postgres)
    stream = http.client.HTTPConnection("127.0.0.1", b, timeout=WAIT)
    stream.request("GET", f"/api/v1/live/{pin}/events")
    events = stream.getresponse()
    assert events.status == 200 and _next_state(events)["phase"] == "lobby"

    # The host advances on a; phones polling b, and phones listening on b, see the question.
    status, state = call(a, "POST", f"/api/v1/live/{pin}/advance", headers=host)
    assert status == 200, state
    seen = until(lambda: (lambda s: s if s["phase"] == "question" else None)(
        call(b, "GET", f"/api/v1/live/{pin}/state")[1]), "the advance")
    assert seen["question"]["id"] == state["question"]["id"]
    pushed = _next_state(events)
    assert (pushed["phase"], pushed["question"]["id"]) == ("question", state["question"]["id"])
    stream.close()

    # Every player answers through both servers at once: each answer is stored once.
    choices = [c["id"] for c in state["question"]["choices"]]

    def answer(job):
        port, i = job
        return call(port, "PUT", f"/api/v1/live/{pin}/answers/0",
                    {"response": choices[i % len(choices)]}, players[i])[0]

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(answer, [(port, i) for i in range(20) for port in (a, b)]))
    assert statuses == [200] * 40
    for port in (a, b):
        results = call(port, "GET", f"/api/v1/live/{pin}/results", headers=host)[1]
        assert results["answer_count"] == 20

    # A token revoked on a is refused by b, which had it cached.
    assert call(b, "GET", "/api/v1/progress", headers=host)[0] == 200
    assert call(a, "DELETE", "/api/v1/tokens", headers=host)[0] == 204
    until(lambda: call(b, "GET", "/api/v1/progress", headers=host)[0] == 401,
          "the revoked token")


def _next_state(events: http.client.HTTPResponse) -> dict:
    """The next state pushed on a Server-Sent Events stream (a read times out after WAIT)."""
    while True:
        line = events.readline()
        assert line, "the stream ended"
        if line.startswith(b"data: "):
            return json.loads(line[6:])


def _listeners_connected(url: str) -> None:
    """Both servers hold a LISTEN connection (else b would simply not cache, and the
    waits above would prove nothing)."""
    import psycopg

    database = url.rsplit("/", 1)[1]

    def count() -> bool:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND "
                "application_name = 'quizapp-signals'", (database,)).fetchone()[0] >= 2

    until(count, "a listener of each server")
