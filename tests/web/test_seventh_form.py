"""A seventh question form needs no file outside its class, its partial and the phone's
script: a toy "numeric" form, known only to this module, is written with the HTML author
form and the JSON API, answered by a student and checked (issue #13)."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from typing import Any

import pytest

from quizapp.domain.question_types import (
    QUESTION_TYPES,
    AuthorField,
    InvalidResponse,
    ParsedAnswer,
    QuestionType,
    Result,
)
from quizapp.extensions import db
from quizapp.models import Question

TOPIC = "vilnius-2023"
FUTURE = "2099-05-01T17:00:00Z"


def _number(value: Any) -> float | None:
    """A finite number from JSON or from a typed text, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class Numeric(QuestionType):
    """A number to type, right within a tolerance: a form with answer fields of its own."""

    name = "numeric"
    label = student_label = "Numeric"
    template = "questions/_short.html"  # typed, as a short answer is: no partial of its own
    moodle_type = "numerical"
    author_section = "numeric"
    author_rules = "`number`, `tolerance`"
    author_fields = (
        AuthorField("number", "The answer (a number)", {"type": "number"}, widget="text"),
        AuthorField("tolerance", "Right within ±", {"type": "number", "minimum": 0},
                    widget="text", hint="How far from the answer still counts.",
                    doc="numeric: how far from `number` still counts."))
    response_schema = {"type": "string", "description": "numeric: the typed number"}

    def check(self, payload: Mapping[str, Any], response: Any) -> Result:
        value = _number(response)
        if value is None:
            raise InvalidResponse("Type a number.")
        ok = abs(value - payload["answer"]) <= payload["tolerance"]
        return Result(ok, 1.0 if ok else 0.0)

    def parse_form(self, payload: Mapping[str, Any], formdata: Any,
                   name: str) -> ParsedAnswer:
        text = str(formdata.get(name, "")).strip()
        if _number(text) is None:
            return ParsedAnswer(draft=text, error="Type a number.")
        return ParsedAnswer(text, text)

    def example(self, payload: Mapping[str, Any]) -> Any:
        return str(payload["answer"])

    def draft_errors(self, draft) -> dict[str, str]:
        errors = {name: "Give a number." for name in ("number", "tolerance")
                  if draft.data.get(name) is None}
        if "tolerance" not in errors and draft.data["tolerance"] < 0:
            errors["tolerance"] = "A tolerance cannot be negative."
        return errors

    def fill_payload(self, draft, payload: dict[str, Any], rng: random.Random) -> None:
        number, tolerance = draft.data["number"], draft.data["tolerance"]
        payload.update(answer=number, tolerance=tolerance,
                       answer_text=f"{number:g} ± {tolerance:g}")

    def fill_draft(self, payload: Mapping[str, Any], draft) -> None:
        draft.data = {"number": payload["answer"], "tolerance": payload["tolerance"]}

    def read_fields(self, data: Mapping[str, Any], draft, errors: dict[str, str],
                    seed: str) -> None:
        draft.data = {name: _number(data.get(name)) for name in ("number", "tolerance")}


@pytest.fixture
def numeric(monkeypatch):
    """The registry with the numeric form added after the six."""
    monkeypatch.setitem(QUESTION_TYPES, "numeric", Numeric())


def _stored(app, question_id: int) -> dict[str, Any]:
    with app.app_context():
        return db.session.get(Question, question_id).payload


def test_the_author_form_offers_the_seventh_forms_own_fields(client, auth, make_user,
                                                             numeric):
    make_user("prof", "instructor")
    auth.login("prof")
    page = client.get("/teach/questions/new").get_data(as_text=True)
    assert 'value="numeric"' in page  # a choice of form
    sections = re.findall(r'data-forms="([^"]*)"', page)
    assert sections == ["mcq multi", "true_false", "short", "ordering", "matching", "numeric"]
    section = page[page.index('data-forms="numeric"'):]
    section = section[:section.index("</section>")]
    assert 'name="number"' in section and 'name="tolerance"' in section
    assert "Right within ±" in section and "How far from the answer still counts." in section


def test_the_html_form_stores_edits_and_refuses_a_seventh_form_question(client, app, auth,
                                                                       make_user, numeric):
    make_user("prof", "instructor")
    auth.login("prof")
    form = {"type": "numeric", "topic": TOPIC, "prompt": "How many states attended?"}
    refused = client.post("/teach/questions/new", data={**form, "number": "thirty-one",
                                                        "tolerance": "0"})
    assert refused.status_code == 400
    assert "Give a number." in refused.get_data(as_text=True)
    sent = client.post("/teach/questions/new", data={**form, "number": "31",
                                                     "tolerance": "0.5"})
    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]
    question_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    payload = _stored(app, question_id)
    assert (payload["type"], payload["answer"], payload["tolerance"]) == ("numeric", 31, 0.5)
    assert client.get(sent.headers["Location"]).status_code == 200
    edit = client.get(f"/teach/questions/{question_id}/rewrite").get_data(as_text=True)
    assert 'value="31.0"' in edit and 'value="0.5"' in edit
    saved = client.post(f"/teach/questions/{question_id}/rewrite",
                        data={**form, "number": "32", "tolerance": "0.5"})
    assert saved.status_code == 303
    assert _stored(app, int(saved.headers["Location"].rsplit("/", 1)[1]))["answer"] == 32


def test_the_api_documents_stores_and_a_student_answers_a_seventh_form_question(
        client, app, auth, api_token, numeric):
    from quizapp.api import bodies

    revision, new = bodies.question_bodies()
    schema = new.model_json_schema()["properties"]
    assert schema["tolerance"]["minimum"] == 0 and "numeric" in schema["type"]["enum"]
    assert "numeric (`number`, `tolerance`)" in " ".join(revision.__doc__.split())
    prof = api_token("prof", "instructor")
    student = api_token("stud")
    body = {"type": "numeric", "topic": TOPIC, "prompt": "How many states attended?"}
    refused = client.post("/api/v1/questions", json={**body, "number": "many"}, headers=prof)
    assert refused.status_code == 400
    assert set(refused.get_json()["error"]["fields"]) == {"number", "tolerance"}
    made = client.post("/api/v1/questions", json={**body, "number": 31, "tolerance": 0.5},
                       headers=prof)
    assert made.status_code == 201, made.get_json()
    question_id = made.get_json()["id"]
    assert _stored(app, question_id)["answer_text"] == "31 ± 0.5"

    cls = client.post("/api/v1/classes", json={"name": "c"}, headers=prof).get_json()
    client.post("/api/v1/enrollments", json={"join_code": cls["join_code"]}, headers=student)
    assignment = client.post(f"/api/v1/classes/{cls['id']}/assignments", json={
        "title": "Numbers", "question_ids": [question_id], "due_at": FUTURE,
        "max_attempts": 5}, headers=prof)
    assert assignment.status_code == 201, assignment.get_json()
    start = {"assignment_id": assignment.get_json()["id"]}
    attempt = client.post("/api/v1/attempts", json=start, headers=student).get_json()["id"]
    auth.login("stud")
    page = client.get(f"/attempts/{attempt}/questions/1")
    assert page.status_code == 200 and b"How many states attended?" in page.data
    sent = client.post(f"/attempts/{attempt}/questions/1", data={"response": "31.4"})
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    assert b"Right!" in client.get(f"/attempts/{attempt}/questions/1").data
    assert client.post(f"/attempts/{attempt}/finish").status_code in (302, 303)
    again = client.post("/api/v1/attempts", json=start, headers=student).get_json()["id"]
    assert again != attempt
    wrong = client.put(f"/api/v1/attempts/{again}/responses/{question_id}",
                       json={"response": "29"}, headers=student)
    assert wrong.status_code == 200 and wrong.get_json()["correct"] is False


def test_the_review_edit_form_names_the_options_of_a_new_group(app, monkeypatch):
    from types import SimpleNamespace

    from quizapp.teach.forms import question_edit_form

    class Laddered(Numeric):
        name = "laddered"
        option_groups = ("rungs",)

    monkeypatch.setitem(QUESTION_TYPES, "laddered", Laddered())
    payload = {"type": "laddered", "prompt": "P?", "answer": 1, "tolerance": 0,
               "rungs": [{"id": "a", "text": "Low"}]}
    with app.test_request_context():
        form = question_edit_form(SimpleNamespace(payload=payload))
        assert form.opt_rungs_a.label.text.startswith("Rung a")
        assert question_edit_form(SimpleNamespace(payload={
            **payload, "type": "matching", "left": [{"id": "l1", "text": "L"}],
            "right": [{"id": "r1", "text": "R"}], "answer": {"l1": "r1"}})
        ).opt_right_r1.label.text.startswith("Right r1")
