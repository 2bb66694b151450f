"""The pip-audit stand-in (tools/audit_dependencies.py) answers OSV queries from PyPI's JSON."""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support.helpers import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import audit_dependencies as audit  # noqa: E402

ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "details": "bad", "summary": None,
            "fixed_in": ["2.0"], "withdrawn": None}
UNFIXED = {**ADVISORY, "id": "PYSEC-2099-2", "fixed_in": []}
WITHDRAWN = {**ADVISORY, "id": "PYSEC-2099-3", "withdrawn": "2099-01-01"}


class FakePyPI(BaseHTTPRequestHandler):
    flaky_failures = 1  # /pypi/flaky/json answers 503 this many times first

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/pypi/flaky/json" and FakePyPI.flaky_failures > 0:
            FakePyPI.flaky_failures -= 1
            self.send_error(503)
            return
        projects = {"/pypi/flaky/json": {"info": {"version": "1.0"}, "vulnerabilities": []},
                    "/pypi/demo/json": {"info": {"version": "3.0"},
                                        "vulnerabilities": [ADVISORY, UNFIXED, WITHDRAWN]},
                    "/pypi/bare/json": {"info": {"version": "1.0"}}}
        if self.path not in projects:
            self.send_error(404)
            return
        body = json.dumps(projects[self.path]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _serve(handler) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    pypi, pypi_url = _serve(FakePyPI)
    monkeypatch.setattr(audit, "PYPI", pypi_url + "/pypi/{}/json")
    monkeypatch.setattr(audit.PyPIAsOSV, "older", {})
    server, url = _serve(audit.PyPIAsOSV)
    yield url + "/v1/query"
    server.shutdown()
    pypi.shutdown()
    server.server_close()
    pypi.server_close()


def _query(url: str, name: str, version: str) -> tuple[int, dict]:
    body = json.dumps({"package": {"name": name, "ecosystem": "PyPI"}, "version": version})
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body.encode()), timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_the_latest_release_gets_every_advisory_pypi_lists_in_osv_shape(stand_in: str) -> None:
    status, answer = _query(stand_in, "demo", "3.0")
    assert status == 200
    assert [v["id"] for v in answer["vulns"]] == ["PYSEC-2099-1", "PYSEC-2099-2"]
    first = answer["vulns"][0]
    assert first["aliases"] == ["CVE-2099-1"]
    assert first["affected"][0]["package"] == {"name": "demo", "ecosystem": "PyPI"}
    assert first["affected"][0]["ranges"][0]["events"] == [{"introduced": "0"}, {"fixed": "2.0"}]
    assert audit.PyPIAsOSV.older == {}


def test_an_older_release_keeps_the_advisories_it_does_not_fix_and_is_named(stand_in) -> None:
    assert [v["id"] for v in _query(stand_in, "demo", "1.5")[1]["vulns"]] == \
        ["PYSEC-2099-1", "PYSEC-2099-2"]
    assert [v["id"] for v in _query(stand_in, "demo", "2.5")[1]["vulns"]] == ["PYSEC-2099-2"]
    assert audit.PyPIAsOSV.older == {"demo": ("2.5", "3.0")}


@pytest.mark.parametrize("name", ["missing", "bare"])
def test_a_project_pypi_cannot_answer_for_fails_instead_of_passing(stand_in: str, name) -> None:
    """No project, or a project JSON without advisory data: never "no advisories"."""
    status, answer = _query(stand_in, name, "1.0")
    assert status == 502
    assert name in answer["error"]


def test_a_passing_pypi_fault_is_tried_again(stand_in: str) -> None:
    FakePyPI.flaky_failures = 1
    assert _query(stand_in, "flaky", "1.0") == (200, {"vulns": []})
    assert FakePyPI.flaky_failures == 0


def test_only_a_clean_pip_audit_run_counts_as_clean() -> None:
    import subprocess

    assert [audit._failed_or_clean(subprocess.CompletedProcess([], code))
            for code in (0, 1, 2, 3)] == [0, 1, 1, 1]
