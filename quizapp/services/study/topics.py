"""What a learner may see (seed facts, their classes' commentaries) and topic titles."""

from __future__ import annotations

import functools
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...domain.facts import load_factbase, seed_paths
from ...domain.passages import Segment, fact_sentence, passages
from ...domain.selection import Candidate, letter_of, number_of, truth_of
from ...extensions import db
from ...models import (
    Commentary,
    Course,
    Enrollment,
    Fact,
    FactStatus,
    Question,
    QuestionStatus,
    Role,
    User,
)


def seen_by(owner_id: int | None):
    """SQL: the question rows an instructor's draws use, or (None) the shared bank.

    An instructor's own version of a question (``Question.owner_id``: their edit, or their
    retirement) stands in for the shared one in their classes and warm-ups only; students
    practising on their own, and everyone else, draw from the shared bank.
    """
    shared = Question.owner_id.is_(None)
    if owner_id is None:
        return shared
    own = aliased(Question)
    replaced = select(own.uid).where(own.owner_id == owner_id)
    # is_not(None) first: no NULL comparison, so the negation (teach.review_queue) holds too.
    mine = Question.owner_id.is_not(None) & (Question.owner_id == owner_id)
    return mine | (shared & Question.uid.not_in(replaced))


def active_candidates(commentary_ids: list[int] | None = None,
                      owner_id: int | None = None,
                      readable_by: User | None = None) -> list[Candidate]:
    """Questions that may be asked: active, about approved facts only, in ``seen_by``, and
    (with ``readable_by``) from the commentaries that user may read."""
    query = select(Question.id, Question.type, Question.topic, Question.fact_ids,
                   Question.payload["importance"].as_string(),
                   Question.payload["cues"], Question.payload["near"],
                   Question.payload["answer"]).where(
        Question.status == QuestionStatus.ACTIVE, seen_by(owner_id))
    if readable_by is not None:
        query = query.where(Question.document_id.in_(visible_commentary_ids(readable_by)))
    if commentary_ids:
        query = query.where(Question.document_id.in_(commentary_ids))
    approved = set(db.session.scalars(select(Fact.id).where(Fact.status == FactStatus.APPROVED)))
    return [Candidate(qid, qtype, topic, tuple(facts), importance or "supporting",
                      tuple(cues or ()), tuple(near or ()), truth_of(qtype, answer),
                      letter_of(qtype, answer), number_of(qtype, answer))
            for qid, qtype, topic, facts, importance, cues, near, answer
            in db.session.execute(query)
            if all(f in approved for f in facts)]


def known_topics() -> list[str]:
    return sorted(set(db.session.scalars(select(Fact.topic).where(
        Fact.status == FactStatus.APPROVED))))


@functools.lru_cache(maxsize=8)
def _seed_topic_titles(seeds_dir: str) -> dict[str, str]:
    """Topic id → title from the fact files' ``topics:`` lists, in their order."""
    titles: dict[str, str] = {}
    for path in seed_paths(seeds_dir):
        for topic in load_factbase(path).topics:
            titles.setdefault(topic.id, topic.title)
    return titles


def _tidy(topic_id: str) -> str:
    return topic_id.replace("-", " ").capitalize()


def topic_titles() -> dict[str, str]:
    """Topic id → title of every topic with approved facts: the one source of topic titles.

    The fact files' topics come first, in their order; then each imported commentary's
    (its topic is its slug) under the commentary's title, sorted by that title.
    """
    known = set(known_topics())
    titles = {t: title for t, title in
              _seed_topic_titles(str(current_app.config["SEEDS_DIR"])).items() if t in known}
    rest = known - set(titles)
    imported = dict(db.session.execute(select(Commentary.slug, Commentary.title).where(
        Commentary.slug.in_(rest))).all()) if rest else {}
    for topic in sorted(rest, key=lambda t: ((imported.get(t) or _tidy(t)).casefold(), t)):
        titles[topic] = imported.get(topic) or _tidy(topic)
    return titles


def topic_title(topic_id: str) -> str:
    """The readable title of one topic (a query only for an imported commentary's)."""
    titles = _seed_topic_titles(str(current_app.config["SEEDS_DIR"]))
    if topic_id in titles:
        return titles[topic_id]
    return db.session.scalar(select(Commentary.title).where(Commentary.slug == topic_id)) \
        or _tidy(topic_id)


def topic_options(user: User | None = None) -> list[tuple[str, str]]:
    """(id, title) of every topic with approved facts, or of those ``user`` may practise."""
    titles = topic_titles()
    if user is not None:
        allowed = practice_topics(user, titles)
        return [(topic, title) for topic, title in titles.items() if topic in allowed]
    return list(titles.items())


def practice_topics(user: User, titles: dict[str, str] | None = None) -> set[str]:
    """The topics ``user`` may draw questions from: those of the commentaries they may read
    (``visible_commentary_ids``), so lists, validation and draws follow one rule."""
    titles = topic_titles() if titles is None else titles
    seeds = _seed_topic_titles(str(current_app.config["SEEDS_DIR"]))
    readable = set(db.session.scalars(select(Commentary.slug).where(
        Commentary.slug.in_([t for t in titles if t not in seeds] or ["-"]),
        Commentary.id.in_(visible_commentary_ids(user)))))
    return {t for t in titles if t in seeds or t in readable}


def source_passages(source: dict[str, Any]) -> list[list[Segment]]:
    """The commentary paragraphs that hold a question's quotes, the quotes marked."""
    quotes = source.get("quotes") or [source.get("quote", "")]
    text = db.session.scalar(select(Commentary.text).where(
        Commentary.slug == source.get("document", "")))
    if text is None:
        return [[Segment(q, True, ("0",))] for q in quotes if q]
    return passages(text, quotes)


def true_statements(question: Question) -> list[str]:
    """The facts a question asks about, each as a true sentence (to correct a false one)."""
    by_id = {f.id: f for f in db.session.scalars(
        select(Fact).where(Fact.id.in_(question.fact_ids)))}
    return [fact_sentence(by_id[f].data) for f in question.fact_ids if f in by_id]


def course_instructor_ids(course_ids):
    """SQL: ids of the owners and co-instructors of the classes ``course_ids`` selects."""
    owners = select(Course.owner_id).where(Course.id.in_(course_ids))
    return owners.union(select(Enrollment.user_id).where(
        Enrollment.course_id.in_(course_ids), Enrollment.role == Role.INSTRUCTOR))


def visible_commentary_ids(user: User):
    """SQL: ids of the commentaries ``user`` may read; every route that shows one uses it.

    Everyone reads the seed texts. An instructor reads their own commentaries, drafts too;
    a student reads those with approved facts whose author teaches a class they are in.
    """
    if user.is_instructor:
        mine = Commentary.created_by_id == user.id
    else:
        classes = select(Enrollment.course_id).where(Enrollment.user_id == user.id,
                                                     Enrollment.role == Role.STUDENT)
        mine = Commentary.created_by_id.in_(course_instructor_ids(classes)) & \
            Commentary.id.in_(select(Fact.document_id).where(
                Fact.status == FactStatus.APPROVED))
    return select(Commentary.id).where(Commentary.created_by_id.is_(None) | mine)


def readable_commentaries(user: User) -> list[Commentary]:
    """The commentaries ``user`` may read, oldest first."""
    return list(db.session.scalars(select(Commentary).where(
        Commentary.id.in_(visible_commentary_ids(user))).order_by(Commentary.id)))


def facts_of(document: Commentary) -> list[Fact]:
    """The approved facts of a commentary, in reading order."""
    return list(db.session.scalars(
        select(Fact).where(Fact.document_id == document.id,
                           Fact.status == FactStatus.APPROVED)
        .order_by(Fact.position, Fact.id)))
