"""Answer checkers: tolerant where a person would be, strict where it matters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.domain.checking import InvalidResponse, check
from quizapp.domain.question_types import QUESTION_TYPES

MCQ = {"type": "mcq", "choices": [{"id": "a", "text": "2017"}, {"id": "b", "text": "2018"}],
       "answer": "b"}
MULTI = {"type": "multi", "choices": [{"id": c, "text": c} for c in "abcde"],
         "answer": ["a", "c"]}
TF = {"type": "true_false", "answer": False}
SHORT_YEAR = {"type": "short", "answer": "2018", "accepted": ["2018"]}
SHORT_UK = {"type": "short", "answer": "United Kingdom",
            "accepted": ["United Kingdom", "UK", "Britain", "Great Britain"]}
SHORT_EXPANSION = {"type": "short", "answer": "Cooperative Cyber Defence Centre of Excellence",
                   "accepted": ["Cooperative Cyber Defence Centre of Excellence"]}
ORDERING = {"type": "ordering", "items": [{"id": i, "text": i} for i in ("e1", "e2", "e3")],
            "answer": ["e2", "e3", "e1"]}
MATCHING = {"type": "matching", "left": [{"id": "l1", "text": "A"}, {"id": "l2", "text": "B"}],
            "right": [{"id": "r1", "text": "x"}, {"id": "r2", "text": "y"}],
            "answer": {"l1": "r2", "l2": "r1"}}


@pytest.mark.parametrize("question, response, correct", [
    (MCQ, "b", True), (MCQ, "a", False),
    (MULTI, ["c", "a"], True), (MULTI, ["a"], False), (MULTI, ["a", "c", "d"], False),
    (TF, False, True), (TF, True, False),
    (SHORT_YEAR, "2018", True), (SHORT_YEAR, " 2018. ", True), (SHORT_YEAR, "2017", False),
    (SHORT_YEAR, "2,018", False), (SHORT_YEAR, "２０１８", True),
    # A year typed with its month or day is that year (round 24's held-out review).
    (SHORT_YEAR, "April 2018", True), (SHORT_YEAR, "in early 2018", True),
    (SHORT_YEAR, "11 April 2018", True), (SHORT_YEAR, "mid-2018", True),
    (SHORT_YEAR, "April 2017", False), (SHORT_YEAR, "2018 or 2019", False),
    (SHORT_YEAR, "the war of 2018", False),
    # hedges between years, and a bare number beside the year (the independent review)
    (SHORT_YEAR, "2018-19", False), (SHORT_YEAR, "2018/19", False),
    (SHORT_YEAR, "2018 19", False), (SHORT_YEAR, "21 2018", False),
    (SHORT_UK, "UK", True), (SHORT_UK, "the United Kingdom", True), (SHORT_UK, "u.k.", True),
    (SHORT_UK, "united  kingdom!", True), (SHORT_UK, "Italy", False),
    (SHORT_EXPANSION, "cooperative cyber defense center of excellence", True),
    (SHORT_EXPANSION, "Cooperative Cyber Défense Centre of Excellence", True),
    (SHORT_EXPANSION, "Cyber Defence Centre", False),
    (ORDERING, ["e2", "e3", "e1"], True), (ORDERING, ["e1", "e2", "e3"], False),
    (MATCHING, {"l1": "r2", "l2": "r1"}, True), (MATCHING, {"l1": "r1", "l2": "r2"}, False),
])
def test_checker_decides_right_and_wrong(question, response, correct):
    assert check(question, response).correct is correct


@pytest.mark.parametrize("question, response", [
    (MCQ, None), (MCQ, ""), (MCQ, "z"), (MCQ, 1), (MCQ, ["b"]), (MCQ, {"id": "b"}),
    (MULTI, []), (MULTI, "a"), (MULTI, ["a", "a"]), (MULTI, ["a", 3]), (MULTI, ["zz"]),
    (TF, "false"), (TF, 0), (TF, None), (TF, "no"),
    (SHORT_YEAR, ""), (SHORT_YEAR, "   "), (SHORT_YEAR, 2018), (SHORT_YEAR, "x" * 10_000),
    (SHORT_YEAR, None), (SHORT_YEAR, ["2018"]),
    (ORDERING, ["e1", "e2"]), (ORDERING, ["e1", "e1", "e2"]), (ORDERING, "e1,e2,e3"),
    (ORDERING, ["e1", "e2", "e9"]),
    (MATCHING, {"l1": "r1"}), (MATCHING, ["r1", "r2"]), (MATCHING, {"l1": "r1", "l2": "r9"}),
    (MATCHING, {"l1": 1, "l2": "r1"}),
])
def test_malformed_responses_are_refused_with_a_message(question, response):
    with pytest.raises(InvalidResponse) as info:
        check(question, response)
    assert str(info.value)


def test_partial_credit_for_multi_ordering_and_matching():
    assert check(MULTI, ["a"]).credit == 0.5
    assert check(MULTI, ["a", "b"]).credit == 0.0
    assert check(ORDERING, ["e2", "e1", "e3"]).credit == pytest.approx(1 / 3, abs=1e-3)
    assert check(MATCHING, {"l1": "r2", "l2": "r2"}).credit == 0.5


def test_every_type_has_a_checker():
    assert set(QUESTION_TYPES) == {"mcq", "multi", "true_false", "short", "ordering", "matching"}


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=400),
                 st.lists(st.text(max_size=5), max_size=6),
                 st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=4)))
def test_no_input_crashes_a_checker(response):
    for question in (MCQ, MULTI, TF, SHORT_YEAR, ORDERING, MATCHING):
        try:
            result = check(question, response)
        except InvalidResponse:
            continue
        assert 0.0 <= result.credit <= 1.0


def test_item_analysis_counts_a_year_typed_with_its_month_as_right():
    # The checker credits "April 2018" for 2018; item analysis must show it as right too.
    rows = QUESTION_TYPES["short"].tally(SHORT_YEAR, ["April 2018", "April 2018", "2017"])
    assert ("april 2018", "April 2018", True, 2) in rows
    assert any(row[1] == "2017" and row[2] is False for row in rows)
