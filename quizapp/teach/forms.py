"""Instructor forms (and the student's join and flag forms)."""

from __future__ import annotations

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

from ..domain.question_types import QUESTION_TYPES
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
            label = {"choices": "Choice", "items": "Item", "left": "Left",
                     "right": "Right"}[group] + f" {option['id']}"
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


#: Rows of matching pairs the form offers.
PAIR_ROWS = 10


class QuestionAuthorForm(FlaskForm):
    """A question written by hand: every form's fields; the chosen form's are read."""

    type = RadioField("Form", default="mcq", choices=[
        SelectChoice(t.name, t.label) for t in QUESTION_TYPES.values()],
        validators=[InputRequired(message="Choose a form.")])
    topic = SelectField("Topic", choices=[],
                        description="The commentary and topic the question is about.")
    prompt = TextAreaField("Question", validators=[Length(max=2000)], render_kw={"rows": 3},
                           description="For true/false, the statement to judge.")
    right = TextAreaField("Right answer", validators=[Length(max=6000)],
                          render_kw={"rows": 2},
                          description="Select all that apply: one right answer a line.")
    wrong = TextAreaField("Wrong answers, one a line", validators=[Length(max=6000)],
                          render_kw={"rows": 4},
                          description="Multiple choice needs at least two.")
    truth = RadioField("The statement is", choices=[SelectChoice("true", "True"),
                                                    SelectChoice("false", "False")],
                       validators=[Optional()])
    accepted = TextAreaField("Accepted answers, one a line", validators=[Length(max=6000)],
                             render_kw={"rows": 3},
                             description="The first is the key; case, accents and "
                                         "punctuation are ignored when checking.")
    items = TextAreaField("Events in the right order, earliest first, one a line",
                          validators=[Length(max=6000)], render_kw={"rows": 5},
                          description="Students see them shuffled.")
    #: Carries the matching pairs' error (the pairs are the pair_* fields).
    pairs = HiddenField()
    explanation = TextAreaField("Explanation shown after answering (optional)",
                                validators=[Length(max=4000)], render_kw={"rows": 2})
    quote = TextAreaField("Source sentence (optional)", validators=[Length(max=2000)],
                          render_kw={"rows": 2},
                          description="Pasted exactly from the commentary: students see it "
                                      "highlighted in its paragraph.")

    def service_data(self) -> dict:
        """The fields as ``teach.create_question`` takes them."""
        pairs = [[self[f"pair_left_{n}"].data or "", self[f"pair_right_{n}"].data or ""]
                 for n in range(1, PAIR_ROWS + 1)]
        return {"type": self.type.data, "topic": self.topic.data, "prompt": self.prompt.data,
                "right": self.right.data, "wrong": self.wrong.data, "answer": self.truth.data,
                "accepted": self.accepted.data, "items": self.items.data,
                "pairs": [p for p in pairs if p[0].strip() or p[1].strip()],
                "explanation": self.explanation.data, "quote": self.quote.data}


for _n in range(1, PAIR_ROWS + 1):
    setattr(QuestionAuthorForm, f"pair_left_{_n}",
            StringField(f"Item {_n}", validators=[Length(max=500)]))
    setattr(QuestionAuthorForm, f"pair_right_{_n}",
            StringField(f"Its match {_n}", validators=[Length(max=500)]))


def author_form_data(payload: dict, topic: str) -> dict:
    """The author form's fields for a stored hand-written question (to edit it)."""
    from ..domain.authoring import draft_of

    draft = draft_of(payload)
    data = {"type": draft.type, "topic": topic, "prompt": draft.prompt,
            "right": "\n".join(t for t, ok in draft.choices if ok),
            "wrong": "\n".join(t for t, ok in draft.choices if not ok),
            "truth": None if draft.truth is None else str(draft.truth).lower(),
            "accepted": "\n".join(draft.accepted), "items": "\n".join(draft.items),
            "explanation": draft.explanation, "quote": draft.quote}
    for n, (left, right) in enumerate(draft.pairs, 1):
        data[f"pair_left_{n}"], data[f"pair_right_{n}"] = left, right
    return data


class QuestionImportForm(FlaskForm):
    format = SelectField("Format", choices=[SelectChoice("gift", "GIFT (.txt, .gift)"),
                                            SelectChoice("moodle_xml", "Moodle XML (.xml)")])
    topic = SelectField("Topic of the imported questions", choices=[])
    upload = FileField("File", validators=[FileAllowed(["txt", "gift", "xml"],
                                                       "Upload a .txt, .gift or .xml file.")])
    #: The file read at the preview (base64), sent back with "Import".
    content = HiddenField()
