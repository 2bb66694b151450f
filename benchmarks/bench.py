#!/usr/bin/env python3
"""Benchmark quizapp against a bare Flask "hello" served the same way (not part of the tests).

    python3 benchmarks/bench.py                      # SQLite and PostgreSQL, 3 runs
    python3 benchmarks/bench.py --backends sqlite --runs 1 --duration 5 --no-write

Serves the real app (``quizapp.wsgi:app``) and ``benchmarks/hello_app.py`` with gunicorn on
127.0.0.1, same settings for both, and measures in each run:

* the floor: ``benchmarks/floor_app.py`` (quizapp with bare routes that return a string, also
  open the request's database transaction, also load one user with the ORM), same wrk run;
* requests/s of hello, the quiz page (``GET /attempts/<id>``, a logged-in learner's
  in-progress attempt) and an answer (``PUT /api/v1/attempts/{id}/responses/{qid}``, every
  request a new answer to a fresh attempt), with wrk (Debian package ``wrk``) driven by a Lua
  script that rotates through prepared requests; p50/p95/p99 latency from wrk;
* a burst of 300 answers (300 learners, one connection each, released by a barrier): p99;
* 300 logins at once (``POST /api/v1/tokens``, HTTP Basic, the real argon2id hasher): total;
* 300 learners each answering at a random instant within 20 s (open loop; more answers
  each with ``--answers-per-learner``):
  p50/p95/p99, errors, and whether every acknowledged answer is stored exactly once.

Writes the medians of the runs into docs/performance.md between the ``bench`` markers.
PostgreSQL: ``--postgres-url`` (default ``$QUIZAPP_BENCH_POSTGRES_URL`` or the local
server) names a server where a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLI = [sys.executable, "-c", "from quizapp.cli import main; main()"]
PASSWORD = "benchmark password"
SECRET = "bench-" + secrets.token_hex(16)
LEARNERS = 300
MARK_BEGIN, MARK_END = "<!-- bench:begin -->", "<!-- bench:end -->"

LUA = r"""
local reqs = {}
local idx = 0
local counter = 0
local threads = {}
errors = 0
wrapped = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % n == tid then
      local method, path, header, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if header ~= "" then
        for name, value in header:gmatch("([^|:]+): ([^|]+)") do headers[name] = value end
      end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      table.insert(reqs, wrk.format(method, path, headers, body))
    end
    i = i + 1
  end
  if #reqs == 0 then  -- fewer lines than threads: every thread sends them all
    tid = 0
    init({args[1], "1"})
  end
end

function request()
  idx = idx + 1
  if idx > #reqs then idx = 1; wrapped = wrapped + 1 end
  return reqs[idx]
end

function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local errs, wraps = 0, 0
  for _, t in ipairs(threads) do errs = errs + t:get("errors"); wraps = wraps + t:get("wrapped") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"non200": %d, "socket_errors": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errs, e.connect + e.read + e.write + e.timeout, wraps))
end
"""


# --- servers and databases -------------------------------------------------------------------


class Gunicorn:
    """A gunicorn on 127.0.0.1 and a port the OS picks."""

    def __init__(self, app: str, cwd: Path, env: dict[str, str], args: list[str],
                 log: Path) -> None:
        self.app, self.cwd, self.env, self.args, self.log_path = app, cwd, env, args, log
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> Gunicorn:
        self.log = open(self.log_path, "w")  # noqa: SIM115  (closed in __exit__)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--no-control-socket",
             *self.args, self.app], cwd=self.cwd, env=self.env, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()}")
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)",
                              self.log_path.read_text())
            if found:
                self.port = int(found.group(1))
                try:
                    status = request(self.port, "GET", "/")[0]
                    if status < 500:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers (user + system)."""
        assert self.proc is not None
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry.name) == self.proc.pid or int(fields[1]) == self.proc.pid:
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self.log.close()


def request(port: int, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def app_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")}
    env.update(QUIZAPP_DATABASE_URL=url, QUIZAPP_SECRET_KEY=SECRET)
    return env


class Database:
    """A scratch database made by ``quizapp init-db``: an SQLite file or a PostgreSQL db."""

    def __init__(self, backend: str, workdir: Path, postgres_url: str) -> None:
        self.backend, self.admin = backend, postgres_url
        if backend == "sqlite":
            self.url = f"sqlite:///{workdir / 'quizapp.db'}"
        else:
            from sqlalchemy.engine import make_url

            self.name = f"quizapp_bench_{os.getpid()}"
            self.url = make_url(postgres_url).set(drivername="postgresql", database=self.name) \
                .render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> Database:
        if self.backend == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        done = subprocess.run(CLI + ["init-db"], env=app_env(self.url), cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(done.stderr)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.backend == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- data made in-process ----------------------------------------------------------------


def valid_response(question: dict[str, Any]) -> Any:
    kind = question["type"]
    if kind == "mcq":
        return question["choices"][0]["id"]
    if kind == "multi":
        return [question["choices"][0]["id"]]
    if kind == "true_false":
        return True
    if kind == "short":
        return "an answer"
    if kind == "ordering":
        return [item["id"] for item in question["items"]]
    return {left["id"]: right["id"]
            for left, right in zip(question["left"], question["right"], strict=True)}


class Fixtures:
    """Learners, tokens and attempts, written straight into the database."""

    def __init__(self, url: str) -> None:
        from quizapp import create_app

        self.app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
        self.seed = 0
        with self.app.app_context():
            from quizapp.extensions import db
            from quizapp.models import Role, User
            from quizapp.services import accounts

            hashed = accounts.hasher().hash(PASSWORD)  # the real argon2id parameters
            self.users, self.tokens = [], []
            for i in range(LEARNERS):
                user = User(username=f"learner{i:04d}", password_hash=hashed,
                            role=Role.STUDENT, session_nonce=secrets.token_hex(8))
                db.session.add(user)
                db.session.flush()
                self.users.append(user.id)
                self.tokens.append(accounts.issue_token(user))
            db.session.commit()

    def attempts(self, user_indexes: list[int], count: int) -> list[list[tuple]]:
        """Start one attempt per listed learner; return its (path, body, auth) answers."""
        from quizapp.domain.generator import public_view
        from quizapp.extensions import db
        from quizapp.models import User
        from quizapp.services import study

        out = []
        with self.app.app_context():
            for i in user_indexes:
                self.seed += 1
                user = db.session.get(User, self.users[i])
                attempt = study.start_attempt(user, count=count, seed=self.seed)
                db.session.commit()
                out.append([(f"/api/v1/attempts/{attempt.id}/responses/{item.question_id}",
                             {"response": valid_response(public_view(item.question.payload))},
                             f"Bearer {self.tokens[i]}", attempt.id, item.question_id)
                            for item in attempt.items])
            db.session.remove()
        return out

    def stored(self, attempt_ids: set[int]) -> dict[tuple[int, int], int]:
        """(attempt, question) -> how many answers are stored."""
        from sqlalchemy import func, select

        from quizapp.extensions import db
        from quizapp.models import Answer

        with self.app.app_context():
            rows = db.session.execute(
                select(Answer.attempt_id, Answer.question_id, func.count())
                .where(Answer.attempt_id.in_(attempt_ids))
                .group_by(Answer.attempt_id, Answer.question_id)).all()
            db.session.remove()
        return {(a, q): n for a, q, n in rows}

    def close(self) -> None:
        from quizapp.extensions import db

        with self.app.app_context():
            db.engine.dispose()


def login_cookie(port: int, username: str) -> str:
    """Log in through the HTML form (CSRF token and all); return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": username,
                                   "password": PASSWORD}).encode()
    opener.open(f"{base}/login", data=form, timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


# --- load generators ------------------------------------------------------------------------


def wrk(server: Gunicorn, lines: list[str], duration: float, connections: int, threads: int,
        workdir: Path) -> dict[str, Any]:
    """Run wrk against ``server``; add requests/s and the server's CPU ms per request."""
    port = server.port
    script, data = workdir / "rotate.lua", workdir / f"requests-{secrets.token_hex(4)}.tsv"
    script.write_text(LUA)
    data.write_text("\n".join(lines) + "\n")
    cpu_before = server.cpu_seconds()
    done = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(duration)}s",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}", "--",
         str(data), str(threads)], capture_output=True, text=True, timeout=duration + 60)
    data.unlink()
    found = re.search(r"RESULT (\{.*\})", done.stdout)
    if not found:
        raise RuntimeError(done.stdout + done.stderr)
    result = json.loads(found.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu_ms"] = (server.cpu_seconds() - cpu_before) * 1000 / max(1, result["requests"])
    return result


def line(method: str, path: str, header: str = "", body: Any = None) -> str:
    return f"{method}\t{path}\t{header}\t{'' if body is None else json.dumps(body)}"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def burst(port: int, calls: list[tuple[str, str, Any, dict[str, str]]]) -> dict[str, Any]:
    """Open one connection per call, release all calls at once; latency from the release."""
    barrier = threading.Barrier(len(calls) + 1, timeout=60)
    results: list[tuple[int, float] | None] = [None] * len(calls)
    start = [0.0]

    def go(i: int) -> None:
        method, path, body, headers = calls[i]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.connect()
            barrier.wait()
            conn.request(method, path, body=None if body is None else json.dumps(body),
                         headers={"Content-Type": "application/json", **headers})
            response = conn.getresponse()
            response.read()
            results[i] = (response.status, time.perf_counter() - start[0])
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError):
            results[i] = (0, time.perf_counter() - start[0])
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(len(calls))]
    for t in threads:
        t.start()
    time.sleep(0.5)  # let every thread connect
    start[0] = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=120)
    latencies = [r[1] for r in results if r]
    return {"ok": sum(1 for r in results if r and r[0] == 200), "total": len(calls),
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "max": max(latencies), "statuses": sorted({r[0] for r in results if r})}


def learners_within(port: int, work: list[list[tuple]], window: float) -> dict[str, Any]:
    """Each learner answers its questions at random instants within ``window`` seconds."""
    rng = random.Random(1)
    schedules = [sorted(rng.uniform(0, window) for _ in answers) for answers in work]
    latencies: list[float] = []
    acked: list[tuple[int, int]] = []
    errors: list[int] = []
    lock = threading.Lock()
    begin = time.perf_counter() + 1.0

    def learner(i: int) -> None:
        for at, (path, body, auth, attempt_id, qid) in zip(schedules[i], work[i], strict=True):
            delay = begin + at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent = time.perf_counter()
            try:
                status, _ = request(port, "PUT", path, body, {"Authorization": auth})
            except (OSError, http.client.HTTPException):
                status = 0
            took = time.perf_counter() - sent
            with lock:
                latencies.append(took)
                (acked.append((attempt_id, qid)) if status == 200 else errors.append(status))

    threads = [threading.Thread(target=learner, args=(i,), daemon=True)
               for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=window + 120)
    return {"answers": len(latencies), "errors": len(errors), "acked": acked,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99)}


# --- one run ---------------------------------------------------------------------------------


def measure(backend: str, db: Database, hello: Gunicorn, args, workdir: Path) -> dict:
    out: dict[str, Any] = {}
    fx = Fixtures(db.url)
    try:
        with Gunicorn("quizapp.wsgi:app", ROOT, app_env(db.url), args.gunicorn,
                      workdir / f"app-{backend}.log") as app:
            wrk_args = (args.duration, args.connections, args.wrk_threads, workdir)
            out["hello"] = wrk(hello, [line("GET", "/")], *wrk_args)
            # The floor: quizapp routes that do (almost) nothing; see floor_app.py.
            with Gunicorn("floor_app:app", ROOT / "benchmarks", app_env(db.url),
                          args.gunicorn, workdir / f"floor-{backend}.log") as floor:
                for name, path in (("floor_hello", "/__floor/hello"),
                                   ("floor_transaction", "/__floor/transaction"),
                                   ("floor_user", f"/__floor/user/{fx.users[0]}")):
                    out[name] = wrk(floor, [line("GET", path)], *wrk_args)

            # The quiz page: 20 logged-in learners, each on an in-progress attempt.
            pages = []
            for i, answers in zip(range(20), fx.attempts(list(range(20)), 10), strict=True):
                cookie = login_cookie(app.port, f"learner{i:04d}")
                attempt_id = answers[0][3]
                pages.append(line("GET", f"/attempts/{attempt_id}", f"Cookie: {cookie}"))
            status, _ = request(app.port, "GET", f"/attempts/{answers[0][3]}",
                                headers={"Cookie": cookie})
            if status != 200:  # no HTML quiz page: measure the API view of the attempt
                pages = [line("GET", f"/api/v1/attempts/{answers[0][3]}",
                              f"Authorization: {answers[0][2]}")
                         for answers in fx.attempts(list(range(20)), 10)]
            out["page"] = wrk(app, pages, *wrk_args)
            out["page"]["html"] = status == 200

            # Answers: every request a new answer to a fresh attempt (50 questions each).
            needed = int(args.duration * 1500 / 50) + 10
            fresh = fx.attempts([i % LEARNERS for i in range(needed)], 50)
            rotation = [a for _, answers in enumerate(fresh) for a in answers]
            random.Random(0).shuffle(rotation)
            out["answer"] = wrk(app, [line("PUT", p, f"Authorization: {auth}", body)
                                           for p, body, auth, _, _ in rotation], *wrk_args)

            # A burst of 300 answers at the same instant, one per learner.
            firsts = [answers[0] for answers in fx.attempts(list(range(LEARNERS)), 1)]
            out["burst"] = burst(app.port, [("PUT", p, body, {"Authorization": auth})
                                            for p, body, auth, _, _ in firsts])

            # 300 logins at once with the real hasher.
            logins = [("POST", "/api/v1/tokens", None, {"Authorization": "Basic " + base64
                       .b64encode(f"learner{i:04d}:{PASSWORD}".encode()).decode()})
                      for i in range(LEARNERS)]
            result = burst(app.port, logins)
            result["total"] = result["max"]  # from the release to the last token
            out["logins"] = result

            # 300 learners answering within 20 seconds (each at its own random instants).
            work = fx.attempts(list(range(LEARNERS)), args.answers_per_learner)
            result = learners_within(app.port, work, args.window)
            stored = fx.stored({answers[0][3] for answers in work})
            acked = result.pop("acked")
            result["exactly_once"] = all(stored.get(k) == 1 for k in acked) and \
                all(n == 1 for n in stored.values())
            out["learners"] = result
    finally:
        fx.close()
    return out


# --- report ----------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    for text in Path("/proc/cpuinfo").read_text().splitlines():
        if text.startswith("model name"):
            cpu = text.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores (nproc), {cpu}"


FLOOR = ("floor_hello", "floor_transaction", "floor_user")


def summarise(runs: list[dict]) -> dict[str, dict[str, float]]:
    def med(get) -> float:
        return statistics.median(get(r) for r in runs)

    return {
        "hello_rps": med(lambda r: r["hello"]["rps"]),
        "page_rps": med(lambda r: r["page"]["rps"]),
        "answer_rps": med(lambda r: r["answer"]["rps"]),
        "page_ratio": med(lambda r: r["page"]["rps"] / r["hello"]["rps"]),
        "answer_ratio": med(lambda r: r["answer"]["rps"] / r["hello"]["rps"]),
        **{f"{k}_cpu": med(lambda r, k=k: r[k]["cpu_ms"]) for k in ("hello", "page", "answer")},
        **{f"{k}_ratio": med(lambda r, k=k: r[k]["rps"] / r["hello"]["rps"])
           for k in FLOOR},
        **{f"{k}_cpu": med(lambda r, k=k: r[k]["cpu_ms"]) for k in FLOOR},
        "page_cpu_ratio": med(lambda r: r["hello"]["cpu_ms"] / r["page"]["cpu_ms"]),
        "answer_cpu_ratio": med(lambda r: r["hello"]["cpu_ms"] / r["answer"]["cpu_ms"]),
        **{f"{k}_{p}": med(lambda r, k=k, p=p: r[k][p] / 1000)
           for k in ("hello", "page", "answer") for p in ("p50", "p95", "p99")},
        "wrk_errors": max(r[k]["non200"] + r[k]["socket_errors"]
                          for r in runs for k in ("hello", "page", "answer", *FLOOR)),
        # Answers sent again once the prepared fresh ones ran out (should be 0).
        "answer_repeats": max(r["answer"]["wrapped"] for r in runs),
        "page_html": all(r["page"]["html"] for r in runs),
        "burst_p99": med(lambda r: r["burst"]["p99"] * 1000),
        "burst_ok": min(r["burst"]["ok"] for r in runs),
        "logins_total": med(lambda r: r["logins"]["total"]),
        "logins_ok": min(r["logins"]["ok"] for r in runs),
        "learners_p50": med(lambda r: r["learners"]["p50"] * 1000),
        "learners_p95": med(lambda r: r["learners"]["p95"] * 1000),
        "learners_p99": med(lambda r: r["learners"]["p99"] * 1000),
        "learners_errors": max(r["learners"]["errors"] for r in runs),
        "learners_answers": min(r["learners"]["answers"] for r in runs),
        "exactly_once": all(r["learners"]["exactly_once"] for r in runs),
    }


def table(results: dict[str, dict], args, command: str) -> str:
    backends = list(results)
    names = {"sqlite": "SQLite (WAL)", "postgres": "PostgreSQL"}
    rows = [
        ("hello, requests/s", "hello_rps", "{:.0f}", ""),
        ("quiz page `GET /attempts/<id>`, requests/s", "page_rps", "{:.0f}", ""),
        ("answer `PUT .../responses/{qid}`, requests/s", "answer_rps", "{:.0f}", ""),
        ("quiz page / hello", "page_ratio", "{:.2f}", "≥ 0.4"),
        ("answer / hello", "answer_ratio", "{:.2f}", "≥ 0.3"),
        ("server CPU per request, ms: hello / page / answer",
         ("hello_cpu", "page_cpu", "answer_cpu"), "{:.2f}", ""),
        ("hello CPU / page CPU (the page ratio on an idle, CPU-bound server)",
         "page_cpu_ratio", "{:.2f}", "≥ 0.4"),
        ("hello CPU / answer CPU", "answer_cpu_ratio", "{:.2f}", "≥ 0.3"),
        ("hello latency p50 / p95 / p99, ms", ("hello_p50", "hello_p95", "hello_p99"),
         "{:.1f}", ""),
        ("quiz page latency p50 / p95 / p99, ms", ("page_p50", "page_p95", "page_p99"),
         "{:.1f}", ""),
        ("answer latency p50 / p95 / p99, ms", ("answer_p50", "answer_p95", "answer_p99"),
         "{:.1f}", ""),
        ("floor: a quizapp route returning a string / + its database transaction / + one "
         "user loaded with the ORM (as every logged-in request did before the identity "
         "cache), requests/s ratio to hello (`benchmarks/floor_app.py`)",
         tuple(f"{k}_ratio" for k in FLOOR), "{:.2f}", ""),
        ("floor: server CPU per request of those three, ms",
         tuple(f"{k}_cpu" for k in FLOOR), "{:.2f}", ""),
        ("non-200 or socket errors under wrk (worst run)", "wrk_errors", "{:.0f}", "0"),
        ("answers that were not fresh (prepared ones ran out)", "answer_repeats", "{:.0f}",
         "0"),
        ("burst of 300 answers at once: p99, ms", "burst_p99", "{:.0f}", "< 1000"),
        ("burst: answers acknowledged (worst run)", "burst_ok", "{:.0f}/300", "300/300"),
        ("300 logins at once (argon2id): total, s", "logins_total", "{:.2f}", "< 10"),
        ("logins that got a token (worst run)", "logins_ok", "{:.0f}/300", "300/300"),
        (f"300 learners × {args.answers_per_learner} answer(s) at random instants within "
         f"{args.window:g} s: p50 / p95 / p99, ms",
         ("learners_p50", "learners_p95", "learners_p99"), "{:.1f}", "p99 < 100 (SQLite)"),
        ("… errors (worst run)", "learners_errors", "{:.0f}", "0"),
        ("… every acknowledged answer stored exactly once", "exactly_once", "{}", "yes"),
    ]
    page = "HTML page" if all(results[b]["page_html"] for b in backends) else \
        "API view `GET /api/v1/attempts/<id>` (no HTML page yet)"
    load = os.getloadavg()
    out = [f"Command: `{command}`  ",
           f"Machine: {machine()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / "
           f"{load[2]:.1f} (1/5/15 min; above 2 means other work shared the cores)  ",
           f"Quiz page measured: {page}.  ",
           f"Date: {dt.date.today().isoformat()}; median of {args.runs} runs; gunicorn "
           f"`{' '.join(args.gunicorn)}` for both apps; wrk {args.wrk_threads} threads, "
           f"{args.connections} connections, {args.duration:g} s per measurement.",
           "",
           "| measure | " + " | ".join(names[b] for b in backends) + " | target |",
           "| --- | " + " | ".join("---:" for _ in backends) + " | --- |"]
    for label, key, fmt, target in rows:
        cells = []
        for b in backends:
            s = results[b]
            if isinstance(key, tuple):
                cells.append(" / ".join(fmt.format(s[k]) for k in key))
            elif key == "exactly_once":
                cells.append("yes" if s[key] else "**no**")
            else:
                cells.append(fmt.format(s[key]))
        out.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    return "\n".join(out) + "\n"


def write_report(path: Path, text: str) -> None:
    body = path.read_text() if path.exists() else f"# Performance\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if MARK_BEGIN not in body:
        body += f"\n{MARK_BEGIN}\n{MARK_END}\n"
    head, rest = body.split(MARK_BEGIN, 1)
    tail = rest.split(MARK_END, 1)[1]
    path.write_text(f"{head}{MARK_BEGIN}\n{text}{MARK_END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--window", type=float, default=20.0,
                        help="seconds over which the 300 learners answer")
    parser.add_argument("--answers-per-learner", type=int, default=1,
                        help="answers each of the 300 learners gives within the window")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "QUIZAPP_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench.py needs wrk: apt-get install -y wrk")
    args.gunicorn = ["--workers", str(args.workers), "--threads", str(args.threads)]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    command = "python3 benchmarks/bench.py " + " ".join(sys.argv[1:])
    runs: dict[str, list[dict]] = {b: [] for b in backends}
    with tempfile.TemporaryDirectory(prefix="quizapp-bench-") as tmp:
        workdir = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")}
        with Gunicorn("hello_app:app", ROOT / "benchmarks", env, args.gunicorn,
                      workdir / "hello.log") as hello:
            for run in range(args.runs):
                for backend in backends:
                    with Database(backend, workdir, args.postgres_url) as db:
                        result = measure(backend, db, hello, args, workdir)
                    runs[backend].append(result)
                    print(f"run {run + 1} {backend}: " + json.dumps(
                        {k: {m: round(v, 3) for m, v in r.items() if isinstance(v, float)}
                         for k, r in result.items()}), flush=True)
                    for suffix in ("", "-wal", "-shm"):
                        (workdir / f"quizapp.db{suffix}").unlink(missing_ok=True)
    summary = {b: summarise(r) for b, r in runs.items()}
    text = table(summary, args, command)
    print(text)
    if not args.no_write:
        write_report(Path(args.output), text)


if __name__ == "__main__":
    main()
