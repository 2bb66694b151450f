"""Flashcards of a topic: a fact's question in front, its answer and source quote behind;
"I knew it" / "I didn't" feed the fact's FSRS review schedule."""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import joinedload

from ...database import begin_write
from ...domain import anki, scheduling
from ...errors import not_found
from ...extensions import db
from ...models import Fact, FactProgress, FactStatus, User, utcnow
from .progress import _LOCK_LEARNER
from .topics import practice_topics, topic_titles, visible_commentary_ids


def flashcards(user: User, topic: object) -> list[anki.FactCard]:
    """The cards of every approved fact of a topic ``user`` may practise, in reading order;
    any other topic is not found."""
    if not isinstance(topic, str) or topic not in practice_topics(user):
        raise not_found("That topic")
    title = topic_titles().get(topic, topic)
    facts = db.session.scalars(
        select(Fact).options(joinedload(Fact.commentary))
        .where(Fact.status == FactStatus.APPROVED, Fact.topic == topic,
               Fact.document_id.in_(visible_commentary_ids(user)))
        .order_by(Fact.document_id, Fact.position, Fact.id))
    return [anki.card_for(f.id, f.data, f.quote, f.commentary.title, title) for f in facts]


def flashcard_topics(user: User) -> list[tuple[str, str, int]]:
    """(topic id, title, number of cards) of every topic ``user`` may practise."""
    titles = topic_titles()
    allowed = practice_topics(user, titles)
    counts: dict[str, int] = {}
    for topic in db.session.scalars(select(Fact.topic).where(
            Fact.status == FactStatus.APPROVED,
            Fact.document_id.in_(visible_commentary_ids(user)))):
        counts[topic] = counts.get(topic, 0) + 1
    return [(t, title, counts[t]) for t, title in titles.items()
            if t in allowed and counts.get(t)]


def rate_flashcard(user: User, fact_id: object, knew: bool,
                   now: datetime | None = None) -> datetime:
    """Review the fact's FSRS card with the learner's own rating; return when it is due.

    "I knew it" is rated Good and "I didn't" Again, as an answer right or wrong would be.
    A self-rating is not a checked answer: the counts of answers seen and right (and so
    mastery and "my mistakes") stay as they were; only the schedule moves. A fact the
    learner may not read is not found.
    """
    begin_write(db.session)
    now = now or utcnow()
    fact = db.session.scalar(select(Fact.id).where(
        Fact.id == fact_id, Fact.status == FactStatus.APPROVED,
        Fact.document_id.in_(visible_commentary_ids(user)))) if isinstance(fact_id, str) else None
    if fact is None:
        raise not_found("That fact")
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":  # as update_progress: one learner's writes in turn
        conn.execute(_LOCK_LEARNER, {"user_id": user.id})
    row = db.session.execute(select(FactProgress.id, FactProgress.card).where(
        FactProgress.user_id == user.id, FactProgress.fact_id == fact)).first()
    card, due = scheduling.review(row.card if row is not None else None, knew,
                                  1.0 if knew else 0.0, now,
                                  card_id=zlib.crc32(f"{user.id}:{fact}".encode()) + 1)
    if row is not None:
        db.session.execute(update(FactProgress).where(FactProgress.id == row.id)
                           .values(card=card, due=due))
    else:
        db.session.execute(insert(FactProgress).values(
            user_id=user.id, fact_id=fact, seen=0, correct=0, card=card, due=due))
    return due
