"""The JSON request bodies of API v1: each model validates its body (``parse_body``) and is
its schema in openapi.json (``operation(body=...)``), so the two cannot drift.

They check the shape: JSON types, the fields a body needs, enums, lengths and ranges. What
needs the database or other fields (a topic you may see, a due date in the future, the
password policy) stays in the services, which the web forms share.
"""

from __future__ import annotations

import functools
import textwrap
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema, create_model
from pydantic.fields import FieldInfo

from ..domain import question_types
from ..domain.authoring import MAX_EXPLANATION, MAX_OPTION, MAX_OPTIONS, MAX_PROMPT, MAX_QUOTE
from ..domain.live import NICKNAME_MAX
from ..domain.question_import import FORMATS, MAX_IMPORT_BYTES
from ..domain.question_types import QUESTION_TYPES, author_fields, response_schema
from ..services import live, study, teach
from . import RequestBody

QuestionType = Literal[tuple(QUESTION_TYPES)]
#: A response to a question of any type: its type's checker validates it (services).
AnyResponse = Annotated[Any, WithJsonSchema(response_schema())]
DateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Texts = Annotated[list[Annotated[str, Field(max_length=MAX_OPTION)]],
                  Field(max_length=MAX_OPTIONS)]
Ids = list[int]


def _all_optional(model: type[RequestBody], name: str, doc: str, **config: Any):
    """``model`` with every field optional (absent: unchanged), for a partial update."""
    fields = {field: (info.annotation | None, FieldInfo.merge_field_infos(info, default=None))
              for field, info in model.model_fields.items()}
    base = type(f"_{name}Base", (RequestBody,), {"model_config": ConfigDict(
        strict=True, **config)})
    return create_model(name, __base__=base, __doc__=doc, __module__=__name__, **fields)


# --------------------------------------------------------------------------- accounts

class NewUser(RequestBody):
    username: str
    password: str


class PasswordChange(RequestBody):
    current: str
    password: str = Field(description="The new password (same policy as sign-up).")


class AccountDeletion(RequestBody):
    password: str


# --------------------------------------------------------------------------- study

#: What ``count`` means for a drawn quiz (an attempt, a warm-up).
DRAWN_COUNT = ("How many questions to draw. A quiz of the whole bank asks each fact once and "
               "no question gives away another's answer, so it may hold fewer than asked; one "
               "narrowed by types or topics fills its length. The response lists the "
               "questions drawn.")


class NewAttempt(RequestBody):
    count: Annotated[int, Field(ge=1, le=study.MAX_COUNT, description=DRAWN_COUNT)] = 10
    types: list[QuestionType] | None = None
    topics: list[str] | None = None
    seed: Annotated[int, Field(ge=0)] | None = None
    mode: Literal["practice", "review", "mistakes"] = "practice"
    assignment_id: int | None = Field(None, description="Start an attempt at this "
                                      "assignment (the other fields are then ignored).")


class AttemptAnswer(RequestBody):
    response: AnyResponse


# --------------------------------------------------------------------------- classes

class NewClass(RequestBody):
    name: Annotated[str, Field(max_length=teach.MAX_NAME)]


class ClassChanges(RequestBody):
    """Rename (``name``) or archive / restore (``archived``) a class; other fields: 400."""

    model_config = ConfigDict(strict=True, extra="forbid")
    name: Annotated[str, Field(max_length=teach.MAX_NAME)] | None = None
    archived: bool | None = None


class CoInstructor(RequestBody):
    username: str


class JoinClass(RequestBody):
    join_code: str


class Assignment(RequestBody):
    title: Annotated[str, Field(max_length=teach.MAX_TITLE)]
    count: Annotated[int, Field(ge=1, le=study.MAX_COUNT)] | None = Field(
        None, description="How many questions to draw (or send question_ids).")
    types: list[QuestionType] | None = None
    topics: list[str] | None = None
    question_ids: Ids | None = Field(None, description="Hand-picked questions instead "
                                     "of a draw.")
    due_at: DateTime = Field(description="ISO 8601; without an offset it is taken as UTC.")
    available_from: DateTime | None = Field(None, description="ISO 8601: no attempt starts "
                                            "before it (students see \"opens ...\"); "
                                            "null: at once.")
    max_attempts: Annotated[int, Field(ge=1, le=teach.MAX_ATTEMPTS)] = 1
    grading: Literal[teach.GRADINGS] = "highest"
    show_keys: Literal[teach.SHOW_KEYS] = "immediately"
    time_limit_minutes: Annotated[int, Field(ge=1, le=teach.MAX_TIME_LIMIT)] | None = None
    same_questions: bool = True


AssignmentChanges = _all_optional(
    Assignment, "AssignmentChanges",
    "Any of the settings of an assignment (as when it is created), checked the same way; "
    "other fields: 400. Once a student has started, count, types, topics, question_ids and "
    "same_questions are fixed (409).", extra="forbid")


class Extension(RequestBody):
    due_at: DateTime = Field(description="After the class's due date and in the future")


_Points = Annotated[int, Field(ge=0)] | Annotated[float, Field(ge=0)]


class GradeOverride(RequestBody):
    grade: _Points = Field(description="Points, at most the assignment's number of "
                           "questions")
    reason: Annotated[str, Field(max_length=teach.MAX_REASON)]


# --------------------------------------------------------------------------- questions

class QuestionFlag(RequestBody):
    comment: Annotated[str, Field(max_length=teach.MAX_COMMENT)]


class QuestionEdit(RequestBody):
    prompt: str
    explanation: str | None = None
    options: dict[str, str] | None = Field(None, description="option id (or group.id, e.g. "
                                           "choices.a) -> new text")


def _authoring_checks(schema: dict[str, Any]) -> Any:
    """A question's type and answer fields: documented here, checked by the authoring
    rules (domain/authoring.py) that the form and the GIFT / Moodle XML import share, so
    all three refuse a broken question with the same words."""
    return Annotated[Any, WithJsonSchema(schema)]


def _revision_doc(types: tuple[question_types.QuestionType, ...]) -> str:
    rules = ", ".join(f"{t.name} ({t.author_rules})" for t in types)
    text = (f"A question written by hand. Which answer fields count depends on `type`: "
            f"{rules}. Texts must read differently (case and punctuation aside). A 400 "
            "names each field that breaks a rule.")
    # Wrapped as the hand-written docstring it replaces was, so openapi.json kept its text.
    return textwrap.fill(text, width=88, initial_indent='"""')[3:]


@functools.cache
def _question_bodies(types: tuple[question_types.QuestionType, ...]
                     ) -> tuple[type[RequestBody], type[RequestBody]]:
    """The bodies of a question written by hand (``QuestionRevision``) and of a new one
    (``QuestionDraft``, with its ``type``): each form of ``types`` brings its answer fields."""
    fields: dict[str, Any] = {
        "topic": (str, Field(description="A topic you can see (its commentary is the "
                                         "question's source).")),
        "prompt": (Annotated[str, Field(max_length=MAX_PROMPT)],
                   Field(description="The question; for true_false the statement."))}
    for spec in author_fields(types):
        fields[spec.name] = (_authoring_checks(spec.schema),
                             Field(None, description=spec.doc))
    fields["explanation"] = (Annotated[str, Field(max_length=MAX_EXPLANATION)] | None, None)
    fields["quote"] = (Annotated[str, Field(max_length=MAX_QUOTE)] | None, Field(
        None, description="A sentence of the topic's commentary, verbatim."))
    doc = _revision_doc(types)
    revision = create_model("QuestionRevision", __base__=RequestBody, __doc__=doc,
                            __module__=__name__, **fields)
    draft = create_model("QuestionDraft", __base__=revision, __doc__=doc,
                         __module__=__name__, type=(_authoring_checks(
                             {"type": "string", "enum": [t.name for t in types]}), ...))
    return revision, draft


def question_bodies() -> tuple[type[RequestBody], type[RequestBody]]:
    """``QuestionRevision`` and ``QuestionDraft`` of the forms in ``QUESTION_TYPES`` now."""
    return _question_bodies(tuple(QUESTION_TYPES.values()))


QuestionRevision, QuestionDraft = question_bodies()


class QuestionImport(RequestBody):
    format: Literal[FORMATS]
    text: Annotated[str, Field(max_length=MAX_IMPORT_BYTES)] = Field(
        description="The file's text (UTF-8).")
    topic: str = Field(description="The topic they all go under.")
    dry_run: bool = False


# --------------------------------------------------------------------------- commentaries

class NewCommentary(RequestBody):
    title: Annotated[str, Field(max_length=teach.MAX_TITLE)]
    text: Annotated[str, Field(max_length=teach.MAX_COMMENTARY_CHARS)]


class FactIds(RequestBody):
    fact_ids: list[str]


class FactChanges(RequestBody):
    question: str | None = None
    statement: str | None = None
    answer: Any = Field(None, description="One text, or for a set of entities a list")
    aliases: list[str] | None = None
    distractors: list[str] | None = None
    explanation: str | None = None
    event: str | None = None


# --------------------------------------------------------------------------- warm-ups

class NewLive(RequestBody):
    count: Annotated[int, Field(ge=1, le=study.MAX_COUNT)] | None = Field(
        None, description="Required unless question_ids or question_set_id is given. "
        + DRAWN_COUNT)
    seconds_per_question: Annotated[
        int, Field(ge=live.MIN_SECONDS, le=live.MAX_SECONDS)] | None = Field(
        None, description=f"How long each question stays open (default "
        f"{live.DEFAULT_SECONDS})")
    types: list[str] | None = None
    topics: list[str] | None = None
    question_ids: Ids | None = None
    question_set_id: int | None = Field(None, description="Ask the questions of one of your "
                                        "saved sets (GET /api/v1/live/sets), in order")
    auto_reveal: bool = Field(False, description="Show the answer as soon as every player "
                              "still in has answered")
    speed_bonus: bool = False
    confidence: bool = False


_SetName = Annotated[str, Field(min_length=1, max_length=live.SET_NAME_MAX)]
_SetIds = Annotated[Ids, Field(min_length=1, max_length=study.MAX_COUNT,
                               description="In the order they are asked")]


class NewQuestionSet(RequestBody):
    name: _SetName
    question_ids: _SetIds


class QuestionSetChanges(RequestBody):
    name: _SetName | None = None
    question_ids: _SetIds | None = None


class Advance(RequestBody):
    from_index: int | None = Field(None, description="Optional guard: refuse (409) unless "
                                   "the game is still at this question index (-1 in the "
                                   "lobby)")


class Nickname(RequestBody):
    nickname: str


class JoinLive(RequestBody):
    nickname: Annotated[str, Field(min_length=1, max_length=NICKNAME_MAX)]


class LiveAnswer(RequestBody):
    response: AnyResponse
    confidence: Literal["sure", "unsure"] | None = None
