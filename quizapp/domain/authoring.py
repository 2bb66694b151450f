"""Questions an instructor writes by hand or imports: a plain ``Draft`` checked and turned
into the payload every other part of quizapp reads (the generator's shape, with no fact).

Pure Python: no Flask, no database. The rules are the ones the HTML form, the API and the
GIFT / Moodle XML import share, so each reports the same message for the same mistake.
"""

from __future__ import annotations

import random
import re
from typing import Any

# The draft and its limits live in ``drafts``, which the question types use too.
from .drafts import (
    MAX_EXPLANATION,
    MAX_OPTION,  # noqa: F401 (the API's request bodies read it here)
    MAX_OPTIONS,  # noqa: F401
    MAX_PROMPT,
    MAX_QUOTE,
    Draft,
    DraftError,
    one_line,
)
from .question_types import QUESTION_TYPES
from .text import normalize

#: What quizapp's GIFT export adds to an ordering question's prompt (it goes as matching).
ORDERING_SUFFIX = " Match each event to its place in time (1st = earliest)."
_SOURCE = re.compile(r"(?:^|\s)Source: “(?P<quote>.*)”$", re.S)


def check_draft(draft: Draft) -> dict[str, str]:
    """Every broken rule, field name → message (empty when the draft can be stored)."""
    errors: dict[str, str] = {}
    qtype = QUESTION_TYPES.get(draft.type)
    if qtype is None:
        return {"type": f"Choose one of: {', '.join(QUESTION_TYPES)}."}
    if not draft.prompt:
        errors["prompt"] = qtype.missing_prompt
    elif len(draft.prompt) > MAX_PROMPT:
        errors["prompt"] = f"Use at most {MAX_PROMPT} characters."
    if len(draft.explanation) > MAX_EXPLANATION:
        errors["explanation"] = f"Use at most {MAX_EXPLANATION} characters."
    if len(draft.quote) > MAX_QUOTE:
        errors["quote"] = f"Use at most {MAX_QUOTE} characters."
    errors.update(qtype.draft_errors(draft))
    return errors


def build_payload(draft: Draft, *, uid: str, document: str, topic: str) -> dict[str, Any]:
    """The stored payload of a checked draft; ``DraftError`` if it breaks a rule.

    Display orders the formats do not carry (ordering events, matching right sides) are
    shuffled with a generator seeded by ``uid``, so the same draft is always stored alike.
    """
    errors = check_draft(draft)
    if errors:
        raise DraftError(errors)
    rng = random.Random(uid)
    payload: dict[str, Any] = {"id": uid, "type": draft.type, "prompt": draft.prompt}
    QUESTION_TYPES[draft.type].fill_payload(draft, payload, rng)
    payload.update(fact_ids=[], source={"document": document, "quote": draft.quote},
                   topic=topic, explanation=draft.explanation, authored=True)
    return payload


def draft_of(payload: dict[str, Any]) -> Draft:
    """The draft a stored payload was built from (to edit it, or to compare round trips)."""
    qtype = payload["type"]
    draft = Draft(type=qtype, prompt=payload["prompt"],
                  explanation=payload.get("explanation") or "",
                  quote=(payload.get("source") or {}).get("quote") or "")
    if qtype in QUESTION_TYPES:
        QUESTION_TYPES[qtype].fill_draft(payload, draft)
    return draft


def content(payload: dict[str, Any]) -> dict[str, Any]:
    """What a question says, as GIFT and Moodle XML carry it: the comparison of round trips.

    Blanks are compared as one space; short answers as the checker reads them; neither the
    events' nor the matches' display order (both formats leave it to the quiz to shuffle).
    """
    draft = draft_of(payload)
    return {"type": draft.type, "prompt": one_line(draft.prompt),
            "choices": [(one_line(t), ok) for t, ok in draft.choices],
            "truth": draft.truth,
            "accepted": sorted({normalize(a) for a in draft.accepted}),
            "items": [one_line(t) for t in draft.items],
            "pairs": [(one_line(a), one_line(b)) for a, b in draft.pairs],
            "data": draft.data,
            "explanation": one_line(draft.explanation), "quote": one_line(draft.quote)}


def split_feedback(feedback: str) -> tuple[str, str]:
    """(explanation, quote) from a general feedback as the exports write it
    (``explanation Source: “quote”``); all of it is the explanation otherwise."""
    text = one_line(feedback)
    found = _SOURCE.search(text)
    if found is None:
        return text, ""
    return text[:found.start()].strip(), found.group("quote").strip()


def ordering_from_matching(prompt: str, pairs: list[tuple[str, str]]
                           ) -> tuple[str, list[str]] | None:
    """quizapp's GIFT export of an ordering question (event → "1st", "2nd"...) read back as
    (prompt, events in order); None for any other matching question."""
    from .exports import _ORDINALS

    if not prompt.endswith(ORDERING_SUFFIX.strip()) or len(pairs) > len(_ORDINALS):
        return None
    places = [right for _, right in pairs]
    if sorted(places, key=lambda p: _ORDINALS.index(p) if p in _ORDINALS else 99) \
            != list(_ORDINALS[:len(pairs)]):
        return None
    ordered = sorted(pairs, key=lambda pair: _ORDINALS.index(pair[1]))
    return prompt[:-len(ORDERING_SUFFIX.strip())].strip(), [left for left, _ in ordered]


def draft_from_fields(data: dict[str, Any], seed: str) -> Draft:
    """A draft from the form's or the API's fields; ``DraftError`` for a malformed field.

    The chosen form reads its own fields (its type's ``read_fields`` and
    ``author_fields``): ``right``/``wrong`` (mcq, multi: lists, or one text a line) mixed in
    an order fixed by ``seed``; ``answer`` true/false's truth; ``accepted`` the typed
    answers, key first; ``items`` the events in order; ``pairs`` the matching pairs.
    """
    errors: dict[str, str] = {}
    texts = {}
    for name in ("type", "prompt", "explanation", "quote"):
        value = data.get(name, "")
        if value is not None and not isinstance(value, str):
            errors[name] = "Send a string."
        texts[name] = value if isinstance(value, str) else ""
    qtype = texts["type"].strip()
    draft = Draft(type=qtype, prompt=one_line(texts["prompt"]),
                  explanation=one_line(texts["explanation"]), quote=one_line(texts["quote"]))
    if qtype in QUESTION_TYPES:
        QUESTION_TYPES[qtype].read_fields(data, draft, errors, seed)
    if errors:
        raise DraftError(errors)
    return draft
