"""Who is asking: the signed-in user's few fields, cached per process.

Every logged-in page and every API call needs its user. Loading it through the ORM took a
quarter of the quiz page's CPU and of an answer's (docs/performance.md), for four columns
that the app never changes once written: it has no page that changes a password, a role
or a token yet. So each process keeps what it read, as an ``Identity``, for ``TTL``
seconds. A change made behind the app's back (SQL, ``quizapp`` commands run against the
database) reaches every worker within that time; code that changes a user must call
``forget`` so its own process sees the change at once.

Like the question cache, it belongs to one database file: a replaced SQLite file (a
restored backup) starts it again, so an id never names a user of another database.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import AccountMixin, ApiToken, Role, User

#: Seconds a worker trusts what it read about a user (see the module docstring).
TTL = 30.0
#: Entries per cache before it starts again: bounds memory if tokens are guessed at random.
_MAX_ENTRIES = 20_000
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


def _caches() -> tuple[dict, dict]:
    """(user id -> (expiry, Identity), token hash -> (expiry, Identity)) of this file."""
    # Which file the session's connection has open (database.install_engine_hooks); None
    # on PostgreSQL. The request needs its transaction anyway, so this costs nothing extra.
    database = db.session.connection().info.get("file_id")
    owner, users, tokens = current_app.extensions.get(_KEY, (None, None, None))
    if users is None or owner != database or len(users) + len(tokens) > _MAX_ENTRIES:
        users, tokens = {}, {}
        current_app.extensions[_KEY] = (database, users, tokens)
    return users, tokens


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
    if not _fresh(entry, now):
        row = db.session.execute(_COLUMNS.where(User.id == int(uid))).first()
        if row is None:
            return None
        entry = users[row.id] = (now + TTL, Identity(*row))
    identity = entry[1]
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
        # that names nobody is not cached: guesses must not fill the cache.
        row = db.session.execute(_COLUMNS.join(ApiToken, ApiToken.user_id == User.id)
                                 .where(ApiToken.token_hash == digest)).first()
        if row is None:
            return None
        entry = tokens[digest] = (now + TTL, Identity(*row))
    return entry[1]


def forget(user_id: int) -> None:
    """Drop what this process cached about a user (call after changing one)."""
    owner, users, tokens = current_app.extensions.get(_KEY, (None, None, None))
    if users is not None:
        users.pop(user_id, None)
        for digest, (_, identity) in list(tokens.items()):
            if identity.id == user_id:
                tokens.pop(digest, None)


def token_hash(token: str) -> str:
    """What is stored of an API token: its SHA-256 (the token itself is shown once)."""
    return hashlib.sha256(token.encode()).hexdigest()
