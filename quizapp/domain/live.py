"""The warm-up's rules, without a database: phases, PINs, nicknames, ranks and the
projector's bars and highlighted quote. Plain data in, plain data out."""

from __future__ import annotations

import enum
import hashlib
import json
import random
import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

PIN_RE = re.compile(r"^\d{6}$")
NICKNAME_MAX = 20
#: Characters refused in nicknames: controls, invisible formatting (bidi overrides,
#: zero-width spaces), separators that break lines, unassigned and private-use code points.
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_ZWJ = "\u200d"  # joins emoji sequences; harmless


class LivePhase(enum.Enum):
    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    FINISHED = "finished"


class NicknameRefused(ValueError):
    """A nickname that cannot be used: ``message`` for the page, ``hint`` for the field."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def iso(moment: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 with milliseconds and a Z."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds") + "Z"


def effective_phase(phase: LivePhase, deadline: datetime | None, now: datetime,
                    expires_at: datetime | None = None) -> LivePhase:
    """The phase players see now: a question whose deadline passed is being revealed, and
    a game left unfinished past ``expires_at`` has ended."""
    if expires_at is not None and phase is not LivePhase.FINISHED and now >= expires_at:
        return LivePhase.FINISHED
    if phase is LivePhase.QUESTION and deadline is not None and now >= deadline:
        return LivePhase.REVEAL
    return phase


_AGE_RE = re.compile(r"(\d{1,6})([smhdw])")
_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
AGE_FORMAT = "a whole number and a unit: s, m, h, d or w (e.g. 30d, 12h, 2w)"


def parse_age(raw: Any) -> timedelta:
    """A duration such as ``30d``, ``12h``, ``2w``, ``90m`` or ``45s``; a bare whole number
    (an environment variable read as JSON) is seconds. ValueError says what is wrong."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return timedelta(seconds=raw)
    text = raw.strip().lower() if isinstance(raw, str) else ""
    match = _AGE_RE.fullmatch(text)
    if text.isdigit() and int(text) > 0:
        return timedelta(seconds=int(text))
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"{raw!r} is not a duration: use {AGE_FORMAT}.")
    return timedelta(seconds=int(match.group(1)) * _AGE_UNITS[match.group(2)])


def valid_pin(pin: str) -> bool:
    return isinstance(pin, str) and PIN_RE.match(pin) is not None


def free_pin(taken: set[str], rng: random.Random) -> str | None:
    """A random 6-digit PIN not in ``taken`` (no leading zero, so it reads as a number)."""
    for _ in range(1000):
        pin = str(rng.randrange(100000, 1000000))
        if pin not in taken:
            return pin
    return None


def clean_nickname(raw: Any) -> str:
    """Trim and check a nickname; raise NicknameRefused naming the problem."""
    if not isinstance(raw, str):
        raise NicknameRefused("Choose a nickname.", "Type a nickname (text).")
    text = unicodedata.normalize("NFC", raw)
    if any(unicodedata.category(ch) in _BAD_CATEGORIES and ch != _ZWJ for ch in text):
        raise NicknameRefused("That nickname contains invisible or control characters.",
                              "Leave out control and invisible characters (line "
                              "breaks, tabs, zero-width or direction marks).")
    text = " ".join(text.split())
    if not text:
        raise NicknameRefused("Choose a nickname.", "Type a nickname.")
    if len(text) > NICKNAME_MAX:
        raise NicknameRefused("That nickname is too long.",
                              f"Use at most {NICKNAME_MAX} characters.")
    return text


def nickname_key(nickname: str) -> str:
    """Case- and width-folded nickname ("Anna", "ANNA" and "Ａｎｎａ" clash); fits 24 chars."""
    folded = unicodedata.normalize("NFKC", nickname).casefold()
    if len(folded) <= 24:
        return folded
    return "#" + hashlib.sha256(folded.encode()).hexdigest()[:23]


def state_json(state: dict[str, Any], now: datetime) -> str:
    """The state as JSON text with the server's clock, for phones to correct their skew."""
    return json.dumps({**state, "server_time": iso(now)}, ensure_ascii=False,
                      separators=(",", ":"))


def state_etag(game_id: int, version: int, phase: str) -> str:
    return f"{game_id}-{version}-{phase}"


def ranked(rows: list[tuple[Any, float]]) -> list[tuple[int, Any, float]]:
    """Competition ranking (1, 2, 2, 4) of (item, score) already sorted best first."""
    out: list[tuple[int, Any, float]] = []
    for i, (item, score) in enumerate(rows):
        rank = out[-1][0] if out and out[-1][2] == score else i + 1
        out.append((rank, item, score))
    return out


def histogram(payload: dict[str, Any], answers: list[tuple[Any, bool]]) -> list[dict[str, Any]]:
    """Bars for a question: one per choice (mcq, multi), true/false, or right/partly/wrong.

    ``answers`` are (response, correct) pairs. Typed answers are never shown on the
    projector, only whether they were right.
    """
    from .question_types import QUESTION_TYPES

    return QUESTION_TYPES[payload["type"]].histogram(payload, answers)


def highlight(quote: str, answer_text: Any) -> list[tuple[str, bool]]:
    """Split ``quote`` into (text, is_key) parts marking where the key's words occur."""
    keys = answer_text if isinstance(answer_text, list) else [answer_text]
    terms = sorted({str(k).split(" — ")[-1] for k in keys if str(k).strip()}, key=len,
                   reverse=True)
    terms = [t for t in terms if t.lower() not in ("true", "false")
             and (len(t) >= 2 or t.isdigit())]
    if not terms:
        return [(quote, False)]
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in terms),
                         re.IGNORECASE)
    parts: list[tuple[str, bool]] = []
    pos = 0
    for match in pattern.finditer(quote):
        if match.start() > pos:
            parts.append((quote[pos:match.start()], False))
        parts.append((match.group(0), True))
        pos = match.end()
    if pos < len(quote):
        parts.append((quote[pos:], False))
    return parts
