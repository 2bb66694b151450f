#!/usr/bin/env python3
"""Run pip-audit on this environment's packages, also where OSV's API is out of reach.

    pip install pip-audit && python3 tools/audit_dependencies.py     # exit 0: nothing known

Audits what ``pip freeze`` lists (quizapp's dependencies and its test tools; the venv's own
pip and setuptools are not quizapp's). pip-audit asks OSV's query API first. Where that does
not answer, as on a machine whose only way out is a PyPI mirror, pip-audit asks a stand-in
for the OSV query API on 127.0.0.1 instead. The stand-in answers from PyPI's JSON API,
``/pypi/<name>/json``. Its ``vulnerabilities`` list every advisory that affects the project's
latest release, so for a package at its latest release the answer is complete.

For an older release the stand-in passes on the advisories of the latest release that are
not fixed by the installed version. That can miss an advisory fixed between the two, so the
script names those packages and exits 3 unless each is listed with
``--checked NAME==VERSION``: someone looked that release's advisories up by hand
(docs/security.md says which, and where).

Exit codes: 0 nothing known; 1 a known vulnerability, or the audit could not be done
(any pip-audit failure, a package PyPI cannot answer for); 3 only older releases not yet
looked up by hand. Needs pip-audit 2.10 or newer (``--osv-url``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from packaging.version import InvalidVersion, Version

PYPI = "https://pypi.org/pypi/{}/json"
OSV = "https://api.osv.dev/v1/query"


def osv_reachable() -> bool:
    query = json.dumps({"package": {"name": "flask", "ecosystem": "PyPI"}, "version": "3.1.1"})
    try:
        urllib.request.urlopen(urllib.request.Request(OSV, query.encode()), timeout=10).read()
        return True
    except OSError:
        return False


def _newer(version: str, installed: Version) -> bool:
    try:
        return Version(version) > installed
    except InvalidVersion:
        return True


class PyPIAsOSV(BaseHTTPRequestHandler):
    """``POST /v1/query`` in OSV's shape, answered from PyPI's project JSON."""

    older: dict[str, tuple[str, str]] = {}  # name -> (installed, latest), filled as it answers

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name, version = query["package"]["name"], query["version"]
        try:
            project = _project_json(name)
        except (OSError, ValueError) as error:  # pip-audit then fails: nothing is called clean
            self._send(502, {"error": f"{name}: PyPI's JSON API did not answer: {error}"})
            return
        if not isinstance(project.get("vulnerabilities"), list):
            # No advisory data at all is not "no advisories".
            self._send(502, {"error": f"{name}: PyPI's JSON has no vulnerabilities list"})
            return
        latest, installed = project["info"]["version"], Version(version)
        vulns = [vuln for vuln in project["vulnerabilities"] if not vuln.get("withdrawn")]
        if Version(latest) != installed:
            self.older[name] = (version, latest)
            vulns = [v for v in vulns if all(_newer(f, installed) for f in v["fixed_in"]) or
                     not v["fixed_in"]]
        self._send(200, {"vulns": [_as_osv(name, vuln) for vuln in vulns]})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def _project_json(name: str, tries: int = 3) -> dict[str, Any]:
    """PyPI's JSON for a project; a passing network fault is tried again, a 404 is not."""
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(PYPI.format(name), timeout=60) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as error:
            if error.code < 500 or attempt == tries - 1:
                raise
        except (OSError, ValueError):
            if attempt == tries - 1:
                raise
        time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def _as_osv(name: str, vuln: dict[str, Any]) -> dict[str, Any]:
    events = [{"introduced": "0"}, *({"fixed": fixed} for fixed in vuln["fixed_in"])]
    return {"id": vuln["id"], "aliases": vuln.get("aliases") or [],
            "summary": vuln.get("summary"), "details": vuln.get("details"),
            "affected": [{"package": {"name": name, "ecosystem": "PyPI"},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}]}]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checked", action="append", default=[], metavar="NAME==VERSION",
                        help="an older release whose advisories were looked up by hand")
    parser.add_argument("--stand-in", action="store_true",
                        help="use the PyPI stand-in even if OSV answers")
    args = parser.parse_args()
    if _pip_audit_version() < (2, 10):
        print("tools/audit_dependencies.py needs pip-audit 2.10 or newer (--osv-url): "
              'pip install ".[audit]"')
        return 1
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    lines = [line for line in freeze.splitlines() if line.strip()
             and not line.lower().startswith(("quizapp==", "quizapp @"))]
    requirements = "\n".join(line for line in lines if "==" in line)
    unversioned = [line for line in lines if "==" not in line]
    if unversioned:  # installed from a URL or a path: pip-audit cannot look them up
        print("Not audited (no version from an index):", *unversioned, sep="\n  ")
        return 1
    audit = [sys.executable, "-m", "pip_audit", "--requirement", "/dev/stdin", "--no-deps",
             "--disable-pip", "--progress-spinner", "off", "-s", "osv"]
    if not args.stand_in and osv_reachable():
        print("Asking OSV's API.")
        return _failed_or_clean(subprocess.run(audit, input=requirements, text=True))

    server = ThreadingHTTPServer(("127.0.0.1", 0), PyPIAsOSV)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("OSV's API is out of reach: asking PyPI's JSON API through a stand-in on "
          f"127.0.0.1:{server.server_port}.")
    try:
        code = _failed_or_clean(subprocess.run(
            audit + ["--osv-url", f"http://127.0.0.1:{server.server_port}/v1/query",
                     "--cache-dir", _no_cache()],
            input=requirements, text=True))
    finally:
        server.shutdown()
    checked = {c.lower().replace("_", "-") for c in args.checked}
    unchecked = {n: v for n, v in PyPIAsOSV.older.items() if f"{n}=={v[0]}" not in checked}
    for name, (installed, latest) in sorted(PyPIAsOSV.older.items()):
        state = "looked up by hand" if name not in unchecked else "NOT fully audited"
        print(f"{name} {installed} is older than its latest release {latest}: "
              f"audited against the latest release's advisories only; {state}.")
    if code == 0 and unchecked:
        print("Look up those releases' advisories by hand, then pass --checked NAME==VERSION "
              "for each.")
        return 3
    return code


def _failed_or_clean(done: subprocess.CompletedProcess) -> int:
    """0 only for a clean audit; anything else pip-audit says (errors too) is a failure."""
    return 0 if done.returncode == 0 else 1


def _pip_audit_version() -> tuple[int, ...]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return tuple(int(p) for p in version("pip-audit").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return (0,)


def _no_cache() -> str:
    """A fresh cache folder, so a stale answer from an earlier run is never reused."""
    import tempfile

    return tempfile.mkdtemp(prefix="pip-audit-cache-")


if __name__ == "__main__":
    sys.exit(main())
