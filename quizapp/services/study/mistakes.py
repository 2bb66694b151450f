""""My mistakes": the facts whose latest answer was wrong, as a practice quiz draws them.

A fact is a mistake while the learner's latest checked answer about it (in a quiz, a review,
an assignment whose keys are shown, or a warm-up played logged in) was wrong; a right answer
since takes it off the list. Flashcard self-ratings are not answers and do not count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import Answer, Attempt, LiveAnswer, LivePlayer, Question, User, utcnow
from .keys import keys_hidden
from .topics import active_candidates


def latest_answers(user: User, now: datetime | None = None
                   ) -> dict[str, tuple[datetime, bool, str]]:
    """Fact id → (when, right?, question type) of the learner's latest answer about it.

    Answers whose correctness an assignment still hides are left out: listing them would
    tell right from wrong.
    """
    quiz = (select(Answer.answered_at, Answer.id, Question.fact_ids, Question.type,
                   Answer.correct)
            .join(Question, Question.id == Answer.question_id)
            .join(Attempt, Attempt.id == Answer.attempt_id)
            .where(Attempt.user_id == user.id, ~keys_hidden(now or utcnow())))
    live = (select(LiveAnswer.answered_at, LiveAnswer.id, Question.fact_ids, Question.type,
                   LiveAnswer.correct)
            .join(Question, Question.id == LiveAnswer.question_id)
            .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
            .where(LivePlayer.user_id == user.id))
    rows = [*db.session.execute(quiz), *db.session.execute(live)]
    rows.sort(key=lambda row: (row[0], row[1]))
    latest: dict[str, tuple[datetime, bool, str]] = {}
    for at, _id, fact_ids, qtype, correct in rows:
        for fact_id in fact_ids:
            latest[fact_id] = (at, bool(correct), qtype)
    return latest


def mistake_facts(user: User, now: datetime | None = None) -> list[tuple[str, str | None]]:
    """(fact id, type asked last) of every fact last answered wrong, most recent first,
    among the facts a quiz may ask this learner now (approved, readable, with a question)."""
    askable = {f for c in active_candidates(readable_by=user) for f in c.fact_ids}
    wrong = [(at, fact_id, qtype) for fact_id, (at, correct, qtype)
             in latest_answers(user, now).items() if not correct and fact_id in askable]
    wrong.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return [(fact_id, qtype) for _at, fact_id, qtype in wrong]
