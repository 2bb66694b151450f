"""Per-process caches with a size bound, safe to share between a worker's threads.

Every cache keyed by what a client sends (a PIN, an id) must have a bound, or a client that
sweeps keys grows the worker's memory without end (issue 12.4). cachetools' LRUCache is that
bound; it is not thread-safe on its own, and gthread workers serve requests from several
threads, so each access holds the cache's lock.
"""

from __future__ import annotations

import threading
from typing import Any

from cachetools import LRUCache


class SharedLRU(LRUCache):
    """An ``LRUCache`` of at most ``maxsize`` entries whose every access takes a lock."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize)
        self._lock = threading.RLock()

    def __getitem__(self, key: Any) -> Any:
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        with self._lock:
            super().__delitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return super().get(key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        with self._lock:
            return super().pop(key, *default)

    def snapshot(self) -> list[tuple[Any, Any]]:
        """The (key, value) pairs now, for a loop that may change the cache."""
        with self._lock:
            return list(super().items())
