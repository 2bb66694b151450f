"""Answer checking: one pure checker per question type, looked up in ``CHECKERS``.

A checker returns a ``Result`` for a well-formed response, right or wrong, and raises
``InvalidResponse`` with a message a person can act on for a malformed one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .text import normalize

MAX_TEXT = 300


class InvalidResponse(ValueError):
    """The response does not fit the question (wrong type, unknown id, empty...)."""


@dataclass(frozen=True)
class Result:
    correct: bool
    #: Partial credit in [0, 1]; equals 1.0 exactly when ``correct``.
    credit: float


def _ids(options: list[dict[str, Any]]) -> set[str]:
    return {o["id"] for o in options}


def check_mcq(question: dict[str, Any], response: Any) -> Result:
    """One choice id; right when it is the key."""
    if not isinstance(response, str) or not response:
        raise InvalidResponse("Choose one of the answers (send its choice id as a string).")
    if response not in _ids(question["choices"]):
        raise InvalidResponse(f"Unknown choice id {response[:20]!r}.")
    ok = response == question["answer"]
    return Result(ok, 1.0 if ok else 0.0)


def check_multi(question: dict[str, Any], response: Any) -> Result:
    """A list of choice ids; credit for right picks minus wrong picks, right when exact."""
    if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
        raise InvalidResponse("Send the chosen choice ids as a list of strings.")
    if not response:
        raise InvalidResponse("Choose at least one answer.")
    if len(set(response)) != len(response):
        raise InvalidResponse("A choice id appears twice.")
    unknown = set(response) - _ids(question["choices"])
    if unknown:
        raise InvalidResponse(f"Unknown choice id {sorted(unknown)[0][:20]!r}.")
    key = set(question["answer"])
    picked = set(response)
    if picked == key:
        return Result(True, 1.0)
    credit = max(0.0, (len(picked & key) - len(picked - key)) / len(key))
    return Result(False, round(credit, 4))


def check_true_false(question: dict[str, Any], response: Any) -> Result:
    """A boolean."""
    if not isinstance(response, bool):
        raise InvalidResponse("Answer true or false (a JSON boolean).")
    ok = response is question["answer"]
    return Result(ok, 1.0 if ok else 0.0)


def check_short(question: dict[str, Any], response: Any) -> Result:
    """Typed text; tolerant of case, punctuation, spelling variants and aliases."""
    if not isinstance(response, str):
        raise InvalidResponse("Type your answer as text.")
    if not response.strip():
        raise InvalidResponse("Type an answer first.")
    if len(response) > MAX_TEXT:
        raise InvalidResponse(f"That answer is too long (at most {MAX_TEXT} characters).")
    accepted = {normalize(a) for a in question.get("accepted") or [question["answer"]]}
    ok = normalize(response) in accepted
    return Result(ok, 1.0 if ok else 0.0)


def check_ordering(question: dict[str, Any], response: Any) -> Result:
    """Every item id once, in order; credit for items in their right place."""
    if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
        raise InvalidResponse("Send the item ids as a list of strings, in order.")
    if sorted(response) != sorted(_ids(question["items"])):
        raise InvalidResponse("Put every item in the order exactly once.")
    key = question["answer"]
    placed = sum(a == b for a, b in zip(response, key, strict=True))
    return Result(response == key, round(placed / len(key), 4))


def check_matching(question: dict[str, Any], response: Any) -> Result:
    """An object mapping every left id to a right id; credit per right pair."""
    if not isinstance(response, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in response.items()):
        raise InvalidResponse("Send an object mapping each left id to a right id.")
    if set(response) != _ids(question["left"]):
        raise InvalidResponse("Match every item on the left exactly once.")
    unknown = set(response.values()) - _ids(question["right"])
    if unknown:
        raise InvalidResponse(f"Unknown right id {sorted(unknown)[0][:20]!r}.")
    key = question["answer"]
    right = sum(response[k] == v for k, v in key.items())
    return Result(right == len(key), round(right / len(key), 4))


CHECKERS: dict[str, Callable[[dict[str, Any], Any], Result]] = {
    "mcq": check_mcq,
    "multi": check_multi,
    "true_false": check_true_false,
    "short": check_short,
    "ordering": check_ordering,
    "matching": check_matching,
}


def check(question: dict[str, Any], response: Any) -> Result:
    """Check ``response`` with the checker of the question's type."""
    return CHECKERS[question["type"]](question, response)
