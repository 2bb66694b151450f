"""A user's own data: download it (JSON, and the answers as CSV), or delete the account.

What an export holds and what a deletion removes is documented in docs/account-data.md;
keep the two in step. An export holds only rows that belong to the user (their answers,
their schedule, their classes' names): never another person's answers, names or nicknames.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from ..domain.exports import to_csv
from ..domain.scoring import attempt_score
from ..extensions import db
from ..models import (
    Answer,
    ApiToken,
    Assignment,
    Attempt,
    AttemptQuestion,
    Commentary,
    Course,
    Enrollment,
    FactProgress,
    LiveAnswer,
    LiveGame,
    LivePlayer,
    LtiDeployment,
    LtiPlatform,
    LtiUser,
    Question,
    QuestionFlag,
    User,
    utcnow,
)
from .identity import user_changed_on_commit
from .study import keys_visible

EXPORT_VERSION = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


# ------------------------------------------------------------------------------ export

def _attempts(user: User) -> list[dict[str, Any]]:
    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)
                                  .order_by(Attempt.started_at, Attempt.id)).all()
    out = []
    for attempt in attempts:
        # An assignment that still hides its keys: the export must not tell them either.
        shown = keys_visible(attempt)
        answers = {r.question_id: r for r in attempt.answers}
        questions = []
        for item in attempt.items:
            row: dict[str, Any] = {"question_id": item.question_id,
                                   "position": item.position + 1,
                                   "type": item.question.type,
                                   "prompt": item.question.payload.get("prompt"),
                                   "fact_ids": item.question.fact_ids}
            answer = answers.get(item.question_id)
            if answer is not None:
                row.update(response=answer.response, answered_at=_iso(answer.answered_at),
                           correct=answer.correct if shown else None,
                           credit=answer.credit if shown else None)
            questions.append(row)
        assignment = attempt.assignment
        out.append({
            "id": attempt.id, "mode": attempt.mode.value,
            "assignment_id": attempt.assignment_id,
            "assignment_title": assignment.title if assignment else None,
            "class_name": assignment.course.name if assignment else None,
            "started_at": _iso(attempt.started_at), "deadline": _iso(attempt.deadline),
            "finished_at": _iso(attempt.finished_at),
            "score": attempt.score if shown else None, "max_score": attempt.max_score,
            "keys_hidden": not shown, "questions": questions})
    return out


def _warm_ups(user: User) -> list[dict[str, Any]]:
    players = db.session.scalars(select(LivePlayer).where(LivePlayer.user_id == user.id)
                                 .order_by(LivePlayer.joined_at, LivePlayer.id)).all()
    out = []
    for player in players:
        answers = db.session.execute(
            select(LiveAnswer, Question.payload["prompt"].as_string())
            .join(Question, Question.id == LiveAnswer.question_id)
            .where(LiveAnswer.player_id == player.id).order_by(LiveAnswer.question_index))
        out.append({
            "game_id": player.game_id, "nickname": player.nickname,
            "joined_at": _iso(player.joined_at), "score": player.score,
            "removed_by_host": player.kicked,
            "answers": [{"question_index": a.question_index + 1, "question_id": a.question_id,
                         "prompt": prompt, "response": a.response, "correct": a.correct,
                         "points": a.points, "confidence": a.confidence,
                         "answered_at": _iso(a.answered_at)} for a, prompt in answers]})
    return out


def _teaching(user: User) -> dict[str, Any]:
    """What an instructor made: classes (names, not rosters), commentaries, warm-ups hosted,
    their own question versions. Other people's answers in them are not theirs to export."""
    courses = db.session.scalars(select(Course).where(Course.owner_id == user.id)
                                 .order_by(Course.id)).all()
    return {
        "classes": [{
            "id": c.id, "name": c.name, "join_code": c.join_code,
            "created_at": _iso(c.created_at),
            "students": db.session.scalar(select(func.count()).select_from(Enrollment).where(
                Enrollment.course_id == c.id)),
            "assignments": [{"id": a.id, "title": a.title, "due_at": _iso(a.due_at)}
                            for a in db.session.scalars(select(Assignment).where(
                                Assignment.course_id == c.id).order_by(Assignment.id))]}
            for c in courses],
        "commentaries": [{"id": d.id, "title": d.title, "slug": d.slug,
                          "created_at": _iso(d.created_at), "text": d.text}
                         for d in db.session.scalars(select(Commentary).where(
                             Commentary.created_by_id == user.id).order_by(Commentary.id))],
        "warm_ups_hosted": [{"id": g.id, "pin": g.pin, "created_at": _iso(g.created_at),
                             "ended_at": _iso(g.ended_at), "questions": len(g.question_ids)}
                            for g in db.session.scalars(select(LiveGame).where(
                                LiveGame.host_id == user.id).order_by(LiveGame.id))],
        "question_versions": [{"id": q.id, "uid": q.uid, "version": q.version,
                               "status": q.status.value, "prompt": q.payload.get("prompt")}
                              for q in db.session.scalars(select(Question).where(
                                  Question.owner_id == user.id).order_by(Question.id))],
    }


def profile(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role.value,
            "created_at": _iso(user.created_at)}


def export_data(user_id: int) -> dict[str, Any]:
    """Everything stored about the user, as one JSON-ready object (docs/account-data.md)."""
    user = db.session.get(User, user_id)
    enrollments = db.session.execute(
        select(Enrollment, Course.name).join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == user.id).order_by(Enrollment.id))
    flags = db.session.execute(
        select(QuestionFlag, Question.payload["prompt"].as_string())
        .join(Question, Question.id == QuestionFlag.question_id)
        .where(QuestionFlag.user_id == user.id).order_by(QuestionFlag.id))
    lti = db.session.execute(
        select(LtiUser.sub, LtiDeployment.deployment_id, LtiPlatform.issuer,
               LtiPlatform.client_id)
        .join(LtiDeployment, LtiDeployment.id == LtiUser.deployment_id)
        .join(LtiPlatform, LtiPlatform.id == LtiDeployment.platform_id)
        .where(LtiUser.user_id == user.id).order_by(LtiUser.id))
    return {
        "format": "quizapp account data", "version": EXPORT_VERSION,
        "exported_at": _iso(utcnow()),
        "profile": profile(user),
        "api_tokens": [{"created_at": _iso(created)} for created in db.session.scalars(
            select(ApiToken.created_at).where(ApiToken.user_id == user.id)
            .order_by(ApiToken.id))],
        "enrollments": [{"class_id": e.course_id, "class_name": name, "role": e.role.value,
                         "joined_at": _iso(e.created_at)} for e, name in enrollments],
        "attempts": _attempts(user),
        "progress": [{"fact_id": p.fact_id, "seen": p.seen, "correct": p.correct,
                      "last_seen": _iso(p.last_seen), "last_type": p.last_type,
                      "due": _iso(p.due), "fsrs_card": p.card}
                     for p in db.session.scalars(select(FactProgress).where(
                         FactProgress.user_id == user.id).order_by(FactProgress.fact_id))],
        "flags": [{"question_id": f.question_id, "prompt": prompt, "comment": f.comment,
                   "resolved": f.resolved, "created_at": _iso(f.created_at)}
                  for f, prompt in flags],
        "warm_ups": _warm_ups(user),
        "lti_accounts": [{"issuer": issuer, "client_id": client, "deployment_id": dep,
                          "sub": sub} for sub, dep, issuer, client in lti],
        "teaching": _teaching(user) if user.is_instructor else None,
    }


ANSWER_COLUMNS = ("kind", "attempt_or_game", "mode", "assignment", "question_id",
                  "prompt", "response", "correct", "answered_at")


def answers_csv(data: dict[str, Any]) -> str:
    """The export's answers, one row each (quizzes, then warm-ups); formula-safe cells."""
    import json

    rows: list[list[Any]] = []
    for attempt in data["attempts"]:
        for q in attempt["questions"]:
            if "response" in q:
                rows.append(["quiz", attempt["id"], attempt["mode"],
                             attempt["assignment_title"] or "", q["question_id"], q["prompt"],
                             json.dumps(q["response"], ensure_ascii=False),
                             "" if q["correct"] is None else ("yes" if q["correct"] else "no"),
                             q["answered_at"]])
    for game in data["warm_ups"]:
        for a in game["answers"]:
            rows.append(["warm-up", game["game_id"], "warm-up", "", a["question_id"],
                         a["prompt"], json.dumps(a["response"], ensure_ascii=False),
                         "yes" if a["correct"] else "no", a["answered_at"]])
    return to_csv(ANSWER_COLUMNS, rows)


# ------------------------------------------------------------------------------ deletion

def _doomed_questions(user_id: int):
    """SQL: the questions that go with an instructor: their own versions, and every
    question of their commentaries."""
    return select(Question.id).where(or_(
        Question.owner_id == user_id,
        Question.document_id.in_(select(Commentary.id).where(Commentary.created_by_id == user_id))))


def deletion_summary(user_id: int) -> dict[str, Any]:
    """What deleting the account removes, for the confirmation page and the API."""
    user = db.session.get(User, user_id)
    count = db.session.scalar
    summary: dict[str, Any] = {
        "attempts": count(select(func.count()).select_from(Attempt).where(
            Attempt.user_id == user_id)),
        "answers": count(select(func.count()).select_from(Answer).join(
            Attempt, Attempt.id == Answer.attempt_id).where(Attempt.user_id == user_id)),
        "assignment_attempts": count(select(func.count()).select_from(Attempt).where(
            Attempt.user_id == user_id, Attempt.assignment_id.is_not(None))),
        "classes_joined": count(select(func.count()).select_from(Enrollment).where(
            Enrollment.user_id == user_id)),
        "warm_ups_played": count(select(func.count()).select_from(LivePlayer).where(
            LivePlayer.user_id == user_id)),
        "classes": [], "commentaries": [], "warm_ups_hosted": 0, "others_answers": 0,
    }
    if user.is_instructor:
        for course in db.session.scalars(select(Course).where(Course.owner_id == user_id)
                                         .order_by(Course.id)):
            summary["classes"].append({
                "id": course.id, "name": course.name,
                "students": count(select(func.count()).select_from(Enrollment).where(
                    Enrollment.course_id == course.id, Enrollment.user_id != user_id)),
                "assignments": count(select(func.count()).select_from(Assignment).where(
                    Assignment.course_id == course.id)),
                "attempts": count(select(func.count()).select_from(Attempt).join(
                    Assignment, Assignment.id == Attempt.assignment_id).where(
                    Assignment.course_id == course.id, Attempt.user_id != user_id))})
        summary["commentaries"] = [{"id": d.id, "title": d.title} for d in db.session.scalars(
            select(Commentary).where(Commentary.created_by_id == user_id).order_by(Commentary.id))]
        summary["warm_ups_hosted"] = count(select(func.count()).select_from(LiveGame).where(
            LiveGame.host_id == user_id))
        # Other people's practice answers to questions about the instructor's commentaries
        # (the assignments' attempts are counted per class above).
        summary["others_answers"] = count(
            select(func.count()).select_from(Answer)
            .join(Attempt, Attempt.id == Answer.attempt_id)
            .where(Answer.question_id.in_(_doomed_questions(user_id)),
                   Attempt.user_id != user_id, Attempt.assignment_id.is_(None)))
    return summary


def _drop_questions(question_ids: list[int]) -> None:
    """Take questions out of every attempt, answer and warm-up answer that holds them;
    an attempt left without questions goes, another is re-scored on what remains."""
    if not question_ids:
        return
    touched = set(db.session.scalars(select(AttemptQuestion.attempt_id).where(
        AttemptQuestion.question_id.in_(question_ids))))
    db.session.execute(delete(Answer).where(Answer.question_id.in_(question_ids)))
    db.session.execute(delete(AttemptQuestion).where(
        AttemptQuestion.question_id.in_(question_ids)))
    db.session.execute(delete(LiveAnswer).where(LiveAnswer.question_id.in_(question_ids)))
    db.session.execute(update(Question).where(Question.replaced_by_id.in_(question_ids))
                       .values(replaced_by_id=None))
    for attempt_id in touched:
        left = db.session.scalar(select(func.count()).select_from(AttemptQuestion).where(
            AttemptQuestion.attempt_id == attempt_id))
        if not left:
            db.session.execute(delete(Attempt).where(Attempt.id == attempt_id))
            continue
        values: dict[str, Any] = {"max_score": left}
        if db.session.scalar(select(Attempt.finished_at).where(Attempt.id == attempt_id)):
            values["score"] = attempt_score(list(db.session.scalars(
                select(Answer.credit).where(Answer.attempt_id == attempt_id))))
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values))
    db.session.execute(delete(Question).where(Question.id.in_(question_ids)))


def delete_account(user_id: int) -> None:
    """Delete the user and everything that is theirs (docs/account-data.md).

    A student's attempts, answers, schedule, enrollments, flags, tokens and LMS links go
    (so they leave their instructors' gradebooks and item analysis); their warm-up answers
    stay in the host's results under "Deleted player", no longer linked to anyone. An
    instructor's classes (with their assignments and every attempt at them), warm-ups,
    commentaries and own question versions go too, with the answers to those questions.
    Call it in a write transaction; the caller commits.
    """
    user = db.session.get(User, user_id)
    if user.is_instructor:
        # Classes first (their assignments' attempts hold the instructor's versions), then
        # warm-ups, then the questions, then the commentaries: nothing is left pointing at
        # a question that is gone, and no commentary is left without an author (which would
        # make it readable by everyone, as the seed texts are).
        db.session.execute(delete(Course).where(Course.owner_id == user_id))
        db.session.execute(delete(LiveGame).where(LiveGame.host_id == user_id))
        _drop_questions(list(db.session.scalars(_doomed_questions(user_id))))
        db.session.execute(delete(Commentary).where(Commentary.created_by_id == user_id))
    for player_id in db.session.scalars(select(LivePlayer.id).where(
            LivePlayer.user_id == user_id)):
        # A key in nickname_key's hashed form: no nickname a guest may type folds to it.
        key = "#" + hashlib.sha256(f"deleted:{player_id}".encode()).hexdigest()[:23]
        db.session.execute(update(LivePlayer).where(LivePlayer.id == player_id).values(
            nickname=f"Deleted player {player_id}"[:24], nickname_key=key, user_id=None))
    # The database's ON DELETE CASCADE takes the rest (attempts and their answers, progress,
    # enrollments, flags, tokens, LMS links and their unsent grades).
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.expunge_all()
    user_changed_on_commit(user_id)
