"""Changing what was set up: edit, close and delete an assignment; rename, archive, delete a
class and renew its join code.

Deleting is final: an assignment goes with its attempts and answers (the database cascades),
a class with its roster and assignments. The pages ask first and say how much goes; a
student's review schedule (their own learning) stays. Closing is the way to end an
assignment and keep its grades.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from ...database import begin_write
from ...errors import ServiceError, conflict, invalid
from ...extensions import db
from ...models import (
    Answer,
    Assignment,
    Attempt,
    Course,
    Extension,
    User,
    utcnow,
)
from .assignments import (
    QUESTION_SETTINGS,
    SETTINGS,
    assignment_for_instructor,
    check_settings,
    parse_moment,
    refuse_archived,
)
from .courses import MAX_NAME, new_join_code, owned_course, student_ids
from .grading import extensions_of

# =========================================================================== assignments

def is_deleted(kind: str, object_id: int) -> bool:
    """Whether no ``assignment`` or ``class`` has this id (a repeated delete finds none)."""
    model = {"assignment": Assignment, "class": Course}[kind]
    return db.session.get(model, object_id) is None


def current_settings(a: Assignment) -> dict[str, Any]:
    """The assignment's settings as create and edit take them."""
    return {"title": a.title, "count": a.count, "types": list(a.types),
            "topics": list(a.topics), "question_ids": list(a.question_ids),
            "due_at": a.due_at, "available_from": a.available_from,
            "max_attempts": a.max_attempts, "grading": a.grading.value,
            "show_keys": a.show_keys.value, "time_limit_minutes": a.time_limit_minutes,
            "same_questions": a.same_questions}


def _same(name: str, new: Any, old: Any) -> bool:
    if name in ("types", "topics", "question_ids") and isinstance(new, list):
        try:
            return sorted(new) == sorted(old)
        except TypeError:
            return False
    if name in ("time_limit_minutes", "available_from") and new in ("", None, 0):
        return old is None
    if name in ("due_at", "available_from"):
        try:
            return parse_moment(new, name) == old
        except ServiceError:
            return False
    if name == "title" and isinstance(new, str):
        return new.strip() == old
    return type(new) is type(old) and new == old


def started_count(assignment: Assignment) -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.assignment_id == assignment.id)) or 0


def update_assignment(user: User, assignment_id: int, changes: dict[str, Any],
                      now: datetime | None = None) -> tuple[Assignment, set[str]]:
    """Change some settings, checked as when assigning; (assignment, names changed).

    Once a student has started, the settings that draw the questions (count, topics, forms,
    hand-picked questions, same or separate draws) are fixed (409), as in Moodle: the
    attempts already made must stay comparable. Sending the current values changes nothing.
    """
    begin_write(db.session)
    assignment = assignment_for_instructor(user, assignment_id)
    refuse_archived(assignment.course)
    now = now or utcnow()
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise invalid("Unknown settings.", {k: "Not a setting of an assignment."
                                            for k in unknown})
    current = current_settings(assignment)
    changed = {k for k, v in changes.items() if not _same(k, v, current[k])}
    if not changed:
        return assignment, set()
    values = {**current, **{k: changes[k] for k in changed}}
    cleaned = check_settings(assignment.course, values, now, changed)
    fixed = [k for k in QUESTION_SETTINGS if cleaned[k] != current[k]]
    if fixed and started_count(assignment):
        raise ServiceError(409, "questions_fixed", "Students have started this assignment, "
                           "so its questions cannot change; change the dates, attempts or "
                           "grading, or make a new assignment.",
                           {k: "Fixed once a student has started." for k in fixed})
    touched = changed | (set(QUESTION_SETTINGS) if changed & set(QUESTION_SETTINGS) else set())
    for name in touched:  # only these: the others keep their stored values exactly
        setattr(assignment, name, cleaned[name])
    db.session.flush()
    refit_deadlines(assignment, now)
    return assignment, changed


def refit_deadlines(assignment: Assignment, now: datetime,
                    user_id: int | None = None) -> None:
    """Timed attempts still running end by the (new) due date, or their time limit."""
    query = select(Attempt).where(Attempt.assignment_id == assignment.id,
                                  Attempt.finished_at.is_(None), Attempt.deadline > now)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    extended = extensions_of(assignment.id)
    for attempt in db.session.scalars(query):
        due = max(assignment.due_at, extended.get(attempt.user_id, assignment.due_at))
        limit = attempt.deadline
        if assignment.time_limit_minutes:
            limit = attempt.started_at + timedelta(minutes=assignment.time_limit_minutes)
        attempt.deadline = min(limit, due)
    db.session.flush()


def close_assignment(user: User, assignment_id: int,
                     now: datetime | None = None) -> tuple[Assignment, int | None]:
    """Make the assignment due now, for everyone: extensions end, timed attempts end now, no
    attempt starts; grades stay. (assignment, extensions ended), or None if already closed.
    """
    begin_write(db.session)
    assignment = assignment_for_instructor(user, assignment_id)
    refuse_archived(assignment.course)
    now = (now or utcnow()).replace(microsecond=0)
    extensions = extensions_of(assignment.id)
    if assignment.due_at <= now and all(due <= now for due in extensions.values()):
        return assignment, None
    assignment.due_at = min(assignment.due_at, now)
    if assignment.available_from is not None and assignment.available_from > now:
        assignment.available_from = None
    ended = db.session.execute(delete(Extension).where(
        Extension.assignment_id == assignment.id)).rowcount
    db.session.flush()
    refit_deadlines(assignment, now)
    return assignment, ended


def _count(model: type, *conditions: Any, via: tuple[Any, Any] | None = None) -> int:
    """How many rows of ``model`` meet ``conditions``; ``via``: (table, on) a condition
    needs joined in. What a deletion page says it removes."""
    query = select(func.count()).select_from(model)
    if via is not None:
        query = query.join(*via)
    return db.session.scalar(query.where(*conditions)) or 0


def assignment_deletion(assignment: Assignment) -> dict[str, int]:
    """What deleting the assignment removes: attempts, students who made them, answers."""
    attempts, students = db.session.execute(
        select(func.count(Attempt.id), func.count(func.distinct(Attempt.user_id)))
        .where(Attempt.assignment_id == assignment.id)).one()
    return {"attempts": attempts, "students": students,
            "answers": _count(Answer, Attempt.assignment_id == assignment.id,
                              via=(Attempt, Attempt.id == Answer.attempt_id))}


def delete_assignment(user: User, assignment_id: int) -> tuple[Assignment, dict[str, int]]:
    """Delete the assignment with its attempts, answers, extensions and overrides."""
    begin_write(db.session)
    assignment = assignment_for_instructor(user, assignment_id)
    refuse_archived(assignment.course)
    removed = assignment_deletion(assignment)
    db.session.delete(assignment)
    db.session.flush()
    return assignment, removed


# =========================================================================== classes

def update_course(user: User, course_id: int, changes: dict[str, Any],
                  now: datetime | None = None) -> Course:
    """Rename (``name``) or archive/restore (``archived``) a class you own.

    An archived class is hidden from its students and read-only: no one joins, starts an
    attempt or changes an assignment until it is restored.
    """
    begin_write(db.session)
    course = owned_course(user, course_id)
    unknown = sorted(set(changes) - {"name", "archived"})
    if unknown:
        raise invalid("Unknown settings.", {k: "Send name or archived." for k in unknown})
    if not changes:
        raise invalid("Nothing to change.", {"name": "Send name or archived."})
    fields: dict[str, str] = {}
    name = changes.get("name", course.name)
    if not isinstance(name, str) or not name.strip():
        fields["name"] = "Enter a class name."
    elif len(" ".join(name.split())) > MAX_NAME:
        fields["name"] = f"Use at most {MAX_NAME} characters."
    archived = changes.get("archived", course.archived_at is not None)
    if not isinstance(archived, bool):
        fields["archived"] = "Use true or false."
    if fields:
        raise invalid("Some class settings are not valid.", fields)
    name = " ".join(name.split())
    if course.archived_at is not None and archived and name != course.name:
        raise conflict(f"“{course.name}” is archived: restore it before renaming it.")
    course.name = name
    if archived and course.archived_at is None:
        course.archived_at = now or utcnow()
    elif not archived:
        course.archived_at = None
    db.session.flush()
    return course


def renew_join_code(user: User, course_id: int) -> Course:
    """Give the class a new join code; the old one stops working at once."""
    begin_write(db.session)
    course = owned_course(user, course_id)
    refuse_archived(course)
    course.join_code = new_join_code()
    db.session.flush()
    return course


def course_deletion(course: Course) -> dict[str, int]:
    """What deleting the class removes: students enrolled, assignments, attempts."""
    return {
        "students": len(student_ids(course)),
        "assignments": _count(Assignment, Assignment.course_id == course.id),
        "attempts": _count(Attempt, Assignment.course_id == course.id,
                           via=(Assignment, Assignment.id == Attempt.assignment_id))}


def delete_course(user: User, course_id: int) -> tuple[Course, dict[str, int]]:
    """Delete a class you own, with its roster, assignments and their attempts."""
    begin_write(db.session)
    course = owned_course(user, course_id)
    removed = course_deletion(course)
    db.session.delete(course)
    db.session.flush()
    return course, removed
