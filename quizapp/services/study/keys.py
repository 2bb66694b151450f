"""When a learner may see an attempt's keys (and its score, which tells them too): an
assignment's ``show_keys`` against the learner's due date, their extension included."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import Assignment, Attempt, Extension, ShowKeys, utcnow


def keys_shown(show_keys: ShowKeys | None, due_at: datetime | None, now: datetime) -> bool:
    """Whether keys under ``show_keys`` are shown at ``now`` to a learner due at ``due_at``."""
    if show_keys is None or show_keys is ShowKeys.IMMEDIATELY:
        return True
    if show_keys is ShowKeys.NEVER:
        return False
    return due_at is not None and now >= due_at


def later(due_at: datetime | None, extended: datetime | None) -> datetime | None:
    """The learner's due date: the assignment's, or their later extension."""
    return max(due_at, extended) if due_at and extended else due_at


def keys_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the learner may see keys and explanations for this attempt now."""
    assignment = attempt.assignment
    if assignment is None:
        return True
    extended = db.session.scalar(select(Extension.due_at).where(
        Extension.assignment_id == assignment.id, Extension.user_id == attempt.user_id))
    return keys_shown(assignment.show_keys, later(assignment.due_at, extended),
                      now or utcnow())


def visible_score(attempt: Attempt) -> float | None:
    """The attempt's score, or None while its keys are hidden (a score tells them too)."""
    return attempt.score if keys_visible(attempt) else None


def keys_hidden(now: datetime):
    """SQL: the attempt (``Attempt``) belongs to an assignment whose keys are hidden now
    (for its learner: an extension keeps "after the due date" keys hidden until it ends)."""
    extended = select(Extension.id).join(Assignment, Assignment.id == Extension.assignment_id) \
        .where(Extension.assignment_id == Attempt.assignment_id,
               Extension.user_id == Attempt.user_id, Extension.due_at > now,
               Assignment.show_keys == ShowKeys.AFTER_DUE).exists()
    return Attempt.assignment_id.in_(select(Assignment.id).where(
        (Assignment.show_keys == ShowKeys.NEVER)
        | ((Assignment.show_keys == ShowKeys.AFTER_DUE) & (Assignment.due_at > now)))) \
        | extended
