"""A typed answer, checked against the accepted ones."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..drafts import MAX_OPTION, TEXT_LIST, AuthorField, Draft, text_list, too_long
from ..exports import _answer, _gift_short, moodle_accepted, shortanswer_pattern
from ..responses import MAX_TEXT, InvalidResponse, ParsedAnswer, Result, Tally
from ..text import normalize, unique_accepted, year_typed
from .base import QuestionType, all_or_nothing


def _accepts(accepted: set[str], response: str) -> bool:
    """Whether a typed ``response`` is one of the ``accepted`` (normalised) answers; a year
    typed with its month ("April 2022") is that year."""
    return normalize(response) in accepted or (year_typed(response) or "") in accepted


class ShortAnswer(QuestionType):
    name = "short"
    label = "Short answer"
    student_label = "Type the answer"
    template = "questions/_short.html"
    moodle_type = "shortanswer"
    tally_heading = "Typed answer"
    author_section = "accepted"
    author_fields = (AuthorField("accepted", "Accepted answers, one a line", TEXT_LIST,
                                 hint="The first is the key; case, accents and punctuation "
                                      "are ignored when checking.", rows=3),)
    author_rules = "`accepted`, the key first"
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
        return all_or_nothing(_accepts({normalize(a) for a in self.accepted(payload)},
                                       response))

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
        credited: dict[str, bool] = {}
        spelled: dict[str, Counter[str]] = {}
        for r in responses:
            if isinstance(r, str):
                spelled.setdefault(normalize(r), Counter())[r.strip()] += 1
                credited.setdefault(normalize(r), _accepts(accepted, r))
        ranked = sorted(spelled.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        out: list[Tally] = [(norm or "(blank)", spellings.most_common(1)[0][0],
                             credited[norm], sum(spellings.values()))
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

    def draft_errors(self, draft: Draft) -> dict[str, str]:
        if not draft.accepted:
            return {"accepted": "Give the answer students should type."}
        if any(not normalize(a) for a in draft.accepted):
            return {"accepted": "An accepted answer needs letters or digits, not only "
                                "punctuation."}
        if len(draft.accepted) > 20 or too_long(draft.accepted):
            return {"accepted": f"Give at most 20 answers of {MAX_OPTION} characters each."}
        return {}

    def fill_payload(self, draft: Draft, payload: dict[str, Any], rng: random.Random) -> None:
        accepted = unique_accepted(draft.accepted)
        payload.update(answer=accepted[0], answer_text=accepted[0], accepted=accepted)

    def fill_draft(self, payload: Mapping[str, Any], draft: Draft) -> None:
        draft.accepted = list(self.accepted(payload))

    def read_fields(self, data: Mapping[str, Any], draft: Draft, errors: dict[str, str],
                    seed: str) -> None:
        """``accepted``: the typed answers, the key first."""
        draft.accepted = text_list(data.get("accepted"), "accepted", errors)

    def draft_fields(self, draft: Draft) -> dict[str, Any]:
        return {"accepted": list(draft.accepted)}
