"""Gradebook and item statistics (pure domain code, no app)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from quizapp.domain.analysis import (
    AnswerRecord,
    AttemptRecord,
    fact_misses,
    histogram,
    item_analysis,
    point_biserial,
    student_rows,
    upper_lower,
)

T0 = datetime(2030, 1, 1, 9, 0)
MCQ = {"type": "mcq", "prompt": "Which year?", "answer": "b",
       "choices": [{"id": "a", "text": "2009"}, {"id": "b", "text": "2010"},
                   {"id": "c", "text": "2011"}, {"id": "d", "text": "2012"}]}
MULTI = {"type": "multi", "prompt": "Which countries?", "answer": ["a", "c"],
         "choices": [{"id": "a", "text": "Italy"}, {"id": "b", "text": "France"},
                     {"id": "c", "text": "United Kingdom"}]}
TF = {"type": "true_false", "prompt": "True or false? X.", "answer": False}
SHORT = {"type": "short", "prompt": "Fill in: _____", "answer": "2014",
         "accepted": ["2014"]}


def attempt(n: int, user: str, answers: list[tuple[int, object, bool]], *, score=None,
            finished=True, max_score=None, minutes=0, deadline=None) -> AttemptRecord:
    records = tuple(AnswerRecord(q, r, c, 1.0 if c else 0.0) for q, r, c in answers)
    start = T0 + timedelta(minutes=minutes)
    return AttemptRecord(attempt_id=n, username=user, started_at=start,
                         max_score=max_score or len(answers), answers=records,
                         finished_at=start + timedelta(minutes=5) if finished else None,
                         score=score, deadline=deadline)


def pearson(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return cov / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def test_point_biserial_is_the_correlation_of_item_and_total():
    item = [1, 1, 1, 0, 0, 1, 0, 0]
    totals = [0.9, 0.8, 0.7, 0.6, 0.3, 0.75, 0.2, 0.4]
    assert point_biserial(item, totals) == round(pearson(item, totals), 3)
    assert point_biserial(item, totals) > 0.5


def test_point_biserial_is_negative_when_weak_students_get_it_right():
    assert point_biserial([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) < 0


@pytest.mark.parametrize("item, totals", [
    ([1, 1, 1], [0.2, 0.5, 0.9]),   # everyone right: no variance
    ([1, 0, 1], [0.5, 0.5, 0.5]),   # everyone scored the same
    ([1], [1.0]),                   # one answer
    ([], []),
])
def test_point_biserial_is_undefined_without_variance(item, totals):
    assert point_biserial(item, totals) is None


def test_upper_lower_compares_the_top_and_bottom_27_percent():
    # 10 attempts: groups of round(2.7) = 3.
    totals = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    item = [0, 0, 1, 0, 1, 1, 0, 1, 1, 1]
    assert upper_lower(item, totals) == round(3 / 3 - 1 / 3, 3)
    assert upper_lower([1, 0, 1], [0.1, 0.2, 0.3]) is None  # too few


@pytest.mark.parametrize("method, grade, percent", [
    ("highest", 3.0, 75.0), ("last", 2.0, 50.0), ("first", 1.0, 25.0),
    ("average", 2.0, 50.0),
])
def test_student_grade_follows_the_grading_method(method, grade, percent):
    attempts = [attempt(1, "ann", [], score=1.0, max_score=4, minutes=0),
                attempt(2, "ann", [], score=3.0, max_score=4, minutes=10),
                attempt(3, "ann", [], score=2.0, max_score=4, minutes=20)]
    (row,) = student_rows(["ann"], attempts, method, T0 + timedelta(days=1))
    assert (row.grade, row.percent, row.attempts, row.status) == (grade, percent, 3,
                                                                  "finished")


def test_students_without_attempts_are_listed_ungraded_in_roster_order():
    rows = student_rows(["zoe", "bob"], [], "highest", T0)
    assert [(r.username, r.status, r.grade) for r in rows] == [("zoe", "not started", None),
                                                               ("bob", "not started", None)]


def test_an_open_attempt_is_in_progress_until_its_deadline_passes():
    open_attempt = attempt(1, "ann", [(1, "b", True), (2, "a", False)], finished=False,
                           deadline=T0 + timedelta(minutes=30))
    (during,) = student_rows(["ann"], [open_attempt], "highest", T0 + timedelta(minutes=10))
    assert (during.status, during.grade) == ("in progress", None)
    (after,) = student_rows(["ann"], [open_attempt], "highest", T0 + timedelta(minutes=31))
    assert (after.status, after.grade, after.percent) == ("finished", 1.0, 50.0)


def test_item_analysis_counts_choices_and_flags_unused_distractors():
    attempts = [
        attempt(1, "a", [(10, "b", True), (11, ["a", "c"], True)]),
        attempt(2, "b", [(10, "b", True), (11, ["a"], False)]),
        attempt(3, "c", [(10, "a", False), (11, ["b"], False)]),
        attempt(4, "d", [(10, "c", False)], max_score=2),
    ]
    mcq, multi = item_analysis([(10, MCQ), (11, MULTI)], attempts)
    assert (mcq.answers, mcq.p_correct) == (4, 0.5)
    assert {c.text: c.chosen for c in mcq.choices} == {"2009": 1, "2010": 2, "2011": 1,
                                                       "2012": 0}
    assert [c.text for c in mcq.unused_distractors] == ["2012"]
    assert next(c for c in mcq.choices if c.key).text == "2010"
    assert mcq.provisional
    assert {c.text: c.chosen for c in multi.choices} == {"Italy": 2, "France": 1,
                                                         "United Kingdom": 1}
    assert multi.unused_distractors == []


def test_discrimination_uses_the_rest_of_the_attempt_not_the_item_itself():
    # Item 1 is right exactly for the students who do well on the other items.
    attempts = [attempt(i, f"s{i}", [(1, "b", good), (2, "b", good), (3, "b", good)])
                for i, good in enumerate([True, True, True, False, False, False])]
    (first, *_rest) = item_analysis([(1, MCQ), (2, MCQ), (3, MCQ)], attempts)
    assert first.discrimination == 1.0


def test_true_false_and_short_answers_are_tallied_like_choices():
    attempts = [attempt(1, "a", [(5, False, True), (6, " 2014", True)]),
                attempt(2, "b", [(5, True, False), (6, "2015", False)]),
                attempt(3, "c", [(5, False, True), (6, "2014.", True)])]
    tf, short = item_analysis([(5, TF), (6, SHORT)], attempts)
    assert [(c.text, c.chosen, c.key) for c in tf.choices] == [("True", 1, False),
                                                               ("False", 2, True)]
    assert [(c.chosen, c.key) for c in short.choices] == [(2, True), (1, False)]


def test_a_question_nobody_answered_has_no_statistics():
    (item,) = item_analysis([(7, MCQ)], [attempt(1, "a", [(8, "a", True)])])
    assert (item.answers, item.p_correct, item.discrimination) == (0, None, None)
    assert not item.unused_distractors  # nobody answered: nothing to conclude


def test_fact_misses_rank_the_most_missed_facts_first_with_live_answers():
    answers = [(("f1",), True, "quiz"), (("f1",), False, "live"), (("f2",), False, "quiz"),
               (("f2", "f3"), False, "quiz"), (("f3",), True, "live"), (("f3",), True, "quiz")]
    rows = fact_misses(answers)
    assert [(r.fact_id, r.seen, r.missed, r.miss_rate) for r in rows] == [
        ("f2", 2, 2, 1.0), ("f1", 2, 1, 0.5), ("f3", 3, 1, 0.333)]
    assert (rows[1].quiz_answers, rows[1].live_answers) == (1, 1)


def test_histogram_puts_a_perfect_score_in_the_last_bin():
    bins = histogram([0, 9.9, 10, 55, 100, 100])
    assert bins[0] == ("0–9", 2)
    assert bins[1] == ("10–19", 1)
    assert bins[5] == ("50–59", 1)
    assert bins[-1] == ("90–100", 2)
    assert sum(c for _, c in bins) == 6
