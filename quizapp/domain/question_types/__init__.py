"""Question types: one class per form, everything quizapp does with a question of that form.

Each type carries its name (the API value), labels, checker, form parsing, response in
words, answer counts, editable and key options, GIFT and Moodle XML writing, template
partial, the JSON schema of a response, and its part of authoring (the answer fields of
the author form and the API's body, and the rules, payload and draft of a question an
instructor writes). Code that handles a question asks the registry
(``QUESTION_TYPES[payload["type"]]``) instead of branching on the type, so a seventh form
is a class in this package (listed in ``QUESTION_TYPES``), its partial in
``templates/questions/`` and its entry in ``FORMS`` of ``static/js/live-play.js`` (the
phone). What may come on top (the generator making it, import) is in
docs/architecture.md.

``base`` holds what every type answers; a module per family holds the types.
Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..drafts import AuthorField
from ..responses import MAX_TEXT, InvalidResponse, ParsedAnswer, Result, Tally
from .base import QuestionType
from .choices import MultipleChoice, MultipleResponse
from .ordered import Matching, Ordering
from .short import ShortAnswer
from .true_false import TrueFalse

__all__ = ["MAX_TEXT", "QUESTION_TYPES", "AuthorField", "InvalidResponse", "Matching",
           "MultipleChoice", "MultipleResponse", "Ordering", "ParsedAnswer", "QuestionType",
           "Result", "ShortAnswer", "Tally", "TrueFalse", "author_fields", "check",
           "response_schema"]

#: Every question type by its API name, in the order forms are offered.
QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t for t in (MultipleChoice(), MultipleResponse(), TrueFalse(), ShortAnswer(),
                        Ordering(), Matching())}


def response_schema() -> dict[str, Any]:
    """JSON schema of a response to any question: the types' own schemas, one of which fits."""
    return {"anyOf": [t.response_schema for t in QUESTION_TYPES.values()],
            "description": "The answer, shaped by the question's type."}


def author_fields(types: Iterable[QuestionType]) -> list[AuthorField]:
    """The answer fields of ``types`` (the registry's values), each once, in their order:
    forms sharing an author section declare the same fields."""
    fields: dict[str, AuthorField] = {}
    for qtype in types:
        for spec in qtype.author_fields:
            fields.setdefault(spec.name, spec)
    return list(fields.values())


def check(payload: Mapping[str, Any], response: Any) -> Result:
    """Check ``response`` with the checker of the question's type."""
    return QUESTION_TYPES[payload["type"]].check(payload, response)
