"""Printed quizzes: labels for options on paper and the answer key in those labels."""

from __future__ import annotations

from typing import Any

PAPER_SIZES = ("a4", "letter")


def letter(index: int) -> str:
    """The label of the ``index``-th (0-based) printed option: A, B, ... Z, AA, AB ..."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def label_of(options: list[dict[str, str]], option_id: Any) -> str:
    """An option as the printed sheet names it: "B. text"."""
    for index, option in enumerate(options):
        if option["id"] == option_id:
            return f"{letter(index)}. {option['text']}"
    return str(option_id)


def key_lines(question: dict[str, Any]) -> list[str]:
    """The key of a question (with its ``answer``) as printed (its type's ``print_key``)."""
    from .question_types import QUESTION_TYPES

    return QUESTION_TYPES[question["type"]].print_key(question)


def quotes_of(question: dict[str, Any]) -> list[str]:
    """The source sentences a question cites, verbatim, each once."""
    source = question.get("source") or {}
    quotes = source.get("quotes") or [source.get("quote", "")]
    return [q for q in dict.fromkeys(quotes) if q]
