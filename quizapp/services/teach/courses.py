"""Classes: who teaches them, join codes, enrolment and the roster.

Authorization lives here, next to the data: an instructor sees a class they own or co-teach;
a student is refused instructor work with 403, and an object that is not theirs is reported
as missing (404), so ids of other people's classes reveal nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...database import begin_write
from ...errors import ServiceError, forbidden, invalid, not_found
from ...extensions import db
from ...models import (
    Course,
    Enrollment,
    Role,
    User,
)
from .. import accounts
from ..accounts import find_user

#: Join codes avoid look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B) so they can be read aloud.
JOIN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_LENGTH = 6
MAX_NAME = 120


# =========================================================================== roles

_Row = TypeVar("_Row")

def require_instructor(user: User) -> None:
    """Refuse (403) anyone who is not an instructor."""
    if not user.is_instructor:
        raise forbidden("Only instructors may do this.")


def teaches(user: User, course: Course) -> bool:
    """Whether ``user`` owns ``course`` or co-teaches it."""
    if course.owner_id == user.id:
        return True
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.course_id == course.id, Enrollment.user_id == user.id,
        Enrollment.role == Role.INSTRUCTOR)) is not None


def instructor_get(user: User, model: type[_Row], ident: Any,
                   allowed: Callable[[_Row], bool], what: str) -> _Row:
    """The ``model`` row ``ident`` if ``allowed(row)`` for this instructor: 403 for students,
    404 (``what`` was not found) when it is missing or not theirs."""
    require_instructor(user)
    row = db.session.get(model, ident)
    if row is None or not allowed(row):
        raise not_found(what)
    return row


def course_for_instructor(user: User, course_id: int) -> Course:
    """The class, if ``user`` teaches it (403 for students, 404 for other instructors)."""
    return instructor_get(user, Course, course_id, lambda c: teaches(user, c), "That class")


def owned_course(user: User, course_id: int) -> Course:
    """The class, if ``user`` owns it; a co-instructor gets 403."""
    course = course_for_instructor(user, course_id)
    if course.owner_id != user.id:
        raise forbidden("Only the owner of the class can do this.")
    return course


def courses_taught(user: User) -> list[Course]:
    require_instructor(user)
    co = select(Enrollment.course_id).where(Enrollment.user_id == user.id,
                                            Enrollment.role == Role.INSTRUCTOR)
    return list(db.session.scalars(select(Course).where(
        (Course.owner_id == user.id) | Course.id.in_(co)).order_by(Course.created_at.desc(),
                                                                  Course.id.desc())))


# =========================================================================== classes

def _clean_text(value: Any, field: str, maximum: int, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"{label} is required.", {field: f"Enter a {label.lower()}."})
    value = " ".join(value.split())
    if len(value) > maximum:
        raise invalid(f"{label} is too long.", {field: f"Use at most {maximum} characters."})
    return value


def new_join_code() -> str:
    """A fresh, unused join code."""
    for _ in range(50):
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))
        if db.session.scalar(select(Course.id).where(Course.join_code == code)) is None:
            return code
    raise ServiceError(503, "busy", "Could not find a free join code; please try again.")


def create_course(user: User, name: Any) -> Course:
    """Create a class owned by ``user``, with a join code."""
    require_instructor(user)
    name = _clean_text(name, "name", MAX_NAME, "Class name")
    begin_write(db.session)
    course = Course(name=name, owner_id=user.id, join_code=new_join_code())
    db.session.add(course)
    db.session.flush()
    return course


def normalize_join_code(code: Any) -> str:
    """Upper-case, without spaces or dashes ("ab3-k7q" -> "AB3K7Q")."""
    if not isinstance(code, str):
        return ""
    return re.sub(r"[\s\-]", "", code).upper()[:20]


def course_by_code(code: Any) -> Course | None:
    code = normalize_join_code(code)
    if not code:
        return None
    return db.session.scalar(select(Course).where(Course.join_code == code))


def class_to_join(user: User, code: Any) -> Course:
    """The class behind a join code a user typed or followed; 404 if there is none.

    Wrong codes are counted per user, and past ``LOGIN_MAX_FAILURES`` in ``LOGIN_WINDOW``
    seconds every code is refused with 429 for a while: a 6-character code cannot be found
    by trying thousands a second. A wrong code's count is committed here, since the request
    itself ends in an error.
    """
    if accounts.guessing_throttled("join", user.id):
        raise ServiceError(429, "too_many_attempts", "Too many wrong join codes. Wait a few "
                           "minutes, then check the code with your instructor.",
                           {"join_code": "Too many wrong codes; wait a few minutes."})
    course = course_by_code(code)
    if course is None:
        if normalize_join_code(code):
            accounts.record_wrong_guess("join", user.id)
        raise ServiceError(404, "not_found", "No class has that join code. Check it with "
                           "your instructor.", {"join_code": "No class has that join code."})
    if course.archived_at is not None:
        raise ServiceError(409, "archived", f"{course.name} is archived and takes no new "
                           "students.", {"join_code": "This class is archived."})
    return course


def join_course(user: User, code: Any) -> tuple[Course, bool]:
    """Enrol ``user`` as a student of the class with ``code``; (class, newly enrolled)."""
    if not normalize_join_code(code):
        raise invalid("Enter the join code your instructor gave you.",
                      {"join_code": "Enter a join code."})
    course = class_to_join(user, code)
    begin_write(db.session)
    if teaches(user, course):
        return course, False
    if _enrollment(course.id, user.id) is not None:
        return course, False
    try:
        with db.session.begin_nested():
            db.session.add(Enrollment(course_id=course.id, user_id=user.id,
                                      role=Role.STUDENT))
    except IntegrityError:
        return course, False  # enrolled by a concurrent request (PostgreSQL)
    return course, True


def _enrollment(course_id: int, user_id: int) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user_id))


def roster(course: Course) -> list[Enrollment]:
    """Members of a class: co-instructors first, then students, by name."""
    rows = db.session.scalars(select(Enrollment).join(User, User.id == Enrollment.user_id)
                              .where(Enrollment.course_id == course.id)
                              .options(selectinload(Enrollment.user))
                              .order_by(func.lower(User.username)))
    return sorted(rows, key=lambda e: e.role is not Role.INSTRUCTOR)


def student_ids(course: Course) -> list[int]:
    return list(db.session.scalars(select(Enrollment.user_id).where(
        Enrollment.course_id == course.id, Enrollment.role == Role.STUDENT)))


def remove_member(user: User, course_id: int, member_id: int) -> bool:
    """Remove a student (or, for the owner, a co-instructor); False if already gone.

    Their attempts stay in the database but leave the gradebook with them.
    """
    begin_write(db.session)
    course = course_for_instructor(user, course_id)
    enrollment = _enrollment(course.id, member_id)
    if enrollment is None:
        return False
    if enrollment.role is Role.INSTRUCTOR and user.id != course.owner_id:
        raise forbidden("Only the owner of the class can remove a co-instructor.")
    db.session.delete(enrollment)
    db.session.flush()
    return True


def add_co_instructor(user: User, course_id: int, username: Any) -> tuple[User, bool]:
    """Make an instructor account a co-instructor (a student of the class is promoted)."""
    begin_write(db.session)
    course = owned_course(user, course_id)
    target = find_user(username) if isinstance(username, str) else None
    if target is None:
        raise invalid("No account has that username.",
                      {"username": "No account has that username."})
    if not target.is_instructor:
        raise invalid(f"{target.username} has a student account; only instructor accounts "
                      "can co-teach (quizapp add-user NAME --role instructor).",
                      {"username": "This is a student account."})
    if target.id == course.owner_id:
        return target, False
    enrollment = _enrollment(course.id, target.id)
    if enrollment is not None and enrollment.role is Role.INSTRUCTOR:
        return target, False
    if enrollment is None:
        db.session.add(Enrollment(course_id=course.id, user_id=target.id,
                                  role=Role.INSTRUCTOR))
    else:
        enrollment.role = Role.INSTRUCTOR
    db.session.flush()
    return target, True
