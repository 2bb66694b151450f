"""Accounts: users, argon2id password hashes, API tokens and login throttling."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, select

from ..database import begin_write
from ..errors import ServiceError, invalid
from ..extensions import db
from ..models import ApiToken, LoginFailure, Role, User, utcnow
from .identity import token_hash, user_changed

# argon2id with 19 MiB and 2 passes (the OWASP minimum): ~15 ms a hash here, so a class of
# 300 logging in at once is not queued behind the hash. Tests swap in a cheaper one.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{3,40}$")
MIN_PASSWORD = 8
# Verified against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH: str | None = None


def hasher() -> PasswordHasher:
    return current_app.config.get("PASSWORD_HASHER") or _HASHER


def validate_username(username: str) -> str | None:
    if not USERNAME.match(username or ""):
        return "Use 3 to 40 letters, digits, dots, dashes or underscores."
    return None


def validate_password(password: str) -> str | None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > 200:
        return "Use at most 200 characters."
    return None


def create_user(username: str, password: str, role: Role = Role.STUDENT) -> User:
    """Create a user; raise ServiceError with field messages when the input is unusable.

    Starts the write transaction itself (after hashing): call it outside any transaction.
    """
    username = (username or "").strip() if isinstance(username, str) else ""
    fields = {}
    if (msg := validate_username(username)):
        fields["username"] = msg
    if (msg := validate_password(password)):
        fields["password"] = msg
    if fields:
        raise invalid("Please correct the highlighted fields.", fields)
    # The slow hash first, then the write lock before the name check: a read transaction
    # that later writes fails at once on SQLite when another writer committed meanwhile.
    password_hash = hasher().hash(password)
    begin_write(db.session)
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise ServiceError(409, "username_taken", "That username is taken.",
                           {"username": "That username is taken."})
    user = User(username=username, password_hash=password_hash, role=role,
                session_nonce=secrets.token_hex(8))
    db.session.add(user)
    db.session.flush()
    # On SQLite the id may be a deleted user's: no worker may match that user's cookie to it.
    user_changed(user.id)
    return user


def find_user(username: str) -> User | None:
    if not isinstance(username, str) or not username:
        return None
    return db.session.scalar(select(User).where(func.lower(User.username)
                                                == username.strip().lower()))


#: A class behind one NAT address shares it: allow many more failures per address.
ADDRESS_FACTOR = 20


def _limits() -> tuple[int, int]:
    cfg = current_app.config
    return cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_WINDOW"]


def _shared_limiter():
    """Flask-Limiter's storage when QUIZAPP_RATELIMIT_STORAGE_URI names a shared one (Redis)."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://"):  # per process: not shared, so use the database
        return None
    from limits import parse

    from ..extensions import limiter

    per_name, window = _limits()
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "quizapp"
    return (limiter.limiter, prefix, parse(f"{per_name} per {window} seconds"),
            parse(f"{per_name * ADDRESS_FACTOR} per {window} seconds"))


def _name_key(username: str) -> str:
    return (username or "").strip().lower()[:40]


def throttled(username: str, address: str) -> bool:
    """Whether too many logins failed lately for this username or from this address.

    Counted in Redis through Flask-Limiter when configured, else in the database; either way
    every worker and machine sees the same count.
    """
    shared = _shared_limiter()
    if shared is not None:
        strategy, prefix, by_name, by_addr = shared
        return not (strategy.test(by_name, prefix, "login-name", _name_key(username))
                    and strategy.test(by_addr, prefix, "login-addr", address))
    limit, _ = _limits()
    return _failures(LoginFailure.username == _name_key(username)) >= limit or \
        _failures(LoginFailure.address == address) >= limit * ADDRESS_FACTOR


def record_failure(username: str, address: str) -> None:
    shared = _shared_limiter()
    if shared is not None:
        strategy, prefix, by_name, by_addr = shared
        strategy.hit(by_name, prefix, "login-name", _name_key(username))
        strategy.hit(by_addr, prefix, "login-addr", address)
        return
    _add_failure(_name_key(username), address)


def guessing_throttled(kind: str, user_id: int) -> bool:
    """Whether a user guessed wrong too often lately (``kind``: what, e.g. "join" codes).

    Same limit, window and storage as failed logins, counted per user.
    """
    shared = _shared_limiter()
    if shared is not None:
        strategy, prefix, per_user, _ = shared
        return not strategy.test(per_user, prefix, f"{kind}-user", str(user_id))
    return _failures(LoginFailure.username == _guess_key(kind, user_id)) >= _limits()[0]


def record_wrong_guess(kind: str, user_id: int) -> None:
    shared = _shared_limiter()
    if shared is not None:
        strategy, prefix, per_user, _ = shared
        strategy.hit(per_user, prefix, f"{kind}-user", str(user_id))
        return
    _add_failure(_guess_key(kind, user_id), "")


def _guess_key(kind: str, user_id: int) -> str:
    # "#" is never in a username (USERNAME), so these rows never count as a login's.
    return f"{kind}#{user_id}"


def _failures(which) -> int:
    since = utcnow() - timedelta(seconds=_limits()[1])
    return db.session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(which, LoginFailure.at >= since))


def _add_failure(username: str, address: str) -> None:
    db.session.add(LoginFailure(username=username, address=address[:64]))
    # Keep the table small: old failures no longer count.
    cutoff = utcnow() - timedelta(seconds=_limits()[1] * 2)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in constant-ish time whether or not the user exists."""
    global _DUMMY_HASH
    if not isinstance(password, str):
        return False
    try:
        if user is None:
            _DUMMY_HASH = _DUMMY_HASH or hasher().hash("not a real password")
            hasher().verify(_DUMMY_HASH, password)
            return False
        hasher().verify(user.password_hash, password)
        return True
    except (VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str, address: str) -> User:
    """Return the user for these credentials or raise (401 wrong, 429 throttled).

    The hash is checked outside any write transaction; only a failure is written.
    """
    if throttled(username, address):
        raise ServiceError(429, "too_many_attempts",
                           "Too many failed logins. Wait a few minutes and try again.")
    user = find_user(username)
    if not verify_password(user, password):
        db.session.rollback()
        begin_write(db.session)
        record_failure(username, address)
        db.session.commit()
        raise ServiceError(401, "bad_credentials", "Wrong username or password.")
    return user


def issue_token(user: User) -> str:
    """Create an API bearer token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=token_hash(token)))
    db.session.flush()
    return token
