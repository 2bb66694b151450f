"""Spaced review per fact with FSRS (the ``fsrs`` package): one card per learner and fact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

# Fuzzing off: the same answers on the same day give the same schedule (testable, explainable).
_SCHEDULER = Scheduler(enable_fuzzing=False)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rating_for(correct: bool, credit: float) -> Rating:
    """Map an answer to an FSRS rating: wrong is Again, partly right Hard, right Good."""
    if correct:
        return Rating.Good
    return Rating.Hard if credit >= 0.5 else Rating.Again


def review(card: dict[str, Any] | None, correct: bool, credit: float,
           now: datetime, card_id: int = 1) -> tuple[dict[str, Any], datetime]:
    """Review a fact's card; return the new card (as a dict) and when it is due (naive UTC)."""
    current = Card.from_dict(card) if card else Card(card_id=card_id, due=_aware(now))
    updated, _log = _SCHEDULER.review_card(current, rating_for(correct, credit), _aware(now))
    return updated.to_dict(), updated.due.astimezone(UTC).replace(tzinfo=None)


def retrievability(card: dict[str, Any] | None, now: datetime) -> float:
    """Probability (0..1) the learner recalls the fact now; 0 for a fact never seen."""
    if not card:
        return 0.0
    return float(_SCHEDULER.get_card_retrievability(Card.from_dict(card), _aware(now)))
