"""Instructor use cases: classes and rosters, assignments, gradebook and item analysis,
exports, question review and new commentaries. They add and flush; the caller commits once.

Authorization lives here, next to the data: every function that takes an object id checks
that the user may see it. An instructor sees a class they own or co-teach; a student is
refused instructor work with 403, and an object that is not theirs is reported as missing
(404), so ids of other people's classes reveal nothing.
"""

from __future__ import annotations

import random
import re
import secrets
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..database import begin_write
from ..domain import analysis, exports, extraction
from ..domain.facts import Fact as DomainFact
from ..domain.facts import FactBase, Topic, check_fact
from ..domain.generator import GenerationError, contract_view, questions_for_fact
from ..domain.question_types import QUESTION_TYPES
from ..domain.scoring import attempt_score
from ..domain.selection import draw
from ..domain.text import normalize
from ..errors import ServiceError, conflict, forbidden, invalid, not_found
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptQuestion,
    Course,
    Document,
    Enrollment,
    Fact,
    FactStatus,
    Grading,
    LiveAnswer,
    LiveGame,
    LivePlayer,
    Question,
    QuestionFlag,
    QuestionStatus,
    Response,
    Role,
    ShowKeys,
    User,
    utcnow,
)
from . import accounts, study
from .accounts import find_user
from .setup import next_version, sync_questions

#: Join codes avoid look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B) so they can be read aloud.
JOIN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_LENGTH = 6
MAX_NAME = 120
MAX_TITLE = 200
MAX_COMMENT = 1000
MAX_ATTEMPTS = 20
MAX_TIME_LIMIT = 600
#: A commentary is ~10 KB; this leaves room for a long one and refuses a book.
MAX_COMMENTARY_CHARS = 60_000
MIN_COMMENTARY_CHARS = 200
DUE_SOON = timedelta(hours=24)
GRADINGS = tuple(g.value for g in Grading)
SHOW_KEYS = tuple(s.value for s in ShowKeys)
REVIEW_PAGE = 40


# =========================================================================== roles

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


def course_for_instructor(user: User, course_id: int) -> Course:
    """The class, if ``user`` teaches it (403 for students, 404 for other instructors)."""
    require_instructor(user)
    course = db.session.get(Course, course_id)
    if course is None or not teaches(user, course):
        raise not_found("That class")
    return course


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


# =========================================================================== topics

# =========================================================================== assignments

def parse_due(value: Any) -> datetime:
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
            raise invalid("The due date is not a date-time.", {
                "due_at": "Use ISO 8601, e.g. 2030-05-01T17:00:00Z."}) from None
        if len(text) <= 10:  # a bare date means the end of that day
            parsed = parsed.replace(hour=23, minute=59)
    else:
        raise invalid("A due date is required.", {"due_at": "Enter a due date and time."})
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def create_assignment(user: User, course_id: int, *, title: Any, count: Any = None,
                      types: Any = None, topics: Any = None, question_ids: Any = None,
                      due_at: Any = None, max_attempts: Any = 1, grading: Any = "highest",
                      show_keys: Any = "immediately", time_limit_minutes: Any = None,
                      same_questions: Any = True, now: datetime | None = None) -> Assignment:
    """Assign a quiz to a class; every bad setting is reported against its field."""
    begin_write(db.session)
    course = course_for_instructor(user, course_id)
    now = now or utcnow()
    fields: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        fields["title"] = "Enter a title."
    elif len(title.strip()) > MAX_TITLE:
        fields["title"] = f"Use at most {MAX_TITLE} characters."
    picked: list[int] = []
    if question_ids:
        if not isinstance(question_ids, list) or not all(
                _whole(q, 1, 2**31) for q in question_ids):
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
    if count is None or _whole(count, 1, study.MAX_COUNT) is None:
        fields.setdefault("count", f"Choose a whole number from 1 to {study.MAX_COUNT}.")
    types = [] if types is None else types
    topics = [] if topics is None else topics
    for name, message in study.filter_errors(types, topics, course.owner).items():
        fields.setdefault(name, message)
    due = None
    try:
        due = parse_due(due_at)
        if due <= now:
            fields["due_at"] = "Choose a due date in the future."
    except ServiceError as exc:
        fields.update(exc.fields or {})
    if _whole(max_attempts, 1, MAX_ATTEMPTS) is None:
        fields["max_attempts"] = f"Allow from 1 to {MAX_ATTEMPTS} attempts."
    if grading not in GRADINGS:
        fields["grading"] = f"Use one of {', '.join(GRADINGS)}."
    if show_keys not in SHOW_KEYS:
        fields["show_keys"] = f"Use one of {', '.join(SHOW_KEYS)}."
    if time_limit_minutes in ("", 0):
        time_limit_minutes = None
    if time_limit_minutes is not None and _whole(time_limit_minutes, 1, MAX_TIME_LIMIT) is None:
        fields["time_limit_minutes"] = f"Use 1 to {MAX_TIME_LIMIT} minutes, or leave it empty."
    if not isinstance(same_questions, bool):
        fields["same_questions"] = "Use true or false."
    if fields:
        raise invalid("Some assignment settings are not valid.", fields)
    if not picked:
        pool = [c for c in study.active_candidates(owner_id=course.owner_id)
                if (not types or c.type in types) and (not topics or c.topic in topics)]
        if len(pool) < count:
            raise invalid("Not enough questions match.", {
                "count": f"Only {len(pool)} questions match these topics and forms; "
                         "lower the count or choose more."})
    assignment = Assignment(
        course_id=course.id, title=title.strip(), count=count, types=list(types),
        topics=list(topics), question_ids=picked, due_at=due, max_attempts=max_attempts,
        grading=Grading(grading), show_keys=ShowKeys(show_keys),
        time_limit_minutes=time_limit_minutes, same_questions=same_questions,
        seed=random.SystemRandom().randrange(2**31))
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
    require_instructor(user)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not teaches(user, assignment.course):
        raise not_found("That assignment")
    return assignment


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
    attempt.score = attempt_score([r.credit for r in attempt.responses])
    attempt.finished_at = attempt.deadline
    db.session.flush()
    from . import lti  # a closed attempt's grade goes to the LMS like a finished one's

    lti.enqueue_grade(attempt)


def _own_attempts(user: User, assignment: Assignment) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.assignment_id == assignment.id, Attempt.user_id == user.id)
        .order_by(Attempt.started_at, Attempt.id)))


def start_assignment_attempt(user: User, assignment_id: int,
                             now: datetime | None = None) -> Attempt:
    """Start (or resume) the student's attempt at an assignment of one of their classes.

    Refuses with 404 when the student is not enrolled, 409 when the assignment is past due
    or no attempts are left. An unfinished attempt is resumed, so a double click starts one
    attempt. A timed attempt's deadline is the time limit or the due date, whichever comes
    first; an untimed attempt started before the due date may be finished after it.
    """
    begin_write(db.session)
    now = now or utcnow()
    assignment = db.session.get(Assignment, assignment_id) \
        if isinstance(assignment_id, int) and not isinstance(assignment_id, bool) else None
    if assignment is None or _enrollment_role(assignment.course_id, user.id) is not Role.STUDENT:
        raise not_found("That assignment")
    attempts = _own_attempts(user, assignment)
    for attempt in attempts:
        if attempt.finished:
            continue
        if attempt.deadline is not None and now > attempt.deadline:
            _close_expired(attempt)
        else:
            return attempt
    if now > assignment.due_at:
        raise ServiceError(409, "past_due", f"“{assignment.title}” was due "
                           f"{_when(assignment.due_at)}; late attempts are not accepted.")
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
        attempt.deadline = min(attempt.deadline, assignment.due_at)
    db.session.flush()
    return attempt


def _enrollment_role(course_id: int, user_id: int) -> Role | None:
    return db.session.scalar(select(Enrollment.role).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user_id))


def assignments_for_student(user: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """The student's assignments in all their classes, with due state and what they can do.

    Each dict: ``id, title, class_id, class_name, due_at`` (ISO, UTC ``Z``), ``due_state``
    (open | due_soon | past_due), ``status`` (not started | in progress | finished),
    ``attempts_used, max_attempts, attempts_left, in_progress_attempt_id, can_start,
    blocked_reason, grade, max_score, grading, show_keys, count, time_limit_minutes``.
    Start one with POST /assignments/<id>/start (view ``teach.start_assignment``).
    Open work comes first, soonest due first; past work after it, latest first.
    """
    now = now or utcnow()
    course_ids = select(Enrollment.course_id).where(Enrollment.user_id == user.id,
                                                    Enrollment.role == Role.STUDENT)
    assignments = db.session.scalars(select(Assignment).where(
        Assignment.course_id.in_(course_ids)).options(selectinload(Assignment.course))).all()
    mine: dict[int, list[Attempt]] = {}
    if assignments:
        for attempt in db.session.scalars(select(Attempt).where(
                Attempt.user_id == user.id,
                Attempt.assignment_id.in_([a.id for a in assignments]))
                .options(selectinload(Attempt.responses))
                .order_by(Attempt.started_at, Attempt.id)):
            mine.setdefault(attempt.assignment_id, []).append(attempt)
    out = []
    for a in assignments:
        records = [_record(t, user.username) for t in mine.get(a.id, [])]
        row = analysis.student_rows([user.username], records, a.grading.value, now)[0]
        open_attempt = next((t for t in mine.get(a.id, []) if not t.finished
                             and not (t.deadline and now > t.deadline)), None)
        state = due_state(a.due_at, now)
        shown = study.keys_shown(a.show_keys, a.due_at, now)
        left = max(0, a.max_attempts - row.attempts)
        blocked = None
        if open_attempt is None:
            if state == "past_due":
                blocked = "Past due"
            elif left == 0:
                blocked = "No attempts left"
        out.append({
            "id": a.id, "title": a.title, "class_id": a.course_id, "class_name": a.course.name,
            "due_at": a.due_at.isoformat() + "Z", "due_state": state, "status": row.status,
            "attempts_used": row.attempts, "max_attempts": a.max_attempts,
            "attempts_left": left,
            "in_progress_attempt_id": open_attempt.id if open_attempt else None,
            "can_start": blocked is None, "blocked_reason": blocked,
            # A grade tells how many answers were right: hidden with the keys.
            "grade": row.grade if shown else None, "max_score": row.max_score,
            "percent": row.percent if shown else None,
            "grading": a.grading.value, "show_keys": a.show_keys.value, "count": a.count,
            "time_limit_minutes": a.time_limit_minutes,
        })
    current = sorted((r for r in out if r["due_state"] != "past_due"),
                     key=lambda r: (r["due_at"], r["id"]))
    past = sorted((r for r in out if r["due_state"] == "past_due"),
                  key=lambda r: (r["due_at"], r["id"]), reverse=True)
    return current + past


# =========================================================================== gradebook

def _record(attempt: Attempt, username: str) -> analysis.AttemptRecord:
    return analysis.AttemptRecord(
        attempt_id=attempt.id, username=username, started_at=attempt.started_at,
        max_score=attempt.max_score, finished_at=attempt.finished_at, score=attempt.score,
        deadline=attempt.deadline,
        answers=tuple(analysis.AnswerRecord(r.question_id, r.response, r.correct, r.credit)
                      for r in attempt.responses))


@dataclass
class Gradebook:
    assignment: Assignment
    students: list[analysis.StudentRow]
    items: list[analysis.ItemStat]
    questions: dict[int, Question]
    histogram: list[tuple[str, int]]

    @property
    def finished(self) -> int:
        return sum(1 for s in self.students if s.counted)


def gradebook(assignment: Assignment, now: datetime | None = None) -> Gradebook:
    """Grades per enrolled student and item statistics per question asked."""
    now = now or utcnow()
    members = dict(db.session.execute(
        select(User.id, User.username).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == assignment.course_id,
               Enrollment.role == Role.STUDENT).order_by(func.lower(User.username))).all())
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.assignment_id == assignment.id,
                              Attempt.user_id.in_(list(members) or [-1]))
        .options(selectinload(Attempt.responses), selectinload(Attempt.items))
        .order_by(Attempt.started_at, Attempt.id)).all()
    records = [_record(a, members[a.user_id]) for a in attempts]
    students = analysis.student_rows(list(members.values()), records,
                                     assignment.grading.value, now)
    order: list[int] = list(assignment.question_ids)
    for attempt in attempts:
        for item in attempt.items:
            if item.question_id not in order:
                order.append(item.question_id)
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(order or [-1])))}
    order = [q for q in order if q in questions]
    counted = [r for r in records if r.counts(now) or r.answers]
    items = analysis.item_analysis([(q, questions[q].payload) for q in order], counted)
    histogram = analysis.histogram([s.percent for s in students if s.percent is not None])
    return Gradebook(assignment, students, items, questions, histogram)


def results_json(book: Gradebook) -> dict[str, Any]:
    """``GET /api/v1/assignments/{id}/results``: students and item statistics."""
    a = book.assignment
    return {
        "assignment": {"id": a.id, "title": a.title, "class_id": a.course_id,
                       "due_at": a.due_at.isoformat() + "Z", "grading": a.grading.value,
                       "max_attempts": a.max_attempts},
        "students": [{"username": s.username, "status": s.status, "attempts": s.attempts,
                      "grade": s.grade, "max_score": s.max_score, "percent": s.percent,
                      "scores": list(s.scores)} for s in book.students],
        "questions": [{
            "question_id": i.question_id, "type": i.type, "prompt": i.prompt,
            "answers": i.answers, "p_correct": i.p_correct,
            "discrimination": i.discrimination, "upper_lower": i.upper_lower,
            "fact_ids": book.questions[i.question_id].fact_ids,
            "choices": [{"id": c.id, "text": c.text, "key": c.key, "chosen": c.chosen,
                         "unused": c.unused} for c in i.choices],
        } for i in book.items],
    }


GRADEBOOK_HEADER = ("username", "status", "attempts", "grade", "max_score", "percent",
                    "grading", "scores", "last_activity_utc")


def gradebook_csv(book: Gradebook) -> str:
    rows = [(s.username, s.status, s.attempts, s.grade, s.max_score, s.percent,
             book.assignment.grading.value, " ".join(f"{x:g}" for x in s.scores),
             s.last_activity.isoformat(sep=" ", timespec="minutes") if s.last_activity else "")
            for s in book.students]
    return exports.to_csv(GRADEBOOK_HEADER, rows)


def class_misconceptions(course: Course) -> list[dict[str, Any]]:
    """Per fact, how often the class's students miss it, from what the join page says is
    shared: their attempts at this class's assignments, and their answers (logged in) in
    warm-ups the class's instructors hosted after they joined. Private practice, reviews
    and anything from before joining stay private."""
    members = select(Enrollment.user_id, Enrollment.created_at).where(
        Enrollment.course_id == course.id, Enrollment.role == Role.STUDENT).subquery()
    hosts = select(Enrollment.user_id).where(Enrollment.course_id == course.id,
                                             Enrollment.role == Role.INSTRUCTOR).union(
        select(Course.owner_id).where(Course.id == course.id))
    quiz = db.session.execute(
        select(Question.fact_ids, Response.correct)
        .join(Response, Response.question_id == Question.id)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .join(members, members.c.user_id == Attempt.user_id)
        .where(Assignment.course_id == course.id))
    live = db.session.execute(
        select(Question.fact_ids, LiveAnswer.correct)
        .join(LiveAnswer, LiveAnswer.question_id == Question.id)
        .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
        .join(LiveGame, LiveGame.id == LiveAnswer.game_id)
        .join(members, members.c.user_id == LivePlayer.user_id)
        .where(LiveGame.host_id.in_(hosts), LiveAnswer.answered_at >= members.c.created_at))
    rows = analysis.fact_misses([(f, c, "quiz") for f, c in quiz]
                                + [(f, c, "live") for f, c in live])
    facts = {f.id: f for f in db.session.scalars(
        select(Fact).where(Fact.id.in_([r.fact_id for r in rows] or ["-"])))}
    titles = study.topic_titles()
    return [{"fact_id": r.fact_id, "seen": r.seen, "missed": r.missed,
             "miss_rate": r.miss_rate, "quiz_answers": r.quiz_answers,
             "live_answers": r.live_answers,
             "question": facts[r.fact_id].data.get("question", r.fact_id)
             if r.fact_id in facts else r.fact_id,
             "answer": facts[r.fact_id].answer_text if r.fact_id in facts else "",
             "topic": titles.get(facts[r.fact_id].topic, facts[r.fact_id].topic)
             if r.fact_id in facts else ""} for r in rows]


# =========================================================================== exports

EXPORT_FORMATS = ("csv", "gift", "moodle_xml", "json")


def assignment_questions(assignment: Assignment) -> list[Question]:
    """The questions an assignment asks: hand-picked, the shared draw, or its whole pool."""
    candidates = study.active_candidates(owner_id=assignment.course.owner_id)
    if assignment.question_ids:
        ids = [c.id for c in candidates if c.id in set(assignment.question_ids)]
        ids.sort(key=assignment.question_ids.index)
    elif assignment.same_questions:
        ids = [c.id for c in draw(candidates, assignment.count, random.Random(assignment.seed),
                                  assignment.types, assignment.topics)]
    else:
        ids = sorted(c.id for c in candidates
                     if (not assignment.types or c.type in assignment.types)
                     and (not assignment.topics or c.topic in assignment.topics))
    rows = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.id.in_(ids or [-1])))}
    return [rows[i] for i in ids if i in rows]


def _slug(text: str, limit: int = 50) -> str:
    """Lowercase words joined by "-", cut at a word boundary to at most ``limit`` characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(text)).strip("-")
    if len(slug) > limit:
        cut = slug[:limit + 1].rfind("-")
        slug = slug[:cut] if cut > 0 else slug[:limit]
    return slug or "quiz"


def _named(questions: list[Question]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{q.uid} v{q.version}", {**q.payload, "id": q.uid}) for q in questions]


def _questions_json(questions: list[Question]) -> list[dict[str, Any]]:
    return [{**contract_view({**q.payload}), "question_id": q.id, "uid": q.uid,
             "version": q.version, "status": q.status.value, "topic": q.topic}
            for q in questions]


def _facts_json(questions: list[Question]) -> list[dict[str, Any]]:
    ids = list(dict.fromkeys(f for q in questions for f in q.fact_ids))
    rows = {f.id: f for f in db.session.scalars(select(Fact).where(Fact.id.in_(ids or ["-"])))}
    return [{**rows[i].data, "status": rows[i].status.value} for i in ids if i in rows]


def export_questions(questions: list[Question], fmt: str, title: str,
                     document: dict[str, Any]) -> tuple[str, str, str]:
    """(body, mimetype, filename) for questions in GIFT, Moodle XML or JSON.

    A bare mimetype: the response adds "; charset=utf-8" itself to text and XML types.
    """
    base = _slug(title)
    category = ("$course$", "quizapp", title)
    if fmt == "gift":
        return (exports.to_gift(_named(questions), category), "text/plain",
                f"{base}.gift.txt")
    if fmt == "moodle_xml":
        return (exports.to_moodle_xml(_named(questions), category),
                "application/xml", f"{base}.moodle.xml")
    if fmt == "json":
        return (exports.to_json(document, _facts_json(questions), _questions_json(questions)),
                "application/json", f"{base}.json")
    raise invalid("Unknown export format.",
                  {"format": f"Use one of {', '.join(EXPORT_FORMATS)}."})


def export_assignment(assignment: Assignment, fmt: Any) -> tuple[str, str, str]:
    """The gradebook as CSV, or the assignment's questions as GIFT, Moodle XML or JSON."""
    if fmt == "csv":
        return (gradebook_csv(gradebook(assignment)), "text/csv",
                f"{_slug(assignment.title)}-grades.csv")
    if fmt not in EXPORT_FORMATS:
        raise invalid("Unknown export format.",
                      {"format": f"Use one of {', '.join(EXPORT_FORMATS)}."})
    return export_questions(assignment_questions(assignment), fmt, assignment.title,
                            {"assignment": assignment.title, "class": assignment.course.name})


# =========================================================================== question review

def _reviewable(user: User, question: Question) -> bool:
    """Seed questions are shared by all instructors, a commentary's belong to its author,
    and an instructor's own version of a seed question to that instructor alone."""
    doc = db.session.get(Document, question.document_id)
    return doc is not None and doc.created_by_id in (None, user.id) \
        and question.owner_id in (None, user.id)


def shared_seed(question: Question) -> bool:
    """A question of the shared seed bank: an instructor who changes it makes their own."""
    if question.owner_id is not None:
        return False
    return db.session.scalar(select(Document.created_by_id).where(
        Document.id == question.document_id)) is None


def newest_seen(user: User, question: Question) -> Question:
    """The newest version of the question in ``user``'s view: their own, else the bank's."""
    if shared_seed(question):
        own = db.session.scalar(select(Question).where(
            Question.uid == question.uid, Question.owner_id == user.id)
            .order_by(Question.version.desc()).limit(1))
        if own is not None:
            return own
    return _newest(question)


def seen_state(user: User, question: Question) -> tuple[QuestionStatus, int | None]:
    """(status, replaced by) as ``user`` sees them: a shared question they have their own
    version of (an edit, or a retirement) is retired for them, for nobody else."""
    if shared_seed(question):
        newest = newest_seen(user, question)
        if newest.owner_id == user.id:
            return QuestionStatus.RETIRED, newest.id
    return question.status, question.replaced_by_id


def question_for_review(user: User, question_id: int) -> Question:
    require_instructor(user)
    question = db.session.get(Question, question_id)
    if question is None or not _reviewable(user, question):
        raise not_found("That question")
    return question


def reviewable_documents(user: User) -> list[Document]:
    return study.documents(user)


def flags_seen_by(user: User):
    """SQL: the flags ``user`` may read: their own, and their own students' (a flag names
    the student and quotes them, so other instructors of a shared question never see it)."""
    taught = select(Course.id).where(Course.owner_id == user.id).union(
        select(Enrollment.course_id).where(Enrollment.user_id == user.id,
                                           Enrollment.role == Role.INSTRUCTOR))
    students = select(Enrollment.user_id).where(Enrollment.course_id.in_(taught),
                                                Enrollment.role == Role.STUDENT)
    return (QuestionFlag.user_id == user.id) | QuestionFlag.user_id.in_(students)


def open_flag_counts(user: User, question_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(QuestionFlag.question_id, func.count()).where(
            flags_seen_by(user), QuestionFlag.question_id.in_(question_ids or [-1]),
            QuestionFlag.resolved.is_(False)).group_by(QuestionFlag.question_id)).all())


def review_queue(user: User, *, status: str = "active", flagged: bool = False,
                 document_id: int | None = None, topic: str | None = None,
                 qtype: str | None = None, search: str | None = None,
                 page: int = 1) -> tuple[list[tuple[Question, int]], int]:
    """Questions to review (flagged first), filtered; ((question, open flags), total)."""
    require_instructor(user)
    docs = [d.id for d in reviewable_documents(user)]
    query = select(Question).where(Question.document_id.in_(docs or [-1]),
                                   Question.owner_id.is_(None) | (Question.owner_id == user.id))
    if document_id:
        query = query.where(Question.document_id == document_id)
    # A shared question the user has their own version of is retired for them (seen_state).
    if status == "active":
        query = query.where(Question.status == QuestionStatus.ACTIVE, study.seen_by(user.id))
    elif status == "retired":
        query = query.where((Question.status == QuestionStatus.RETIRED)
                            | ~study.seen_by(user.id))
    if topic:
        query = query.where(Question.topic == topic)
    if qtype in QUESTION_TYPES:
        query = query.where(Question.type == qtype)
    flagged_ids = select(QuestionFlag.question_id).where(QuestionFlag.resolved.is_(False),
                                                         flags_seen_by(user))
    if flagged:
        query = query.where(Question.id.in_(flagged_ids))
    rows = db.session.scalars(query.order_by(Question.id)).all()
    if search:
        needle = normalize(search)
        rows = [q for q in rows if needle in normalize(q.prompt) or needle in q.uid]
    flags = open_flag_counts(user, [q.id for q in rows])
    rows = sorted(rows, key=lambda q: (-flags.get(q.id, 0), q.id))
    page = max(1, page)
    chunk = rows[(page - 1) * REVIEW_PAGE: page * REVIEW_PAGE]
    return [(q, flags.get(q.id, 0)) for q in chunk], len(rows)


def question_flags(user: User, question: Question) -> list[QuestionFlag]:
    """Flags ``user`` may read on this question and its earlier versions, newest first."""
    ids = [q.id for q in db.session.scalars(select(Question).where(
        Question.uid == question.uid))]
    return list(db.session.scalars(select(QuestionFlag).where(
        QuestionFlag.question_id.in_(ids), flags_seen_by(user))
        .options(selectinload(QuestionFlag.user))
        .order_by(QuestionFlag.created_at.desc(), QuestionFlag.id.desc())))


def _has_seen(user: User, question_id: int) -> bool:
    return db.session.scalar(select(AttemptQuestion.id).join(
        Attempt, Attempt.id == AttemptQuestion.attempt_id).where(
        Attempt.user_id == user.id, AttemptQuestion.question_id == question_id)
        .limit(1)) is not None


def flag_question(user: User, question_id: Any, comment: Any) -> tuple[QuestionFlag, bool]:
    """Report a question as wrong; a learner may flag a question they were asked.

    Sending the same report again adds nothing.
    """
    if isinstance(comment, str):
        comment = comment.strip()
    if not isinstance(comment, str) or not comment:
        raise invalid("Say what is wrong with the question.",
                      {"comment": "Tell your instructor what looks wrong."})
    if len(comment) > MAX_COMMENT:
        raise invalid("The comment is too long.",
                      {"comment": f"Use at most {MAX_COMMENT} characters."})
    begin_write(db.session)
    question = db.session.get(Question, question_id) \
        if isinstance(question_id, int) and not isinstance(question_id, bool) else None
    if question is None:
        raise not_found("That question")
    allowed = _has_seen(user, question.id) or (user.is_instructor
                                                and _reviewable(user, question))
    if not allowed:
        raise not_found("That question")
    existing = db.session.scalar(select(QuestionFlag).where(
        QuestionFlag.question_id == question.id, QuestionFlag.user_id == user.id,
        QuestionFlag.resolved.is_(False), QuestionFlag.comment == comment))
    if existing is not None:
        return existing, False
    flag = QuestionFlag(question_id=question.id, user_id=user.id, comment=comment)
    db.session.add(flag)
    db.session.flush()
    return flag, True


def resolve_flags(user: User, question_id: int) -> int:
    """Mark every open flag on the question (and its earlier versions) resolved."""
    begin_write(db.session)
    question = question_for_review(user, question_id)
    count = 0
    for flag in question_flags(user, question):
        if not flag.resolved:
            flag.resolved = True
            count += 1
    db.session.flush()
    return count


KEY_TEXT = ("This text is part of the key and cannot change here: to change what is right, "
            "retire the question and fix the fact.")


def key_names(question: Question) -> set[str]:
    """The key and its aliases as the checker reads them (``normalize``)."""
    names: list[Any] = []
    for value in (question.payload.get("answer_text"), question.payload.get("accepted")):
        names.extend(value if isinstance(value, list) else [value])
    for data in db.session.scalars(select(Fact.data).where(Fact.id.in_(question.fact_ids))):
        answer = data.get("answer")
        names.extend(answer if isinstance(answer, list) else [answer])
        names.extend(data.get("aliases") or [])
    return {normalize(n) for n in names if isinstance(n, str) and normalize(n)}


def edited_payload(payload: dict[str, Any], prompt: Any, options: dict[str, Any],
                   explanation: Any, keys: set[str] | frozenset[str] = frozenset()
                   ) -> dict[str, Any]:
    """The payload with new wording; ids, keys and the source stay as they were.

    Key texts (the type's ``key_options``) cannot change, a wrong choice cannot be reworded
    into the key or an alias of it (``keys``, normalised), and a prompt that is part of the key
    (a true/false statement) changes only as its type allows (``prompt_error``).
    """
    qtype = QUESTION_TYPES[payload["type"]]
    fields: dict[str, str] = {}
    if not isinstance(prompt, str) or not prompt.strip():
        fields["prompt"] = "The question needs a prompt."
    elif len(prompt) > 2000:
        fields["prompt"] = "Use at most 2000 characters."
    elif error := qtype.prompt_error(payload, prompt):
        fields["prompt"] = error
    if explanation is None:
        explanation = payload.get("explanation", "")
    if not isinstance(explanation, str) or len(explanation) > 4000:
        fields["explanation"] = "Use at most 4000 characters of text."
    options = options or {}
    if not isinstance(options, dict):
        raise invalid("Send option texts as an object, option id -> text.",
                      {"options": "Send an object."})
    new = {**payload, "prompt": prompt.strip() if isinstance(prompt, str) else prompt,
           "explanation": explanation.strip() if isinstance(explanation, str) else "",
           "edited": True}
    known: set[str] = set()
    keyed = qtype.key_options(payload)
    for group in qtype.option_groups:
        if group not in payload:
            continue
        rewritten = []
        for option in payload[group]:
            key = f"{group}.{option['id']}"
            known.add(key)
            text = options.get(key, options.get(option["id"], option["text"]))
            if not isinstance(text, str) or not text.strip():
                fields[key] = "An option cannot be empty."
                text = option["text"]
            elif len(text) > 500:
                fields[key] = "Use at most 500 characters."
            elif key in keyed and text.strip() != option["text"].strip():
                fields[key] = KEY_TEXT
            elif key not in keyed and normalize(text) in keys:
                fields[key] = "A wrong choice cannot read as the right answer or an alias of it."
            rewritten.append({**option, "text": text.strip()})
        texts = [normalize(o["text"]) for o in rewritten]
        if len(set(texts)) != len(texts):
            fields[group] = "Two options read the same."
        new[group] = rewritten
    unknown = [k for k in options if k not in known and not any(
        k == o["id"] for g in qtype.option_groups for o in payload.get(g, []))]
    if unknown:
        fields["options"] = f"Unknown option {unknown[0]!r}."
    if fields:
        raise invalid("Some of the new wording is not valid.", fields)
    return qtype.reworded(new)


def _newest(question: Question) -> Question:
    seen = {question.id}
    while question.replaced_by_id is not None:
        question = db.session.get(Question, question.replaced_by_id)
        if question.id in seen:
            break
        seen.add(question.id)
    return question


def _repoint_assignments(old_id: int, new_id: int | None, owner_id: int | None) -> None:
    """Hand-picked assignments follow an edit or retirement: of the classes ``owner_id``
    owns when it is their own version, else (the author's commentary) every class."""
    query = select(Assignment)
    if owner_id is not None:
        query = query.join(Course, Course.id == Assignment.course_id).where(
            Course.owner_id == owner_id)
    for assignment in db.session.scalars(query):
        if old_id in (assignment.question_ids or []):
            ids = [new_id if i == old_id else i for i in assignment.question_ids]
            assignment.question_ids = [i for i in ids if i is not None]


def _own_version(user: User, question: Question, payload: dict[str, Any],
                 status: QuestionStatus) -> Question:
    """A new version of ``question``: the user's own if the question is theirs or shared
    (the shared row stays as it is for everyone else), else the commentary's."""
    own = question.owner_id == user.id or shared_seed(question)
    new = Question(uid=question.uid, version=next_version(question.uid), type=question.type,
                   topic=question.topic, document_id=question.document_id, payload=payload,
                   fact_ids=list(question.fact_ids), status=status,
                   owner_id=user.id if own else None)
    db.session.add(new)
    db.session.flush()
    if new.owner_id == question.owner_id:
        question.status = QuestionStatus.RETIRED
        question.replaced_by_id = new.id
    return new


def _resolve_seen_flags(user: User, question: Question) -> None:
    """Resolve the open flags on ``question`` that ``user`` may read (flags_seen_by)."""
    for flag in db.session.scalars(select(QuestionFlag).where(
            QuestionFlag.question_id == question.id, QuestionFlag.resolved.is_(False),
            flags_seen_by(user))):
        flag.resolved = True


def edit_question(user: User, question_id: int, *, prompt: Any, options: Any = None,
                  explanation: Any = None) -> Question:
    """Save new wording as a new version and retire the old one (statistics stay apart).

    Editing a shared seed question makes the user's own version, used by the classes they
    own and the warm-ups they host; other instructors and self-practice keep the shared one.
    Editing a version that was already replaced with the same wording returns the newer
    version (a repeated form submission); other stale edits are refused.
    """
    begin_write(db.session)
    question = question_for_review(user, question_id)
    new_payload = edited_payload(question.payload, prompt, options or {}, explanation,
                                 key_names(question))
    if seen_state(user, question)[0] is QuestionStatus.RETIRED:
        newest = newest_seen(user, question)
        if newest.id != question.id and newest.payload == new_payload:
            return newest
        raise conflict("This question was retired or changed since you opened it; "
                       "edit the current version instead.")
    if new_payload == {**question.payload, "edited": True}:
        return question  # nothing changed: no new version, statistics stay together
    new = _own_version(user, question, new_payload, QuestionStatus.ACTIVE)
    _resolve_seen_flags(user, question)
    _repoint_assignments(question.id, new.id, new.owner_id)
    db.session.flush()
    return new


def retire_question(user: User, question_id: int) -> Question:
    """Take a question out of the user's future quizzes (retiring twice changes nothing).

    A shared seed question gets the user's own retired version in its place, so it leaves
    their classes and warm-ups only.
    """
    begin_write(db.session)
    question = question_for_review(user, question_id)
    if seen_state(user, question)[0] is not QuestionStatus.RETIRED:
        if shared_seed(question):
            _own_version(user, question, dict(question.payload), QuestionStatus.RETIRED)
            owner_id: int | None = user.id
        else:
            question.status = QuestionStatus.RETIRED
            owner_id = question.owner_id
        _repoint_assignments(question.id, None, owner_id)
        _resolve_seen_flags(user, question)
        db.session.flush()
    return question


# =========================================================================== commentaries

def _commentary_slug(title: str) -> str:
    return f"{_slug(title, 40)}-{secrets.token_hex(3)}"


def validate_commentary(title: Any, text: Any) -> tuple[str, str]:
    fields: dict[str, str] = {}
    if not isinstance(title, str) or not title.strip():
        fields["title"] = "Enter a title."
    elif len(title.strip()) > MAX_TITLE:
        fields["title"] = f"Use at most {MAX_TITLE} characters."
    if not isinstance(text, str) or not text.strip():
        fields["text"] = "Paste the commentary's text or upload a .txt file."
    elif len(text) > MAX_COMMENTARY_CHARS:
        fields["text"] = (f"The text has {len(text):,} characters; the limit is "
                          f"{MAX_COMMENTARY_CHARS:,}. Split it into parts.")
    elif len(text.strip()) < MIN_COMMENTARY_CHARS:
        fields["text"] = f"Paste at least {MIN_COMMENTARY_CHARS} characters of text."
    elif "\x00" in text:
        fields["text"] = "That is not plain text."
    if fields:
        raise invalid("The commentary could not be added.", fields)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(title.split()), text


def create_commentary(user: User, title: Any, text: Any) -> Document:
    """Store a new commentary and its rule-extracted candidate facts (none approved yet)."""
    require_instructor(user)
    title, text = validate_commentary(title, text)
    # Outside the write transaction, and within a budget: no other write waits for it.
    budget = float(current_app.config["EXTRACTION_SECONDS"])
    try:
        candidates = extraction.extract(text, deadline=time.monotonic() + budget)
    except extraction.ExtractionTooSlow:
        message = (f"Finding the facts in this text took longer than {budget:g} seconds. "
                   "Split it into smaller parts.")
        raise ServiceError(422, "too_slow", message, {"text": message}) from None
    begin_write(db.session)
    doc = Document(slug=_commentary_slug(title), title=title, text=text,
                   created_by_id=user.id)
    db.session.add(doc)
    db.session.flush()
    for position, candidate in enumerate(candidates):
        fact_id = f"{doc.slug}-{candidate.kind.replace('_', '-')}-{position + 1:03d}"
        db.session.add(Fact(id=fact_id, document_id=doc.id, position=position,
                            topic=doc.slug, kind=candidate.kind,
                            status=FactStatus.CANDIDATE, quote=candidate.quote,
                            data=candidate.to_record(fact_id, doc.slug)))
    db.session.flush()
    return doc


def commentaries_of(user: User) -> list[Document]:
    require_instructor(user)
    return list(db.session.scalars(select(Document).where(Document.created_by_id == user.id)
                                   .order_by(Document.created_at.desc(), Document.id.desc())))


def commentary_for_instructor(user: User, document_id: int) -> Document:
    """A commentary the user added (anyone else's is reported missing)."""
    require_instructor(user)
    doc = db.session.get(Document, document_id)
    if doc is None or doc.created_by_id != user.id:
        raise not_found("That commentary")
    return doc


def fact_for_instructor(user: User, fact_id: Any) -> Fact:
    require_instructor(user)
    fact = db.session.get(Fact, fact_id) if isinstance(fact_id, str) else None
    if fact is None or fact.document.created_by_id != user.id:
        raise not_found("That fact")
    return fact


def _factbase(doc: Document, facts: list[Fact]) -> FactBase:
    return FactBase(document_id=doc.slug, title=doc.title, text=doc.text,
                    topics=[Topic(doc.slug, doc.title)], pools=extraction.pools(),
                    facts=[DomainFact.from_dict(f.data, doc.slug) for f in facts])


def fact_problems(doc: Document, fact: Fact) -> list[str]:
    """What keeps a fact from being approved: check_fact's findings or a generation error."""
    base = _factbase(doc, [fact])
    domain_fact = base.facts[0]
    problems = check_fact(domain_fact, base)
    if not problems:
        try:
            questions_for_fact(domain_fact, base, random.Random(0))
        except GenerationError as exc:
            problems.append(str(exc).split(": ", 1)[-1])
    return problems


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = value.splitlines()
    else:
        return []
    return [str(v).strip() for v in items if str(v).strip()]


FACT_FIELDS = ("question", "statement", "answer", "aliases", "distractors", "explanation",
               "event")


def update_fact(user: User, fact_id: Any, changes: dict[str, Any]) -> tuple[Fact, list[str]]:
    """Edit a candidate's wording; returns the fact and what still blocks approval.

    An approved fact that no longer passes the checks goes back to candidate.
    """
    begin_write(db.session)
    fact = fact_for_instructor(user, fact_id)
    data = dict(fact.data)
    fields: dict[str, str] = {}
    for key in ("question", "statement", "explanation", "event"):
        if key in changes and changes[key] is not None:
            value = changes[key]
            if not isinstance(value, str) or len(value) > 2000:
                fields[key] = "Use at most 2000 characters of text."
            else:
                data[key] = " ".join(value.split())
    if "answer" in changes and changes["answer"] is not None:
        answers = _lines(changes["answer"])
        if fact.kind == "entity_set":
            data["answer"] = answers
        elif len(answers) != 1:
            fields["answer"] = "Enter exactly one answer."
        else:
            data["answer"] = answers[0]
    for key in ("aliases", "distractors"):
        if key in changes and changes[key] is not None:
            data[key] = _lines(changes[key])[:20]
    if fields:
        raise invalid("Some of the changes are not valid.", fields)
    if not data.get("event"):
        data.pop("event", None)
    fact.data = data
    db.session.flush()
    problems = fact_problems(fact.document, fact)
    if problems and fact.status is FactStatus.APPROVED:
        fact.status = FactStatus.CANDIDATE
    if fact.status is FactStatus.APPROVED:
        regenerate(fact.document)
    db.session.flush()
    return fact, problems


def set_fact_status(user: User, document_id: int, fact_ids: Any,
                    status: str) -> tuple[list[str], dict[str, list[str]]]:
    """Approve or reject candidates; approving regenerates the commentary's questions.

    Returns (changed fact ids, {fact id: problems} for facts that could not be approved).
    Approving an approved fact again changes nothing.
    """
    if status not in ("approved", "rejected", "candidate"):
        raise invalid("Unknown status.", {"status": "Use approved or rejected."})
    if not isinstance(fact_ids, list) or not fact_ids or not all(
            isinstance(f, str) for f in fact_ids):
        raise invalid("Choose at least one fact.", {"fact_ids": "Send a list of fact ids."})
    begin_write(db.session)
    doc = commentary_for_instructor(user, document_id)
    facts = {f.id: f for f in db.session.scalars(select(Fact).where(
        Fact.document_id == doc.id, Fact.id.in_(fact_ids)))}
    missing = [f for f in fact_ids if f not in facts]
    if missing:
        raise not_found(f"Fact {missing[0]!r} in this commentary")
    changed: list[str] = []
    problems: dict[str, list[str]] = {}
    target = FactStatus(status)
    for fact_id in dict.fromkeys(fact_ids):
        fact = facts[fact_id]
        if fact.status is target:
            continue
        if target is FactStatus.APPROVED:
            found = fact_problems(doc, fact)
            if found:
                problems[fact_id] = found
                continue
        fact.status = target
        changed.append(fact_id)
    db.session.flush()
    if changed:
        regenerate(doc)
    return changed, problems


def regenerate(doc: Document, bank_seed: int | None = None) -> int:
    """(Re)generate the questions of a commentary's approved facts; return new rows.

    Each fact draws its distractors from its own seeded generator, so approving one more
    fact does not reword the questions of the others (``extraction.commentary_bank``).
    Questions that no longer come out are retired (``sync_questions``).
    """
    seed = current_app.config["BANK_SEED"] if bank_seed is None else bank_seed
    approved = list(db.session.scalars(select(Fact).where(
        Fact.document_id == doc.id, Fact.status == FactStatus.APPROVED)
        .order_by(Fact.position)))
    bank = extraction.commentary_bank(_factbase(doc, approved), seed)
    added = sync_questions(doc, bank)
    db.session.flush()
    return added


def commentary_summary(doc: Document) -> dict[str, Any]:
    facts = list(db.session.scalars(select(Fact).where(Fact.document_id == doc.id)
                                    .order_by(Fact.position)))
    counts = {s.value: sum(1 for f in facts if f.status is s) for s in FactStatus}
    questions = db.session.scalar(select(func.count()).select_from(Question).where(
        Question.document_id == doc.id, Question.status == QuestionStatus.ACTIVE))
    return {"id": doc.id, "slug": doc.slug, "title": doc.title, "counts": counts,
            "questions": questions, "facts": facts}


def candidate_json(fact: Fact) -> dict[str, Any]:
    data = fact.data
    return {"id": fact.id, "kind": fact.kind, "answer": data.get("answer"),
            "quote": fact.quote, "status": fact.status.value,
            "question": data.get("question"), "statement": data.get("statement"),
            "rule": data.get("rule"), "term": data.get("term"),
            "distractors": data.get("distractors", []), "aliases": data.get("aliases", []),
            # What the instructor must write before the candidate can be asked.
            "needs": data.get("needs", "")}


def document_export(user: User, document_id: int, fmt: Any) -> tuple[str, str, str]:
    """A whole document's active questions (and facts) as GIFT, Moodle XML or JSON."""
    require_instructor(user)
    doc = db.session.get(Document, document_id)
    if doc is None or doc.created_by_id not in (None, user.id):
        raise not_found("That document")
    if fmt not in ("gift", "moodle_xml", "json"):
        raise invalid("Unknown export format.", {"format": "Use gift, moodle_xml or json."})
    approved = set(db.session.scalars(select(Fact.id).where(
        Fact.document_id == doc.id, Fact.status == FactStatus.APPROVED)))
    questions = [q for q in db.session.scalars(select(Question).where(
        Question.document_id == doc.id, Question.status == QuestionStatus.ACTIVE,
        study.seen_by(user.id)).order_by(Question.id)) if all(f in approved for f in q.fact_ids)]
    return export_questions(questions, fmt, doc.title, {"slug": doc.slug, "title": doc.title})
