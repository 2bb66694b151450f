"""Student forms: quiz options, answers to any question type, and button-only actions."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..domain.question_types import QUESTION_TYPES, ParsedAnswer
from ..forms import MultiCheckboxField
from ..services.study import MAX_COUNT, clean_start_key, topic_options

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
                               choices=[SelectChoice(t.name, t.student_label)
                                        for t in QUESTION_TYPES.values()])

    @property
    def count(self) -> int:
        """The number of questions asked for: a typed number wins over the preset."""
        return self.other_length.data or int(self.length.data)



def parse_response(question: Mapping[str, Any], formdata: Any,
                   name: str = "response") -> ParsedAnswer:
    """Read the answer to ``question`` from form data posted by its type's partial.

    ``formdata`` is a MultiDict (``request.form``); each type reads its own fields.
    """
    qtype = QUESTION_TYPES.get(question["type"])
    if qtype is None:
        return ParsedAnswer(error="This question cannot be answered here.")
    return qtype.parse_form(question, formdata, name)


def new_start_key() -> str:
    """A fresh key for one start form (a hidden ``start_key`` field): 22 URL-safe characters."""
    return secrets.token_urlsafe(16)


def start_key(form: Mapping[str, str]) -> str | None:
    """The sent form's start key, so sending it twice starts one attempt; None if absent."""
    return clean_start_key(form.get("start_key"))
