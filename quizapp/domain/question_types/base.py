"""What every question type answers (``QuestionType``), and the helpers its forms share.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from ..drafts import AuthorField, Draft
from ..responses import InvalidResponse, ParsedAnswer, Result, Tally


def option_ids(options: list[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in options]


def require_strings(response: Any, message: str) -> None:
    """Refuse a response that is not a list of strings (ids), with ``message``."""
    if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
        raise InvalidResponse(message)


def text_of(options: list[dict[str, str]], option_id: Any) -> str:
    return next((o["text"] for o in options if o["id"] == option_id), str(option_id))


def all_or_nothing(ok: bool) -> Result:
    return Result(ok, 1.0 if ok else 0.0)


def bars(tallies: list[Tally]) -> list[dict[str, Any]]:
    return [{"id": i, "label": text, "count": n, "correct": key} for i, text, key, n in tallies]


class QuestionType:
    """What every form answers; subclasses fill in their own."""

    #: The API value (``payload["type"]``, ``Question.type``).
    name: str
    #: The form's name for instructors: review filters, badges, warm-up options.
    label: str
    #: What a student reads: the question card's heading and the quiz options.
    student_label: str
    #: The partial with this form's macros (widgets, summary, projector, feedback_key).
    template: str
    #: JSON schema of a well-formed ``response`` (the OpenAPI description).
    response_schema: dict[str, Any]
    #: The Moodle XML question type it exports as.
    moodle_type: str
    #: Payload fields holding option lists (``{"id", "text"}``) an instructor may reword.
    option_groups: tuple[str, ...] = ()
    #: The key in words is a list whose order is the point (shown numbered).
    ordered_key = False
    #: The projector shows the options as lettered tiles, and its bars carry the letters.
    tiles = False
    #: Its wrong options are distractors: item analysis flags one nobody chose.
    distractors = False
    #: Heading of the item-analysis column of options.
    tally_heading = "Choice"
    #: Said under the prompt in the instructor's edit form.
    prompt_note = ""
    #: Feedback shows the explanation (a key that lists the parts says it all already).
    shows_explanation = True
    #: What the instructor's author form calls the prompt, and what it says when it is empty.
    prompt_label = "Question"
    missing_prompt = "Write the question."
    #: The author form's section of answer fields it uses: forms naming the same section
    #: share its fields; shown by ``teach/author/_<section>.html`` if there is one, else
    #: by ``teach/author/_fields.html`` (each field under the form's label).
    author_section: str
    #: Its answer fields in the author form and the API's body (``read_fields`` reads them).
    author_fields: tuple[AuthorField, ...] = ()
    #: What its answer fields must hold, for the API's description of the body.
    author_rules: str = ""

    @property
    def shown_fields(self) -> tuple[str, ...]:
        """Payload fields a student sees beside the prompt before answering (never the key):
        its option lists."""
        return self.option_groups

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """Right, wrong or partly right; ``InvalidResponse`` for a malformed response."""
        raise NotImplementedError

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        """Read the response from form data (a MultiDict) posted by the type's partial."""
        raise NotImplementedError

    def response_text(self, payload: Mapping[str, Any], response: Any) -> str | list[str]:
        """A response in words, shaped like ``answer_text``."""
        return str(response)

    def example(self, payload: Mapping[str, Any]) -> Any:
        """Some well-formed response (right or wrong)."""
        raise NotImplementedError

    def tally(self, payload: Mapping[str, Any], responses: Sequence[Any]) -> list[Tally]:
        """How often each option was chosen (nothing for forms without options to count)."""
        return []

    def histogram(self, payload: Mapping[str, Any],
                  answers: Sequence[tuple[Any, bool]]) -> list[dict[str, Any]]:
        """Projector bars for (response, correct) pairs: right and wrong by default."""
        right = sum(1 for _, ok in answers if ok)
        return [{"id": "right", "label": "Right", "count": right, "correct": True},
                {"id": "wrong", "label": "Wrong", "count": len(answers) - right,
                 "correct": False}]

    def key_options(self, payload: Mapping[str, Any]) -> set[str]:
        """Options ("group.id") whose text is the key, so an edit may not change it."""
        return {f"{g}.{o['id']}" for g in self.option_groups for o in payload.get(g, [])}

    def prompt_error(self, payload: Mapping[str, Any], prompt: str) -> str | None:
        """Why a reworded prompt is refused, if the prompt is part of the key."""
        return None

    def reworded(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The edited payload with the fields derived from the wording brought up to date."""
        return payload

    def corrected_by_facts(self, payload: Mapping[str, Any]) -> bool:
        """Its feedback quotes the true sentences of the question's facts (a false
        statement, corrected), passed to the partial's ``feedback_key``."""
        return False

    def print_key(self, payload: Mapping[str, Any]) -> list[str]:
        """The key as printed: in the printed sheet's letters and positions, so a marker
        reads it against a student's paper (print/_question.html, the partial's
        ``printed``)."""
        text = payload.get("answer_text", payload["answer"])
        return [", ".join(text) if isinstance(text, list) else str(text)]

    def export_prompt(self, payload: Mapping[str, Any]) -> str:
        """The question text GIFT and Moodle XML carry."""
        return payload["prompt"]

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        """The GIFT question text and answer lines (escaped)."""
        raise NotImplementedError

    def moodle_xml(self, question: ET.Element, payload: Mapping[str, Any]) -> None:
        """Add the answer elements of Moodle's ``moodle_type`` to ``question``."""
        raise NotImplementedError

    def draft_errors(self, draft: Draft) -> dict[str, str]:
        """The rules a draft's fields of this form break, field name → message."""
        raise NotImplementedError

    def fill_payload(self, draft: Draft, payload: dict[str, Any], rng: random.Random) -> None:
        """Add a checked draft's options and key to ``payload``; ``rng`` (seeded by the
        question's id) shuffles the display orders a draft does not fix."""
        raise NotImplementedError

    def fill_draft(self, payload: Mapping[str, Any], draft: Draft) -> None:
        """Set this form's fields of ``draft`` from a stored payload (``fill_payload`` undone)."""
        raise NotImplementedError

    def read_fields(self, data: Mapping[str, Any], draft: Draft, errors: dict[str, str],
                    seed: str) -> None:
        """Set this form's fields of ``draft`` from the author form's or the API's ``data``;
        a malformed field's message goes to ``errors``; ``seed`` fixes any mixed order."""
        raise NotImplementedError

    def draft_fields(self, draft: Draft) -> dict[str, Any]:
        """This form's fields of ``draft`` as the API sends them (``read_fields`` undone),
        to fill the author form when the question is edited."""
        return dict(draft.data)


class PartialCredit(QuestionType):
    """Scored by parts: the projector also counts the partly right."""

    def histogram(self, payload: Mapping[str, Any],
                  answers: Sequence[tuple[Any, bool]]) -> list[dict[str, Any]]:
        right = sum(1 for _, ok in answers if ok)
        partly = 0
        for response, ok in answers:
            if not ok:
                try:
                    partly += self.check(payload, response).credit > 0
                except InvalidResponse:
                    pass
        return [{"id": "right", "label": "Right", "count": right, "correct": True},
                {"id": "partly", "label": "Partly right", "count": partly, "correct": False},
                {"id": "wrong", "label": "Wrong", "count": len(answers) - right - partly,
                 "correct": False}]
