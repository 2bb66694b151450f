"""Student forms: quiz options, answers to any question type, and button-only actions."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..domain.checking import MAX_TEXT
from ..domain.generator import TYPES
from ..forms import MultiCheckboxField
from ..services.study import MAX_COUNT, clean_start_key, topic_options
from .display import TYPE_LABELS

LENGTHS = ("5", "10", "20")



def _topic_choices() -> list[SelectChoice]:
    return [SelectChoice(topic, title) for topic, title in topic_options(current_user)]


class NewQuizForm(FlaskForm):
    """Options of a practice quiz; no topic or form ticked means all of them."""

    length = RadioField("How many questions?", choices=[SelectChoice(n) for n in LENGTHS],
                        default="10", validators=[InputRequired("Choose a length.")])
    other_length = IntegerField(
        "Or type a number", validators=[
            Optional(), NumberRange(1, MAX_COUNT, f"Choose a number from 1 to {MAX_COUNT}.")],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_COUNT})
    topics = MultiCheckboxField("Topics", choices=_topic_choices)
    types = MultiCheckboxField("Question forms",
                               choices=[SelectChoice(t, TYPE_LABELS[t]) for t in TYPES])

    @property
    def count(self) -> int:
        """The number of questions asked for: a typed number wins over the preset."""
        return self.other_length.data or int(self.length.data)



@dataclass(frozen=True)
class ParsedAnswer:
    """An answer read from a form: the response as the API takes it, or an error."""

    response: Any = None
    #: What to put back into the widgets when the answer must be corrected.
    draft: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _ids(options: list[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in options]


def parse_response(question: Mapping[str, Any], formdata: Any,
                   name: str = "response") -> ParsedAnswer:
    """Read the answer to ``question`` from form data posted by ``_question.html``.

    ``formdata`` is a MultiDict (``request.form``). Ordering posts one position per item
    (``name-<item id>``) and matching one right id per left item (``name-<left id>``).
    """
    qtype = question["type"]
    if qtype == "mcq":
        value = formdata.get(name, "")
        if not value:
            return ParsedAnswer(error="Choose an answer.")
        if value not in _ids(question["choices"]):
            return ParsedAnswer(error="Choose one of the answers shown.")
        return ParsedAnswer(value, value)
    if qtype == "multi":
        picked = set(formdata.getlist(name))
        if not picked:
            return ParsedAnswer(draft=[], error="Tick at least one answer.")
        if picked - set(_ids(question["choices"])):
            return ParsedAnswer(draft=[], error="Choose among the answers shown.")
        values = [i for i in _ids(question["choices"]) if i in picked]
        return ParsedAnswer(values, values)
    if qtype == "true_false":
        value = formdata.get(name, "")
        if value not in ("true", "false"):
            return ParsedAnswer(error="Choose True or False.")
        return ParsedAnswer(value == "true", value == "true")
    if qtype == "short":
        text = " ".join(str(formdata.get(name, "")).split())
        if not text:
            return ParsedAnswer(draft="", error="Type your answer first.")
        if len(text) > MAX_TEXT:
            return ParsedAnswer(draft=text[:MAX_TEXT],
                                error=f"That is too long: use at most {MAX_TEXT} characters.")
        return ParsedAnswer(text, text)
    if qtype == "ordering":
        return _parse_ordering(question, formdata, name)
    if qtype == "matching":
        return _parse_matching(question, formdata, name)
    return ParsedAnswer(error="This question cannot be answered here.")


def _parse_ordering(question: Mapping[str, Any], formdata: Any, name: str) -> ParsedAnswer:
    ids = _ids(question["items"])
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


def _parse_matching(question: Mapping[str, Any], formdata: Any, name: str) -> ParsedAnswer:
    rights = set(_ids(question["right"]))
    pairs = {left: formdata.get(f"{name}-{left}", "") for left in _ids(question["left"])}
    draft = {k: v for k, v in pairs.items() if v in rights}
    if not all(pairs.values()):
        return ParsedAnswer(draft=draft, error="Choose a match for every item.")
    if set(pairs.values()) - rights:
        return ParsedAnswer(draft=draft, error="Choose among the matches shown.")
    if len(set(pairs.values())) != len(pairs):
        return ParsedAnswer(draft=draft, error="Use each match only once.")
    return ParsedAnswer(pairs, pairs)


def new_start_key() -> str:
    """A fresh key for one start form (a hidden ``start_key`` field): 22 URL-safe characters."""
    return secrets.token_urlsafe(16)


def start_key(form: Mapping[str, str]) -> str | None:
    """The sent form's start key, so sending it twice starts one attempt; None if absent."""
    return clean_start_key(form.get("start_key"))
