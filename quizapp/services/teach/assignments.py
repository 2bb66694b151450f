"""Assignments: set by an instructor for a class, started and listed by its students."""

from __future__ import annotations

import random
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...database import begin_write
from ...domain import analysis
from ...domain.scoring import attempt_score
from ...domain.selection import draw
from ...errors import ServiceError, invalid, not_found
from ...extensions import db
from ...models import (
    Assignment,
    Attempt,
    Course,
    Enrollment,
    Grading,
    Question,
    Role,
    ShowKeys,
    User,
    utcnow,
)
from .. import study
from .courses import course_for_instructor, instructor_get, teaches
from .grading import attempt_record, student_due, student_extensions, student_overrides

MAX_TITLE = 200
MAX_ATTEMPTS = 20
MAX_TIME_LIMIT = 600
DUE_SOON = timedelta(hours=24)
GRADINGS = tuple(g.value for g in Grading)
SHOW_KEYS = tuple(s.value for s in ShowKeys)


# =========================================================================== assignments

def parse_moment(value: Any, field: str = "due_at", label: str = "due date") -> datetime:
    """An ISO 8601 date-time (or datetime) as naive UTC; naive input is taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise invalid(f"The {label} is not a date-time.", {
                field: "Use ISO 8601, e.g. 2030-05-01T17:00:00Z."}) from None
        if len(text) <= 10:  # a bare date means the end of that day
            parsed = parsed.replace(hour=23, minute=59)
    else:
        raise invalid(f"A {label} is required.", {field: f"Enter a {label} and time."})
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def parse_due(value: Any) -> datetime:
    """The due date: an ISO 8601 date-time (or datetime) as naive UTC."""
    return parse_moment(value)


def _int_between(value: Any, low: int, high: int) -> int | None:
    """``value`` if it is an int (not a bool) from ``low`` to ``high``, else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


#: The settings of an assignment, as create and edit take them, with their defaults.
SETTINGS: dict[str, Any] = {
    "title": None, "count": None, "types": None, "topics": None, "question_ids": None,
    "due_at": None, "available_from": None, "max_attempts": 1, "grading": "highest",
    "show_keys": "immediately", "time_limit_minutes": None, "same_questions": True}
#: Settings that decide which questions are drawn: fixed once a student has started.
QUESTION_SETTINGS = ("count", "types", "topics", "question_ids", "same_questions")


def refuse_archived(course: Course) -> None:
    """An archived class is read-only (409)."""
    if course.archived_at is not None:
        raise ServiceError(409, "archived", f"“{course.name}” is archived: restore it "
                           "before changing it.")


def check_settings(course: Course, values: dict[str, Any], now: datetime,
                   changed: set[str] | None = None) -> dict[str, Any]:
    """The assignment's column values from ``values`` (every key of ``SETTINGS``); every
    bad setting is reported against its field. ``changed`` names the settings an edit sends
    (None: a new assignment); a due date must be in the future only when it is set, and
    the questions are checked only when a setting that draws them is."""
    fields: dict[str, str] = {}
    title, count = values["title"], values["count"]
    types, topics, question_ids = values["types"], values["topics"], values["question_ids"]
    if not isinstance(title, str) or not title.strip():
        fields["title"] = "Enter a title."
    elif len(title.strip()) > MAX_TITLE:
        fields["title"] = f"Use at most {MAX_TITLE} characters."
    picked: list[int] = list(question_ids) if isinstance(question_ids, list) else []
    check_questions = changed is None or bool(changed & set(QUESTION_SETTINGS))
    if question_ids and check_questions:
        if not isinstance(question_ids, list) or not all(
                _int_between(q, 1, 2**31) for q in question_ids):
            fields["question_ids"] = "Send a list of question ids."
        else:
            picked = list(dict.fromkeys(question_ids))
            active = {c.id for c in study.active_candidates(owner_id=course.owner_id,
                                                            readable_by=course.owner)}
            if set(picked) - active:
                fields["question_ids"] = "Some of those questions are retired or unknown."
            elif len(picked) > study.MAX_COUNT:
                fields["question_ids"] = f"Pick at most {study.MAX_COUNT} questions."
        count = len(picked) or count
        types, topics = [], []
    if count is None or _int_between(count, 1, study.MAX_COUNT) is None:
        fields.setdefault("count", f"Choose a whole number from 1 to {study.MAX_COUNT}.")
    types = [] if types is None else types
    topics = [] if topics is None else topics
    if check_questions:
        for name, message in study.filter_errors(types, topics, course.owner).items():
            fields.setdefault(name, message)
    due = opens = None
    try:
        due = parse_due(values["due_at"])
        if due <= now and (changed is None or "due_at" in changed):
            fields["due_at"] = "Choose a due date in the future."
    except ServiceError as exc:
        fields.update(exc.fields or {})
    if values["available_from"] not in (None, ""):
        try:
            opens = parse_moment(values["available_from"], "available_from",
                                 "date it opens")
            if due is not None and opens >= due:
                fields["available_from"] = "Choose a time before the due date."
        except ServiceError as exc:
            fields.update(exc.fields or {})
    max_attempts, grading = values["max_attempts"], values["grading"]
    show_keys, time_limit = values["show_keys"], values["time_limit_minutes"]
    if _int_between(max_attempts, 1, MAX_ATTEMPTS) is None:
        fields["max_attempts"] = f"Allow from 1 to {MAX_ATTEMPTS} attempts."
    if grading not in GRADINGS:
        fields["grading"] = f"Use one of {', '.join(GRADINGS)}."
    if show_keys not in SHOW_KEYS:
        fields["show_keys"] = f"Use one of {', '.join(SHOW_KEYS)}."
    if time_limit in ("", 0):
        time_limit = None
    if time_limit is not None and _int_between(time_limit, 1, MAX_TIME_LIMIT) is None:
        fields["time_limit_minutes"] = f"Use 1 to {MAX_TIME_LIMIT} minutes, or leave it empty."
    if not isinstance(values["same_questions"], bool):
        fields["same_questions"] = "Use true or false."
    if fields:
        raise invalid("Some assignment settings are not valid.", fields)
    if not picked and check_questions:
        bank = study.active_candidates(owner_id=course.owner_id)
        pool = [c for c in bank
                if (not types or c.type in types) and (not topics or c.topic in topics)]
        if len(pool) < count:
            raise invalid("Not enough questions match.", {
                "count": f"Only {len(pool)} questions match these topics and forms; "
                         "lower the count or choose more."})
        # A quiz of the whole bank asks each fact once and no question gives away another's
        # answer, so it holds far fewer questions than the bank; past that, students' draws
        # would repeat facts to fill the points assigned. (A drill of some forms or topics
        # fills its length by design.)
        capacity = count if len(pool) < len(bank) else min(
            len(draw(bank, count, random.Random(seed), fill=False)) for seed in range(3))
        if capacity < count:
            raise invalid("Not enough questions match.", {
                "count": f"A quiz of the whole question bank holds {capacity} questions "
                         "without asking a fact twice or one question giving away another's "
                         f"answer; choose {capacity} or fewer."})
    return {"title": title.strip(), "count": count, "types": list(types),
            "topics": list(topics), "question_ids": picked, "due_at": due,
            "available_from": opens, "max_attempts": max_attempts,
            "grading": Grading(grading), "show_keys": ShowKeys(show_keys),
            "time_limit_minutes": time_limit, "same_questions": values["same_questions"]}


def create_assignment(user: User, course_id: int, *, title: Any, now: datetime | None = None,
                      **settings: Any) -> Assignment:
    """Assign a quiz to a class; every bad setting is reported against its field.

    ``settings`` are the other keys of ``SETTINGS`` (count, due_at, available_from, ...).
    """
    begin_write(db.session)
    course = course_for_instructor(user, course_id)
    refuse_archived(course)
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown assignment settings: {sorted(unknown)}")
    values = {**SETTINGS, **settings, "title": title}
    assignment = Assignment(course_id=course.id, seed=random.SystemRandom().randrange(2**31),
                            **check_settings(course, values, now or utcnow()))
    db.session.add(assignment)
    db.session.flush()
    return assignment


def question_picker(course: Course) -> dict[str, list[tuple[int, str]]]:
    """Active questions about approved facts, grouped by topic, for hand-picking."""
    ids = [c.id for c in study.active_candidates(owner_id=course.owner_id,
                                                 readable_by=course.owner)]
    picker: dict[str, list[tuple[int, str]]] = {}
    for qid, topic, payload in db.session.execute(
            select(Question.id, Question.topic, Question.payload)
            .where(Question.id.in_(ids or [-1])).order_by(Question.topic, Question.id)):
        picker.setdefault(topic, []).append((qid, payload["prompt"]))
    return picker


def assignment_for_instructor(user: User, assignment_id: int) -> Assignment:
    """The assignment, if ``user`` teaches its class (403 students, 404 others)."""
    return instructor_get(user, Assignment, assignment_id,
                          lambda a: teaches(user, a.course), "That assignment")


def course_assignments(course: Course) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.course_id == course.id)
                                   .order_by(Assignment.due_at, Assignment.id)))


def student_seed(assignment: Assignment, user: User) -> int:
    """Everyone's seed, or one derived from the assignment seed and the student's id."""
    if assignment.same_questions:
        return assignment.seed
    return zlib.crc32(f"{assignment.seed}:{user.id}".encode()) % 2**31


def due_state(due_at: datetime, now: datetime) -> str:
    """``open``, ``due_soon`` (within a day) or ``past_due``."""
    if now > due_at:
        return "past_due"
    return "due_soon" if due_at - now <= DUE_SOON else "open"


def _when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


def _close_expired(attempt: Attempt) -> None:
    """An attempt whose time ran out is closed with what was answered by then."""
    attempt.score = attempt_score([r.credit for r in attempt.answers])
    attempt.finished_at = attempt.deadline
    db.session.flush()
    from .. import lti  # a closed attempt's grade goes to the LMS like a finished one's

    lti.enqueue_grade(attempt)


def _own_attempts(user: User, assignment: Assignment) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.assignment_id == assignment.id, Attempt.user_id == user.id)
        .order_by(Attempt.started_at, Attempt.id)))


def start_assignment_attempt(user: User, assignment_id: int,
                             now: datetime | None = None) -> Attempt:
    """Start (or resume) the student's attempt at an assignment of one of their classes.

    Refuses with 404 when the student is not enrolled, 409 when the class is archived, the
    assignment is not open yet, past due (the student's extension counts) or no attempts
    are left. An unfinished attempt is resumed, so a double click starts one
    attempt. A timed attempt's deadline is the time limit or the due date, whichever comes
    first; an untimed attempt started before the due date may be finished after it.
    """
    begin_write(db.session)
    now = now or utcnow()
    assignment = db.session.get(Assignment, assignment_id) \
        if isinstance(assignment_id, int) and not isinstance(assignment_id, bool) else None
    if assignment is None or _enrollment_role(assignment.course_id, user.id) is not Role.STUDENT:
        raise not_found("That assignment")
    if assignment.course.archived_at is not None:
        raise ServiceError(409, "archived", f"{assignment.course.name} is archived; its "
                           "assignments are closed.")
    due = student_due(assignment, user.id)
    attempts = _own_attempts(user, assignment)
    for attempt in attempts:
        if attempt.finished:
            continue
        if attempt.deadline is not None and now > attempt.deadline:
            _close_expired(attempt)
        else:
            return attempt
    if assignment.available_from is not None and now < assignment.available_from:
        raise ServiceError(409, "not_open", f"“{assignment.title}” opens "
                           f"{_when(assignment.available_from)}.")
    if now > due:
        raise ServiceError(409, "past_due", f"“{assignment.title}” was due "
                           f"{_when(due)}; late attempts are not accepted.")
    if len(attempts) >= assignment.max_attempts:
        allowed = "1 attempt" if assignment.max_attempts == 1 \
            else f"{assignment.max_attempts} attempts"
        raise ServiceError(409, "no_attempts_left", f"You have used the {allowed} allowed "
                           f"for “{assignment.title}”.")
    attempt = study.start_attempt(
        user, count=min(assignment.count, study.MAX_COUNT),
        types=list(assignment.types) or None, topics=list(assignment.topics) or None,
        seed=student_seed(assignment, user), mode="assignment", assignment=assignment,
        question_ids=list(assignment.question_ids) or None,
        owner_id=assignment.course.owner_id)
    if attempt.deadline is not None:  # a timed attempt never runs past the due date
        attempt.deadline = min(attempt.deadline, due)
    db.session.flush()
    return attempt


def _enrollment_role(course_id: int, user_id: int) -> Role | None:
    return db.session.scalar(select(Enrollment.role).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user_id))


def assignments_for_student(user: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """The student's assignments in their classes (not archived ones), with due state and
    what they can do.

    Each dict: ``id, title, class_id, class_name, due_at`` (ISO, UTC ``Z``; the student's
    extension if they have one, then ``extended`` is true), ``due_state`` (open | due_soon |
    past_due), ``available_from`` and ``not_open_yet``, ``status`` (not started | in
    progress | finished),
    ``attempts_used, max_attempts, attempts_left, in_progress_attempt_id, can_start,
    blocked_reason, grade (an instructor's override if set: ``grade_overridden``), max_score,
    grading, show_keys, count, time_limit_minutes``.
    Start one with POST /assignments/<id>/start (view ``teach.start_assignment``).
    Open work comes first, soonest due first; past work after it, latest first.
    """
    now = now or utcnow()
    course_ids = select(Enrollment.course_id).where(Enrollment.user_id == user.id,
                                                    Enrollment.role == Role.STUDENT)
    assignments = db.session.scalars(select(Assignment).join(Course).where(
        Assignment.course_id.in_(course_ids), Course.archived_at.is_(None))
        .options(selectinload(Assignment.course))).all()
    ids = [a.id for a in assignments]
    mine: dict[int, list[Attempt]] = {}
    if assignments:
        for attempt in db.session.scalars(select(Attempt).where(
                Attempt.user_id == user.id, Attempt.assignment_id.in_(ids))
                .options(selectinload(Attempt.answers))
                .order_by(Attempt.started_at, Attempt.id)):
            mine.setdefault(attempt.assignment_id, []).append(attempt)
    extended = student_extensions(user.id, ids)
    overridden = student_overrides(user.id, ids)
    out = []
    for a in assignments:
        records = [attempt_record(t, user.username) for t in mine.get(a.id, [])]
        row = analysis.student_rows([user.username], records, a.grading.value, now)[0]
        open_attempt = next((t for t in mine.get(a.id, []) if not t.finished
                             and not (t.deadline and now > t.deadline)), None)
        due = max(a.due_at, extended.get(a.id, a.due_at))
        state = due_state(due, now)
        not_open = a.available_from is not None and now < a.available_from
        shown = study.keys_shown(a.show_keys, due, now)
        left = max(0, a.max_attempts - row.attempts)
        blocked = None
        if open_attempt is None:
            if state == "past_due":
                blocked = "Past due"
            elif left == 0:
                blocked = "No attempts left"
            elif not_open:
                blocked = f"Opens {_when(a.available_from)}"
        override = overridden.get(a.id)
        grade, percent, max_score = row.grade, row.percent, row.max_score
        if override is not None:
            max_score = a.count
            grade, percent = override.grade, round(100 * override.grade / a.count, 1)
        out.append({
            "id": a.id, "title": a.title, "class_id": a.course_id, "class_name": a.course.name,
            "due_at": due.isoformat() + "Z", "due_state": state, "status": row.status,
            "extended": a.id in extended and due > a.due_at,
            "available_from": a.available_from.isoformat() + "Z"
            if a.available_from else None, "not_open_yet": not_open,
            "attempts_used": row.attempts, "max_attempts": a.max_attempts,
            "attempts_left": left,
            "in_progress_attempt_id": open_attempt.id if open_attempt else None,
            "can_start": blocked is None, "blocked_reason": blocked,
            # A grade tells how many answers were right: hidden with the keys.
            "grade": grade if shown else None, "max_score": max_score,
            "percent": percent if shown else None,
            "grade_overridden": override is not None and shown,
            "grading": a.grading.value, "show_keys": a.show_keys.value, "count": a.count,
            "time_limit_minutes": a.time_limit_minutes,
        })
    current = sorted((r for r in out if r["due_state"] != "past_due"),
                     key=lambda r: (r["due_at"], r["id"]))
    past = sorted((r for r in out if r["due_state"] == "past_due"),
                  key=lambda r: (r["due_at"], r["id"]), reverse=True)
    return current + past
