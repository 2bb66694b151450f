"""``quizapp serve`` as the README runs it: from a clone's root, gunicorn on loopback."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.helpers import PASSWORD, ROOT

#: Like the ``quizapp`` console script: the working directory is not on sys.path (-P).
SERVE = [sys.executable, "-P", "-c", "from quizapp.cli import main; main()", "serve",
         "--bind", "127.0.0.1:0", "--workers", "1"]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    bool(os.environ.get("QUIZAPP_TEST_DATABASE_URL")), reason="serves the embedded SQLite")]


def _copy_package(target: Path, with_resources: bool) -> None:
    shutil.copytree(ROOT / "quizapp", target / "quizapp",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if with_resources:  # as the wheel carries them (pyproject.toml, force-include)
        wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())[
            "tool"]["hatch"]["build"]["targets"]["wheel"]
        for source, inside in wheel["force-include"].items():
            shutil.copytree(ROOT / source, target / inside)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``quizapp serve`` of an installed copy, started in a clone's root; yields the port."""
    tmp = tmp_path_factory.mktemp("serve")
    _copy_package(tmp / "site", with_resources=True)  # the installed package
    _copy_package(tmp / "clone", with_resources=False)  # the source tree in the cwd
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZAPP_", "FORWARDED"))}
    env["PYTHONPATH"] = str(tmp / "site")
    log_path = tmp / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(SERVE, cwd=tmp / "clone", env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        port = 0
        while time.monotonic() < deadline and not port:
            assert proc.poll() is None, log_path.read_text()
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
            port = int(found.group(1)) if found else 0
            time.sleep(0.1)
        assert port, log_path.read_text()
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert (tmp / "site" / "instance" / "quizapp.db").exists()
    assert not (tmp / "clone" / "instance").exists()


def _request(port: int, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    deadline = time.monotonic() + 30
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers={"Content-Type": "application/json", **(headers or {})})
            response = conn.getresponse()
            response.read()
            return response
        except ConnectionError:
            if time.monotonic() > deadline:  # the worker may still be starting
                raise
            time.sleep(0.2)
        finally:
            conn.close()


def test_serve_from_a_clone_root_answers_database_requests(served: int):
    """The workers use the package (and database) that serve set up, not ./quizapp."""
    response = _request(served, "POST", "/api/v1/users",
                        {"username": "from_clone", "password": PASSWORD})
    assert response.status == 201


def test_serve_sends_no_server_banner(served: int):
    response = _request(served, "GET", "/login")
    assert response.status == 200
    assert response.getheader("Server") is None


def test_serve_ignores_forwarded_proto_without_trusted_proxies(served: int):
    """gunicorn trusts loopback proxies by default; quizapp trusts none unless configured."""
    response = _request(served, "GET", "/login", headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") is None
