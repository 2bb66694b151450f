"""Printable quizzes: the questions an online attempt with the same seed asks, in its order.

A practice sheet draws as ``study.start_attempt`` does for a practice quiz with that seed
(the commentaries the learner may read); an assignment's sheet as
``teach.start_assignment_attempt`` does for the student (their ``student_seed``, or the
hand-picked list), from the class owner's bank.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..domain.generator import public_view
from ..domain.printing import PAPER_SIZES, key_lines, quotes_of
from ..domain.selection import Candidate, draw
from ..errors import invalid, not_found
from ..extensions import db
from ..models import Assignment, Commentary, Enrollment, Role, User, utcnow
from . import study, teach
from .questions import stored_question


@dataclass(frozen=True)
class PrintedQuestion:
    """A question as a printed sheet numbers it, with its key lines and its quotes."""

    number: int
    #: What the student sees (``public_view``): prompt, choices | items | left + right.
    question: dict[str, Any]
    key: list[str]
    quotes: list[str]
    #: The title of the commentary it quotes.
    commentary: str
    #: The stored question's id and type, for the page's data attributes and styles.
    id: int
    type: str


@dataclass(frozen=True)
class Sheet:
    title: str
    seed: int
    questions: list[PrintedQuestion]
    #: Whether the answer key section is printed.
    show_key: bool
    #: Why the key is left out, when it is.
    key_note: str = ""
    details: list[str] = field(default_factory=list)


def paper_size(value: Any) -> str:
    """``a4`` (the default) or ``letter``; anything else is a 400 naming the choices."""
    if value in (None, ""):
        return "a4"
    if value not in PAPER_SIZES:
        raise invalid("Unknown paper size.", {"paper": "Use a4 or letter."})
    return value


def parse_id(value: Any, name: str = "seed") -> int | None:
    """A seed or an id from a query string (None when absent); bad input is a 400."""
    if value in (None, ""):
        return None
    number = int(value) if isinstance(value, str) and value.isdigit() and len(value) < 11 \
        else -1
    if not 0 <= number < 2**31:
        raise invalid(f"The {name} must be a whole number.", {name: "Use 0 to 2147483647."})
    return number


def parse_seed(value: Any) -> int | None:
    return parse_id(value, "seed")


def _sheet_questions(picked: list[Candidate]) -> list[PrintedQuestion]:
    stored = [stored_question(c.id) for c in picked]
    slugs = {q.payload["source"]["document"] for q in stored if q is not None}
    titles = dict(db.session.execute(select(Commentary.slug, Commentary.title).where(
        Commentary.slug.in_(slugs or ["-"]))).all())
    out = []
    for number, q in enumerate((q for q in stored if q is not None), 1):
        payload = q.payload
        out.append(PrintedQuestion(
            number=number, id=q.id, type=q.type,
            question={**public_view(payload), "id": q.id}, key=key_lines(payload),
            quotes=quotes_of(payload),
            commentary=titles.get(payload["source"]["document"],
                                  payload["source"]["document"])))
    return out


def practice_sheet(user: User, *, seed: int, count: Any = 10, types: Any = None,
                   topics: Any = None) -> Sheet:
    """The practice quiz ``start_attempt(user, seed=seed, ...)`` would ask, with its key."""
    count, types, topics = study.validate_filters(count, types, topics, user)
    picked = draw(study.active_candidates(readable_by=user), count, random.Random(seed),
                  types, topics)
    if not picked:
        raise invalid("No questions match those topics and forms.",
                      {"topics": "Choose other topics or forms."})
    return Sheet(title="Practice quiz", seed=seed, questions=_sheet_questions(picked),
                 show_key=True, details=[f"Seed {seed}", f"{len(picked)} questions"])


def assignment_sheet(user: User, assignment_id: int, *, student_id: int | None = None,
                     now: datetime | None = None) -> Sheet:
    """An assignment as its student is asked it, for that student or an instructor.

    An instructor of the class gets the key, and the shared draw (or with ``student_id``,
    that student's own draw). An enrolled student gets their own questions, and the key
    only once the assignment's ``show_keys`` allows. Anyone else: not found.
    """
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise not_found("That assignment")
    course = assignment.course
    if user.is_instructor and teach.teaches(user, course):
        seed = assignment.seed if student_id is None \
            else teach.student_seed(assignment, _student_of(course.id, student_id))
        show_key, key_note = True, ""
    elif _role(course.id, user.id) is Role.STUDENT and student_id in (None, user.id):
        seed = teach.student_seed(assignment, user)
        due = teach.student_due(assignment, user.id)
        show_key = study.keys_shown(assignment.show_keys, due, now or utcnow())
        key_note = "" if show_key else _hidden_note(assignment, due)
    else:
        raise not_found("That assignment")
    owner = course.owner
    candidates = study.active_candidates(owner_id=owner.id, readable_by=owner)
    if assignment.question_ids:
        wanted = {c.id: c for c in candidates}
        picked = [wanted[i] for i in assignment.question_ids if i in wanted]
    else:
        picked = draw(candidates, min(assignment.count, study.MAX_COUNT),
                      random.Random(seed), list(assignment.types), list(assignment.topics),
                      fill=True)
    details = [course.name, f"Due {assignment.due_at:%d %b %Y, %H:%M} UTC",
               f"{len(picked)} questions"]
    if not assignment.question_ids and not assignment.same_questions:
        details.append(f"Seed {seed}" + (" (each student draws their own questions)"
                                         if student_id is None else ""))
    return Sheet(title=assignment.title, seed=seed, questions=_sheet_questions(picked),
                 show_key=show_key, key_note=key_note, details=details)


def _role(course_id: int, user_id: int) -> Role | None:
    return db.session.scalar(select(Enrollment.role).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user_id))


def _student_of(course_id: int, student_id: int) -> User:
    if _role(course_id, student_id) is not Role.STUDENT:
        raise not_found("That student in this class")
    return db.session.get(User, student_id)


def _hidden_note(assignment: Assignment, due: datetime) -> str:
    if assignment.show_keys.value == "never":
        return "Your instructor does not show the answers to this assignment."
    return f"The answer key is printed after the due date ({due:%d %b %Y, %H:%M} UTC)."


def parse_count(value: Any) -> Any:
    """A count from a query string: a whole number, or (absent) 10; other text is handed
    on as it is, for ``study.validate_filters`` to refuse with its message."""
    if value in (None, ""):
        return 10
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 6 \
        else value
