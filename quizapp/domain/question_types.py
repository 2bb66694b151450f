"""Question types: one class per form, everything quizapp does with a question of that form.

Each type carries its name (the API value), labels, checker, form parsing, response in
words, answer counts, editable and key options, GIFT and Moodle XML writing, template
partial and the JSON schema of a response. Code that handles a question asks the registry
(``QUESTION_TYPES[payload["type"]]``) instead of branching on the type, so a new form is a
new class here, its partial in ``templates/questions/`` and its entry in ``FORMS`` of
``static/js/live-play.js`` (the phone). Which facts become which forms is the generator's
business (and ``facts.py``, ``quality.py``), not this module's.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .exports import (
    _ORDINALS,
    _answer,
    _gift_html,
    _gift_plain,
    _gift_short,
    _html,
    _text,
    _weight,
    moodle_accepted,
    shortanswer_pattern,
)
from .printing import label_of
from .responses import MAX_TEXT, InvalidResponse, ParsedAnswer, Result, Tally
from .text import normalize


def _ids(options: list[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in options]


def _text_of(options: list[dict[str, str]], option_id: Any) -> str:
    return next((o["text"] for o in options if o["id"] == option_id), str(option_id))


def _all_or_nothing(ok: bool) -> Result:
    return Result(ok, 1.0 if ok else 0.0)


def _bars(tallies: list[Tally]) -> list[dict[str, Any]]:
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


class _PartialCredit(QuestionType):
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


class _Choices(QuestionType):
    """Choices, one or several of them right."""

    template = "questions/_choices.html"
    moodle_type = "multichoice"
    option_groups = ("choices",)
    tiles = True
    distractors = True
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
        return _bars(self.tally(payload, [r for r, _ok in answers]))

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


class MultipleChoice(_Choices):
    name = "mcq"
    label = student_label = "Multiple choice"
    response_schema = {"type": "string", "description": "mcq: the chosen choice id"}

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """One choice id; right when it is the key."""
        if not isinstance(response, str) or not response:
            raise InvalidResponse("Choose one of the answers (send its choice id as a string).")
        if response not in _ids(payload["choices"]):
            raise InvalidResponse(f"Unknown choice id {response[:20]!r}.")
        return _all_or_nothing(response == payload["answer"])

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        value = formdata.get(name, "")
        if not value:
            return ParsedAnswer(error="Choose an answer.")
        if value not in _ids(payload["choices"]):
            return ParsedAnswer(error="Choose one of the answers shown.")
        return ParsedAnswer(value, value)

    def response_text(self, payload: Mapping[str, Any], response: Any) -> str:
        return _text_of(payload["choices"], response)

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
    response_schema = {"type": "array", "items": {"type": "string"},
                       "description": "multi: the chosen choice ids"}

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """A list of choice ids; credit for right picks minus wrong picks, right when exact."""
        if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
            raise InvalidResponse("Send the chosen choice ids as a list of strings.")
        if not response:
            raise InvalidResponse("Choose at least one answer.")
        if len(set(response)) != len(response):
            raise InvalidResponse("A choice id appears twice.")
        unknown = set(response) - set(_ids(payload["choices"]))
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
        if picked - set(_ids(payload["choices"])):
            return ParsedAnswer(draft=[], error="Choose among the answers shown.")
        values = [i for i in _ids(payload["choices"]) if i in picked]
        return ParsedAnswer(values, values)

    def response_text(self, payload: Mapping[str, Any], response: Any) -> list[str]:
        return [_text_of(payload["choices"], r) for r in response]

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


class TrueFalse(QuestionType):
    name = "true_false"
    label = "True / false"
    student_label = "True or false"
    template = "questions/_true_false.html"
    moodle_type = "truefalse"
    tiles = True
    response_schema = {"type": "boolean", "description": "true_false: true or false"}
    prompt_note = "The statement is the key: only its case, punctuation and spacing can change."

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """A boolean."""
        if not isinstance(response, bool):
            raise InvalidResponse("Answer true or false (a JSON boolean).")
        return _all_or_nothing(response is payload["answer"])

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
        return _bars(self.tally(payload, [r for r, _ok in answers]))

    def prompt_error(self, payload: Mapping[str, Any], prompt: str) -> str | None:
        if normalize(prompt) == normalize(payload["prompt"]):
            return None
        return ("The statement is the key: only its case, punctuation and spacing can change "
                "here. To change what is true, retire the question and fix the fact.")

    def reworded(self, payload: dict[str, Any]) -> dict[str, Any]:
        # answer_text and the keys' texts cannot change; the statement follows the prompt.
        return {**payload, "statement": re.sub(r"^True or false\?\s*", "", payload["prompt"])}

    def export_prompt(self, payload: Mapping[str, Any]) -> str:
        return payload.get("statement") or payload["prompt"]

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        return self.export_prompt(payload), ["TRUE" if payload["answer"] else "FALSE"]

    def moodle_xml(self, question: ET.Element, payload: Mapping[str, Any]) -> None:
        _answer(question, "100" if payload["answer"] else "0", "true", "moodle_auto_format")
        _answer(question, "0" if payload["answer"] else "100", "false", "moodle_auto_format")

    def print_key(self, payload: Mapping[str, Any]) -> list[str]:
        return ["True" if payload["answer"] is True else "False"]


class ShortAnswer(QuestionType):
    name = "short"
    label = "Short answer"
    student_label = "Type the answer"
    template = "questions/_short.html"
    moodle_type = "shortanswer"
    tally_heading = "Typed answer"
    response_schema = {"type": "string", "maxLength": MAX_TEXT,
                       "description": "short: the typed answer"}
    #: Typed answers shown in item analysis before the rest are lumped together.
    SHOWN = 6

    def accepted(self, payload: Mapping[str, Any]) -> list[str]:
        return payload.get("accepted") or [payload["answer"]]

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """Typed text; tolerant of case, punctuation, spelling variants and aliases."""
        if not isinstance(response, str):
            raise InvalidResponse("Type your answer as text.")
        if not response.strip():
            raise InvalidResponse("Type an answer first.")
        if len(response) > MAX_TEXT:
            raise InvalidResponse(f"That answer is too long (at most {MAX_TEXT} characters).")
        return _all_or_nothing(
            normalize(response) in {normalize(a) for a in self.accepted(payload)})

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        text = " ".join(str(formdata.get(name, "")).split())
        if not text:
            return ParsedAnswer(draft="", error="Type your answer first.")
        if len(text) > MAX_TEXT:
            return ParsedAnswer(draft=text[:MAX_TEXT],
                                error=f"That is too long: use at most {MAX_TEXT} characters.")
        return ParsedAnswer(text, text)

    def example(self, payload: Mapping[str, Any]) -> Any:
        return "an answer"

    def tally(self, payload: Mapping[str, Any], responses: Sequence[Any]) -> list[Tally]:
        """The most typed answers (spellings that read the same count as one), then the rest."""
        accepted = {normalize(a) for a in payload.get("accepted", [payload["answer"]])}
        spelled: dict[str, Counter[str]] = {}
        for r in responses:
            if isinstance(r, str):
                spelled.setdefault(normalize(r), Counter())[r.strip()] += 1
        ranked = sorted(spelled.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        out: list[Tally] = [(norm or "(blank)", spellings.most_common(1)[0][0],
                             norm in accepted, sum(spellings.values()))
                            for norm, spellings in ranked[:self.SHOWN]]
        rest = sum(sum(s.values()) for _, s in ranked[self.SHOWN:])
        if rest:
            out.append(("other", "Other answers", False, rest))
        return out

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        return payload["prompt"], [f"=%100%{_gift_short(a)}"
                                   for a in moodle_accepted(self.accepted(payload))]

    def moodle_xml(self, question: ET.Element, payload: Mapping[str, Any]) -> None:
        ET.SubElement(question, "usecase").text = "0"
        for accepted in moodle_accepted(self.accepted(payload)):
            _answer(question, "100", shortanswer_pattern(accepted), "moodle_auto_format")


class Ordering(_PartialCredit):
    name = "ordering"
    label = "Timeline ordering"
    student_label = "Timeline"
    template = "questions/_ordering.html"
    moodle_type = "ordering"
    option_groups = ("items",)
    ordered_key = True
    shows_explanation = False
    response_schema = {"type": "array", "items": {"type": "string"},
                       "description": "ordering: every item id once, earliest first"}

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """Every item id once, in order; credit for items in their right place."""
        if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
            raise InvalidResponse("Send the item ids as a list of strings, in order.")
        if sorted(response) != sorted(_ids(payload["items"])):
            raise InvalidResponse("Put every item in the order exactly once.")
        key = payload["answer"]
        placed = sum(a == b for a, b in zip(response, key, strict=True))
        return Result(response == key, round(placed / len(key), 4))

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        """One position per item (``name-<item id>``)."""
        ids = _ids(payload["items"])
        positions: dict[str, int] = {}
        for item_id in ids:
            raw = formdata.get(f"{name}-{item_id}", "")
            try:
                positions[item_id] = int(raw)
            except (TypeError, ValueError):
                continue
        n = len(ids)
        if len(positions) < n or not all(1 <= p <= n for p in positions.values()):
            return ParsedAnswer(draft=positions,
                                error=f"Give every event a position from 1 to {n}.")
        if len(set(positions.values())) != n:
            return ParsedAnswer(draft=positions,
                                error=f"Give each event a different position, from 1 to {n}.")
        order = sorted(ids, key=positions.__getitem__)
        return ParsedAnswer(order, positions)

    def response_text(self, payload: Mapping[str, Any], response: Any) -> list[str]:
        return [_text_of(payload["items"], r) for r in response]

    def example(self, payload: Mapping[str, Any]) -> Any:
        return _ids(payload["items"])

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        # GIFT has no ordering syntax in core Moodle: a matching question, event -> place.
        items = {i["id"]: i["text"] for i in payload["items"]}
        prompt = f"{payload['prompt']} Match each event to its place in time (1st = earliest)."
        return prompt, [f"={_gift_html(items[item_id])} -> {_ORDINALS[place]}"
                        for place, item_id in enumerate(payload["answer"])]

    def moodle_xml(self, question: ET.Element, payload: Mapping[str, Any]) -> None:
        # Moodle's ordering type lists the items in the right order.
        items = {i["id"]: i["text"] for i in payload["items"]}
        for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                           ("selectcount", str(len(payload["answer"]))),
                           ("gradingtype", "ABSOLUTE_POSITION"), ("showgrading", "SHOW"),
                           ("numberingstyle", "none")):
            ET.SubElement(question, tag).text = value
        for place, item_id in enumerate(payload["answer"], start=1):
            _answer(question, f"{place}.0000000", _html(items[item_id]))

    def print_key(self, payload: Mapping[str, Any]) -> list[str]:
        texts = payload.get("answer_text")
        if not (isinstance(texts, list) and len(texts) == len(payload["answer"])):
            items = {i["id"]: i["text"] for i in payload["items"]}
            texts = [items.get(i, i) for i in payload["answer"]]
        return [f"{n}. {text}" for n, text in enumerate(texts, 1)]


class Matching(_PartialCredit):
    name = "matching"
    label = student_label = "Matching"
    template = "questions/_matching.html"
    moodle_type = "matching"
    option_groups = ("left", "right")
    shows_explanation = False
    response_schema = {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "matching: each left id mapped to a right id"}

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """An object mapping every left id to a right id; credit per right pair."""
        if not isinstance(response, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in response.items()):
            raise InvalidResponse("Send an object mapping each left id to a right id.")
        if set(response) != set(_ids(payload["left"])):
            raise InvalidResponse("Match every item on the left exactly once.")
        unknown = set(response.values()) - set(_ids(payload["right"]))
        if unknown:
            raise InvalidResponse(f"Unknown right id {sorted(unknown)[0][:20]!r}.")
        key = payload["answer"]
        right = sum(response[k] == v for k, v in key.items())
        return Result(right == len(key), round(right / len(key), 4))

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        """One right id per left item (``name-<left id>``)."""
        rights = set(_ids(payload["right"]))
        pairs = {left: formdata.get(f"{name}-{left}", "") for left in _ids(payload["left"])}
        draft = {k: v for k, v in pairs.items() if v in rights}
        if not all(pairs.values()):
            return ParsedAnswer(draft=draft, error="Choose a match for every item.")
        if set(pairs.values()) - rights:
            return ParsedAnswer(draft=draft, error="Choose among the matches shown.")
        if len(set(pairs.values())) != len(pairs):
            return ParsedAnswer(draft=draft, error="Use each match only once.")
        return ParsedAnswer(pairs, pairs)

    def response_text(self, payload: Mapping[str, Any], response: Any) -> list[str]:
        return [f"{left['text']} — {_text_of(payload['right'], response.get(left['id']))}"
                for left in payload["left"]]

    def example(self, payload: Mapping[str, Any]) -> Any:
        return {left["id"]: right["id"]
                for left, right in zip(payload["left"], payload["right"], strict=True)}

    def gift(self, payload: Mapping[str, Any]) -> tuple[str, list[str]]:
        # The left side is HTML ("->" becomes "-&gt;"); Moodle reads the right side as plain
        # text and splits at the first "->", so it may hold one.
        right = {r["id"]: r["text"] for r in payload["right"]}
        return payload["prompt"], [
            f"={_gift_html(left['text'])} -> {_gift_plain(right[payload['answer'][left['id']]])}"
            for left in payload["left"]]

    def moodle_xml(self, question: ET.Element, payload: Mapping[str, Any]) -> None:
        ET.SubElement(question, "shuffleanswers").text = "true"
        right = {r["id"]: r["text"] for r in payload["right"]}
        for left in payload["left"]:
            sub = _text(question, "subquestion", _html(left["text"]))
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = \
                right[payload["answer"][left["id"]]]

    def print_key(self, payload: Mapping[str, Any]) -> list[str]:
        answer = payload["answer"]
        return [f"{n}. {left['text']} → {label_of(payload['right'], answer.get(left['id']))}"
                for n, left in enumerate(payload["left"], 1)]


#: Every question type by its API name, in the order forms are offered.
QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t for t in (MultipleChoice(), MultipleResponse(), TrueFalse(), ShortAnswer(),
                        Ordering(), Matching())}


def response_schema() -> dict[str, Any]:
    """JSON schema of a response to any question: the types' own schemas, one of which fits."""
    return {"anyOf": [t.response_schema for t in QUESTION_TYPES.values()],
            "description": "The answer, shaped by the question's type."}


def check(payload: Mapping[str, Any], response: Any) -> Result:
    """Check ``response`` with the checker of the question's type."""
    return QUESTION_TYPES[payload["type"]].check(payload, response)
