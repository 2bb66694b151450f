"""Give a worker's large, short-lived buffers back to the operating system.

Each password hash (argon2id, ``services/accounts.py``) takes a 19 MiB buffer from C's
``malloc``. glibc serves a buffer that large with its own ``mmap`` and unmaps it when it is
freed, but the first such free also raises glibc's "mmap threshold" to the buffer's size
(its dynamic threshold, meant for programs that allocate the same large size again and
again). From then on each hash takes its 19 MiB from the heap instead, and the heap keeps
the freed pages: about 20 MiB more resident memory per worker after its first login, and
more whenever small long-lived allocations land in the freed block and the next hash has to
grow the heap past them (the slow creep of issue 17.2; see docs/reliability.md).

Setting the threshold explicitly turns glibc's adjustment off (``mallopt(3)``), so every
buffer of ``MMAP_THRESHOLD`` bytes or more is mapped for its use and unmapped after it.
The same setting is the environment variable ``MALLOC_MMAP_THRESHOLD_``, but that is read
only when a program starts, and ``quizapp serve`` forks its workers without starting a new
program. Elsewhere than glibc (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: Allocations of this many bytes or more get their own mapping, returned when freed.
MMAP_THRESHOLD = 1024 * 1024
_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>


def return_large_buffers() -> bool:
    """Fix glibc's mmap threshold for this process (and the workers it forks).

    Returns whether it was set (False when the C library is not glibc).
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    if not hasattr(libc, "gnu_get_libc_version"):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
