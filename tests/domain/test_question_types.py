"""The question type registry: every type carries everything quizapp does with its questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp import resource_dir
from quizapp.domain.question_types import QUESTION_TYPES, response_schema

QUESTIONS = {
    "mcq": {"type": "mcq", "prompt": "P?", "answer": "b",
            "choices": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
    "multi": {"type": "multi", "prompt": "P?", "answer": ["a", "c"],
              "choices": [{"id": c, "text": c.upper()} for c in "abc"]},
    "true_false": {"type": "true_false", "prompt": "True or false? S.", "statement": "S.",
                   "answer": True},
    "short": {"type": "short", "prompt": "P?", "answer": "UK", "accepted": ["UK"]},
    "ordering": {"type": "ordering", "prompt": "P?", "answer": ["e1", "e2"],
                 "items": [{"id": "e2", "text": "Two"}, {"id": "e1", "text": "One"}]},
    "matching": {"type": "matching", "prompt": "P?", "answer": {"l1": "r1", "l2": "r2"},
                 "left": [{"id": "l1", "text": "L1"}, {"id": "l2", "text": "L2"}],
                 "right": [{"id": "r1", "text": "R1"}, {"id": "r2", "text": "R2"}]},
}


def test_the_registry_holds_the_six_forms_by_their_api_names():
    assert list(QUESTION_TYPES) == list(QUESTIONS)
    assert all(name == t.name for name, t in QUESTION_TYPES.items())
    assert len({t.label for t in QUESTION_TYPES.values()}) == len(QUESTION_TYPES)


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_each_type_checks_its_own_example_and_has_its_partial(name):
    qtype, question = QUESTION_TYPES[name], QUESTIONS[name]
    example = qtype.example(question)
    assert 0.0 <= qtype.check(question, example).credit <= 1.0
    assert qtype.response_text(question, example)
    assert (resource_dir("templates") / qtype.template).is_file()
    bars = qtype.histogram(question, [(example, True)])
    assert sum(bar["count"] for bar in bars) >= 1
    assert qtype.response_schema in response_schema()["anyOf"]


def test_choice_histograms_count_choices_and_others_right_partly_wrong():
    mcq = QUESTION_TYPES["mcq"].histogram(QUESTIONS["mcq"], [("b", True), ("a", False)])
    assert [(b["id"], b["count"], b["correct"]) for b in mcq] == [("a", 1, False),
                                                                  ("b", 1, True)]
    ordering = QUESTION_TYPES["ordering"].histogram(
        QUESTIONS["ordering"], [(["e1", "e2"], True), (["e2", "e1"], False)])
    assert [b["id"] for b in ordering] == ["right", "partly", "wrong"]


#: A well-formed author form (or API body) per type, as ``draft_from_fields`` reads it.
FIELDS = {
    "mcq": {"right": ["Paris"], "wrong": ["Rome", "Oslo"]},
    "multi": {"right": "Paris\nLyon", "wrong": ["Rome"]},
    "true_false": {"answer": "false"},
    "short": {"accepted": ["UK", "United Kingdom"]},
    "ordering": {"items": ["One", "Two", "Three"]},
    "matching": {"pairs": [["L1", "R1"], {"left": "L2", "right": "R2"}]},
}


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_each_type_reads_checks_stores_and_gives_back_its_own_draft(name):
    from quizapp.domain.authoring import build_payload, check_draft, draft_from_fields, draft_of

    draft = draft_from_fields({"type": name, "prompt": "P?", **FIELDS[name]}, "seed")
    assert check_draft(draft) == {}
    payload = build_payload(draft, uid="own-1-x", document="d", topic="t")
    assert payload["type"] == name and "answer" in payload and "answer_text" in payload
    assert QUESTION_TYPES[name].check(payload, QUESTION_TYPES[name].example(payload))
    assert draft_of(payload) == draft
    empty = draft_from_fields({"type": name, "prompt": ""}, "seed")
    assert set(check_draft(empty)) - {"prompt"}, "an empty draft breaks the form's own rules"


def test_authoring_asks_the_registry_and_names_no_form():
    from quizapp.domain import authoring

    source = Path(authoring.__file__).read_text(encoding="utf-8")
    named = [name for name in QUESTION_TYPES if f'"{name}"' in source]
    assert named == []


def test_only_a_false_statement_is_corrected_by_its_facts():
    assert not any(QUESTION_TYPES[n].corrected_by_facts(q) for n, q in QUESTIONS.items())
    false = {**QUESTIONS["true_false"], "answer": False}
    assert QUESTION_TYPES["true_false"].corrected_by_facts(false)


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_each_type_gives_back_the_fields_it_reads(name):
    """``draft_fields`` (what the edit form shows) read again is the same draft."""
    from dataclasses import replace

    from quizapp.domain.authoring import draft_from_fields

    qtype = QUESTION_TYPES[name]
    draft = draft_from_fields({"type": name, "prompt": "P?", **FIELDS[name]}, "seed")
    sent = qtype.draft_fields(draft)
    assert set(sent) == {spec.name for spec in qtype.author_fields}
    again = draft_from_fields({"type": name, "prompt": "P?", **sent}, "seed")
    # Choices are mixed again by the seed: the same answers, maybe in another order.
    assert replace(again, choices=sorted(again.choices)) == \
        replace(draft, choices=sorted(draft.choices))


def test_a_student_sees_what_the_type_shows_and_never_the_key(monkeypatch):
    from quizapp.domain.generator import public_view
    from quizapp.domain.question_types import QuestionType

    class Measured(QuestionType):
        name = "measured"
        shown_fields = ("unit",)

    monkeypatch.setitem(QUESTION_TYPES, "measured", Measured())
    payload = {"id": "q1", "type": "measured", "prompt": "How far?", "unit": "km",
               "answer": 42, "choices": [{"id": "a", "text": "leak"}]}
    assert public_view(payload) == {"id": "q1", "type": "measured", "prompt": "How far?",
                                    "unit": "km"}
    assert public_view(QUESTIONS["matching"]).keys() == {"type", "prompt", "left", "right"}
