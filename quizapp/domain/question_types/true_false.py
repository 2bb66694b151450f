"""A statement to judge true or false."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from ..drafts import AuthorField, Draft
from ..exports import _answer
from ..responses import InvalidResponse, ParsedAnswer, Result, Tally
from ..text import normalize
from .base import QuestionType, all_or_nothing, bars

#: What a stored prompt puts before the statement.
PREFIX = "True or false? "


class TrueFalse(QuestionType):
    name = "true_false"
    label = "True / false"
    student_label = "True or false"
    template = "questions/_true_false.html"
    moodle_type = "truefalse"
    tiles = True
    author_section = "truth"
    author_fields = (AuthorField("answer", "The statement is", {"type": "boolean"},
                                 widget="choice", doc="true_false: is the statement true?",
                                 form_name="truth",
                                 choices=(("true", "True"), ("false", "False"))),)
    author_rules = "`answer`"
    response_schema = {"type": "boolean", "description": "true_false: true or false"}
    prompt_note = "The statement is the key: only its case, punctuation and spacing can change."
    prompt_label = "Statement"
    missing_prompt = "Write the statement to judge true or false."

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """A boolean."""
        if not isinstance(response, bool):
            raise InvalidResponse("Answer true or false (a JSON boolean).")
        return all_or_nothing(response is payload["answer"])

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        value = formdata.get(name, "")
        if value not in ("true", "false"):
            return ParsedAnswer(error="Choose True or False.")
        return ParsedAnswer(value == "true", value == "true")

    def response_text(self, payload: Mapping[str, Any], response: Any) -> str:
        return "True" if response is True else "False"

    def example(self, payload: Mapping[str, Any]) -> Any:
        return True

    def tally(self, payload: Mapping[str, Any], responses: Sequence[Any]) -> list[Tally]:
        return [(text.lower(), text, payload["answer"] is value,
                 sum(1 for r in responses if r is value))
                for value, text in ((True, "True"), (False, "False"))]

    def histogram(self, payload: Mapping[str, Any],
                  answers: Sequence[tuple[Any, bool]]) -> list[dict[str, Any]]:
        return bars(self.tally(payload, [r for r, _ok in answers]))

    def prompt_error(self, payload: Mapping[str, Any], prompt: str) -> str | None:
        if normalize(prompt) == normalize(payload["prompt"]):
            return None
        return ("The statement is the key: only its case, punctuation and spacing can change "
                "here. To change what is true, retire the question and fix the fact.")

    def reworded(self, payload: dict[str, Any]) -> dict[str, Any]:
        # answer_text and the keys' texts cannot change; the statement follows the prompt.
        return {**payload, "statement": re.sub(r"^True or false\?\s*", "", payload["prompt"])}

    def corrected_by_facts(self, payload: Mapping[str, Any]) -> bool:
        return payload["answer"] is False

    def export_prompt(self, payload: Mapping[str, Any]) -> str:
        return payload.get("statement") or payload["prompt"]

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        return self.export_prompt(payload), ["TRUE" if payload["answer"] else "FALSE"]

    def moodle_xml(self, question: ET.Element, payload: Mapping[str, Any]) -> None:
        _answer(question, "100" if payload["answer"] else "0", "true", "moodle_auto_format")
        _answer(question, "0" if payload["answer"] else "100", "false", "moodle_auto_format")

    def print_key(self, payload: Mapping[str, Any]) -> list[str]:
        return ["True" if payload["answer"] is True else "False"]

    def draft_errors(self, draft: Draft) -> dict[str, str]:
        if isinstance(draft.truth, bool):
            return {}
        return {"truth": "Say whether it is true or false."}

    def fill_payload(self, draft: Draft, payload: dict[str, Any], rng: random.Random) -> None:
        statement = draft.prompt.removeprefix(PREFIX.strip()).strip()
        payload.update(prompt=PREFIX + statement, statement=statement,
                       answer=draft.truth, answer_text="True" if draft.truth else "False")

    def fill_draft(self, payload: Mapping[str, Any], draft: Draft) -> None:
        draft.prompt = payload.get("statement") or payload["prompt"].removeprefix(PREFIX)
        draft.truth = payload["answer"]

    def read_fields(self, data: Mapping[str, Any], draft: Draft, errors: dict[str, str],
                    seed: str) -> None:
        """``answer``: the statement's truth (a boolean, or "true" or "false")."""
        truth = data.get("answer")
        draft.truth = {"true": True, "false": False}.get(truth, truth) \
            if isinstance(truth, str | bool) else None

    def draft_fields(self, draft: Draft) -> dict[str, Any]:
        return {"answer": draft.truth}
