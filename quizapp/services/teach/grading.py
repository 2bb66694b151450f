"""The gradebook of an assignment, its results as JSON and CSV, and a class's misconceptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...domain import analysis, exports
from ...extensions import db
from ...models import (
    Assignment,
    Attempt,
    Course,
    Enrollment,
    Fact,
    LiveAnswer,
    LiveGame,
    LivePlayer,
    Question,
    Response,
    Role,
    User,
    utcnow,
)
from .. import study

# =========================================================================== gradebook

def attempt_record(attempt: Attempt, username: str) -> analysis.AttemptRecord:
    """An attempt and its answers as plain data for the pure analysis."""
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
