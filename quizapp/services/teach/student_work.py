"""One student on one assignment: their attempts with every answer and the key, a later due
date (extension) and a grade set by hand (override, with its reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ...database import begin_write
from ...domain.question_types import QUESTION_TYPES
from ...errors import ServiceError, invalid, not_found
from ...extensions import db
from ...models import (
    Assignment,
    Attempt,
    AttemptQuestion,
    Enrollment,
    Extension,
    GradeOverride,
    Role,
    User,
    utcnow,
)
from .assignments import assignment_for_instructor, parse_moment, refuse_archived
from .grading import gradebook
from .manage import refit_deadlines


def student_of(assignment: Assignment, student_id: Any) -> User:
    """A student enrolled in the assignment's class; 404 for anyone else."""
    if isinstance(student_id, bool) or not isinstance(student_id, int):
        raise not_found("That student")
    student = db.session.scalar(select(User).join(
        Enrollment, Enrollment.user_id == User.id).where(
        Enrollment.course_id == assignment.course_id, Enrollment.user_id == student_id,
        Enrollment.role == Role.STUDENT))
    if student is None:
        raise not_found("That student")
    return student


# =========================================================================== extensions

def set_extension(user: User, assignment_id: int, student_id: int, due_at: Any,
                  now: datetime | None = None) -> tuple[Extension, bool]:
    """Give one student a later due date; (extension, created). Sending it again changes
    nothing; a timed attempt they are taking may run to it."""
    begin_write(db.session)
    assignment = assignment_for_instructor(user, assignment_id)
    refuse_archived(assignment.course)
    student = student_of(assignment, student_id)
    now = now or utcnow()
    due = parse_moment(due_at)
    if due <= assignment.due_at:
        raise invalid("An extension must be later than the class's due date.", {
            "due_at": "Choose a time after the class's due date, "
                      f"{assignment.due_at:%d %b %Y, %H:%M} UTC."})
    if due <= now:
        raise invalid("An extension must end in the future.",
                      {"due_at": "Choose a time in the future."})
    extension = db.session.scalar(select(Extension).where(
        Extension.assignment_id == assignment.id, Extension.user_id == student.id))
    created = extension is None
    if created:
        extension = Extension(assignment_id=assignment.id, user_id=student.id, due_at=due)
        db.session.add(extension)
    extension.due_at = due
    db.session.flush()
    refit_deadlines(assignment, now, student.id)
    return extension, created


def clear_extension(user: User, assignment_id: int, student_id: int,
                    now: datetime | None = None) -> bool:
    """Take an extension back (the class's due date applies again); False if there was none."""
    begin_write(db.session)
    assignment = assignment_for_instructor(user, assignment_id)
    refuse_archived(assignment.course)
    student = student_of(assignment, student_id)
    removed = db.session.execute(delete(Extension).where(
        Extension.assignment_id == assignment.id, Extension.user_id == student.id)).rowcount
    db.session.flush()
    refit_deadlines(assignment, now or utcnow(), student.id)
    return bool(removed)


# =========================================================================== overrides

#: The longest reason a grade override may give (characters).
MAX_REASON = 500


def set_override(user: User, assignment_id: int, student_id: int, grade: Any,
                 reason: Any, now: datetime | None = None) -> tuple[GradeOverride, bool]:
    """Set a student's grade by hand, in points out of the assignment's questions, with a
    reason; it replaces the attempts' grade everywhere and is shown as an override."""
    begin_write(db.session)
    assignment = assignment_for_instructor(user, assignment_id)
    refuse_archived(assignment.course)
    student = student_of(assignment, student_id)
    fields: dict[str, str] = {}
    if isinstance(grade, bool) or not isinstance(grade, int | float) \
            or not 0 <= grade <= assignment.count:
        fields["grade"] = f"Enter a number of points from 0 to {assignment.count}."
    if not isinstance(reason, str) or not reason.strip():
        fields["reason"] = "Say why you set this grade (students' records keep it)."
    elif len(reason.strip()) > MAX_REASON:
        fields["reason"] = f"Use at most {MAX_REASON} characters."
    if fields:
        raise invalid("The grade override is not valid.", fields)
    override = db.session.scalar(select(GradeOverride).where(
        GradeOverride.assignment_id == assignment.id, GradeOverride.user_id == student.id))
    created = override is None
    if created:
        override = GradeOverride(assignment_id=assignment.id, user_id=student.id)
        db.session.add(override)
    override.grade = round(float(grade), 2)
    override.reason = reason.strip()
    override.set_by_id = user.id
    override.set_at = now or utcnow()
    db.session.flush()
    return override, created


def clear_override(user: User, assignment_id: int, student_id: int) -> bool:
    """Remove an override (the attempts' grade counts again); False if there was none."""
    begin_write(db.session)
    assignment = assignment_for_instructor(user, assignment_id)
    refuse_archived(assignment.course)
    student = student_of(assignment, student_id)
    removed = db.session.execute(delete(GradeOverride).where(
        GradeOverride.assignment_id == assignment.id,
        GradeOverride.user_id == student.id)).rowcount
    db.session.flush()
    return bool(removed)


# =========================================================================== attempts

@dataclass
class AnsweredQuestion:
    position: int
    question_id: int
    type: str
    prompt: str
    answered: bool
    response: Any
    response_text: str | list[str] | None
    correct: bool | None
    credit: float | None
    answer_text: str | list[str]


@dataclass
class StudentWork:
    assignment: Assignment
    student: User
    due_at: datetime
    extension: Extension | None
    override: GradeOverride | None
    grade: Any  # grading.FinalGrade
    row: Any  # analysis.StudentRow
    attempts: list[tuple[Attempt, list[AnsweredQuestion]]]


def student_work(user: User, assignment_id: int, student_id: int,
                 now: datetime | None = None) -> StudentWork:
    """A student's attempts at an assignment, each question with their answer, whether it
    was right and the key; their extension, override and grade."""
    assignment = assignment_for_instructor(user, assignment_id)
    student = student_of(assignment, student_id)
    attempts = db.session.scalars(select(Attempt).where(
        Attempt.assignment_id == assignment.id, Attempt.user_id == student.id)
        .options(selectinload(Attempt.answers),
                 selectinload(Attempt.items).selectinload(AttemptQuestion.question))
        .order_by(Attempt.started_at, Attempt.id)).all()
    work = []
    for attempt in attempts:
        answers = {r.question_id: r for r in attempt.answers}
        rows = []
        for item in attempt.items:
            payload = item.question.payload
            qtype = QUESTION_TYPES.get(payload["type"])
            given = answers.get(item.question_id)
            text = None
            if given is not None:
                try:
                    text = qtype.response_text(payload, given.response) if qtype \
                        else str(given.response)
                except (KeyError, TypeError, ValueError, ServiceError):
                    text = str(given.response)
            rows.append(AnsweredQuestion(
                position=item.position, question_id=item.question_id, type=payload["type"],
                prompt=payload["prompt"], answered=given is not None,
                response=given.response if given else None, response_text=text,
                correct=given.correct if given else None,
                credit=given.credit if given else None, answer_text=payload["answer_text"]))
        work.append((attempt, rows))
    book = gradebook(assignment, now)
    row = next(s for s in book.students if s.username == student.username)
    extension = db.session.scalar(select(Extension).where(
        Extension.assignment_id == assignment.id, Extension.user_id == student.id))
    return StudentWork(assignment, student, book.due_for(student.username), extension,
                       book.overrides.get(student.username), book.final(row), row, work)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def student_work_json(work: StudentWork) -> dict[str, Any]:
    """``GET /api/v1/assignments/{id}/students/{user_id}``."""
    o = work.override
    return {
        "assignment_id": work.assignment.id, "user_id": work.student.id,
        "username": work.student.username, "due_at": _iso(work.due_at),
        "extension": {"due_at": _iso(work.extension.due_at)} if work.extension else None,
        "grade": work.grade.grade, "max_score": work.grade.max_score,
        "percent": work.grade.percent, "grade_overridden": work.grade.overridden,
        "computed_grade": work.row.grade,
        "override": {"grade": o.grade, "reason": o.reason, "set_at": _iso(o.set_at),
                     "set_by": o.set_by.username if o.set_by else None} if o else None,
        "attempts": [{
            "id": attempt.id, "started_at": _iso(attempt.started_at),
            "finished_at": _iso(attempt.finished_at), "deadline": _iso(attempt.deadline),
            "score": attempt.score, "max_score": attempt.max_score,
            "questions": [{
                "position": q.position, "question_id": q.question_id, "type": q.type,
                "prompt": q.prompt, "answered": q.answered, "response": q.response,
                "response_text": q.response_text, "correct": q.correct, "credit": q.credit,
                "answer_text": q.answer_text} for q in rows],
        } for attempt, rows in work.attempts],
    }
