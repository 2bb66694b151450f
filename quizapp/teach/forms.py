"""Instructor forms (and the student's join and flag forms)."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..domain.drafts import MAX_OPTION
from ..domain.question_types import QUESTION_TYPES, AuthorField, QuestionType, author_fields
from ..forms import MultiCheckboxField
from ..services import study, teach


def local_to_utc(local: datetime | None, offset: Any) -> datetime | None:
    """A date-time typed in the browser's local time, as UTC (``offset``: a form's
    ``tz_offset``, from teach.js)."""
    if local is None:
        return None
    try:
        minutes = int(offset or 0)
    except ValueError:
        minutes = 0
    return local + timedelta(minutes=max(-900, min(900, minutes)))


class CourseForm(FlaskForm):
    name = StringField("Class name", validators=[DataRequired(), Length(max=teach.MAX_NAME)],
                       render_kw={"autocomplete": "off"})


class JoinForm(FlaskForm):
    code = StringField("Join code", validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})


class CoInstructorForm(FlaskForm):
    username = StringField("Instructor's username",
                           validators=[DataRequired(), Length(max=40)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none"})


class AssignmentForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=teach.MAX_TITLE)])
    count = IntegerField("Number of questions", default=10,
                         validators=[Optional(), NumberRange(1, study.MAX_COUNT)],
                         render_kw={"min": 1, "max": study.MAX_COUNT, "inputmode": "numeric"})
    topics = MultiCheckboxField("Topics (none ticked: all topics)", choices=[])
    types = MultiCheckboxField("Question forms (none ticked: all forms)",
                               choices=[SelectChoice(t.name, t.label)
                                        for t in QUESTION_TYPES.values()])
    question_ids = MultiCheckboxField("Hand-picked questions", choices=[], coerce=int)
    due_at = DateTimeLocalField("Due", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                validators=[InputRequired(message="Enter a due date and time.")])
    available_from = DateTimeLocalField(
        "Opens (optional)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()])
    #: Minutes to add to the browser's local time to get UTC (set by teach.js).
    tz_offset = HiddenField(default="0")
    max_attempts = IntegerField("Attempts allowed", default=1,
                                validators=[InputRequired(),
                                            NumberRange(1, teach.MAX_ATTEMPTS)],
                                render_kw={"min": 1, "max": teach.MAX_ATTEMPTS,
                                           "inputmode": "numeric"})
    grading = SelectField("Grade by", default="highest", choices=[
        SelectChoice("highest", "Highest attempt"), SelectChoice("last", "Last attempt"),
        SelectChoice("first", "First attempt"), SelectChoice("average", "Average of attempts")])
    show_keys = SelectField("Show answers", default="immediately", choices=[
        SelectChoice("immediately", "Immediately after each answer"),
        SelectChoice("after_due", "After the due date"), SelectChoice("never", "Never")])
    time_limit_minutes = IntegerField(
        "Time limit in minutes (optional)",
        validators=[Optional(), NumberRange(1, teach.MAX_TIME_LIMIT)],
        render_kw={"min": 1, "max": teach.MAX_TIME_LIMIT, "inputmode": "numeric"})
    same_questions = RadioField("Who gets which questions", default="same", choices=[
        SelectChoice("same", "The same questions for everyone"),
        SelectChoice("each", "Drawn separately for each student")])


class ExtensionForm(FlaskForm):
    due_at = DateTimeLocalField("New due date for this student",
                                format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                validators=[InputRequired(message="Enter a date and time.")])
    #: Minutes to add to the browser's local time to get UTC (set by teach.js).
    tz_offset = HiddenField(default="0")


class OverrideForm(FlaskForm):
    grade = DecimalField("Grade in points", places=None,
                         validators=[InputRequired(message="Enter a number of points.")],
                         render_kw={"inputmode": "decimal", "min": 0, "step": "any"})
    reason = TextAreaField("Reason (kept with the grade)",
                           validators=[DataRequired(message="Say why you set this grade."),
                                       Length(max=teach.MAX_REASON)],
                           render_kw={"rows": 2, "maxlength": teach.MAX_REASON})


class FlagForm(FlaskForm):
    comment = TextAreaField("What looks wrong?",
                            validators=[DataRequired(message="Tell your instructor what "
                                                     "looks wrong."),
                                        Length(max=teach.MAX_COMMENT)],
                            render_kw={"rows": 3, "maxlength": teach.MAX_COMMENT})
    next = HiddenField()


class CommentaryForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=teach.MAX_TITLE)])
    text = TextAreaField("Text of the commentary", validators=[Optional()],
                         render_kw={"rows": 12})
    upload = FileField("…or upload a plain-text file (.txt)",
                       validators=[FileAllowed(["txt"], "Upload a .txt file.")])


class FactForm(FlaskForm):
    question = TextAreaField("Question", validators=[DataRequired(), Length(max=2000)],
                             render_kw={"rows": 3})
    statement = TextAreaField("Statement (with {answer} where the answer goes)",
                              validators=[DataRequired(), Length(max=2000)],
                              render_kw={"rows": 3})
    answer = TextAreaField("Answer (one per line for a list)",
                           validators=[DataRequired(), Length(max=2000)],
                           render_kw={"rows": 2})
    aliases = TextAreaField("Other accepted spellings (one per line)",
                            validators=[Length(max=4000)], render_kw={"rows": 2})
    distractors = TextAreaField("Wrong answers to offer (one per line)",
                                validators=[Length(max=4000)], render_kw={"rows": 4})
    event = StringField("Event for timelines (years only)", validators=[Length(max=300)])
    explanation = TextAreaField("Explanation shown after answering",
                                validators=[Length(max=2000)], render_kw={"rows": 2})
    approve = BooleanField("Approve when saved")


def question_edit_form(question):
    """A form for the question's prompt, explanation and the text of each option."""

    qtype = QUESTION_TYPES[question.payload["type"]]

    class QuestionEditForm(FlaskForm):
        prompt = TextAreaField(
            "Prompt", validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 3},
            description=qtype.prompt_note)
        explanation = TextAreaField("Explanation", validators=[Length(max=4000)],
                                    render_kw={"rows": 3})

    keyed = qtype.key_options(question.payload)
    groups = []
    for group in qtype.option_groups:
        for option in question.payload.get(group, []):
            name = f"opt_{group}_{option['id']}"
            key = f"{group}.{option['id']}"
            # "choices" → "Choice a", "left" → "Left l1": any form's groups read so.
            label = f"{group.capitalize().removesuffix('s')} {option['id']}"
            # Shown, not editable: the service refuses a changed key text all the same.
            extra: dict = {"readonly": True, "aria-readonly": "true"} if key in keyed else {}
            if group == "choices" and key in keyed:
                label += " (a right answer: cannot change here)"
            elif key in keyed:
                label += " (part of the key: cannot change here)"
            setattr(QuestionEditForm, name, StringField(
                label, validators=[DataRequired(), Length(max=500)],
                default=option["text"], render_kw=extra))
            groups.append((name, key))
    form = QuestionEditForm(data={
        "prompt": question.payload["prompt"],
        "explanation": question.payload.get("explanation", "")})
    form.option_names = groups
    return form


def _author_widgets(spec: AuthorField) -> dict[str, Any]:
    """The author form's fields for one answer field, by its widget."""
    if spec.widget == "lines":
        return {spec.in_form: TextAreaField(spec.label, validators=[Length(max=6000)],
                                            render_kw={"rows": spec.rows},
                                            description=spec.hint)}
    if spec.widget == "text":
        return {spec.in_form: StringField(spec.label, validators=[Length(max=MAX_OPTION)],
                                          description=spec.hint)}
    if spec.widget == "choice":
        return {spec.in_form: RadioField(spec.label, choices=[
            SelectChoice(value, text) for value, text in spec.choices],
            validators=[Optional()], description=spec.hint)}
    if spec.widget == "pairs":
        # The field of its own name carries the pairs' error; the rows carry the texts.
        fields = {spec.in_form: HiddenField(spec.label, description=spec.hint)}
        for n in range(1, spec.rows + 1):
            for (_column, label), name in zip(spec.choices, _row(spec, n), strict=True):
                fields[name] = StringField(f"{label} {n}",
                                           validators=[Length(max=MAX_OPTION)])
        return fields
    raise ValueError(f"{spec.name}: unknown author form widget {spec.widget!r}")


def _row(spec: AuthorField, n: int) -> list[str]:
    """The names of row ``n`` of a "pairs" widget (``pair_left_1``, ``pair_right_1``...)."""
    return [f"{spec.in_form.removesuffix('s')}_{column}_{n}" for column, _ in spec.choices]


def _sent(form: FlaskForm, spec: AuthorField) -> Any:
    """An answer field's value as the service (and the API) takes it."""
    if spec.widget != "pairs":
        return form[spec.in_form].data
    rows = [[form[name].data or "" for name in _row(spec, n)]
            for n in range(1, spec.rows + 1)]
    return [row for row in rows if any(text.strip() for text in row)]


def _shown(spec: AuthorField, value: Any) -> dict[str, Any]:
    """The author form's data for an answer field's value (as ``_sent`` gives it)."""
    if spec.widget == "pairs":
        return {name: text for n, row in enumerate(value or [], 1)
                for name, text in zip(_row(spec, n), row, strict=True)}
    if spec.widget == "lines" and isinstance(value, list):
        value = "\n".join(value)
    elif isinstance(value, bool):
        value = str(value).lower()
    return {spec.in_form: None if value is None else str(value)}


class AuthorSection:
    """A section of the author form: the answer fields one or more forms share."""

    def __init__(self, form: FlaskForm, name: str, types: list[QuestionType]) -> None:
        self.name = name
        #: The forms it belongs to (``data-forms``, read by teach.js).
        self.forms = " ".join(t.name for t in types)
        self.label = types[0].label
        self.specs = types[0].author_fields
        self.fields = [form[spec.in_form] for spec in self.specs]
        pairs = [spec for spec in self.specs if spec.widget == "pairs"]
        #: Rows of pairs offered, and shown before "More pairs": four, or as many as used.
        self.rows = max((spec.rows for spec in pairs), default=0)
        used = [n for spec in pairs for n in range(1, spec.rows + 1)
                if any(form[name].data for name in _row(spec, n))]
        self.shown = max([4, *used])


def _service_data(self) -> dict:
    """The fields as ``teach.create_question`` takes them."""
    data = {name: self[name].data for name in ("type", "topic", "prompt", "explanation",
                                               "quote")}
    return {**data, **{spec.name: _sent(self, spec) for spec in self.answer_fields}}


def _sections(self) -> list[AuthorSection]:
    """The sections of answer fields, in the registry's order."""
    by_section: dict[str, list[QuestionType]] = {}
    for qtype in self.types:
        by_section.setdefault(qtype.author_section, []).append(qtype)
    return [AuthorSection(self, name, types) for name, types in by_section.items()]


@functools.cache
def _author_form(types: tuple[QuestionType, ...]) -> type[FlaskForm]:
    """The author form of the forms ``types``: each brings its answer fields."""
    fields: dict[str, Any] = {
        "type": RadioField("Form", default=types[0].name, choices=[
            SelectChoice(t.name, t.label) for t in types],
            validators=[InputRequired(message="Choose a form.")]),
        "topic": SelectField("Topic", choices=[],
                             description="The commentary and topic the question is about."),
        "prompt": TextAreaField("Question", validators=[Length(max=2000)],
                                render_kw={"rows": 3},
                                description="For true/false, the statement to judge.")}
    specs = author_fields(types)
    for spec in specs:
        fields.update(_author_widgets(spec))
    fields["explanation"] = TextAreaField("Explanation shown after answering (optional)",
                                          validators=[Length(max=4000)],
                                          render_kw={"rows": 2})
    fields["quote"] = TextAreaField(
        "Source sentence (optional)", validators=[Length(max=2000)], render_kw={"rows": 2},
        description="Pasted exactly from the commentary: students see it highlighted in "
                    "its paragraph.")
    return type("QuestionAuthorForm", (FlaskForm,), {
        "__doc__": "A question written by hand: every form's fields; the chosen form's are "
                   "read.",
        **fields, "types": types, "answer_fields": tuple(specs),
        "service_data": _service_data, "sections": _sections})


def question_author_form(**kwargs: Any) -> FlaskForm:
    """The author form of the forms in ``QUESTION_TYPES`` now."""
    return _author_form(tuple(QUESTION_TYPES.values()))(**kwargs)


def author_form_data(payload: dict, topic: str) -> dict:
    """The author form's fields for a stored hand-written question (to edit it)."""
    from ..domain.authoring import draft_of

    draft = draft_of(payload)
    data = {"type": draft.type, "topic": topic, "prompt": draft.prompt,
            "explanation": draft.explanation, "quote": draft.quote}
    qtype = QUESTION_TYPES.get(draft.type)
    if qtype is not None:
        values = qtype.draft_fields(draft)
        for spec in qtype.author_fields:
            data.update(_shown(spec, values.get(spec.name)))
    return data


class QuestionImportForm(FlaskForm):
    format = SelectField("Format", choices=[SelectChoice("gift", "GIFT (.txt, .gift)"),
                                            SelectChoice("moodle_xml", "Moodle XML (.xml)")])
    topic = SelectField("Topic of the imported questions", choices=[])
    upload = FileField("File", validators=[FileAllowed(["txt", "gift", "xml"],
                                                       "Upload a .txt, .gift or .xml file.")])
    #: The file read at the preview (base64), sent back with "Import".
    content = HiddenField()
