"""Scores and grades: attempt score, assignment grade by method, live points."""

from __future__ import annotations

import math
from collections.abc import Sequence


def attempt_score(credits: Sequence[float]) -> float:
    """Sum of partial credits, rounded for display and storage."""
    return round(sum(credits), 2)


def grade(scores: Sequence[float], method: str) -> float | None:
    """Grade a student's finished attempts (in order taken) by highest, last, first or average."""
    if not scores:
        return None
    if method == "highest":
        return max(scores)
    if method == "last":
        return scores[-1]
    if method == "first":
        return scores[0]
    if method == "average":
        return round(sum(scores) / len(scores), 2)
    raise ValueError(f"unknown grading method {method!r}")


def live_points(correct: bool, credit: float, *, seconds_left: float, seconds_total: float,
                speed_bonus: bool, confidence: str | None) -> float:
    """Points for a warm-up answer: knowledge first, then speed and confidence if switched on.

    A right answer is worth 1000; a speed bonus adds up to 500 for answering at once.
    With confidence marking, "sure" and right earns 1.5x, "sure" and wrong costs 250.
    """
    base = 1000.0 * credit if correct or credit > 0 else 0.0
    if speed_bonus and correct and seconds_total > 0:
        base += 500.0 * max(0.0, min(1.0, seconds_left / seconds_total))
    if confidence == "sure":
        base = base * 1.5 if correct else -250.0
    return round(base, 1)


def whole_points(points: float) -> int:
    """Live points as every screen and export shows them: halves round up, as the phones'
    ``Math.round`` does (Python's ``round`` and ``format`` round halves to even)."""
    return math.floor(points + 0.5)
