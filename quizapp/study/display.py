"""Presentation helpers for the student pages: words for times and answers, chart geometry.

Pure functions (no Flask, no database), so each is tested on its own.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import humanize

from ..domain.question_types import QUESTION_TYPES

MODE_LABELS = {"practice": "Practice", "review": "Review", "assignment": "Assignment",
               "mistakes": "My mistakes"}


def due_phrase(due: datetime | None, now: datetime) -> str:
    """When a fact comes back for review: "due now", "in 3 days", or "not scheduled"."""
    if due is None:
        return "not scheduled"
    if due <= now:
        return "due now"
    return f"in {_span(due - now)}"


def ago_phrase(moment: datetime | None, now: datetime) -> str:
    """How long ago something happened: "just now", "2 hours ago", or "never"."""
    if moment is None:
        return "never"
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{_span(now - moment)} ago"


def _span(delta: timedelta) -> str:
    """humanize's words for a duration of at least a minute: "a minute", "3 days"."""
    return humanize.naturaldelta(max(delta, timedelta(minutes=1)))


def number_text(value: float | None) -> str:
    """A score without a pointless ".0": 3 → "3", 3.5 → "3.5", 2.3333 → "2.33"."""
    if value is None:
        return "–"
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def percent(part: float | None, whole: float | None) -> int:
    """``part / whole`` as a whole percentage (0 when there is nothing to divide)."""
    if not whole or part is None:
        return 0
    return round(100 * float(part) / float(whole))


def response_text(question: dict[str, Any], response: Any) -> str | list[str]:
    """A response in words, shaped like ``answer_text`` (a list for multi, ordering, matching)."""
    if response is None:
        return "No answer"
    qtype = QUESTION_TYPES.get(question.get("type"))
    return str(response) if qtype is None else qtype.response_text(question, response)


@dataclass(frozen=True)
class BarRow:
    """One bar of a horizontal bar chart, laid out in SVG pixels (x in per cent)."""

    label_lines: tuple[tuple[str, int], ...]  # (text, baseline y)
    bar_y: int
    bar_width: float  # per cent of the chart's width
    value_text: str
    value_y: int


@dataclass(frozen=True)
class BarChart:
    rows: tuple[BarRow, ...]
    height: int
    track_width: float
    bar_height: int


def bar_chart(rows: list[tuple[str, float, str]], *, wrap: int = 34, line_height: int = 19,
              bar_height: int = 16, gap: int = 16, track_width: float = 84.0) -> BarChart:
    """Lay out labelled bars: each label wraps over lines above its bar, the value at its end.

    ``rows`` are (label, share in 0..1, value text). Widths are percentages, so the chart
    stretches to its container while text keeps its size (no viewBox scaling).
    """
    out: list[BarRow] = []
    y = 0
    for label, share, value_text in rows:
        lines = textwrap.wrap(label, wrap) or [""]
        placed = []
        for line in lines:
            y += line_height
            placed.append((line, y - 4))
        bar_y = y + 4
        share = min(1.0, max(0.0, float(share)))
        out.append(BarRow(tuple(placed), bar_y, round(share * track_width, 2), value_text,
                          bar_y + bar_height - 3))
        y = bar_y + bar_height + gap
    return BarChart(tuple(out), max(y - gap + 2, 0), track_width, bar_height)


@dataclass(frozen=True)
class Sparkline:
    points: str  # for <polyline points="...">
    dots: tuple[tuple[float, float], ...]
    width: int
    height: int
    gridlines: tuple[tuple[float, str], ...]  # (y, label)


def sparkline(values: list[float], *, width: int = 320, height: int = 90,
              pad: int = 8, left: int = 36) -> Sparkline:
    """Place shares (0..1) on a small line chart: oldest left, newest right."""
    inner_w, inner_h = width - left - pad, height - 2 * pad

    def y_of(v: float) -> float:
        return round(pad + inner_h * (1 - min(1.0, max(0.0, v))), 1)

    if len(values) == 1:
        xs = [left + inner_w / 2]
    else:
        xs = [left + inner_w * i / (len(values) - 1) for i in range(len(values))]
    dots = tuple((round(x, 1), y_of(v)) for x, v in zip(xs, values, strict=True))
    points = " ".join(f"{x},{y}" for x, y in dots)
    grid = tuple((y_of(v), f"{int(v * 100)}%") for v in (1.0, 0.5, 0.0))
    return Sparkline(points, dots, width, height, grid)


#: Progress page filters: status -> whether a fact row (``study.fact_progress``) matches.
PROGRESS_FILTERS = {
    "due": lambda row, now: row["due"] is not None and row["due"] <= now,
    "missed": lambda row, now: row["mastery"] == "needs work",
    "mastered": lambda row, now: row["mastery"] == "mastered",
    "unseen": lambda row, now: row["mastery"] == "not seen",
}


def progress_groups(rows: list[dict[str, Any]], titles: list[tuple[str, str]],
                    status: str | None, now: datetime) -> list[dict[str, Any]]:
    """Fact rows by topic (in ``titles`` order), filtered by status; mastered facts apart.

    Each group: topic, title, total, mastered and due counts (of the whole topic), ``rows``
    to show open and ``mastered_rows`` to fold away (unless the filter asks for them).
    """
    matches = PROGRESS_FILTERS.get(status or "")
    groups = []
    for topic, title in titles:
        facts = [r for r in rows if r["topic"] == topic]
        if not facts:
            continue
        shown = [r for r in facts if matches is None or matches(r, now)]
        if not shown:
            continue
        fold = status != "mastered"
        groups.append({
            "topic": topic, "title": title, "total": len(facts),
            "mastered": sum(r["mastery"] == "mastered" for r in facts),
            "due": sum(PROGRESS_FILTERS["due"](r, now) for r in facts),
            "rows": [r for r in shown if not (fold and r["mastery"] == "mastered")],
            "mastered_rows": [r for r in shown if fold and r["mastery"] == "mastered"]})
    return groups
