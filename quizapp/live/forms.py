"""Warm-up forms: start a game, join one, and the host's buttons."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..domain.question_types import QUESTION_TYPES
from ..forms import MultiCheckboxField
from ..services.live import DEFAULT_SECONDS, MAX_SECONDS, MIN_SECONDS, NICKNAME_MAX
from ..services.study import MAX_COUNT


class StartForm(FlaskForm):
    count = IntegerField("Number of questions", default=5,
                         validators=[Optional(), NumberRange(1, MAX_COUNT,
                                                             f"Choose 1 to {MAX_COUNT}.")],
                         render_kw={"inputmode": "numeric", "min": 1, "max": MAX_COUNT})
    seconds = IntegerField("Seconds per question", default=DEFAULT_SECONDS,
                           validators=[InputRequired("Say how long each question stays open."),
                                       NumberRange(MIN_SECONDS, MAX_SECONDS,
                                                   f"Choose {MIN_SECONDS} to {MAX_SECONDS} "
                                                   "seconds.")],
                           render_kw={"inputmode": "numeric", "min": MIN_SECONDS,
                                      "max": MAX_SECONDS})
    topics = MultiCheckboxField("Topics (none ticked: all)", choices=[])
    types = MultiCheckboxField("Question forms (none ticked: all)",
                               choices=[SelectChoice(t.name, t.label)
                                        for t in QUESTION_TYPES.values()])
    question_ids = StringField(
        "Or exactly these question ids, in order",
        validators=[Optional(), Length(max=500),
                    Regexp(r"^[\d,\s]*$", message="List question ids as numbers separated "
                                                  "by commas, e.g. 12, 15, 31.")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    speed_bonus = BooleanField("Speed bonus: a right answer earns up to 500 extra points "
                               "for answering fast")
    confidence = BooleanField("Ask for confidence: “sure” and right ×1.5, “sure” and wrong "
                              "−250 points")

    def parsed_ids(self) -> list[int] | None:
        raw = (self.question_ids.data or "").replace(",", " ").split()
        return [int(x) for x in raw] or None


#: Class join codes have letters; a warm-up PIN never does.
CLASS_CODE_MESSAGE = ("That looks like a class code, not a warm-up PIN: enter it on the "
                      "“Join a class” page.")


def _pin_or_class_code(form: FlaskForm, field: StringField) -> None:
    """A PIN is 6 digits; a class code typed here gets pointed to the class join page."""
    value = field.data or ""
    if re.fullmatch(r"\s*\d{3}\s?\d{3}\s*", value):
        return
    form.class_code = bool(re.search(r"[A-Za-z]", value))
    raise ValidationError(CLASS_CODE_MESSAGE if form.class_code
                          else "The PIN is 6 digits, e.g. 482 913.")


class JoinForm(FlaskForm):
    #: Set by validation when the PIN field holds what looks like a class code.
    class_code = False

    pin = StringField("Game PIN", validators=[
        InputRequired("Type the 6-digit PIN shown on the screen."),
        _pin_or_class_code],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 7,
                   "pattern": r"\s*\d{3}\s?\d{3}\s*", "class": "pin-input"})
    nickname = StringField("Nickname", validators=[
        InputRequired("Choose a nickname."), Length(max=NICKNAME_MAX + 10)],
        render_kw={"autocomplete": "nickname", "maxlength": NICKNAME_MAX,
                   "autocapitalize": "words", "spellcheck": "false"})

    def clean_pin(self) -> str:
        return "".join((self.pin.data or "").split())


class AdvanceForm(FlaskForm):
    #: The question index the host saw, so a double click cannot skip a question.
    from_index = HiddenField()



class KickForm(FlaskForm):
    player_id = HiddenField()
    nickname = StringField("Remove a player by nickname", validators=[Optional(),
                                                                      Length(max=40)])
