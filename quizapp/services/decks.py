"""Anki decks of facts: a learner's missed facts, a topic, a commentary, a class's facts.

Every deck holds only approved facts of commentaries the downloader may read
(``study.visible_commentary_ids``); a topic or commentary they may not read is not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..domain import anki
from ..errors import ServiceError, not_found
from ..extensions import db
from ..models import Commentary, Fact, FactStatus, User
from . import study, teach

#: Every deck is a subdeck of this one in Anki.
PARENT = "quizapp"
MIMETYPE = "application/octet-stream"


@dataclass(frozen=True)
class DeckFile:
    filename: str
    data: bytes
    notes: int


def _facts(user: User, *conditions: Any) -> list[Fact]:
    """Approved facts matching ``conditions`` from commentaries ``user`` may read."""
    return list(db.session.scalars(
        select(Fact).options(joinedload(Fact.commentary))
        .where(Fact.status == FactStatus.APPROVED,
               Fact.document_id.in_(study.visible_commentary_ids(user)), *conditions)
        .order_by(Fact.document_id, Fact.position, Fact.id)))


def _deck(key: str, title: str, filename: str, facts: Iterable[Fact],
          empty: str) -> DeckFile:
    titles = study.topic_titles()
    cards = [anki.card_for(f.id, f.data, f.quote, f.commentary.title,
                           titles.get(f.topic, f.topic)) for f in facts]
    if not cards:
        raise ServiceError(404, "empty_deck", empty)
    return DeckFile(f"{filename}.apkg", anki.deck_bytes(key, f"{PARENT}::{title}", cards),
                    len(cards))


def missed_deck(user: User) -> DeckFile:
    """The facts whose latest answer was wrong (the progress page's "missed last time")."""
    missed = [row["fact_id"] for row in study.fact_progress(user)
              if row["mastery"] == "needs work"]
    return _deck(f"missed:{user.id}", "Missed facts", "quizapp-missed-facts",
                 _facts(user, Fact.id.in_(missed or ["-"])),
                 "You have not missed any fact: nothing to put in a deck yet.")


def topic_deck(user: User, topic: Any) -> DeckFile:
    """Every fact of one topic ``user`` may practise."""
    if not isinstance(topic, str) or topic not in study.practice_topics(user):
        raise not_found("That topic")
    return _deck(f"topic:{topic}", study.topic_title(topic), f"quizapp-topic-{topic}",
                 _facts(user, Fact.topic == topic), "That topic has no facts yet.")


def readable_commentary(user: User, commentary: Any) -> Commentary:
    """A commentary ``user`` may read, by id or slug; any other is not found."""
    if isinstance(commentary, int) and not isinstance(commentary, bool):
        condition = Commentary.id == commentary
    elif isinstance(commentary, str) and commentary:
        condition = Commentary.slug == commentary
    else:
        raise not_found("That commentary")
    found = db.session.scalar(select(Commentary).where(
        condition, Commentary.id.in_(study.visible_commentary_ids(user))))
    if found is None:
        raise not_found("That commentary")
    return found


def commentary_deck(user: User, commentary: Any) -> DeckFile:
    """Every approved fact of a whole commentary ``user`` may read."""
    doc = readable_commentary(user, commentary)
    return _deck(f"document:{doc.slug}", doc.title, f"quizapp-{doc.slug}",
                 _facts(user, Fact.document_id == doc.id),
                 "That commentary has no approved facts yet.")


def class_deck(user: User, course_id: int, commentary: Any = None) -> DeckFile:
    """For an instructor of the class: the facts its assignments ask about, or (with
    ``commentary``) those of one commentary the instructor may read."""
    course = teach.course_for_instructor(user, course_id)
    if commentary is not None:
        doc = readable_commentary(user, commentary)
        return _deck(f"class:{course.id}:document:{doc.slug}", f"{course.name}::{doc.title}",
                     f"quizapp-class-{course.id}-{doc.slug}",
                     _facts(user, Fact.document_id == doc.id),
                     "That commentary has no approved facts yet.")
    asked = {fact_id for assignment in teach.course_assignments(course)
             for question in teach.assignment_questions(assignment)
             for fact_id in question.fact_ids}
    # The class's own questions may come from its owner's commentaries, which a
    # co-instructor cannot open: read them as the owner, as the assignments do.
    return _deck(f"class:{course.id}", course.name, f"quizapp-class-{course.id}",
                 _facts(course.owner, Fact.id.in_(asked or ["-"])),
                 "This class has no assignments yet: choose a commentary instead.")
