"""An assignment's or a commentary's questions as CSV, GIFT, Moodle XML or JSON."""

from __future__ import annotations

import random
import re
from typing import Any

from sqlalchemy import select

from ...domain import exports
from ...domain.generator import contract_view
from ...domain.selection import draw
from ...domain.text import normalize
from ...errors import invalid
from ...extensions import db
from ...models import (
    Assignment,
    Fact,
    Question,
)
from .. import study
from .grading import gradebook, gradebook_csv

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
                                  assignment.types, assignment.topics, fill=True)]
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


def _labelled(questions: list[Question]) -> list[tuple[str, dict[str, Any]]]:
    """Each question with its export label, "uid vN", and its payload named by uid."""
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
        return (exports.to_gift(_labelled(questions), category), "text/plain",
                f"{base}.gift.txt")
    if fmt == "moodle_xml":
        return (exports.to_moodle_xml(_labelled(questions), category),
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
