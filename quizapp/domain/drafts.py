"""A question before it is stored (``Draft``), its limits, and the helpers each question
type's part of authoring shares (``question_types``, ``authoring``).

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .exports import clean_text
from .text import normalize

MAX_PROMPT = 2000
MAX_OPTION = 500
MAX_EXPLANATION = 4000
MAX_QUOTE = 2000
#: Options of one question (choices, events, pairs): more does not fit a phone.
MAX_OPTIONS = 10
#: JSON schema of a list of option texts in the API's body.
TEXT_LIST = {"type": "array", "maxItems": MAX_OPTIONS,
             "items": {"type": "string", "maxLength": MAX_OPTION}}


@dataclass
class Draft:
    """A question before it is stored: texts only, in the order students see them."""

    type: str
    prompt: str
    #: mcq and multi: (text, right?) in display order.
    choices: list[tuple[str, bool]] = field(default_factory=list)
    #: true_false: is the statement (the prompt) true?
    truth: bool | None = None
    #: short: the accepted answers, the key first.
    accepted: list[str] = field(default_factory=list)
    #: ordering: the events in the right order, earliest first.
    items: list[str] = field(default_factory=list)
    #: matching: (left, its match) pairs.
    pairs: list[tuple[str, str]] = field(default_factory=list)
    #: The answer of a form with none of the fields above, as its type keeps it.
    data: dict[str, Any] = field(default_factory=dict)
    explanation: str = ""
    quote: str = ""
    #: Where it came from in an imported file ("question 3: Capital"), for the preview.
    name: str = ""
    #: Things an import changed or left out (shown in the preview).
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AuthorField:
    """One answer field of the author form and of the API's body, as a question type
    declares it; the web layer builds the form field and the body's schema from it."""

    #: Its name in the API's body and in the fields ``read_fields`` reads.
    name: str
    #: The author form's label.
    label: str
    #: JSON schema of its value in the API's body (openapi.json).
    schema: dict[str, Any]
    #: The author form's widget: "lines" (a textarea, one text a line), "text" (one line),
    #: "choice" (radio buttons, ``choices``), "pairs" (rows of two texts, ``choices`` their
    #: two columns as (id, label), named ``<name less its s>_<id>_<row>``).
    widget: str = "lines"
    #: Said under the field in the author form.
    hint: str = ""
    #: Its description in openapi.json.
    doc: str | None = None
    #: The author form's name for it when that differs from ``name``.
    form_name: str = ""
    #: Height of a textarea, or the number of rows of pairs.
    rows: int = 2
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def in_form(self) -> str:
        return self.form_name or self.name


class DraftError(ValueError):
    """The draft breaks a rule; ``fields`` says which field and why, in the form's words."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def one_line(text: Any) -> str:
    """Text as quizapp stores it: runs of blanks and line ends as one space, trimmed, and
    what XML 1.0 forbids as a space (as every export writes it, see ``exports.clean_text``)."""
    return " ".join(clean_text(text).split()) if isinstance(text, str) else ""


def lines(text: Any) -> list[str]:
    """The non-blank lines of a textarea, each on one line."""
    if not isinstance(text, str):
        return []
    return [one_line(line) for line in text.splitlines() if line.strip()]


def choices_from(right: list[str], wrong: list[str], rng: random.Random) -> list[tuple[str, bool]]:
    """Right and wrong answers mixed in a fixed random order (the right one not always first)."""
    choices = [(t, True) for t in right] + [(t, False) for t in wrong]
    rng.shuffle(choices)
    return choices


def first_duplicate(texts: list[str]) -> str | None:
    """The first text that reads like an earlier one (``normalize``), if any."""
    seen: dict[str, str] = {}
    for text in texts:
        key = normalize(text) or text.casefold()
        if key in seen:
            return text
        seen[key] = text
    return None


def too_long(texts: list[str]) -> bool:
    """Some option is longer than ``MAX_OPTION``."""
    return any(len(t) > MAX_OPTION for t in texts)


def option_list(texts: list[str], prefix: str = "") -> list[dict[str, str]]:
    """Options as a payload holds them: ids "a", "b"... or ``prefix`` and 1, 2..."""
    return [{"id": f"{prefix}{i}" if prefix else "abcdefghij"[i - 1], "text": t}
            for i, t in enumerate(texts, 1)]


def shuffled_not_identity(n: int, rng: random.Random) -> list[int]:
    """A display order of ``n`` things that is not the given order (for two or more)."""
    order = list(range(n))
    while n > 1 and order == list(range(n)):
        rng.shuffle(order)
    return order


def text_list(value: Any, name: str, errors: dict[str, str]) -> list[str]:
    """A list of texts from a JSON field or a textarea (one per line), blanks dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        return lines(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [one_line(v) for v in value if v.strip()]
    errors[name] = "Send a list of strings."
    return []


def pair_list(value: Any, errors: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs from a JSON field: ``[left, right]`` or ``{"left": …, "right": …}`` each."""
    if value is None:
        return []
    pairs = []
    if isinstance(value, list):
        for pair in value:
            if isinstance(pair, dict):
                pair = [pair.get("left", ""), pair.get("right", "")]
            if not (isinstance(pair, list | tuple) and len(pair) == 2
                    and all(isinstance(p, str) for p in pair)):
                break
            pairs.append((one_line(pair[0]), one_line(pair[1])))
        else:
            return pairs
    errors["pairs"] = "Send a list of pairs: [left, right] or {\"left\": …, \"right\": …}."
    return []
