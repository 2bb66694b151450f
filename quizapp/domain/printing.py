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


def _label_of(options: list[dict[str, str]], option_id: Any) -> str:
    for index, option in enumerate(options):
        if option["id"] == option_id:
            return f"{letter(index)}. {option['text']}"
    return str(option_id)


def key_lines(question: dict[str, Any]) -> list[str]:
    """The key of a question (with its ``answer``) as printed: the letters and positions of
    the printed sheet, so a marker reads it against a student's paper."""
    kind, answer = question["type"], question["answer"]
    if kind == "mcq":
        return [_label_of(question["choices"], answer)]
    if kind == "multi":
        chosen = set(answer)
        return [_label_of(question["choices"], c["id"]) for c in question["choices"]
                if c["id"] in chosen]
    if kind == "ordering":
        texts = question.get("answer_text")
        if isinstance(texts, list) and len(texts) == len(answer):
            return [f"{n}. {text}" for n, text in enumerate(texts, 1)]
        items = {i["id"]: i["text"] for i in question["items"]}
        return [f"{n}. {items.get(i, i)}" for n, i in enumerate(answer, 1)]
    if kind == "matching":
        return [f"{n}. {left['text']} → {_label_of(question['right'], answer.get(left['id']))}"
                for n, left in enumerate(question["left"], 1)]
    text = question.get("answer_text", answer)
    if kind == "true_false" and isinstance(answer, bool):
        text = "True" if answer else "False"
    return [", ".join(text) if isinstance(text, list) else str(text)]


def quotes_of(question: dict[str, Any]) -> list[str]:
    """The source sentences a question cites, verbatim, each once."""
    source = question.get("source") or {}
    quotes = source.get("quotes") or [source.get("quote", "")]
    return [q for q in dict.fromkeys(quotes) if q]
