"""Gradebook and item analysis: plain records in, plain numbers out (no Flask, no database).

- a student's grade is ``scoring.grade`` over the attempts that count, in the order taken;
- difficulty is the share of answers that were right (``p_correct``);
- discrimination is the point-biserial correlation between getting the item right and the
  rest of the attempt's score (the item itself left out), and, as a cross-check, the
  upper-lower index over the top and bottom 27% of attempts;
- every choice is counted, and a distractor nobody chose is flagged: it is not doing its job;
- per fact, how often the class misses it (a misconception map), from quiz and warm-up answers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .question_types import QUESTION_TYPES
from .scoring import grade

#: Below this many answers an item's statistics are shown but called provisional.
MIN_ANSWERS = 5


@dataclass(frozen=True)
class AnswerRecord:
    question_id: int
    response: Any
    correct: bool
    credit: float


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt at an assignment, with its answers."""

    attempt_id: int
    username: str
    started_at: datetime
    max_score: int
    answers: tuple[AnswerRecord, ...] = ()
    finished_at: datetime | None = None
    score: float | None = None
    deadline: datetime | None = None

    def counts(self, now: datetime) -> bool:
        """Finished, or its time ran out (what was answered by then is what counts)."""
        return self.finished_at is not None or (self.deadline is not None
                                                 and now > self.deadline)

    @property
    def points(self) -> float:
        if self.score is not None:
            return self.score
        return round(sum(a.credit for a in self.answers), 2)

    @property
    def fraction(self) -> float:
        return self.points / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class StudentRow:
    username: str
    status: str  # not started | in progress | finished
    attempts: int
    counted: int
    grade: float | None
    percent: float | None
    max_score: int | None
    scores: tuple[float, ...]
    last_activity: datetime | None


def student_rows(usernames: Sequence[str], attempts: Sequence[AttemptRecord], method: str,
                 now: datetime) -> list[StudentRow]:
    """One gradebook row per student (in the given order), graded by ``method``."""
    by_user: dict[str, list[AttemptRecord]] = {u: [] for u in usernames}
    for attempt in attempts:
        by_user.setdefault(attempt.username, []).append(attempt)
    rows = []
    for username, mine in by_user.items():
        mine = sorted(mine, key=lambda a: (a.started_at, a.attempt_id))
        counted = [a for a in mine if a.counts(now)]
        open_ = [a for a in mine if not a.counts(now)]
        status = ("in progress" if open_ else "finished" if counted else "not started")
        points = [a.points for a in counted]
        percents = [round(100 * a.fraction, 1) for a in counted]
        activity = [a.finished_at or a.started_at for a in mine]
        rows.append(StudentRow(
            username=username, status=status, attempts=len(mine), counted=len(counted),
            grade=grade(points, method), percent=grade(percents, method),
            max_score=max((a.max_score for a in counted), default=None),
            scores=tuple(points), last_activity=max(activity) if activity else None))
    return rows


def point_biserial(item: Sequence[float], totals: Sequence[float]) -> float | None:
    """Correlation of a right/wrong item with the total score; None when undefined."""
    n = len(item)
    if n < 2 or n != len(totals):
        return None
    mean_x, mean_y = sum(item) / n, sum(totals) / n
    sxx = sum((x - mean_x) ** 2 for x in item)
    syy = sum((y - mean_y) ** 2 for y in totals)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(item, totals, strict=True))
    return round(sxy / math.sqrt(sxx * syy), 3)


def upper_lower(item: Sequence[float], totals: Sequence[float],
                share: float = 0.27) -> float | None:
    """Share right in the top group minus share right in the bottom group (27% each)."""
    n = len(item)
    if n < 4 or n != len(totals):
        return None
    size = max(1, round(share * n))
    order = sorted(range(n), key=lambda i: totals[i])
    low, high = order[:size], order[-size:]
    return round(sum(item[i] for i in high) / size - sum(item[i] for i in low) / size, 3)


@dataclass
class ChoiceStat:
    id: str
    text: str
    key: bool
    chosen: int
    share: float = 0.0
    #: A wrong choice nobody picked (while someone answered): it does not distract.
    unused: bool = False


@dataclass
class ItemStat:
    question_id: int
    type: str
    prompt: str
    answers: int
    p_correct: float | None
    discrimination: float | None
    upper_lower: float | None
    mean_credit: float | None
    choices: list[ChoiceStat] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return self.answers < MIN_ANSWERS

    @property
    def unused_distractors(self) -> list[ChoiceStat]:
        return [c for c in self.choices if c.unused]


def _choice_stats(payload: dict[str, Any], responses: Sequence[Any]) -> list[ChoiceStat]:
    qtype = QUESTION_TYPES[payload["type"]]
    n = len(responses)
    stats = [ChoiceStat(*row) for row in qtype.tally(payload, responses)]
    for stat in stats:
        stat.share = round(stat.chosen / n, 3) if n else 0.0
        stat.unused = qtype.distractors and n > 0 and not stat.key and stat.chosen == 0
    return stats


def item_analysis(questions: Sequence[tuple[int, dict[str, Any]]],
                  attempts: Sequence[AttemptRecord]) -> list[ItemStat]:
    """Difficulty, discrimination and choice counts per question, in the given order."""
    items: list[ItemStat] = []
    for question_id, payload in questions:
        right: list[float] = []
        rest: list[float] = []
        credits: list[float] = []
        responses: list[Any] = []
        for attempt in attempts:
            answer = next((a for a in attempt.answers if a.question_id == question_id), None)
            if answer is None:
                continue
            others = attempt.max_score - 1
            right.append(1.0 if answer.correct else 0.0)
            credits.append(answer.credit)
            rest.append((attempt.points - answer.credit) / others if others > 0 else 0.0)
            responses.append(answer.response)
        n = len(right)
        items.append(ItemStat(
            question_id=question_id, type=payload["type"], prompt=payload["prompt"],
            answers=n, p_correct=round(sum(right) / n, 3) if n else None,
            discrimination=point_biserial(right, rest), upper_lower=upper_lower(right, rest),
            mean_credit=round(sum(credits) / n, 3) if n else None,
            choices=_choice_stats(payload, responses)))
    return items


@dataclass(frozen=True)
class FactMiss:
    fact_id: str
    seen: int
    missed: int
    quiz_answers: int
    live_answers: int

    @property
    def miss_rate(self) -> float:
        return round(self.missed / self.seen, 3) if self.seen else 0.0


def fact_misses(answers: Iterable[tuple[Sequence[str], bool, str]]) -> list[FactMiss]:
    """Per fact: answers, misses and the source (``quiz`` or ``live``); most missed first.

    ``answers`` holds (fact ids the question asked about, right?, source) per answer.
    """
    seen: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    by_source: dict[str, Counter[str]] = {"quiz": Counter(), "live": Counter()}
    for fact_ids, correct, source in answers:
        for fact_id in fact_ids:
            seen[fact_id] += 1
            missed[fact_id] += 0 if correct else 1
            by_source.setdefault(source, Counter())[fact_id] += 1
    rows = [FactMiss(f, seen[f], missed[f], by_source["quiz"][f], by_source["live"][f])
            for f in seen]
    return sorted(rows, key=lambda r: (-r.miss_rate, -r.missed, r.fact_id))


def histogram(percents: Sequence[float], bins: int = 10) -> list[tuple[str, int]]:
    """Counts of grades (0-100) in equal bins, labelled "0-9" ... "90-100"."""
    width = 100 / bins
    counts = [0] * bins
    for value in percents:
        counts[min(bins - 1, max(0, int(value // width)))] += 1
    labels = [f"{int(i * width)}–{int((i + 1) * width) - (0 if i == bins - 1 else 1)}"
              for i in range(bins)]
    return list(zip(labels, counts, strict=True))
