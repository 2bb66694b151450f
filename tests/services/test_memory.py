"""A worker gives the 19 MiB of each password hash back to the OS (issue 17.2)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

from quizapp import memory, serving

# Hash as the app does (its real argon2id parameters), with a request's worth of small
# allocations between hashes, then report glibc's heap: its size and the part it keeps free.
PROBE = r"""
import ctypes, json, sys
from quizapp import memory
from quizapp.services.accounts import _HASHER

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks "
                "keepcost".split()]

fixed = memory.return_large_buffers() if sys.argv[1] == "fixed" else None
kept = []
for i in range(6):
    _HASHER.hash("correct horse battery staple")
    kept.extend(bytearray(700 + 37 * j) for j in range(200))
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
info = libc.mallinfo2()
print(json.dumps({"fixed": fixed, "heap": info.arena, "free": info.fordblks}))
"""

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc",
                           reason="mallopt and mallinfo2 are glibc's")


def _heap_after_hashes(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@glibc
def test_password_hash_buffers_are_not_kept_in_the_heap():
    """With the threshold fixed, the heap holds no freed 19 MiB hash buffer; without it,
    glibc keeps one per process (the control shows the probe sees the problem)."""
    fixed = _heap_after_hashes("fixed")
    assert fixed["fixed"] is True
    assert fixed["free"] < 4 * 2**20, fixed
    control = _heap_after_hashes("default")
    assert control["free"] > 15 * 2**20, control
    assert fixed["heap"] < control["heap"] - 15 * 2**20


def test_serve_sets_the_threshold_before_forking_workers(monkeypatch):
    """``quizapp serve`` (serving.run) fixes the threshold before gunicorn forks."""
    calls = []
    monkeypatch.setattr(memory, "return_large_buffers", lambda: calls.append("set") or True)
    monkeypatch.setattr(serving.QuizappServer, "run", lambda self: calls.append("run"))
    monkeypatch.setattr(serving.QuizappServer, "__init__", lambda self, options: None)
    serving.run({})
    assert calls == ["set", "run"]
