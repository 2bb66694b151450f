"""The gradebook of an assignment, its results as JSON and CSV, and a class's misconceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...domain import analysis, exports
from ...extensions import db
from ...models import (
    Answer,
    Assignment,
    Attempt,
    Course,
    Enrollment,
    Extension,
    Fact,
    GradeOverride,
    LiveAnswer,
    LiveGame,
    LivePlayer,
    Question,
    Role,
    User,
    utcnow,
)
from .. import study

# =========================================================================== extensions, overrides

def extensions_of(assignment_id: int) -> dict[int, datetime]:
    """Per student id, the later due date they were given."""
    return dict(db.session.execute(select(Extension.user_id, Extension.due_at).where(
        Extension.assignment_id == assignment_id)).all())


def overrides_of(assignment_id: int) -> dict[int, GradeOverride]:
    """Per student id, the grade an instructor set."""
    return {o.user_id: o for o in db.session.scalars(select(GradeOverride).where(
        GradeOverride.assignment_id == assignment_id).options(selectinload(GradeOverride.set_by)))}


def student_extensions(user_id: int, assignment_ids: list[int]) -> dict[int, datetime]:
    """Per assignment id, the student's extended due date."""
    return dict(db.session.execute(select(Extension.assignment_id, Extension.due_at).where(
        Extension.user_id == user_id, Extension.assignment_id.in_(assignment_ids or [-1]))).all())


def student_overrides(user_id: int, assignment_ids: list[int]) -> dict[int, GradeOverride]:
    """Per assignment id, the grade an instructor set for the student."""
    return {o.assignment_id: o for o in db.session.scalars(select(GradeOverride).where(
        GradeOverride.user_id == user_id, GradeOverride.assignment_id.in_(assignment_ids or [-1])))}


def student_due(assignment: Assignment, user_id: int) -> datetime:
    """When the assignment is due for this student: the later of the class's due date and
    their extension."""
    extended = db.session.scalar(select(Extension.due_at).where(
        Extension.assignment_id == assignment.id, Extension.user_id == user_id))
    return max(assignment.due_at, extended) if extended else assignment.due_at


# =========================================================================== gradebook

def attempt_record(attempt: Attempt, username: str) -> analysis.AttemptRecord:
    """An attempt and its answers as plain data for the pure analysis."""
    return analysis.AttemptRecord(
        attempt_id=attempt.id, username=username, started_at=attempt.started_at,
        max_score=attempt.max_score, finished_at=attempt.finished_at, score=attempt.score,
        deadline=attempt.deadline,
        answers=tuple(analysis.AnswerRecord(r.question_id, r.response, r.correct, r.credit)
                      for r in attempt.answers))


@dataclass(frozen=True)
class FinalGrade:
    """What a student's grade is: from their attempts, or an instructor's override."""

    grade: float | None
    percent: float | None
    max_score: int | None
    override: GradeOverride | None = None

    @property
    def overridden(self) -> bool:
        return self.override is not None


@dataclass
class Gradebook:
    assignment: Assignment
    students: list[analysis.StudentRow]
    items: list[analysis.ItemStat]
    questions: dict[int, Question]
    histogram: list[tuple[str, int]]
    #: username -> user id, extended due date, override.
    user_ids: dict[str, int] = field(default_factory=dict)
    extensions: dict[str, datetime] = field(default_factory=dict)
    overrides: dict[str, GradeOverride] = field(default_factory=dict)

    @property
    def finished(self) -> int:
        return sum(1 for s in self.students if self.final(s).grade is not None)

    def due_for(self, username: str) -> datetime:
        """The student's due date: the class's, or their later extension."""
        extended = self.extensions.get(username)
        due = self.assignment.due_at
        return max(due, extended) if extended else due

    def final(self, student: analysis.StudentRow) -> FinalGrade:
        """The student's grade as it stands: an override replaces the attempts' grade."""
        override = self.overrides.get(student.username)
        if override is None:
            return FinalGrade(student.grade, student.percent, student.max_score)
        points = self.assignment.count
        return FinalGrade(override.grade, round(100 * override.grade / points, 1)
                          if points else None, points, override)


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
        .options(selectinload(Attempt.answers), selectinload(Attempt.items))
        .order_by(Attempt.started_at, Attempt.id)).all()
    records = [attempt_record(a, members[a.user_id]) for a in attempts]
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
    ids = {name: uid for uid, name in members.items()}
    by_name = {uid: name for name, uid in ids.items()}
    extensions = {by_name[u]: due for u, due in extensions_of(assignment.id).items()
                  if u in by_name}
    overrides = {by_name[u]: o for u, o in overrides_of(assignment.id).items() if u in by_name}
    book = Gradebook(assignment, students, items, questions, [], ids, extensions, overrides)
    book.histogram = analysis.histogram([p for p in (book.final(s).percent for s in students)
                                         if p is not None])
    return book


def results_json(book: Gradebook) -> dict[str, Any]:
    """``GET /api/v1/assignments/{id}/results``: students and item statistics."""
    a = book.assignment
    return {
        "assignment": {"id": a.id, "title": a.title, "class_id": a.course_id,
                       "due_at": a.due_at.isoformat() + "Z",
                       "available_from": _iso(a.available_from), "grading": a.grading.value,
                       "max_attempts": a.max_attempts},
        "students": [_student_json(book, s) for s in book.students],
        "questions": [{
            "question_id": i.question_id, "type": i.type, "prompt": i.prompt,
            "answers": i.answers, "p_correct": i.p_correct,
            "discrimination": i.discrimination, "upper_lower": i.upper_lower,
            "fact_ids": book.questions[i.question_id].fact_ids,
            "choices": [{"id": c.id, "text": c.text, "key": c.key, "chosen": c.chosen,
                         "unused": c.unused} for c in i.choices],
        } for i in book.items],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _student_json(book: Gradebook, s: analysis.StudentRow) -> dict[str, Any]:
    final = book.final(s)
    override = final.override
    return {"user_id": book.user_ids.get(s.username), "username": s.username,
            "status": s.status, "attempts": s.attempts, "grade": final.grade,
            "max_score": final.max_score, "percent": final.percent,
            "grade_overridden": final.overridden,
            "computed_grade": s.grade, "computed_percent": s.percent,
            "override": {"grade": override.grade, "reason": override.reason,
                         "set_by": override.set_by.username if override.set_by else None,
                         "set_at": _iso(override.set_at)} if override else None,
            "due_at": _iso(book.due_for(s.username)),
            "extended": book.due_for(s.username) > book.assignment.due_at,
            "scores": list(s.scores)}


GRADEBOOK_HEADER = ("username", "status", "attempts", "grade", "max_score", "percent",
                    "grading", "scores", "last_activity_utc", "grade_overridden",
                    "computed_grade", "override_reason", "due_utc")


def gradebook_csv(book: Gradebook) -> str:
    rows = []
    for s in book.students:
        final = book.final(s)
        due = book.due_for(s.username)
        rows.append((
            s.username, s.status, s.attempts, final.grade, final.max_score, final.percent,
            book.assignment.grading.value, " ".join(f"{x:g}" for x in s.scores),
            s.last_activity.isoformat(sep=" ", timespec="minutes") if s.last_activity else "",
            "yes" if final.overridden else "no", s.grade,
            final.override.reason if final.override else "",
            due.isoformat(sep=" ", timespec="minutes")))
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
    assignments = select(Assignment.id).where(Assignment.course_id == course.id)
    quiz = db.session.execute(
        select(Question.fact_ids, Answer.correct)
        .join(Answer, Answer.question_id == Question.id)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(members, members.c.user_id == Attempt.user_id)
        .where(Attempt.assignment_id.in_(assignments)))
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
