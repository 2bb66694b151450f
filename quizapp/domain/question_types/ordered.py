"""Forms whose key relates several options: a timeline to order, pairs to match."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from ..drafts import (
    MAX_OPTION,
    MAX_OPTIONS,
    TEXT_LIST,
    AuthorField,
    Draft,
    first_duplicate,
    option_list,
    pair_list,
    shuffled_not_identity,
    text_list,
    too_long,
)
from ..exports import _ORDINALS, _answer, _gift_html, _gift_plain, _html, _text
from ..printing import label_of
from ..responses import InvalidResponse, ParsedAnswer, Result
from .base import PartialCredit, option_ids, require_strings, text_of

#: JSON schema of one matching pair in the API's body.
_PAIR = {"anyOf": [{"type": "array", "items": {"type": "string"}, "minItems": 2,
                    "maxItems": 2},
                   {"type": "object", "properties": {"left": {"type": "string"},
                                                     "right": {"type": "string"}}}]}

class Ordering(PartialCredit):
    name = "ordering"
    label = "Timeline ordering"
    student_label = "Timeline"
    template = "questions/_ordering.html"
    moodle_type = "ordering"
    option_groups = ("items",)
    author_section = "items"
    author_fields = (AuthorField("items", "Events in the right order, earliest first, one a line",
                                 TEXT_LIST, hint="Students see them shuffled.", rows=5),)
    author_rules = "`items` in the right order, at least three"
    ordered_key = True
    shows_explanation = False
    response_schema = {"type": "array", "items": {"type": "string"},
                       "description": "ordering: every item id once, earliest first"}

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """Every item id once, in order; credit for items in their right place."""
        require_strings(response, "Send the item ids as a list of strings, in order.")
        if sorted(response) != sorted(option_ids(payload["items"])):
            raise InvalidResponse("Put every item in the order exactly once.")
        key = payload["answer"]
        placed = sum(a == b for a, b in zip(response, key, strict=True))
        return Result(response == key, round(placed / len(key), 4))

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        """One position per item (``name-<item id>``)."""
        ids = option_ids(payload["items"])
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
        return [text_of(payload["items"], r) for r in response]

    def example(self, payload: Mapping[str, Any]) -> Any:
        return option_ids(payload["items"])

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


    def draft_errors(self, draft: Draft) -> dict[str, str]:
        if len(draft.items) < 3:
            return {"items": "Give at least three events to put in order."}
        if len(draft.items) > MAX_OPTIONS:
            return {"items": f"Give at most {MAX_OPTIONS} events."}
        if too_long(draft.items):
            return {"items": f"Keep each event to {MAX_OPTION} characters."}
        if same := first_duplicate(draft.items):
            return {"items": f"“{same[:60]}” is listed twice."}
        return {}

    def fill_payload(self, draft: Draft, payload: dict[str, Any], rng: random.Random) -> None:
        shown = shuffled_not_identity(len(draft.items), rng)
        payload["items"] = option_list([draft.items[i] for i in shown], "e")
        ids = {draft.items[i]: f"e{n}" for n, i in enumerate(shown, 1)}
        payload["answer"] = [ids[t] for t in draft.items]
        payload["answer_text"] = list(draft.items)

    def fill_draft(self, payload: Mapping[str, Any], draft: Draft) -> None:
        items = {i["id"]: i["text"] for i in payload["items"]}
        draft.items = [items[i] for i in payload["answer"]]

    def read_fields(self, data: Mapping[str, Any], draft: Draft, errors: dict[str, str],
                    seed: str) -> None:
        """``items``: the events in order, earliest first."""
        draft.items = text_list(data.get("items"), "items", errors)

    def draft_fields(self, draft: Draft) -> dict[str, Any]:
        return {"items": list(draft.items)}


class Matching(PartialCredit):
    name = "matching"
    label = student_label = "Matching"
    template = "questions/_matching.html"
    moodle_type = "matching"
    option_groups = ("left", "right")
    author_section = "pairs"
    author_fields = (AuthorField("pairs", "Pairs", {"type": "array", "maxItems": MAX_OPTIONS,
                                                    "items": _PAIR},
                                 widget="pairs", rows=10,
                                 choices=(("left", "Item"), ("right", "Its match"))),)
    author_rules = "`pairs`, at least two"
    shows_explanation = False
    response_schema = {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "matching: each left id mapped to a right id"}

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        """An object mapping every left id to a right id; credit per right pair."""
        if not isinstance(response, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in response.items()):
            raise InvalidResponse("Send an object mapping each left id to a right id.")
        if set(response) != set(option_ids(payload["left"])):
            raise InvalidResponse("Match every item on the left exactly once.")
        unknown = set(response.values()) - set(option_ids(payload["right"]))
        if unknown:
            raise InvalidResponse(f"Unknown right id {sorted(unknown)[0][:20]!r}.")
        key = payload["answer"]
        right = sum(response[k] == v for k, v in key.items())
        return Result(right == len(key), round(right / len(key), 4))

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        """One right id per left item (``name-<left id>``)."""
        rights = set(option_ids(payload["right"]))
        pairs = {left: formdata.get(f"{name}-{left}", "") for left in option_ids(payload["left"])}
        draft = {k: v for k, v in pairs.items() if v in rights}
        if not all(pairs.values()):
            return ParsedAnswer(draft=draft, error="Choose a match for every item.")
        if set(pairs.values()) - rights:
            return ParsedAnswer(draft=draft, error="Choose among the matches shown.")
        if len(set(pairs.values())) != len(pairs):
            return ParsedAnswer(draft=draft, error="Use each match only once.")
        return ParsedAnswer(pairs, pairs)

    def response_text(self, payload: Mapping[str, Any], response: Any) -> list[str]:
        return [f"{left['text']} — {text_of(payload['right'], response.get(left['id']))}"
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

    def draft_errors(self, draft: Draft) -> dict[str, str]:
        for n, (left, right) in enumerate(draft.pairs, 1):
            if not left or not right:
                return {"pairs": f"Pair {n} is incomplete: give both the item and its match."}
        if len(draft.pairs) < 2:
            return {"pairs": "Give at least two complete pairs."}
        if len(draft.pairs) > MAX_OPTIONS:
            return {"pairs": f"Give at most {MAX_OPTIONS} pairs."}
        if too_long([t for pair in draft.pairs for t in pair]):
            return {"pairs": f"Keep each text to {MAX_OPTION} characters."}
        for side, texts in (("item", [p[0] for p in draft.pairs]),
                            ("match", [p[1] for p in draft.pairs])):
            if same := first_duplicate(texts):
                return {"pairs": f"The {side} “{same[:60]}” appears twice: each is used once."}
        return {}

    def fill_payload(self, draft: Draft, payload: dict[str, Any], rng: random.Random) -> None:
        payload["left"] = option_list([left for left, _ in draft.pairs], "l")
        shown = shuffled_not_identity(len(draft.pairs), rng)
        payload["right"] = option_list([draft.pairs[i][1] for i in shown], "r")
        right_id = {draft.pairs[i][1]: f"r{n}" for n, i in enumerate(shown, 1)}
        payload["answer"] = {f"l{n}": right_id[right]
                             for n, (_, right) in enumerate(draft.pairs, 1)}
        payload["answer_text"] = [f"{left} — {right}" for left, right in draft.pairs]

    def fill_draft(self, payload: Mapping[str, Any], draft: Draft) -> None:
        right = {r["id"]: r["text"] for r in payload["right"]}
        draft.pairs = [(left["text"], right[payload["answer"][left["id"]]])
                       for left in payload["left"]]

    def read_fields(self, data: Mapping[str, Any], draft: Draft, errors: dict[str, str],
                    seed: str) -> None:
        """``pairs``: the matching pairs."""
        draft.pairs = pair_list(data.get("pairs"), errors)

    def draft_fields(self, draft: Draft) -> dict[str, Any]:
        return {"pairs": [list(pair) for pair in draft.pairs]}
