"""Choices, one right (multiple choice) or several (select all that apply)."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from ..drafts import (
    MAX_OPTION,
    MAX_OPTIONS,
    TEXT_LIST,
    AuthorField,
    Draft,
    choices_from,
    first_duplicate,
    option_list,
    text_list,
    too_long,
)
from ..exports import _answer, _gift_html, _html, _weight
from ..printing import label_of
from ..responses import InvalidResponse, ParsedAnswer, Result, Tally
from .base import QuestionType, all_or_nothing, bars, option_ids, require_strings, text_of


class _Choices(QuestionType):
    """Choices, one or several of them right."""

    template = "questions/_choices.html"
    moodle_type = "multichoice"
    option_groups = ("choices",)
    tiles = True
    distractors = True
    author_section = "choices"
    author_fields = (
        AuthorField("right", "Right answer",
                    {"anyOf": [{"type": "string", "maxLength": MAX_OPTION}, TEXT_LIST]},
                    hint="Select all that apply: one right answer a line.",
                    doc="mcq, multi: the right answer(s).", rows=2),
        AuthorField("wrong", "Wrong answers, one a line", TEXT_LIST,
                    hint="Multiple choice needs at least two.", rows=4))
    #: Several choices may be ticked.
    multiple = False

    def keys(self, payload: Mapping[str, Any]) -> set[str]:
        answer = payload["answer"]
        return set(answer) if self.multiple else {answer}

    def key_options(self, payload: Mapping[str, Any]) -> set[str]:
        return {f"choices.{a}" for a in self.keys(payload)}

    def tally(self, payload: Mapping[str, Any], responses: Sequence[Any]) -> list[Tally]:
        keys = self.keys(payload)
        return [(c["id"], c["text"], c["id"] in keys,
                 sum(1 for r in responses
                     if (c["id"] in r if isinstance(r, list) else r == c["id"])))
                for c in payload["choices"]]

    def histogram(self, payload: Mapping[str, Any],
                  answers: Sequence[tuple[Any, bool]]) -> list[dict[str, Any]]:
        return bars(self.tally(payload, [r for r, _ok in answers]))

    def moodle_xml(self, question: ET.Element, payload: Mapping[str, Any]) -> None:
        single = not self.multiple
        ET.SubElement(question, "single").text = "true" if single else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "abc"
        keys = self.keys(payload)
        weight = _weight(100 / len(keys))
        for choice in payload["choices"]:
            if choice["id"] in keys:
                fraction = "100" if single else weight
            else:
                fraction = "0" if single else f"-{weight}"
            _answer(question, fraction, _html(choice["text"]))

    def count_errors(self, right: list[str], wrong: list[str]) -> dict[str, str]:
        """Too few right or wrong answers for this form ("right" before "wrong")."""
        raise NotImplementedError

    def draft_errors(self, draft: Draft) -> dict[str, str]:
        texts = [t for t, _ in draft.choices]
        errors: dict[str, str] = {}
        if not all(texts):
            errors["wrong"] = "An answer cannot be empty."
        errors.update(self.count_errors([t for t, ok in draft.choices if ok],
                                        [t for t, ok in draft.choices if not ok]))
        if len(texts) > MAX_OPTIONS:
            errors["wrong"] = f"Offer at most {MAX_OPTIONS} answers in all."
        elif too_long(texts):
            errors["wrong"] = f"Keep each answer to {MAX_OPTION} characters."
        same = first_duplicate(texts)
        if same and "wrong" not in errors:
            errors["wrong"] = (f"“{same[:60]}” is offered twice (the answers must read "
                               "differently, case and punctuation aside).")
        return errors

    def fill_payload(self, draft: Draft, payload: dict[str, Any], rng: random.Random) -> None:
        payload["choices"] = option_list([t for t, _ in draft.choices])
        keys = [c["id"] for c, (_, ok) in zip(payload["choices"], draft.choices, strict=True)
                if ok]
        texts = [t for t, ok in draft.choices if ok]
        payload["answer"] = keys if self.multiple else keys[0]
        payload["answer_text"] = texts if self.multiple else texts[0]

    def fill_draft(self, payload: Mapping[str, Any], draft: Draft) -> None:
        keys = self.keys(payload)
        draft.choices = [(c["text"], c["id"] in keys) for c in payload["choices"]]

    def read_fields(self, data: Mapping[str, Any], draft: Draft, errors: dict[str, str],
                    seed: str) -> None:
        """``right`` and ``wrong`` (lists, or one text a line), mixed in an order fixed by
        ``seed``."""
        right = text_list(data.get("right"), "right", errors)
        wrong = text_list(data.get("wrong"), "wrong", errors)
        draft.choices = choices_from(right, wrong, random.Random(seed))

    def draft_fields(self, draft: Draft) -> dict[str, Any]:
        return {"right": [t for t, ok in draft.choices if ok],
                "wrong": [t for t, ok in draft.choices if not ok]}


class MultipleChoice(_Choices):
    name = "mcq"
    label = student_label = "Multiple choice"
    author_rules = "`right`: one text, `wrong`: at least two"
    response_schema = {"type": "string", "description": "mcq: the chosen choice id"}

    def count_errors(self, right: list[str], wrong: list[str]) -> dict[str, str]:
        errors: dict[str, str] = {}
        if len(right) != 1:
            errors["right"] = ("Give the one right answer." if not right else
                               "Multiple choice has exactly one right answer; for several, "
                               "choose “Select all that apply”.")
        if len(wrong) < 2:
            errors["wrong"] = "Give at least two wrong answers."
        return errors

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """One choice id; right when it is the key."""
        if not isinstance(response, str) or not response:
            raise InvalidResponse("Choose one of the answers (send its choice id as a string).")
        if response not in option_ids(payload["choices"]):
            raise InvalidResponse(f"Unknown choice id {response[:20]!r}.")
        return all_or_nothing(response == payload["answer"])

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        value = formdata.get(name, "")
        if not value:
            return ParsedAnswer(error="Choose an answer.")
        if value not in option_ids(payload["choices"]):
            return ParsedAnswer(error="Choose one of the answers shown.")
        return ParsedAnswer(value, value)

    def response_text(self, payload: Mapping[str, Any], response: Any) -> str:
        return text_of(payload["choices"], response)

    def example(self, payload: Mapping[str, Any]) -> Any:
        return payload["choices"][0]["id"]

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        # "=" (100 %) keeps the question single-answer; "~%0%" so "%50%" text is text.
        return payload["prompt"], [
            f"{'=' if c['id'] == payload['answer'] else '~%0%'}{_gift_html(c['text'])}"
            for c in payload["choices"]]

    def print_key(self, payload: Mapping[str, Any]) -> list[str]:
        return [label_of(payload["choices"], payload["answer"])]


class MultipleResponse(_Choices):
    name = "multi"
    label = "Multiple response"
    student_label = "Select all that apply"
    multiple = True
    author_rules = "`right`, `wrong`: at least one each"
    response_schema = {"type": "array", "items": {"type": "string"},
                       "description": "multi: the chosen choice ids"}

    def count_errors(self, right: list[str], wrong: list[str]) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not right:
            errors["right"] = "Give at least one right answer."
        if not wrong:
            errors["wrong"] = "Give at least one wrong answer."
        return errors

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """A list of choice ids; credit for right picks minus wrong picks, right when exact."""
        require_strings(response, "Send the chosen choice ids as a list of strings.")
        if not response:
            raise InvalidResponse("Choose at least one answer.")
        if len(set(response)) != len(response):
            raise InvalidResponse("A choice id appears twice.")
        unknown = set(response) - set(option_ids(payload["choices"]))
        if unknown:
            raise InvalidResponse(f"Unknown choice id {sorted(unknown)[0][:20]!r}.")
        key = set(payload["answer"])
        picked = set(response)
        if picked == key:
            return Result(True, 1.0)
        credit = max(0.0, (len(picked & key) - len(picked - key)) / len(key))
        return Result(False, round(credit, 4))

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        picked = set(formdata.getlist(name))
        if not picked:
            return ParsedAnswer(draft=[], error="Tick at least one answer.")
        if picked - set(option_ids(payload["choices"])):
            return ParsedAnswer(draft=[], error="Choose among the answers shown.")
        values = [i for i in option_ids(payload["choices"]) if i in picked]
        return ParsedAnswer(values, values)

    def response_text(self, payload: Mapping[str, Any], response: Any) -> list[str]:
        return [text_of(payload["choices"], r) for r in response]

    def example(self, payload: Mapping[str, Any]) -> Any:
        return [payload["choices"][0]["id"]]

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        keys = set(payload["answer"])
        weight = _weight(100 / len(keys))
        return payload["prompt"], [
            f"~%{'' if c['id'] in keys else '-'}{weight}%{_gift_html(c['text'])}"
            for c in payload["choices"]]

    def print_key(self, payload: Mapping[str, Any]) -> list[str]:
        chosen = set(payload["answer"])
        return [label_of(payload["choices"], c["id"]) for c in payload["choices"]
                if c["id"] in chosen]
