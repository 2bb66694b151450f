"""Warm-up forms: start a game, join one, and the host's buttons."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
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


def _question_ids_field(label: str) -> StringField:
    """Question ids typed as a list: "12, 15, 31"."""
    return StringField(label, validators=[
        Optional(), Length(max=500),
        Regexp(r"^[\d,\s]*$", message="List question ids as numbers separated by commas, "
                                      "e.g. 12, 15, 31.")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})


class _QuestionDraw(FlaskForm):
    """Which questions a warm-up or a set draws: topics and question forms."""

    topics = MultiCheckboxField("Topics (none ticked: all)", choices=[])
    types = MultiCheckboxField("Question forms (none ticked: all)",
                               choices=[SelectChoice(t.name, t.label)
                                        for t in QUESTION_TYPES.values()])


class StartForm(_QuestionDraw):
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
    question_ids = _question_ids_field("Or exactly these question ids, in order")
    question_set = SelectField("Or a saved question set", choices=[], validate_choice=False)
    auto_reveal = BooleanField("Show the answer as soon as every player has answered")
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
    #: The question index the host saw, so a double click cannot skip a question. Required
    #: and in ASCII digits: without it (or with "²", which ``str.isdigit`` accepts and
    #: ``int`` refuses) the guard would be dropped and a second click skip a question.
    from_index = HiddenField(validators=[
        InputRequired("The form expired; reload the page."),
        Regexp(r"^-?[0-9]{1,9}$", message="The form expired; reload the page.")])

    def index(self) -> int:
        """The validated ``from_index``."""
        return int(self.from_index.data)


class KickForm(FlaskForm):
    player_id = HiddenField()
    nickname = StringField("Remove a player by nickname", validators=[Optional(),
                                                                      Length(max=40)])


class SetForm(_QuestionDraw):
    """Draw a preview, then keep the ticked questions as a named set (or edit one)."""

    name = StringField("Name of the set", validators=[Optional(), Length(max=200)],
                       render_kw={"maxlength": 80, "autocomplete": "off"})
    count = IntegerField("Number of questions to draw", default=5,
                         validators=[Optional(), NumberRange(1, MAX_COUNT,
                                                             f"Choose 1 to {MAX_COUNT}.")],
                         render_kw={"inputmode": "numeric", "min": 1, "max": MAX_COUNT})
    add_ids = _question_ids_field("Add questions by id")

    def parsed_add_ids(self) -> list[int]:
        return [int(x) for x in (self.add_ids.data or "").replace(",", " ").split()
                if len(x) <= 9]
