"""Who is asking: the signed-in user's few fields, cached per process.

Every logged-in page and every API call needs its user. Loading it through the ORM took a
quarter of the quiz page's CPU and of an answer's (docs/performance.md), for four columns
that rarely change. So each process keeps what it read, as an ``Identity``, for ``TTL``
seconds (a token: at most until it expires). A change made behind the app's back (SQL)
reaches every worker within that time; code that creates or changes a user, or ends its
sessions or tokens (logout, password change), calls ``user_changed`` (after the commit:
``user_changed_on_commit``), which every worker, on this server and the others, sees at its
next request (signals.py: PostgreSQL NOTIFY, or a stamp file beside a SQLite database).

Like the question cache, it belongs to one database file: a replaced SQLite file (a
restored backup) starts it again, so an id never names a user of another database.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from .. import signals
from ..extensions import db
from ..models import AccountMixin, ApiToken, Role, User, utcnow
from ..transactions import on_commit
from .caching import SharedLRU

#: Seconds a worker trusts what it read about a user (see the module docstring).
TTL = 30.0
#: Entries per cache (least recently used go first): bounds a long-running worker's memory.
_MAX_ENTRIES = 10_000
_KEY = "quizapp.identities"
_COLUMNS = select(User.id, User.username, User.role, User.session_nonce)


@dataclass(frozen=True, eq=False)
class Identity(AccountMixin):
    """The fields of a ``User`` that requests use; what ``current_user`` is for a session.

    Services take it wherever they take a user: they read ``id`` (and ``username``,
    ``role``, ``is_instructor``). Load the ``User`` itself to change it.
    """

    id: int
    username: str
    role: Role
    session_nonce: str

    def __repr__(self) -> str:
        return f"<Identity {self.username!r} {self.role.value}>"


def _caches() -> tuple[SharedLRU, SharedLRU]:
    """(user id -> (expiry, Identity), token hash -> (expiry, Identity)) of this file."""
    # Which file the session's connection has open (database.install_engine_hooks); None
    # on PostgreSQL. The request needs its transaction anyway, so this costs nothing extra.
    owner = (db.session.connection().info.get("file_id"), _stamp())
    cached_owner, users, tokens = current_app.extensions.get(_KEY, (None, None, None))
    if users is None or cached_owner != owner:
        users, tokens = SharedLRU(_MAX_ENTRIES), SharedLRU(_MAX_ENTRIES)
        current_app.extensions[_KEY] = (owner, users, tokens)
    return users, tokens


def _stamp():
    """The version of the "a user changed" signal (signals.py), shared by every server."""
    return signals.version(current_app, "users")


def _fresh(entry, now: float):
    return entry is not None and entry[0] > now


def identity_for_session(session_id: str) -> Identity | None:
    """The user a login cookie's id (``"<user id>:<nonce>"``) names, or None if stale."""
    uid, _, nonce = session_id.partition(":")
    if not uid.isdigit() or len(uid) > 18:
        return None
    users, _ = _caches()
    now = time.monotonic()
    entry = users.get(int(uid))
    if _fresh(entry, now) and entry[1].session_nonce == nonce:
        return entry[1]
    # Not cached, expired, or another nonce: read the row (a new login after "log out
    # everywhere" must not wait for the TTL; a stale cookie costs a query, as before).
    row = db.session.execute(_COLUMNS.where(User.id == int(uid))).first()
    if row is None:
        users.pop(int(uid), None)
        return None
    identity = Identity(*row)
    users[row.id] = (now + TTL, identity)
    return identity if identity.session_nonce == nonce else None


def identity_for_token(token: str) -> Identity | None:
    """The user an API bearer token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    digest = token_hash(token)
    _, tokens = _caches()
    now = time.monotonic()
    entry = tokens.get(digest)
    if not _fresh(entry, now):
        # One query: the user through its token, not the token and then its user. A token
        # that names nobody (or has expired) is not cached: guesses must not fill the cache.
        issued_after = utcnow() - token_lifetime()
        row = db.session.execute(
            _COLUMNS.add_columns(ApiToken.created_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == digest, ApiToken.created_at > issued_after)).first()
        if row is None:
            return None
        # Trusted until the TTL or the token's expiry, whichever comes first.
        left = (row.created_at - issued_after).total_seconds()
        entry = tokens[digest] = (now + min(TTL, left), Identity(*row[:4]))
    return entry[1]


def token_lifetime() -> timedelta:
    """How long an API token works after it was issued (``TOKEN_LIFETIME`` seconds)."""
    return timedelta(seconds=float(current_app.config["TOKEN_LIFETIME"]))


def user_changed(user_id: int) -> None:
    """Call when a user is created or changed: every worker on every server drops its cache.

    This process forgets the user at once; the others see the signal (signals.py) at their
    next request. On SQLite a deleted user's id can be given to the next new user, so creating
    a user must call this: else a worker could still match the old user's cookie to the id.
    """
    owner, users, tokens = current_app.extensions.get(_KEY, (None, None, None))
    if users is not None:
        users.pop(user_id, None)
        for digest, (_, identity) in tokens.snapshot():
            if identity.id == user_id:
                tokens.pop(digest, None)
    signals.announce(current_app, "users")


def user_changed_on_commit(user_id: int) -> None:
    """Call ``user_changed`` once this session's transaction commits.

    For a revocation (new session nonce, deleted tokens): announced before the commit, another
    worker could read the old row again and trust it for ``TTL`` seconds.
    """
    on_commit(user_changed, user_id)


def token_hash(token: str) -> str:
    """What is stored of an API token: its SHA-256 (the token itself is shown once)."""
    return hashlib.sha256(token.encode()).hexdigest()
