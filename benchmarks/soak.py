#!/usr/bin/env python3
"""One-hour soak of ``quizapp serve`` under mixed traffic (a script, not part of the tests).

    python3 benchmarks/soak.py --minutes 60            # the documented run
    python3 benchmarks/soak.py --minutes 5 --settle 1  # a quick look
    python3 benchmarks/soak.py --minutes 20 --tracemalloc /tmp/snaps   # find what grows

Makes a fresh SQLite file (``quizapp init-db``), adds the instructors with ``quizapp
add-user``, and starts ``quizapp serve`` as docs/deploying.md recommends (its defaults:
2 × cores + 1 sync workers) on 127.0.0.1 and a free port. Then, until the time is up:

* students sign up (the JSON API, and some through the HTML form), get a token, join their
  instructor's class, practise (start an attempt, answer every question, sometimes resend
  an answer as a retry after a dropped connection would, finish), start their assignments,
  and read their dashboard, assignment list and progress;
* instructors create classes and assignments, and read their class pages, gradebooks
  (HTML and ``/results``) and misconception maps: the reads that summarise growing data;
* every ``--warmup-every`` minutes an instructor runs a warm-up for ``--phones`` phones
  (join, poll the state every 0.7 s, answer each question, results);
* bad input throughout: malformed JSON, wrong types, unknown ids, wrong passwords, forms
  without their CSRF token, over-long fields. These must get a 4xx, never a 5xx.

It samples each worker's RSS every ``--sample`` seconds and reports: the RSS slope per worker
after ``--settle`` minutes (least squares, MB/min), p50/p99 latency per endpoint family per
5-minute window, every 5xx, whether every acknowledged answer (practice and warm-up) is
stored exactly once, ``PRAGMA integrity_check``, open file descriptors per worker at the
start and end, the WAL size, and whether a worker was replaced. ``--json`` keeps it all.

``--code DIR`` serves another checkout's package (a before/after on the same load).
``--tracemalloc DIR`` runs the same server with Python's tracemalloc started in each worker
(25 frames) and a snapshot written to DIR every ``--sample`` × 6 seconds; ``--compare DIR``
prints what grew between the first snapshot after ``--settle`` and the last, per worker.
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "soak password 1"
WINDOW = 300.0  # seconds per latency window
BAD = "bad input"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from quizapp.cli import main; main()", *args]


# ------------------------------------------------------------------------------ recording

class Record:
    """Every request's (when, family, status, seconds), the acknowledged answers, 5xx."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.lock = threading.Lock()
        self.rows: list[tuple[float, str, int, float]] = []
        self.errors: collections.Counter = collections.Counter()  # (family, status) -> n
        self.server_errors: list[str] = []
        self.answers: dict[tuple[int, int], Any] = {}  # (attempt, question) -> response
        self.live_answers: set[tuple[str, str, int]] = set()  # (pin, token, index)
        self.bad_not_4xx: list[str] = []

    def add(self, family: str, status: int, seconds: float, what: str) -> None:
        with self.lock:
            self.rows.append((time.monotonic() - self.start, family, status, seconds))
            if status >= 500 or status == 0:
                self.errors[(family, status)] += 1
                if len(self.server_errors) < 50:
                    self.server_errors.append(f"{status} {what}")


class Client:
    """One user's keep-alive HTTP/1.1 connection, cookies and (optional) bearer token."""

    def __init__(self, port: int, record: Record) -> None:
        self.port, self.record = port, record
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def call(self, family: str, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None, form: dict[str, str] | None = None,
             raw: bytes | None = None) -> tuple[int, Any]:
        head = dict(headers or {})
        data = None
        if body is not None:
            data, head["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        elif raw is not None:
            data, head["Content-Type"] = raw, "application/json"
        if self.token and "Authorization" not in head:
            head["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        t0 = time.monotonic()
        status, payload = 0, b""
        for attempt in range(2):  # a sync worker closes the connection: reconnect once
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body=data, headers=head)
                response = self.conn.getresponse()
                payload = response.read()
                status = response.status
                for value in response.headers.get_all("Set-Cookie") or []:
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                if response.will_close:
                    self.close()
                break
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt:
                    status = 0
        seconds = time.monotonic() - t0
        self.record.add(family, status, seconds, f"{method} {path}")
        if family == BAD and not 400 <= status < 500:
            with self.record.lock:
                self.record.bad_not_4xx.append(f"{status} {method} {path}")
        if payload[:1] in (b"{", b"["):
            try:
                return status, json.loads(payload)
            except ValueError:
                pass
        return status, payload.decode("utf-8", "replace")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def csrf(self, family: str, path: str) -> str:
        status, page = self.call(family, "GET", path)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', str(page))
        return found.group(1) if found else ""

    def basic_token(self, family: str, username: str) -> bool:
        basic = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
        status, body = self.call(family, "POST", "/api/v1/tokens",
                                 headers={"Authorization": f"Basic {basic}"})
        if status == 200:
            self.token = body["token"]
        return status == 200


# ------------------------------------------------------------------------------ the users

def response_for(question: dict[str, Any], rng: random.Random) -> Any:
    kind = question["type"]
    if kind == "mcq":
        return rng.choice(question["choices"])["id"]
    if kind == "multi":
        return [rng.choice(question["choices"])["id"]]
    if kind == "true_false":
        return rng.random() < 0.5
    if kind == "short":
        return rng.choice(["an answer", "NATO", "1949", "Japan"])
    if kind == "ordering":
        items = [item["id"] for item in question["items"]]
        rng.shuffle(items)
        return items
    rights = [r["id"] for r in question["right"]]
    rng.shuffle(rights)
    return {left["id"]: right for left, right in zip(question["left"], rights, strict=True)}


class Soak:
    def __init__(self, args: argparse.Namespace, port: int, record: Record) -> None:
        self.args, self.port, self.record = args, port, record
        self.stop = threading.Event()
        self.codes: list[str] = []  # join codes of the instructors' classes
        self.codes_lock = threading.Lock()
        self.instructors = [f"teacher{i}" for i in range(args.instructors)]

    def alive(self) -> bool:
        return not self.stop.is_set()

    def pause(self, low: float, high: float, rng: random.Random) -> None:
        self.stop.wait(rng.uniform(low, high) * self.args.think)

    # -- bad input, from anyone
    def bad_input(self, c: Client, rng: random.Random) -> None:
        choice = rng.randrange(9)
        if choice == 0:
            c.call(BAD, "POST", "/api/v1/attempts", raw=b'{"count": ')
        elif choice == 1:
            c.call(BAD, "POST", "/api/v1/attempts", {"count": "many", "types": 7})
        elif choice == 2:
            c.call(BAD, "PUT", f"/api/v1/attempts/{rng.randrange(10**6, 10**7)}/responses/1",
                   {"response": "x"})
        elif choice == 3:
            c.call(BAD, "POST", "/api/v1/users", {"username": "x" * 300, "password": 5})
        elif choice == 4:
            basic = base64.b64encode(f"nobody{rng.randrange(10**6)}:wrong".encode()).decode()
            c.call(BAD, "POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
        elif choice == 5:
            c.call(BAD, "POST", "/api/v1/enrollments", {"join_code": ["no"]})
        elif choice == 6:
            c.call(BAD, "POST", "/login", form={"username": "x", "password": "y"})  # no CSRF
        elif choice == 7:
            c.call(BAD, "GET", f"/api/v1/attempts/{rng.choice(['0', '-1', '99999999'])}")
        else:
            c.call(BAD, "POST", "/api/v1/classes/999999/assignments",
                   {"title": "", "due_at": "tomorrow-ish", "count": -3})

    # -- a student
    def student(self, n: int) -> None:
        rng = random.Random(n)
        c = Client(self.port, self.record)
        name = f"s{n:04d}{secrets.token_hex(2)}"
        self.pause(0, 30, rng)
        if n % 4 == 0:  # the HTML sign-up, then a token for the API
            token = c.csrf("sign-up", "/register")
            status, _ = c.call("sign-up", "POST", "/register", form={
                "csrf_token": token, "username": name, "password": PASSWORD,
                "confirm": PASSWORD})
            ok = status in (200, 302, 303)
        else:
            status, _ = c.call("sign-up", "POST", "/api/v1/users",
                               {"username": name, "password": PASSWORD})
            ok = status == 201
        while self.alive() and not ok:  # a 503 "busy" or 429: wait and try again
            self.pause(2, 5, rng)
            status, _ = c.call("sign-up", "POST", "/api/v1/users",
                               {"username": name, "password": PASSWORD})
            ok = status in (201, 409)
        while self.alive() and not c.basic_token("login", name):
            self.pause(2, 5, rng)
        while self.alive() and not self.codes:
            self.pause(1, 2, rng)
        if not self.alive():
            return
        with self.codes_lock:
            code = self.codes[n % len(self.codes)]
        c.call("student writes", "POST", "/api/v1/enrollments", {"join_code": code})
        if n % 3 == 0:  # a browser session too, for the HTML pages
            token = c.csrf("login", "/login")
            c.call("login", "POST", "/login", form={"csrf_token": token, "username": name,
                                                     "password": PASSWORD})
        while self.alive():
            roll = rng.random()
            if roll < 0.55:
                self.practise(c, rng)
            elif roll < 0.7:
                self.assignment(c, rng)
            elif roll < 0.85:
                c.call("student reads", "GET", "/api/v1/progress")
                c.call("student reads", "GET", "/api/v1/assignments")
                if "session" in c.cookies:
                    c.call("student reads", "GET", rng.choice(
                        ["/dashboard", "/assignments", "/progress"]))
            else:
                self.bad_input(c, rng)
            self.pause(2, 6, rng)
        c.close()

    def answer_all(self, c: Client, attempt: dict[str, Any], rng: random.Random) -> None:
        for q in attempt["questions"]:
            if not self.alive():
                return
            response = response_for(q, rng)
            path = f"/api/v1/attempts/{attempt['id']}/responses/{q['id']}"
            status, _ = c.call("answer", "PUT", path, {"response": response})
            if status == 200:
                with self.record.lock:
                    self.record.answers[(attempt["id"], q["id"])] = response
                if rng.random() < 0.1:  # a retry after a dropped connection
                    c.call("answer", "PUT", path, {"response": response})
            self.pause(0.5, 2.5, rng)
        c.call("practice", "POST", f"/api/v1/attempts/{attempt['id']}/finish")

    def practise(self, c: Client, rng: random.Random) -> None:
        status, attempt = c.call("practice", "POST", "/api/v1/attempts",
                                 {"count": rng.choice([5, 8, 10]),
                                  "mode": rng.choice(["practice", "practice", "review"])})
        if status == 201 and attempt.get("questions"):
            c.call("practice", "GET", f"/api/v1/attempts/{attempt['id']}")
            self.answer_all(c, attempt, rng)

    def assignment(self, c: Client, rng: random.Random) -> None:
        status, listing = c.call("student reads", "GET", "/api/v1/assignments")
        if status != 200:
            return
        items = listing.get("assignments", listing) if isinstance(listing, dict) else listing
        open_ones = [a for a in items if isinstance(a, dict) and a.get("id")]
        if not open_ones:
            return
        chosen = rng.choice(open_ones)
        status, attempt = c.call("practice", "POST", "/api/v1/attempts",
                                 {"assignment_id": chosen["id"]})
        if status in (200, 201) and attempt.get("questions"):
            self.answer_all(c, attempt, rng)

    # -- an instructor
    def instructor(self, n: int) -> None:
        rng = random.Random(1000 + n)
        c = Client(self.port, self.record)
        while self.alive() and not c.basic_token("login", self.instructors[n]):
            self.pause(1, 3, rng)
        token = c.csrf("login", "/login")
        c.call("login", "POST", "/login", form={"csrf_token": token,
                                                 "username": self.instructors[n],
                                                 "password": PASSWORD})
        classes: list[int] = []
        assignments: list[int] = []

        def new_class() -> None:
            status, made = c.call("instructor writes", "POST", "/api/v1/classes",
                                  {"name": f"Class {n}.{len(classes)}"})
            if status == 201:
                classes.append(made["id"])
                with self.codes_lock:
                    self.codes.append(made["join_code"])

        new_class()
        while self.alive():
            roll = rng.random()
            if roll < 0.03 and len(classes) < 4:
                new_class()
            elif roll < 0.12 and classes:
                due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
                status, made = c.call(
                    "instructor writes", "POST",
                    f"/api/v1/classes/{rng.choice(classes)}/assignments",
                    {"title": f"Homework {len(assignments)}", "count": rng.choice([5, 10]),
                     "due_at": due, "max_attempts": 3})
                if status == 201:
                    assignments.append(made["id"])
            elif roll < 0.45 and classes:
                course = rng.choice(classes)
                c.call("class pages", "GET", f"/teach/classes/{course}")
                c.call("class pages", "GET", f"/api/v1/classes/{course}")
                c.call("class pages", "GET", rng.choice(
                    ["/teach/", f"/api/v1/classes/{course}/assignments",
                     f"/teach/classes/{course}/misconceptions"]))
            elif roll < 0.85 and assignments:
                assignment = rng.choice(assignments)
                c.call("gradebooks", "GET", f"/teach/assignments/{assignment}")
                c.call("gradebooks", "GET", f"/api/v1/assignments/{assignment}/results")
            else:
                self.bad_input(c, rng)
                if rng.random() < 0.5:  # a form with an error: no name
                    c.call(BAD, "POST", "/teach/", form={"csrf_token": c.csrf(
                        "class pages", "/teach/"), "name": ""})
            self.pause(3, 8, rng)
        c.close()

    # -- a warm-up: one host, many phones
    def warmups(self) -> None:
        rng = random.Random(7)
        host = Client(self.port, self.record)
        self.stop.wait(self.args.warmup_first * 60)
        while self.alive() and not host.basic_token("login", self.instructors[0]):
            self.stop.wait(2)
        rounds = 0
        while self.alive():
            self.warmup(host, rng, rounds)
            rounds += 1
            self.stop.wait(self.args.warmup_every * 60)
        host.close()

    def warmup(self, host: Client, rng: random.Random, number: int) -> None:
        status, game = host.call("warm-up host", "POST", "/api/v1/live",
                                 {"count": self.args.warmup_questions,
                                  "seconds_per_question": 60, "types": ["mcq", "true_false"]})
        if status != 201:
            return
        pin = game["pin"]
        phones: list[Client] = []
        lock = threading.Lock()

        def join(i: int) -> None:
            phone = Client(self.port, self.record)
            st, body = phone.call("warm-up join", "POST", f"/api/v1/live/{pin}/players",
                                  {"nickname": f"p{number}-{i}"})
            if st == 201:
                phone.player = body["player_token"]  # type: ignore[attr-defined]
                with lock:
                    phones.append(phone)

        joiners = [threading.Thread(target=join, args=(i,)) for i in range(self.args.phones)]
        for t in joiners:
            t.start()
        for t in joiners:
            t.join(60)
        done = threading.Event()

        def phone_loop(phone: Client, prng: random.Random) -> None:
            answered: set[int] = set()
            headers = {"X-Player-Token": phone.player}  # type: ignore[attr-defined]
            while not done.is_set() and self.alive():
                st, state = phone.call("warm-up poll", "GET", f"/api/v1/live/{pin}/state",
                                       headers=headers)
                if st == 200 and isinstance(state, dict) and state.get("question") \
                        and state.get("phase") == "question":
                    index = state.get("question_index", state["question"].get("index"))
                    if isinstance(index, int) and index not in answered:
                        done.wait(prng.uniform(0.5, 4))
                        choices = state["question"].get("choices") or []
                        response = prng.choice(choices)["id"] if choices else True
                        st2, _ = phone.call("warm-up answer", "PUT",
                                            f"/api/v1/live/{pin}/answers/{index}",
                                            {"response": response}, headers=headers)
                        answered.add(index)
                        if st2 == 200:
                            with self.record.lock:
                                self.record.live_answers.add(
                                    (pin, phone.player, index))  # type: ignore[attr-defined]
                done.wait(prng.uniform(0.6, 0.8))
            phone.close()

        pollers = [threading.Thread(target=phone_loop, args=(p, random.Random(i)))
                   for i, p in enumerate(phones)]
        for t in pollers:
            t.start()
        for index in range(self.args.warmup_questions):
            self.stop.wait(2)
            host.call("warm-up host", "POST", f"/api/v1/live/{pin}/advance",
                      {"from_index": index - 1})
            self.stop.wait(12)
            host.call("warm-up host", "POST", f"/api/v1/live/{pin}/reveal")
            host.call("warm-up host", "GET", f"/api/v1/live/{pin}/results")
        done.set()
        for t in pollers:
            t.join(60)
        host.call("warm-up host", "POST", f"/api/v1/live/{pin}/end")

    def run(self, minutes: float) -> None:
        threads = [threading.Thread(target=self.instructor, args=(i,), daemon=True)
                   for i in range(self.args.instructors)]
        threads += [threading.Thread(target=self.student, args=(i,), daemon=True)
                    for i in range(self.args.students)]
        if self.args.phones:
            threads.append(threading.Thread(target=self.warmups, daemon=True))
        for t in threads:
            t.start()
        self.stop.wait(minutes * 60)
        self.stop.set()
        for t in threads:
            t.join(90)


# ------------------------------------------------------------------------------ the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workers_of(master: int) -> list[int]:
    """Pids of the processes whose parent is ``master`` (gunicorn's workers)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                out.append(int(entry.name))
    return sorted(out)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def fd_count(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


TRACE_HOOK = r"""
import ctypes, ctypes.util, json, os, sys, threading, time, tracemalloc
from quizapp import serving
from quizapp.cli import main

folder, every = sys.argv[1], float(sys.argv[2])


class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks "
                "keepcost".split()]


def memory_stats():
    # Where a worker's memory is: Python's (traced), SQLite's own allocator, and glibc's
    # heap (in use, free but kept), beside the RSS.
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    sqlite = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    m = libc.mallinfo2()
    rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return {"t": time.time(), "rss": rss, "traced": tracemalloc.get_traced_memory()[0],
            "sqlite": sqlite.sqlite3_memory_used(), "heap": m.arena, "in_use": m.uordblks,
            "free": m.fordblks, "mmap": m.hblkhd}


def post_fork(server, worker):
    def dump():
        # Started once the worker has imported and built the app: growth is what counts.
        time.sleep(min(every, 20))
        tracemalloc.start(12)
        n = 0
        while True:
            time.sleep(every)
            snap = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)])
            snap.dump(os.path.join(folder, f"{os.getpid()}-{n:04d}-{int(time.time())}.snap"))
            with open(os.path.join(folder, f"{os.getpid()}.stats"), "a") as out:
                out.write(json.dumps(memory_stats()) + "\n")
            n += 1
    threading.Thread(target=dump, daemon=True).start()

original = serving.gunicorn_options
serving.gunicorn_options = lambda *a, **k: {**original(*a, **k), "post_fork": post_fork}
sys.argv = ["quizapp", *sys.argv[3:]]
main()
"""


def start_server(args: argparse.Namespace, env: dict[str, str], port: int,
                 log: Path) -> subprocess.Popen:
    serve = ["serve", "--bind", f"127.0.0.1:{port}"]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    if args.threads:
        serve += ["--threads", str(args.threads)]
    if args.tracemalloc:
        Path(args.tracemalloc).mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-c", TRACE_HOOK, args.tracemalloc,
                   str(args.sample * 6), *serve, "--timeout", "120"]
    else:
        command = cli(*serve)
    out = open(log, "w")  # noqa: SIM115  (the child keeps it)
    proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=tempfile.gettempdir())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"quizapp serve exited:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"quizapp serve did not answer within 120 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


# ------------------------------------------------------------------------------ the report

def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares MB per minute of (seconds, MB) points."""
    if len(points) < 3:
        return float("nan")
    xs = [p[0] / 60 for p in points]
    ys = [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def check_database(path: Path, record: Record) -> dict[str, Any]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        stored: dict[tuple[int, int], list[str]] = collections.defaultdict(list)
        for a, q, r in con.execute("SELECT attempt_id, question_id, response FROM response"):
            stored[(a, q)].append(r)
        missing = [k for k in record.answers if k not in stored]
        doubled = [k for k in record.answers if len(stored.get(k, ())) > 1]
        differing = [k for k, v in record.answers.items()
                     if len(stored.get(k, ())) == 1 and json.loads(stored[k][0]) != v]
        live = collections.Counter()
        for pin, token_hash, index in con.execute(
                "SELECT g.pin, p.token_hash, a.question_index FROM live_answer a "
                "JOIN live_player p ON p.id = a.player_id JOIN live_game g ON g.id = a.game_id"):
            live[(pin, token_hash, index)] += 1
        import hashlib

        live_missing = [k for k in record.live_answers
                        if live[(k[0], hashlib.sha256(k[1].encode()).hexdigest(), k[2])] != 1]
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("user", "course", "assignment", "attempt", "response",
                            "live_game", "live_answer")}
    finally:
        con.close()
    return {"integrity": integrity, "answers_acknowledged": len(record.answers),
            "answers_missing": len(missing), "answers_doubled": len(doubled),
            "answers_differing": len(differing),
            "live_acknowledged": len(record.live_answers), "live_not_once": len(live_missing),
            "rows": counts}


def report(args, record: Record, samples, fds_start, fds_end, db_check, wal_bytes,
           replaced, loads, elapsed) -> dict[str, Any]:
    settle = args.settle * 60
    per_worker = {}
    for pid, points in samples.items():
        after = [p for p in points if p[0] >= settle]
        per_worker[pid] = {"slope_mb_per_min": slope(after),
                           "rss_first": points[0][1] if points else None,
                           "rss_settled": after[0][1] if after else None,
                           "rss_last": points[-1][1] if points else None,
                           "samples": [(round(t, 1), round(mb, 2)) for t, mb in points]}
    windows: dict[str, dict[int, list[float]]] = collections.defaultdict(
        lambda: collections.defaultdict(list))
    counts: collections.Counter = collections.Counter()
    for t, family, _status, seconds in record.rows:
        windows[family][int(t // WINDOW)].append(seconds)
        counts[family] += 1
    latency = {family: {w: {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99)}
                        for w, v in sorted(ws.items())} for family, ws in windows.items()}
    return {"machine": machine(), "command": " ".join(sys.argv), "elapsed_s": elapsed,
            "requests": len(record.rows), "per_family": dict(counts),
            "server_errors": {f"{f} {s}": n for (f, s), n in record.errors.items()},
            "server_error_examples": record.server_errors,
            "bad_input_not_4xx": record.bad_not_4xx[:20],
            "workers": per_worker, "workers_replaced": replaced,
            "fds_start": fds_start, "fds_end": fds_end, "wal_bytes": wal_bytes,
            "database": db_check, "load_avg": loads, "latency": latency}


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, " \
           f"{platform.system()} {platform.release()}"


def markdown(r: dict[str, Any]) -> str:
    lines = [f"* machine: {r['machine']}", f"* command: `{r['command']}`",
             f"* {r['requests']} requests in {r['elapsed_s'] / 60:.1f} min; load average "
             f"(1 min) min/median/max {min(r['load_avg']):.1f}/"
             f"{statistics.median(r['load_avg']):.1f}/{max(r['load_avg']):.1f}",
             f"* 5xx: {sum(r['server_errors'].values())} {r['server_errors'] or ''}; "
             f"bad input answered other than 4xx: {len(r['bad_input_not_4xx'])}",
             f"* workers replaced: {r['workers_replaced']}",
             f"* database: {json.dumps(r['database'])}",
             f"* WAL at the end: {r['wal_bytes'] / 1e6:.1f} MB; fds per worker start "
             f"{sorted(r['fds_start'].values())} end {sorted(r['fds_end'].values())}", "",
             "| worker | RSS start | RSS after settling | RSS end | slope after settling |",
             "| --- | --- | --- | --- | --- |"]
    for pid, w in r["workers"].items():
        lines.append(f"| {pid} | {w['rss_first']:.1f} MB | {w['rss_settled'] or 0:.1f} MB | "
                     f"{w['rss_last']:.1f} MB | {w['slope_mb_per_min']:+.3f} MB/min |")
    families = sorted(r["latency"])
    nwin = max((max(ws) for ws in r["latency"].values() if ws), default=0) + 1
    lines += ["", "p50 / p99 in ms per 5-minute window (n = requests in the window):", "",
              "| family | " + " | ".join(f"{w * 5}–{w * 5 + 5} min" for w in range(nwin)) + " |",
              "| --- |" + " --- |" * nwin]
    for family in families:
        cells = []
        for w in range(nwin):
            c = r["latency"][family].get(w)
            cells.append(f"{c['p50'] * 1000:.0f} / {c['p99'] * 1000:.0f} ({c['n']})"
                         if c else "")
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ tracemalloc

def compare(folder: str, settle_min: float, top: int) -> None:
    import tracemalloc

    snaps: dict[str, list[tuple[int, Path]]] = collections.defaultdict(list)
    for f in Path(folder).glob("*.snap"):
        pid, _, stamp = f.stem.split("-")
        snaps[pid].append((int(stamp), f))
    for pid, items in sorted(snaps.items()):
        items.sort()
        t0 = items[0][0]
        settled = [f for t, f in items if t - t0 >= settle_min * 60] or [items[0][1]]
        first = tracemalloc.Snapshot.load(str(settled[0]))
        last = tracemalloc.Snapshot.load(str(items[-1][1]))
        minutes = (items[-1][0] - next(t for t, f in items if f == settled[0])) / 60
        total = sum(s.size for s in last.statistics("filename")) / 1e6
        print(f"\n== worker {pid}: {len(items)} snapshots, {minutes:.1f} min compared, "
              f"{total:.1f} MB traced at the end")
        stats = Path(folder) / f"{pid}.stats"
        if stats.exists():
            print("   min    RSS  traced  SQLite  heap  in use  free  mmap   (MB)")
            rows = [json.loads(line) for line in stats.read_text().splitlines()]
            for row in rows:
                print(f"  {(row['t'] - rows[0]['t']) / 60:4.1f} " + " ".join(
                    f"{row[k] / 1e6:6.1f}" for k in
                    ("rss", "traced", "sqlite", "heap", "in_use", "free", "mmap")))
        for stat in last.compare_to(first, "traceback")[:top]:
            print(f"{stat.size_diff / 1e3:+9.1f} kB {stat.count_diff:+7d} blocks")
            for line in stat.traceback.format(limit=8)[-16:]:
                print("      " + line)


# ------------------------------------------------------------------------------ main

def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--settle", type=float, default=10, help="minutes left out of the slope")
    p.add_argument("--students", type=int, default=88)
    p.add_argument("--instructors", type=int, default=5)
    p.add_argument("--phones", type=int, default=100)
    p.add_argument("--warmup-every", type=float, default=8.0, help="minutes between warm-ups")
    p.add_argument("--warmup-first", type=float, default=2.0, help="minutes to the first")
    p.add_argument("--warmup-questions", type=int, default=5)
    p.add_argument("--think", type=float, default=1.0, help="scale of every pause")
    p.add_argument("--workers", type=int, help="default: quizapp serve's (2 × cores + 1)")
    p.add_argument("--threads", type=int, help="default: quizapp serve's (1, sync workers)")
    p.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    p.add_argument("--code", metavar="DIR",
                   help="serve the quizapp package in DIR (e.g. an export of another commit, "
                        "for a before/after) instead of the installed one")
    p.add_argument("--json", help="write the full report here")
    p.add_argument("--tracemalloc", metavar="DIR", help="snapshot each worker into DIR")
    p.add_argument("--compare", metavar="DIR", help="print what grew in DIR's snapshots")
    p.add_argument("--top", type=int, default=15)
    args = p.parse_args()
    if args.compare:
        compare(args.compare, args.settle, args.top)
        return

    work = Path(tempfile.mkdtemp(prefix="quizapp-soak-"))
    db_path = work / "quizapp.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")}
    env.update(QUIZAPP_DATABASE_URL=f"sqlite:///{db_path}",
               QUIZAPP_SECRET_KEY="soak-" + secrets.token_hex(24))
    if args.code:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(args.code).resolve()),
                                                          env.get("PYTHONPATH")]))
    subprocess.run(cli("init-db"), env=env, check=True, capture_output=True, timeout=600)
    for i in range(args.instructors):
        subprocess.run(cli("add-user", f"teacher{i}", "--role", "instructor",
                           "--password", PASSWORD), env=env, check=True,
                       capture_output=True, timeout=120)
    port = free_port()
    log = work / "serve.log"
    proc = start_server(args, env, port, log)
    start = time.monotonic()
    record = Record(start)
    soak = Soak(args, port, record)
    pids0 = workers_of(proc.pid)
    fds_start = {pid: fd_count(pid) for pid in pids0}
    samples: dict[int, list[tuple[float, float]]] = collections.defaultdict(list)
    loads: list[float] = []
    seen_pids: set[int] = set(pids0)
    print(f"soak: {len(pids0)} workers on port {port}, {args.minutes} min, files in {work}",
          flush=True)

    def sampler() -> None:
        while not soak.stop.is_set():
            now = time.monotonic() - start
            for pid in workers_of(proc.pid):
                seen_pids.add(pid)
                mb = rss_mb(pid)
                if mb is not None:
                    samples[pid].append((now, mb))
            loads.append(os.getloadavg()[0])
            if len(loads) % 30 == 1:
                rss = " ".join(f"{samples[p][-1][1]:.0f}" for p in workers_of(proc.pid)
                               if samples[p])
                print(f"  {now / 60:5.1f} min  {len(record.rows)} requests  "
                      f"RSS MB {rss}  load {loads[-1]:.1f}  5xx {sum(record.errors.values())}",
                      flush=True)
            soak.stop.wait(args.sample)

    sampling = threading.Thread(target=sampler, daemon=True)
    sampling.start()
    try:
        soak.run(args.minutes)
        sampling.join(args.sample + 5)
        elapsed = time.monotonic() - start
        pids1 = workers_of(proc.pid)
        fds_end = {pid: fd_count(pid) for pid in pids1}
        replaced = sorted(seen_pids - set(pids1))
        wal = db_path.with_name(db_path.name + "-wal")
        wal_bytes = wal.stat().st_size if wal.exists() else 0  # while the workers run
    finally:
        stop_server(proc)
    result = report(args, record, samples, fds_start, fds_end, check_database(db_path, record),
                    wal_bytes, replaced, loads, elapsed)
    print(markdown(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
