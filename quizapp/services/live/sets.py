"""Saved question sets: an instructor previews a draw (or lists ids), keeps it under a
name, and starts warm-ups from it instead of a random draw."""

from __future__ import annotations

import random
import secrets
from typing import Any

from sqlalchemy import func, select

from ...database import begin_write
from ...domain.selection import draw
from ...errors import ServiceError, forbidden, invalid, not_found
from ...extensions import db
from ...models import LiveQuestionSet, User, utcnow
from ..questions import stored_question
from ..study import MAX_COUNT, active_candidates, topic_titles, validate_filters

SET_NAME_MAX = 80


def _instructor(user: User) -> None:
    if not user.is_instructor:
        raise forbidden("Only instructors keep question sets.")


def sets_of(user: User) -> list[LiveQuestionSet]:
    """The user's saved sets, by name."""
    return list(db.session.scalars(select(LiveQuestionSet).where(
        LiveQuestionSet.owner_id == user.id).order_by(func.lower(LiveQuestionSet.name),
                                                      LiveQuestionSet.id)))


def question_set(user: User, set_id: Any) -> LiveQuestionSet:
    """One of the user's sets: 404 when there is none, 403 when it is another's."""
    found = db.session.get(LiveQuestionSet, set_id) \
        if isinstance(set_id, int) and not isinstance(set_id, bool) else None
    if found is None:
        raise not_found("That question set")
    if found.owner_id != user.id:
        raise forbidden("That question set belongs to another instructor.")
    return found


def _visible_ids(user: User) -> set[int]:
    """Questions the user may put in a set: as for their warm-ups (own versions, active,
    approved facts, from the commentaries they may read)."""
    return {c.id for c in active_candidates(owner_id=user.id, readable_by=user)}


def _clean_ids(user: User, question_ids: Any) -> list[int]:
    if not isinstance(question_ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in question_ids):
        raise invalid("List the questions as ids (integers).",
                      {"question_ids": "Send a list of question ids."})
    if not 1 <= len(question_ids) <= MAX_COUNT:
        raise invalid(f"A set has 1 to {MAX_COUNT} questions.",
                      {"question_ids": f"Keep 1 to {MAX_COUNT} questions."})
    if len(set(question_ids)) != len(question_ids):
        raise invalid("A question appears twice.", {"question_ids": "List each question once."})
    unknown = [i for i in question_ids if i not in _visible_ids(user)]
    if unknown:
        raise invalid("Some question ids are unknown, retired or not yours to use.",
                      {"question_ids": f"Unknown or retired: {unknown[:10]}"})
    return list(question_ids)


def _clean_name(user: User, name: Any, keep: LiveQuestionSet | None = None) -> str:
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        raise invalid("Name the set.", {"name": "Type a name, e.g. “Week 3 warm-up”."})
    if len(text) > SET_NAME_MAX:
        raise invalid("That name is too long.", {"name": f"Use at most {SET_NAME_MAX} "
                                                         "characters."})
    clash = db.session.scalar(select(LiveQuestionSet.id).where(
        LiveQuestionSet.owner_id == user.id, func.lower(LiveQuestionSet.name) == text.lower()))
    if clash is not None and (keep is None or clash != keep.id):
        raise ServiceError(409, "name_taken", f"You already have a set called “{text}”.",
                           {"name": "Choose another name."})
    return text


def save_set(user: User, name: Any, question_ids: Any) -> LiveQuestionSet:
    """Keep a new set of questions under a name of the user's."""
    _instructor(user)
    begin_write(db.session)
    found = LiveQuestionSet(owner_id=user.id, name=_clean_name(user, name),
                            question_ids=_clean_ids(user, question_ids))
    db.session.add(found)
    db.session.flush()
    return found


def update_set(user: User, set_id: Any, *, name: Any = None,
               question_ids: Any = None) -> LiveQuestionSet:
    """Rename a set or change its questions (what is not sent stays)."""
    _instructor(user)
    begin_write(db.session)
    found = question_set(user, set_id)
    fields: dict[str, str] = {}
    new_name, new_ids = found.name, found.question_ids
    for step in ("name", "question_ids"):
        try:
            if step == "name" and name is not None:
                new_name = _clean_name(user, name, keep=found)
            elif step == "question_ids" and question_ids is not None:
                new_ids = _clean_ids(user, question_ids)
        except ServiceError as exc:
            if exc.status == 409:
                raise
            fields.update(exc.fields or {})
    if fields:
        raise invalid("Some of the set's fields are not valid.", fields)
    found.name, found.question_ids, found.updated_at = new_name, list(new_ids), utcnow()
    db.session.flush()
    return found


def delete_set(user: User, set_id: Any) -> None:
    """Delete one of the user's sets (warm-ups started from it keep their questions)."""
    _instructor(user)
    begin_write(db.session)
    db.session.delete(question_set(user, set_id))
    db.session.flush()


def preview_draw(user: User, *, count: Any, types: Any = None, topics: Any = None,
                 seed: int | None = None) -> list[int]:
    """The ids a warm-up with these options would draw now, for the instructor to look at
    before saving them as a set."""
    _instructor(user)
    count, types, topics = validate_filters(count, types, topics, user)
    candidates = active_candidates(owner_id=user.id, readable_by=user)
    rng = random.Random(seed if seed is not None else secrets.randbits(31))
    picked = [c.id for c in draw(candidates, count, rng, types, topics)]
    if not picked:
        raise invalid("No questions match those topics and forms.",
                      {"topics": "Choose other topics or forms."})
    return picked


def describe(user: User, question_ids: list[int]) -> list[dict[str, Any]]:
    """What the set pages show per question: prompt, form, topic, key; and whether it can
    still be asked (a retired or hidden question cannot)."""
    visible = _visible_ids(user)
    titles = topic_titles()
    out = []
    for qid in question_ids:
        stored = stored_question(qid)
        if stored is None:
            out.append({"id": qid, "usable": False, "prompt": "(deleted question)",
                        "type": "", "topic": "", "answer_text": ""})
            continue
        out.append({"id": qid, "usable": qid in visible, "prompt": stored.payload["prompt"],
                    "type": stored.type, "topic": titles.get(stored.topic, stored.topic),
                    "answer_text": stored.payload.get("answer_text", "")})
    return out


def set_json(found: LiveQuestionSet) -> dict[str, Any]:
    return {"id": found.id, "name": found.name, "question_ids": list(found.question_ids),
            "question_count": len(found.question_ids),
            "updated_at": found.updated_at.isoformat(timespec="seconds") + "Z"}
