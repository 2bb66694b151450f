#!/usr/bin/env python3
"""CPU per quiz page and per answer, in-process with Flask's test client (not part of the tests).

    python3 benchmarks/inprocess.py                 # both, median of 3 rounds
    python3 benchmarks/inprocess.py page --profile  # call tree; needs pyinstrument

Steadier than served figures on a shared machine (no sockets, no other processes), so it is
the one to compare a change with: run it on the commit before and after. Uses a scratch
SQLite database made by ``quizapp init-db`` and the same learners and attempts as
``bench.py``: the quiz page of one logged-in learner's in-progress attempt, and answers
through the API, each a new answer to a fresh attempt.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (beside this file)


def page_request(fx: bench.Fixtures, client):
    answers = fx.attempts([0], 10)[0]
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/login", data={"csrf_token": token, "username": "learner0000",
                                "password": bench.PASSWORD})
    path = f"/attempts/{answers[0][3]}"
    assert client.get(path).status_code == 200

    def one(_i: int) -> None:
        client.get(path)

    return one


def answer_request(fx: bench.Fixtures, client, count: int):
    fresh = fx.attempts([i % bench.LEARNERS for i in range(count // 50 + 1)], 50)
    rotation = [a for answers in fresh for a in answers]
    random.Random(0).shuffle(rotation)

    def one(i: int) -> None:
        path, body, auth, _, _ = rotation[i]
        response = client.put(path, json=body, headers={"Authorization": auth})
        assert response.status_code in (200, 201), response.text

    return one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="*", help="page and/or answer (default: both)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000, help="per round")
    parser.add_argument("--profile", action="store_true", help="one round under pyinstrument")
    args = parser.parse_args()
    if set(args.what) - {"page", "answer"}:
        parser.error("measure page and/or answer")
    with tempfile.TemporaryDirectory(prefix="quizapp-inprocess-") as tmp:
        url = f"sqlite:///{tmp}/quizapp.db"
        subprocess.run(bench.CLI + ["init-db"], env=bench.app_env(url), cwd=bench.ROOT,
                       check=True, capture_output=True)
        os.environ.update(bench.app_env(url))
        fx = bench.Fixtures(url)
        for what in args.what or ["page", "answer"]:
            client = fx.app.test_client()
            total = args.requests * (1 if args.profile else args.rounds) + 100
            one = page_request(fx, client) if what == "page" else \
                answer_request(fx, client, total)
            for i in range(100):  # warm the caches: templates, compiled statements
                one(i)
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0002)
                profiler.start()
                for i in range(100, total):
                    one(i)
                profiler.stop()
                print(profiler.output_text(color=False))
                continue
            rounds = []
            for r in range(args.rounds):
                start = time.process_time()
                for i in range(100 + r * args.requests, 100 + (r + 1) * args.requests):
                    one(i)
                rounds.append((time.process_time() - start) / args.requests * 1000)
            print(f"{what}: {statistics.median(rounds):.3f} ms CPU per request (median of "
                  f"{args.rounds} rounds of {args.requests}: "
                  f"{', '.join(f'{r:.3f}' for r in rounds)})")
        fx.close()


if __name__ == "__main__":
    main()
