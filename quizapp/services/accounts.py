"""Accounts: users, argon2id password hashes, API tokens and login throttling."""

from __future__ import annotations

import functools
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update

from ..database import begin_write
from ..errors import ServiceError, invalid
from ..extensions import db
from ..models import ApiToken, Role, User, utcnow
from . import throttle
from .identity import token_hash, token_lifetime, user_changed, user_changed_on_commit
from .throttle import Budget

# argon2id with 19 MiB and 2 passes (the OWASP minimum): ~15 ms a hash here, so a class of
# 300 logging in at once is not queued behind the hash. Tests swap in a cheaper one.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{3,40}$")
#: ASVS 5.0 V6.2.1: at least 12 characters; V6.2.9: at least 64 allowed.
MIN_PASSWORD = 12
MAX_PASSWORD = 200
# Verified against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH: str | None = None


def hasher() -> PasswordHasher:
    return current_app.config.get("PASSWORD_HASHER") or _HASHER


def validate_username(username: str) -> str | None:
    if not USERNAME.match(username or ""):
        return "Use 3 to 40 letters, digits, dots, dashes or underscores."
    return None


def validate_password(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used (by ``username``), or None when it may."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    folded = password.casefold()
    name = username.strip().casefold() if isinstance(username, str) else ""
    if name and name in folded:
        return "Choose a password that does not contain your username."
    if _is_common(folded):
        return "That password is too common: choose a less predictable one."
    return None


@functools.cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most used passwords (lower case), read on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _is_common(folded: str) -> bool:
    """Whether a password is, or is a common password padded with digits and signs."""
    common = _common_passwords()
    squeezed = "".join(folded.split())
    core = squeezed.strip("0123456789!@#$%^&*()_+-=.,?~ ")
    # A lone common word padded to length ("password1234!") is as weak as the word.
    return squeezed in common or (len(core) >= 4 and core in common)


def check_new_account(username: object, password: object) -> str:
    """The username as it would be stored; raise ServiceError (400, field messages) when
    the name or password is unusable. Reads nothing: a sign-up refused here never waits
    for the database."""
    username = username.strip() if isinstance(username, str) else ""
    fields = {}
    if (msg := validate_username(username)):
        fields["username"] = msg
    if (msg := validate_password(password, username)):
        fields["password"] = msg
    if fields:
        raise invalid("Please correct the highlighted fields.", fields)
    return username


def create_user(username: str, password: str, role: Role = Role.STUDENT) -> User:
    """Create a user; raise ServiceError with field messages when the input is unusable.

    Starts the write transaction itself (after hashing): call it outside any transaction.
    """
    username = check_new_account(username, password)
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
#: The device cookie (OWASP "device cookies"): a browser where the user logged in before.
DEVICE_COOKIE = "quizapp_device"
_DEVICE_SALT = "quizapp.device"


def _limits() -> tuple[int, int]:
    cfg = current_app.config
    return cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_WINDOW"]


def _name_key(username: str) -> str:
    return (username or "").strip().lower()[:40] if isinstance(username, str) else ""


def _login_budgets(username: str, address: str) -> tuple[Budget, Budget]:
    """A browser the user has not logged in from: per username and per client address."""
    limit, window = _limits()
    return (Budget("login-name", _name_key(username), limit, window),
            Budget("login-addr", address, limit * ADDRESS_FACTOR, window))


def _device_budget(device: str | None, username: str) -> Budget | None:
    """A budget of its own for a valid device cookie of this user, else None."""
    if not device:
        return None
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)
    try:
        name, nonce = serializer.loads(device, max_age=current_app.config["DEVICE_COOKIE_LIFETIME"])
    except (BadData, TypeError, ValueError):
        return None
    if name != _name_key(username):
        return None
    limit, window = _limits()
    return Budget("login-device", str(nonce), limit, window)


def device_cookie(username: str) -> str:
    """A signed device cookie value for a browser that just logged in as ``username``."""
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)
    return serializer.dumps([_name_key(username), secrets.token_hex(8)])


def guessing_throttled(kind: str, user_id: int) -> bool:
    """Whether a user, or the client's address, guessed wrong too often lately.

    ``kind`` says what (e.g. "join" codes). Same limit and window as failed logins, per user,
    and as many per client address as logins get: new accounts get no fresh budget.
    """
    return throttle.spent(*_guess_budgets(kind, user_id))


def record_wrong_guess(kind: str, user_id: int) -> None:
    """Count a wrong guess, committed now: the request itself then fails (throttle.py)."""
    throttle.record_now(*_guess_budgets(kind, user_id))


def _guess_budgets(kind: str, user_id: int) -> tuple[Budget, Budget]:
    limit, window = _limits()
    return (Budget(f"{kind}-user", str(user_id), limit, window),
            Budget(f"{kind}-addr", throttle.client_address(), limit * ADDRESS_FACTOR, window))


def take_sign_up() -> list:
    """Count a sign-up from this client, or raise 429 past ``SIGNUP_MAX_PER_ADDRESS``.

    Sign-ups are budgeted per address: each new account would bring a fresh per-user budget
    of join-code guesses. Give it back (``throttle.give_back``) if the sign-up fails.
    """
    cfg = current_app.config
    taken = throttle.take(Budget("signup-addr", throttle.client_address(),
                                 cfg["SIGNUP_MAX_PER_ADDRESS"], cfg["SIGNUP_WINDOW"]))
    if taken is None:
        raise ServiceError(429, "too_many_attempts", "Too many new accounts from this network "
                           "lately. Wait a while and try again, or ask your instructor.")
    return taken


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


def authenticate(username: str, password: str, address: str,
                 device: str | None = None) -> User:
    """Return the user for these credentials or raise (401 wrong, 429 throttled).

    A browser with the user's device cookie (``device``) has a budget of its own, so an
    attacker's failures elsewhere do not lock the user out; any other browser shares the
    username's and the address's budget. One unit is taken before the hash is checked
    (count and check in one step: parallel guesses cannot pass the limit) and given back
    when the password is right. The hash is checked outside any transaction.
    """
    taken = None
    own = _device_budget(device, username)
    if own is not None:
        taken = throttle.take(own)
    if taken is None:
        taken = throttle.take(*_login_budgets(username, address))
    if taken is None:
        raise ServiceError(429, "too_many_attempts",
                           "Too many failed logins. Log in from a device you have used "
                           "before, or wait a few minutes and try again.")
    user = find_user(username)
    if not verify_password(user, password):
        raise ServiceError(401, "bad_credentials", "Wrong username or password.")
    throttle.give_back(taken)
    return user


def issue_token(user: User) -> str:
    """Create an API bearer token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    # The user's expired tokens no longer work: drop them.
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id,
                                              ApiToken.created_at <= utcnow() - token_lifetime()))
    db.session.add(ApiToken(user_id=user.id, token_hash=token_hash(token)))
    db.session.flush()
    return token


def revoke_token(token: str) -> None:
    """End one API token (the caller's own: it was just checked)."""
    owner = db.session.scalar(delete(ApiToken).where(ApiToken.token_hash == token_hash(token))
                              .returning(ApiToken.user_id))
    if owner is not None:
        user_changed_on_commit(owner)


def end_sessions(user_id: int, *, tokens: bool) -> None:
    """End every browser session of a user (a new nonce) and, with ``tokens``, its tokens.

    Sessions and remember-me cookies carry the nonce (``AccountMixin.get_id``), so a cookie
    saved before stops working; every worker hears of it at commit.
    """
    db.session.execute(update(User).where(User.id == user_id)
                       .values(session_nonce=secrets.token_hex(8)))
    if tokens:
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    user_changed_on_commit(user_id)


def new_password_hash(username: str, password: str) -> str:
    """Hash a new password (slow: call before the write transaction), or raise if refused."""
    if (msg := validate_password(password, username)):
        raise invalid("Please correct the highlighted fields.", {"password": msg})
    return hasher().hash(password)


def change_password(user_id: int, password_hash: str) -> None:
    """Store a new password hash and end every session and token of the user."""
    db.session.execute(update(User).where(User.id == user_id)
                       .values(password_hash=password_hash))
    end_sessions(user_id, tokens=True)
