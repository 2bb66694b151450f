"""API v1 for questions an instructor writes by hand or imports from GIFT / Moodle XML."""

from __future__ import annotations

from typing import Any

from ..services import teach
from . import RequestBody, bodies, current_api_user, parse_body
from .openapi import operation
from .teach import _question_json

_QUESTION_ERRORS = {400: "A field breaks a rule", 401: "No token", 403: "Not an instructor"}


def _one(draft: RequestBody) -> dict[str, Any]:
    """The fields sent (as the service reads them), ``right`` as a list."""
    data = draft.model_dump(exclude_unset=True)
    if isinstance(data.get("right"), str):
        data = {**data, "right": [data["right"]]}
    return data


@operation("post", "/questions",
           "Write a question by hand (instructors): it is yours, asked in your classes' "
           "assignments and your warm-ups only", body=bodies.QuestionDraft,
           responses={201: "The question, with its key", **_QUESTION_ERRORS})
def create_question():
    """Write a question by hand: yours alone, for your classes and warm-ups."""
    _revision, new = bodies.question_bodies()
    question = teach.create_question(current_api_user(), _one(parse_body(new)))
    return _question_json(question), 201


@operation("put", "/questions/<int:question_id>",
           "Change a question you wrote or imported, key included: a new version replaces "
           "it (the same text again changes nothing; its `type` cannot change)",
           body=bodies.QuestionRevision, responses={200: "The new version", **_QUESTION_ERRORS,
                                       404: "Not one of yours", 409: "Already replaced"})
def replace_question(question_id: int):
    """Change a question you wrote or imported, key included, as a new version."""
    revision, _new = bodies.question_bodies()
    data = _one(parse_body(revision))
    return _question_json(teach.revise_question(current_api_user(), question_id, data))


@operation("post", "/questions/import",
           "Import questions from a GIFT or Moodle XML file as your own (instructors); "
           "`dry_run: true` answers 200 with what would be imported and what is left out",
           body=bodies.QuestionImport,
           responses={200: "dry_run: {questions, skipped}", 201: "{imported, skipped}",
                      400: "Unreadable file, or nothing to import", 401: "No token",
                      403: "Not an instructor"})
def import_questions():
    """Import a GIFT or Moodle XML file; ``dry_run`` only says what would be imported."""
    upload = parse_body(bodies.QuestionImport)
    user = current_api_user()
    if upload.dry_run:
        plan = teach.plan_import(user, upload.format, upload.text, upload.topic)
        return {"questions": [{"type": p["type"], "prompt": p["prompt"],
                               "answer_text": p["answer_text"], "notes": d.notes}
                              for d, p in plan.ready],
                "skipped": [{"where": w, "reason": r} for w, r in plan.skipped]}
    stored, skipped = teach.import_questions(user, upload.format, upload.text, upload.topic)
    return {"imported": [_question_json(q) for q in stored],
            "skipped": [{"where": w, "reason": r} for w, r in skipped]}, 201
