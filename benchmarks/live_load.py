#!/usr/bin/env python3
"""Warm-up burst benchmark (a script, not part of the test run).

    python3 benchmarks/live_load.py                    # N = 100, 300, 1000, the phone's path
    python3 benchmarks/live_load.py --sizes 2000 --path api
    python3 benchmarks/live_load.py --sizes 50 --questions 1

Serves the real app with gunicorn on 127.0.0.1 (a fresh SQLite file in a temp dir, after
``quizapp init-db``), creates an instructor and a warm-up through the API, lets N simulated
participants join, and for each question:

* every participant polls ``GET /api/v1/live/{pin}/state`` like the phone page does (every
  700 ms ± 100 ms, If-None-Match, one keep-alive connection each);
* the host advances; we time until *every* participant has seen the new question;
* all participants answer at the same instant (released by an asyncio event, requests
  already written to open connections) and we time each answer;
* ``GET /results`` counts the answers stored, to compare with the 200s acknowledged.

Bounded: at most --max-n participants, every wait has a timeout, loopback only.
Prints a Markdown table; ``--write`` puts it into docs/live-load.md between markers (one
place for the phone's path, the default, and one for ``--path api``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from quizapp.cli import main; main()"]
HOST = "127.0.0.1"
PASSWORD = "benchmark password"
POLL, JITTER = 0.7, 0.1
#: Phones joining at once.
JOINING = 50
#: Joins sent again after a 503 (database busy), as a player would tap again.
JOIN_RETRIES = [0]
#: Where --write puts a run's report in docs/live-load.md: by the path measured.
MARKS = {"phone": ("<!-- live-load:phone:begin -->", "<!-- live-load:phone:end -->"),
         "api": ("<!-- live-load:api:begin -->", "<!-- live-load:api:end -->"),
         "push": ("<!-- live-load:push:begin -->", "<!-- live-load:push:end -->"),
         "two-servers": ("<!-- live-load:two-servers:begin -->",
                         "<!-- live-load:two-servers:end -->"),
         "two-servers-push": ("<!-- live-load:two-servers-push:begin -->",
                              "<!-- live-load:two-servers-push:end -->")}


# ------------------------------------------------------------------ a tiny HTTP/1.1 client

class Connection:
    """One keep-alive HTTP/1.1 connection (like one phone), for asyncio.

    With a ``jar`` (a dict shared by a phone's connections) it sends and keeps cookies like
    a browser: every request carries them, every Set-Cookie updates them.
    """

    def __init__(self, port: int, jar: dict[str, str] | None = None) -> None:
        self.port = port
        self.jar = jar
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      body: bytes = b"", retries: int = 2) -> tuple[int, dict[str, str], bytes]:
        for attempt in range(retries + 1):
            try:
                if self.writer is None:
                    await self._open()
                return await self._exchange(method, path, headers or {}, body)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                # A keep-alive connection the server closed: open a new one and resend
                # (every request here is safe to repeat; an answer counts once).
                self.close()
                if attempt == retries:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, method, path, headers, body):
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}",
                 f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if self.jar:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.jar.items()))
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed")
        status = int(status_line.split()[1])
        head: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            head[name] = value.strip()
            if name == "set-cookie" and self.jar is not None:
                cookie, _, _ = value.strip().partition(";")
                key, _, val = cookie.partition("=")
                self.jar[key.strip()] = val.strip()
        length = int(head.get("content-length", "0"))
        data = await self.reader.readexactly(length) if length else b""
        if head.get("connection", "").lower() == "close":
            self.close()
        return status, head, data


def jbody(data) -> bytes:
    return json.dumps(data).encode()


JSON = {"Content-Type": "application/json"}


# --------------------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving quizapp.wsgi:app on a fresh SQLite database; or, with ``postgres``,
    ``servers`` gunicorns (own instance folders, no shared files) on one fresh PostgreSQL
    database made for the run."""

    def __init__(self, workers: int, threads: int, worker_class: str = "gthread",
                 postgres: str | None = None, servers: int = 1) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="quizapp-live-"))
        self.ports = [free_port() for _ in range(servers)]
        self.port = self.ports[0]
        self.postgres, self.database = postgres, None
        url = f"sqlite:///{self.dir / 'q.db'}"
        if postgres:
            self.database = f"quizapp_bench_{secrets.token_hex(4)}"
            url = postgres.rsplit("/", 1)[0] + "/" + self.database
        self.env = {**os.environ, "QUIZAPP_DATABASE_URL": url,
                    "QUIZAPP_SECRET_KEY": "bench-" + secrets.token_hex(16),
                    "PYTHONPATH": str(ROOT)}
        self.workers, self.threads, self.worker_class = workers, threads, worker_class
        self.procs: list[subprocess.Popen] = []

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.postgres, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> Server:
        try:
            return self._start()
        except BaseException:
            self.__exit__()  # no gunicorn left behind
            raise

    def _start(self) -> Server:
        if self.database:
            self._admin(f'CREATE DATABASE "{self.database}"')
        subprocess.run([*CLI, "init-db"], env=self.env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        subprocess.run([*CLI, "add-user", "livehost", "--role", "instructor", "--password",
                        PASSWORD], env=self.env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        for i, port in enumerate(self.ports):
            instance = self.dir / f"instance-{i}"
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}",
                 "--workers", str(self.workers), "--worker-class", self.worker_class,
                 *(["--threads", str(self.threads)] if self.worker_class == "gthread" else []),
                 "--worker-connections", "5000", "--backlog", "4096", "--keep-alive", "5",
                 "--log-level", "warning", "quizapp.wsgi:app"],
                env={**self.env, "QUIZAPP_INSTANCE_PATH": str(instance)}, cwd=ROOT,
                start_new_session=True))
        deadline = time.monotonic() + 180  # a busy shared machine starts slowly
        for port in self.ports:
            while True:
                try:
                    urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/openapi.json",
                                           timeout=1).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("gunicorn did not start") from None
                    time.sleep(0.2)
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time of the gunicorn masters and workers so far."""
        pids = []
        for proc in self.procs:
            pids.append(proc.pid)
            try:
                children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
                pids += [int(p) for p in children.read_text().split()]
            except OSError:
                pass
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        return total

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if self.database:
            self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.dir, ignore_errors=True)


# -------------------------------------------------------------------------- the burst

def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


class Participant:
    """One phone: the requests the phone page sends (``path="phone"``: player cookie, CSRF
    header, the page's URLs), or an API client's (``path="api"``: X-Player-Token)."""

    def __init__(self, port: int, pin: str, path: str, token: str = "",
                 jar: dict[str, str] | None = None, csrf: str = "") -> None:
        self.conn = Connection(port, jar)          # polls
        self.answer_conn = Connection(port, jar)   # answers (a browser opens several)
        self.pin, self.path, self.token, self.csrf = pin, path, token, csrf
        self.etag: str | None = None
        self.state: dict = {}
        self.seen: dict[int, float] = {}   # question index -> monotonic time first seen
        self.result: dict[int, float] = {}  # question index -> when /me gave the result
        self.polls = self.poll_errors = 0

    def me_request(self) -> tuple[str, dict[str, str]]:
        if self.path == "phone":
            return f"/live/{self.pin}/me", {"Accept": "application/json"}
        return f"/api/v1/live/{self.pin}/me", {"X-Player-Token": self.token}

    def answer_request(self, index: int) -> tuple[str, str, dict[str, str]]:
        if self.path == "phone":  # live-play.js send()
            return "POST", f"/live/{self.pin}/answers/{index}", {
                **JSON, "Accept": "application/json", "X-CSRFToken": self.csrf}
        return "PUT", f"/api/v1/live/{self.pin}/answers/{index}", {
            **JSON, "X-Player-Token": self.token}

    async def poll_once(self) -> None:
        headers = {"Accept": "application/json"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        try:
            status, head, data = await self.conn.request(
                "GET", f"/api/v1/live/{self.pin}/state", headers)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            self.poll_errors += 1
            return
        self.polls += 1
        if status == 200:
            self.etag = head.get("etag")
            self.state = json.loads(data)
            self.saw(self.state)
            index = self.state["question_index"]
            if self.state.get("phase") == "reveal" and index not in self.result:
                # Like the page: on a change, ask for this phone's own result.
                path, headers = self.me_request()
                me_status, _, me = await self.conn.request("GET", path, headers)
                if me_status == 200 and json.loads(me).get("rank"):
                    self.result[index] = time.monotonic()
                else:
                    self.poll_errors += 1
        elif status != 304:
            self.poll_errors += 1

    def saw(self, state: dict) -> None:
        if state.get("phase") == "question":
            self.seen.setdefault(state["question_index"], time.monotonic())

    async def listen(self, stop: asyncio.Event) -> None:
        """Like the page with push: one EventSource on /events instead of polling."""
        await asyncio.sleep(random.uniform(0, 0.5))
        cookie = "; ".join(f"{k}={v}" for k, v in (self.conn.jar or {}).items())
        while not stop.is_set():
            writer = None
            try:
                reader, writer = await asyncio.open_connection(HOST, self.conn.port)
                # HTTP/1.0: the stream is the body until the server closes it (no chunks).
                writer.write((f"GET /api/v1/live/{self.pin}/events HTTP/1.0\r\n"
                              f"Host: {HOST}\r\nAccept: text/event-stream\r\n" +
                              (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode())
                await writer.drain()
                status = int((await reader.readline()).split()[1])
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                if status != 200:
                    raise ConnectionError(status)
                data = b""
                while True:
                    line = await reader.readline()
                    if not line:
                        break
                    line = line.rstrip(b"\r\n")
                    if line.startswith(b"data:"):
                        data = line[5:].strip()
                    elif not line and data:
                        self.polls += 1
                        await self.on_pushed(json.loads(data))
                        data = b""
            except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError,
                    IndexError):
                self.poll_errors += 1
                await asyncio.sleep(1.0)  # EventSource's retry
            finally:
                if writer is not None:
                    writer.close()

    async def on_pushed(self, state: dict) -> None:
        self.state = state
        self.saw(state)
        index = state["question_index"]
        if state.get("phase") == "reveal" and index not in self.result:
            path, headers = self.me_request()
            me_status, _, me = await self.answer_conn.request("GET", path, headers)
            if me_status == 200 and json.loads(me).get("rank"):
                self.result[index] = time.monotonic()
            else:
                self.poll_errors += 1

    async def poll_until(self, stop: asyncio.Event) -> None:
        await asyncio.sleep(random.uniform(0, POLL))  # phones do not start in lockstep
        while not stop.is_set():
            await self.poll_once()
            try:
                await asyncio.wait_for(stop.wait(), POLL + random.uniform(-JITTER, JITTER))
            except TimeoutError:
                pass


async def _stop(stop: asyncio.Event, pollers: list[asyncio.Task]) -> None:
    stop.set()
    for task in pollers:
        task.cancel()  # a listener waits on its stream
    await asyncio.gather(*pollers, return_exceptions=True)


async def join_api(port: int, pin: str, i: int) -> Participant:
    """Join as an API client: POST /api/v1/live/{pin}/players."""
    conn = Connection(port)
    st, _, body = await conn.request("POST", f"/api/v1/live/{pin}/players", JSON,
                                     jbody({"nickname": f"player {i}"}))
    conn.close()
    assert st == 201, body
    return Participant(port, pin, "api", token=json.loads(body)["player_token"])


async def join_phone(port: int, pin: str, i: int) -> Participant:
    """Join as the phone does: the join form (GET, then POST with its CSRF token), the
    redirect to the play page, whose meta tag holds the CSRF token its script sends."""
    jar: dict[str, str] = {}
    conn = Connection(port, jar)
    st, _, body = await conn.request("GET", f"/join?pin={pin}", {"Accept": "text/html"})
    assert st == 200, body[:300]
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrf_token": token, "pin": pin, "nickname": f"player {i}"}).encode()
    for _attempt in range(5):  # "The database is busy ... try again": the player taps again
        st, head, body = await conn.request(
            "POST", "/join", {"Content-Type": "application/x-www-form-urlencoded"}, form)
        if st != 503:
            break
        JOIN_RETRIES[0] += 1
    assert st == 302 and head.get("location", "").endswith(f"/live/{pin}/play"), body[:300]
    st, _, body = await conn.request("GET", f"/live/{pin}/play", {"Accept": "text/html"})
    assert st == 200, body[:300]
    csrf = re.search(rb'name="csrf-token" content="([^"]+)"', body).group(1).decode()
    conn.close()
    return Participant(port, pin, "phone", jar=jar, csrf=csrf)


async def answer_once(p: Participant, index: int, choices: list[str], release: asyncio.Event,
                      latencies: list[float], statuses: dict[int, int]) -> None:
    """Wait for the release, then answer (the request is timed from its first byte)."""
    body = jbody({"response": random.choice(choices), "confidence": None})
    method, path, headers = p.answer_request(index)
    await release.wait()
    start = time.monotonic()
    try:
        code, _, _ = await p.answer_conn.request(method, path, headers, body)
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        code = 0
    latencies.append(time.monotonic() - start)
    statuses[code] = statuses.get(code, 0) + 1


async def run_size(server: Server, auth: dict[str, str], n: int, questions: int,
                   timeout: float, quiet_burst: bool, path: str, push: bool) -> dict:
    port = server.port  # the host's server
    phones = server.ports[-1]  # phones poll (or listen on) the other server, if there are two
    host = Connection(port)
    status, _, data = await host.request("POST", "/api/v1/live", {**auth, **JSON}, jbody(
        {"count": questions, "types": ["mcq"], "seconds_per_question": 120}))
    assert status == 201, data
    pin = json.loads(data)["pin"]

    # Join, JOINING at a time (a room whose phones scan the QR code within seconds).
    sem = asyncio.Semaphore(JOINING)
    joiner = join_phone if path == "phone" else join_api

    async def join(i: int) -> Participant:
        async with sem:
            phone = await joiner(phones, pin, i)
        # Answers alternate between the servers (a balancer's round robin).
        phone.answer_conn = Connection(server.ports[i % len(server.ports)], phone.conn.jar)
        return phone

    t0 = time.monotonic()
    people = await asyncio.gather(*(join(i) for i in range(n)))
    join_seconds = time.monotonic() - t0
    join_load = os.getloadavg()[0]
    join_retries, JOIN_RETRIES[0] = JOIN_RETRIES[0], 0
    rounds = []
    stop = asyncio.Event()
    pollers: list[asyncio.Task] = []
    for index in range(questions):
        if not pollers:
            stop.clear()
            pollers = [asyncio.create_task(p.listen(stop) if push else p.poll_until(stop))
                       for p in people]
        await asyncio.sleep(POLL * 1.5)  # everyone has polled at least once
        poll_cpu = server.cpu_seconds()
        poll_start = time.monotonic()
        sent = time.monotonic()
        st, _, body = await host.request("POST", f"/api/v1/live/{pin}/advance", auth)
        assert st == 200, body
        state = json.loads(body)
        limit = time.monotonic() + timeout
        while any(index not in p.seen for p in people) and time.monotonic() < limit:
            await asyncio.sleep(0.02)
        delays = [p.seen[index] - sent for p in people if index in p.seen]
        await asyncio.sleep(max(0.0, 2.0 - (time.monotonic() - poll_start)))
        poll_cpu_window = (server.cpu_seconds() - poll_cpu, time.monotonic() - poll_start)
        if quiet_burst:
            await _stop(stop, pollers)
            pollers = []

        # The burst: every participant answers at the same instant.
        choices = [c["id"] for c in state["question"]["choices"]]
        release = asyncio.Event()
        latencies: list[float] = []
        statuses: dict[int, int] = {}

        tasks = [asyncio.create_task(answer_once(p, index, choices, release, latencies,
                                                 statuses)) for p in people]
        await asyncio.sleep(0.2)
        burst_cpu = server.cpu_seconds()
        burst_start = time.monotonic()
        release.set()
        done, late = await asyncio.wait(tasks, timeout=timeout)
        for task in late:  # no reply within the timeout: counted as status 0
            task.cancel()
        statuses[0] = statuses.get(0, 0) + len(late)
        burst_seconds = time.monotonic() - burst_start
        burst_cpu = server.cpu_seconds() - burst_cpu
        load = os.getloadavg()[0]

        st, _, body = await host.request("GET", f"/api/v1/live/{pin}/results", auth)
        results = json.loads(body)
        reveal_delays: list[float] = []
        if not quiet_burst:  # the host shows the answer; every phone fetches its result
            revealed = time.monotonic()
            st, _, _ = await host.request("POST", f"/api/v1/live/{pin}/reveal", auth)
            assert st == 200
            limit = time.monotonic() + timeout
            while any(index not in p.result for p in people) and time.monotonic() < limit:
                await asyncio.sleep(0.02)
            reveal_delays = [p.result[index] - revealed for p in people if index in p.result]
        stored = sum(bar["count"] for bar in results["questions"][index]["histogram"])
        rounds.append({
            "index": index, "seen": len(delays), "see_max": max(delays, default=float("nan")),
            "see_p50": statistics.median(delays) if delays else float("nan"),
            "acknowledged": statuses.get(200, 0), "stored": stored,
            "answer_count": results["answer_count"],
            "errors": {k: v for k, v in statuses.items() if k != 200},
            "p50": pct(latencies, 50), "p95": pct(latencies, 95), "p99": pct(latencies, 99),
            "max": max(latencies, default=float("nan")), "burst_seconds": burst_seconds,
            "burst_cpu": burst_cpu, "load": load,
            "poll_cpu_per_s": poll_cpu_window[0] / poll_cpu_window[1],
            "results_max": max(reveal_delays, default=float("nan")),
            "results_n": len(reveal_delays),
        })
    await _stop(stop, pollers)
    await host.request("POST", f"/api/v1/live/{pin}/end", auth)
    host.close()
    for p in people:
        p.conn.close()
        p.answer_conn.close()
    return {"n": n, "join_seconds": join_seconds, "join_load": join_load,
            "join_retries": join_retries, "rounds": rounds,
            "poll_errors": sum(p.poll_errors for p in people),
            "polls": sum(p.polls for p in people)}


def token_for(port: int) -> dict[str, str]:
    basic = base64.b64encode(f"livehost:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(f"http://{HOST}:{port}/api/v1/tokens", method="POST",
                                     headers={"Authorization": f"Basic {basic}"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return {"Authorization": f"Bearer {json.loads(reply.read())['token']}"}


def table(results: list[dict]) -> str:
    rows = ["| N | question | acknowledged (200) | stored | other statuses | answer p50 | "
            "p95 | p99 | max | whole burst | server CPU for the burst | all saw next question "
            "(max) | median | every phone had its result after the reveal | "
            "server CPU while N poll | load avg |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for q in r["rounds"]:
            errors = ", ".join(f"{k}: {v}" for k, v in sorted(q["errors"].items())) or "none"
            rows.append(
                f"| {r['n']} | {q['index'] + 1} | {q['acknowledged']} | {q['stored']} | "
                f"{errors} | {q['p50'] * 1000:.0f} ms | {q['p95'] * 1000:.0f} ms | "
                f"{q['p99'] * 1000:.0f} ms | {q['max'] * 1000:.0f} ms | "
                f"{q['burst_seconds']:.2f} s | {q['burst_cpu']:.2f} s | "
                f"{q['see_max']:.2f} s ({q['seen']}/{r['n']}) | {q['see_p50']:.2f} s | "
                + (f"{q['results_max']:.2f} s ({q['results_n']}/{r['n']}) | "
                   if q["results_n"] else "not measured | ") +
                f"{q['poll_cpu_per_s'] * 100:.0f} % of a core | {q['load']:.1f} |")
    return "\n".join(rows)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import timeit

    marker = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    return (f"{os.cpu_count()} cores ({cpu or platform.processor()}), "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
            f"`sum(range(1000))` takes {marker:.0f} µs here (a current laptop core: ~10 µs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--questions", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--max-n", type=int, default=2000)
    parser.add_argument("--path", choices=["phone", "api"], default="phone",
                        help="phone: the requests the phone page sends (join form, cookie, "
                             "CSRF header, POST /live/{pin}/answers/{i}); api: the JSON API "
                             "(X-Player-Token, PUT /api/v1/live/{pin}/answers/{i})")
    parser.add_argument("--push", action="store_true",
                        help="gevent workers; phones listen on /events (Server-Sent Events) "
                             "instead of polling")
    parser.add_argument("--postgres", metavar="URL",
                        help="serve from a fresh PostgreSQL database made on this server "
                             "(e.g. postgresql://postgres@127.0.0.1:5432/test) instead of SQLite")
    parser.add_argument("--servers", type=int, default=1, choices=[1, 2],
                        help="2 (with --postgres): the host on one server, phones polling or "
                             "listening on the other, answers to both in turn")
    parser.add_argument("--quiet-burst", action="store_true",
                        help="stop polling while everyone answers (by default phones keep "
                             "polling through the burst, as the page does)")
    parser.add_argument("--write", action="store_true",
                        help="put the table into docs/live-load.md between the markers")
    args = parser.parse_args()
    # Killed (e.g. by timeout): leave through the with blocks, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    if max(args.sizes) > args.max_n:
        raise SystemExit(f"at most {args.max_n} participants (raise --max-n deliberately)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * max(args.sizes) + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    results = []
    if args.servers > 1 and not args.postgres:
        raise SystemExit("--servers 2 needs --postgres")
    with Server(args.workers, args.threads, "gevent" if args.push else "gthread",
                args.postgres, args.servers) as server:
        auth = token_for(server.port)
        for n in args.sizes:
            print(f"N = {n} ...", file=sys.stderr, flush=True)
            if results:  # what is done so far survives a later failure
                print(table(results), file=sys.stderr, flush=True)
            results.append(asyncio.run(run_size(server, auth, n, args.questions,
                                                args.timeout, args.quiet_burst, args.path,
                                                args.push)))
    command = "python3 benchmarks/live_load.py " + " ".join(sys.argv[1:])
    polling = ("paused during the answer burst" if args.quiet_burst
               else "continues through the answer burst (a second connection per phone)")
    if args.push:
        polling = ("replaced by a Server-Sent Events stream per phone (/events); answers and "
                   "/me on a second connection")
    worker = ("--worker-class gevent --worker-connections 5000" if args.push
              else f"--threads {args.threads} (gthread)")
    sent = ("the phone page's requests: join form, player cookie, CSRF header, "
            "POST /live/{pin}/answers/{i}, /live/{pin}/me" if args.path == "phone" else
            "the JSON API: POST .../players, X-Player-Token, PUT /api/v1/live/{pin}/answers/{i}")
    report = (f"Machine: {machine()}.\n\nServer: gunicorn --workers {args.workers} {worker}"
              + (f" × {args.servers} servers (own instance folders) on one PostgreSQL "
                 "database; the host on the first, phones polling or listening on the second, "
                 "answers alternating between them" if args.servers > 1 else
                 ", PostgreSQL" if args.postgres else ", SQLite WAL file in a temp dir")
              + f", all on {HOST}. "
              f"Phones send {sent}. Polling {polling}.\n\n"
              f"Command: `{command.strip()}`\n\n" + table(results) + "\n\n" +
              "\n".join(f"N = {r['n']}: {r['n']} joins ({JOINING} at a time) in "
                        f"{r['join_seconds']:.1f} s (load avg {r['join_load']:.1f}; "
                        f"{r['join_retries']} sent again after a 503); "
                        f"{r['polls']} state polls, {r['poll_errors']} failed."
                        for r in results))
    print(report)
    ok = all(q["acknowledged"] == q["stored"] == r["n"] for r in results for q in r["rounds"])
    print("\nall acknowledged answers stored, none lost:", ok)
    if args.write:
        doc = ROOT / "docs" / "live-load.md"
        text = doc.read_text()
        mark = "push" if args.push else args.path
        if args.servers > 1:
            mark = "two-servers-push" if args.push else "two-servers"
        begin, finish = MARKS[mark]
        start, end = text.index(begin) + len(begin), text.index(finish)
        doc.write_text(text[:start] + "\n" + report + "\n" + text[end:])


if __name__ == "__main__":
    main()
