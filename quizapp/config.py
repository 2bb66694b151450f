"""Configuration defaults. The environment is read in ``create_app`` only."""

from __future__ import annotations

import secrets
from pathlib import Path


class ConfigurationError(RuntimeError):
    """The settings cannot work (e.g. production without a secret key); the app won't start."""


class Defaults:
    """Settings every deployment starts from; ``QUIZAPP_*`` variables override them."""

    #: Set from QUIZAPP_DATABASE_URL; None means the embedded SQLite file in the instance folder.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    #: Seconds a "keep me logged in" cookie lasts (Flask-Login's default is a year).
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    #: Seconds an API token works after it is issued; then POST /api/v1/tokens again.
    TOKEN_LIFETIME = 30 * 24 * 3600
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a seminar page may stay open for hours
    MAX_CONTENT_LENGTH = 512 * 1024  # a commentary is ~10 KB; 1 MB bodies get a clean 413
    #: Seconds SQLite waits for the write lock before the request fails with 503.
    SQLITE_BUSY_TIMEOUT = 5.0
    #: Failed logins allowed per username in LOGIN_WINDOW seconds from browsers the user has
    #: not logged in from (20 times as many per client address); a browser with the user's
    #: device cookie has a budget of its own. Also wrong join codes per user.
    LOGIN_MAX_FAILURES = 10
    LOGIN_WINDOW = 300
    #: Seconds a device cookie (set at login) lets its browser past a locked username.
    DEVICE_COOKIE_LIFETIME = 180 * 24 * 3600
    #: New accounts allowed per client address in SIGNUP_WINDOW seconds (a class shares one).
    SIGNUP_MAX_PER_ADDRESS = 500
    SIGNUP_WINDOW = 3600
    #: Unknown warm-up PINs a client address may try in LOGIN_WINDOW seconds.
    PIN_MAX_FAILURES = 200
    #: Shared storage for login throttling, e.g. redis://127.0.0.1:6379/0 (from
    #: QUIZAPP_RATELIMIT_STORAGE_URI); "memory://" means count in the database instead,
    #: which every worker and machine shares too.
    RATELIMIT_STORAGE_URI = "memory://"
    #: Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (ProxyFix);
    #: 0 when clients connect directly. Behind one nginx: 1.
    TRUSTED_PROXIES = 0
    #: The address users open, e.g. https://quiz.example.org (QUIZAPP_PUBLIC_URL): absolute
    #: links (join links, QR codes) are built from it. Required in production; in development
    #: the request's own address is used.
    PUBLIC_URL: str | None = None
    #: "production" refuses to start with a generated secret key and sets Secure cookies.
    ENV = "development"
    #: Bank seed: generated distractors are drawn with random.Random(BANK_SEED).
    BANK_SEED = 0
    #: Seconds the fact extraction of a pasted commentary may take before it is refused (422).
    EXTRACTION_SECONDS = 10.0
    #: Facts a learner meets for the first time in reviews per UTC day, like Anki's "New
    #: cards/day"; the other due facts wait for a later day (QUIZAPP_REVIEW_NEW_PER_DAY).
    REVIEW_NEW_PER_DAY = 20
    #: LTI 1.3: the tool's RSA private key (PEM, QUIZAPP_LTI_PRIVATE_KEY); unset, a key pair
    #: is generated once and kept in the database, which every app server shares.
    LTI_PRIVATE_KEY: str | None = None
    #: LTI pages (launch, deep linking) may be framed by these sources (CSP frame-ancestors);
    #: e.g. "https://moodle.example.edu https://example.instructure.com" to name your LMS.
    LTI_FRAME_ANCESTORS = "https:"
    #: How long a player's phone may cache the live state (seconds).
    LIVE_STATE_CACHE = 0.5
    #: Push warm-up states to phones (Server-Sent Events, live/events.py): "auto" does under
    #: gevent workers only, where an open stream costs no thread; true or false force it.
    LIVE_PUSH = "auto"
    #: A warm-up the host never ended counts as ended this long after it was created
    #: (QUIZAPP_LIVE_GAME_LIFETIME: 12h, 90m, 2d or whole seconds): its PIN is free again,
    #: joins are refused, and ``quizapp live prune`` may delete it.
    LIVE_GAME_LIFETIME = "12h"


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key kept in the instance folder, creating it once."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting together must end up with the same key.
    try:
        with open(path, "x") as fh:
            fh.write(key)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key
