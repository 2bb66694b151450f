"""Guess budgets (wrong passwords, join codes, PINs, sign-ups) in storage every worker shares.

A ``Budget`` allows ``limit`` events per ``window`` seconds for one key (a username, a client
address, a device cookie). Counted in Redis through Flask-Limiter's storage when
``QUIZAPP_RATELIMIT_STORAGE_URI`` names one, else in the database (``login_failure`` rows):
Flask-Limiter's own "memory://" storage is per process, so two workers would each allow
the whole budget.

``take`` counts and checks in one step (Redis INCR; on SQL under the write lock), so
parallel requests cannot all pass the check before any of them is counted: a login takes
one unit before the password hash is checked and gives it back if the password was right.

On SQL, counting commits at once, in a transaction of its own (``transactions.transaction``):
a count must stay when the request then fails (401, 404, 429), and the request's one commit
point (transactions.py) rolls back such a request. So ``take``, ``give_back`` and
``record_now`` end whatever the session had begun: call them before the use case's writes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, select, text

from ..extensions import db
from ..models import LoginFailure, utcnow
from ..transactions import transaction

#: Rows older than this many windows are deleted as new ones are written.
_KEEP_WINDOWS = 2
#: Any fixed number: the PostgreSQL advisory lock that serializes budget checks.
_PG_LOCK = 0x71756F74


@dataclass(frozen=True)
class Budget:
    """``limit`` events per ``window`` seconds for ``key`` of kind ``name``."""

    name: str
    key: str
    limit: int
    window: int

    @property
    def row_key(self) -> str:
        """The key as stored (``login_failure.username`` holds 40 characters)."""
        key = f"{self.name}:{self.key}"
        if len(key) <= 40:
            return key
        return f"{self.name}:{hashlib.sha256(key.encode()).hexdigest()[:39 - len(self.name)]}"


def client_address() -> str:
    """The client's address as the app sees it (after ProxyFix, when configured)."""
    return (request.remote_addr or "?") if has_request_context() else "?"


def _redis():
    """(storage, prefix) when a shared Flask-Limiter storage is configured, else None."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://"):
        return None
    from ..extensions import limiter

    return limiter.storage, current_app.config.get("RATELIMIT_KEY_PREFIX") or "quizapp"


def _redis_key(prefix: str, budget: Budget) -> str:
    return f"{prefix}/budget/{budget.name}/{budget.window}/{budget.key}"


def take(*budgets: Budget) -> list | None:
    """Count one event against every budget, or none and return None if any is spent.

    Returns what ``give_back`` needs to undo it. On SQL this commits (module docstring).
    """
    shared = _redis()
    if shared is not None:
        storage, prefix = shared
        taken: list = []
        for budget in budgets:
            key = _redis_key(prefix, budget)
            taken.append((key, budget.window))
            if storage.incr(key, budget.window) > budget.limit:
                give_back(taken)
                return None
        return taken
    with transaction():
        _begin_counting()
        if any(_count(budget) >= budget.limit for budget in budgets):
            return None
        rows = _add(budgets)
    return [row.id for row in rows]


def give_back(taken: list) -> None:
    """Undo a ``take`` (the attempt turned out not to be a guess: the password was right)."""
    if not taken:
        return
    shared = _redis()
    if shared is not None:
        storage, _ = shared
        for key, window in taken:
            storage.incr(key, window, amount=-1)
        return
    with transaction():
        _begin_counting()
        db.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(taken)))


def spent(*budgets: Budget) -> bool:
    """Whether any of the budgets has no event left."""
    shared = _redis()
    if shared is not None:
        storage, prefix = shared
        return any(storage.get(_redis_key(prefix, b)) >= b.limit for b in budgets)
    return any(_count(budget) >= budget.limit for budget in budgets)


def record(*budgets: Budget) -> bool:
    """Count one event against every budget; return whether any is now spent.

    On SQL, the caller's write transaction holds the row; it commits.
    """
    shared = _redis()
    if shared is not None:
        storage, prefix = shared
        counts = [storage.incr(_redis_key(prefix, b), b.window) for b in budgets]
        return any(count >= b.limit for count, b in zip(counts, budgets, strict=True))
    _add(budgets)
    return any(_count(budget) >= budget.limit for budget in budgets)


def record_now(*budgets: Budget) -> bool:
    """``record`` in a transaction of its own, committed now (module docstring)."""
    if _redis() is not None:
        return record(*budgets)
    from ..database import begin_write

    with transaction():
        db.session.rollback()
        begin_write(db.session)
        return record(*budgets)


def _begin_counting() -> None:
    """Start a write transaction in which counting and adding cannot interleave."""
    from ..database import begin_write

    db.session.rollback()
    begin_write(db.session)  # SQLite: BEGIN IMMEDIATE, one writer at a time
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})


def _count(budget: Budget) -> int:
    since = utcnow() - timedelta(seconds=budget.window)
    return db.session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.username == budget.row_key,
                                    LoginFailure.at >= since))


def _add(budgets: tuple[Budget, ...]) -> list[LoginFailure]:
    rows = [LoginFailure(username=b.row_key, address=client_address()[:64]) for b in budgets]
    db.session.add_all(rows)
    # Keep the table small: old events no longer count.
    longest = max(b.window for b in budgets)
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.at < utcnow() - timedelta(seconds=longest * _KEEP_WINDOWS)))
    db.session.flush()
    return rows


# Unknown warm-up PINs. Players share their room's address, so only failed lookups count,
# with a generous budget (PIN_MAX_FAILURES). Once a client has spent it, this process
# refuses every PIN lookup from it for a window, without asking the storage: the polls of
# a thousand phones must not each cost a query. Another worker learns it at that client's
# next unknown PIN there.
_PIN_BLOCKS = "quizapp.pin_blocks"
#: Entries before the table starts again: bounds the memory an address sweep can take.
_MAX_PIN_BLOCKS = 10_000


def pin_lookups_blocked(app, address: str) -> bool:
    """Whether this process refuses PIN lookups from ``address`` now (no I/O)."""
    blocks = app.extensions.get(_PIN_BLOCKS)
    until = blocks.get(address) if blocks else None
    if until is None:
        return False
    if until <= time.monotonic():
        blocks.pop(address, None)
        return False
    return True


def pin_lookup_failed(address: str) -> None:
    """Count an unknown PIN from ``address`` (commits); block it here once over budget."""
    cfg = current_app.config
    budget = Budget("pin-addr", address, int(cfg["PIN_MAX_FAILURES"]), int(cfg["LOGIN_WINDOW"]))
    now_spent = record_now(budget)
    if now_spent:
        blocks = current_app.extensions.setdefault(_PIN_BLOCKS, {})
        if len(blocks) >= _MAX_PIN_BLOCKS:
            blocks.clear()
        blocks[address] = time.monotonic() + budget.window
