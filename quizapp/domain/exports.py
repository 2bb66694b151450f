"""Exports: gradebook CSV (safe to open in a spreadsheet), Moodle GIFT and XML, JSON.

Questions are exported from their stored payloads (the generator's dicts). Ordering
questions go to Moodle XML as Moodle's own ``ordering`` type; GIFT has no ordering syntax
in core Moodle, so there they become a ``matching`` question (event -> place in time).
"""

from __future__ import annotations

import csv
import html
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

#: A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_GIFT_SPECIAL = ("\\", "~", "=", "#", "{", "}", ":")
_ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th")


# --------------------------------------------------------------------------- CSV

def csv_cell(value: Any) -> str:
    """A cell as text; text that a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text (RFC 4180, CRLF) with every cell passed through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


# --------------------------------------------------------------------------- GIFT

def gift_escape(text: str) -> str:
    """Escape GIFT's reserved characters (as Moodle's exporter does); newlines become \\n."""
    out = str(text)
    for char in _GIFT_SPECIAL:
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def _gift_html(text: str) -> str:
    return gift_escape(html.escape(str(text), quote=False))


def _gift_pair(text: str) -> str:
    """A side of a matching pair: "->" separates the sides and cannot be escaped."""
    return _gift_html(str(text).replace("->", "→"))


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _feedback(payload: dict[str, Any]) -> str:
    parts = [payload.get("explanation") or ""]
    quote = (payload.get("source") or {}).get("quote")
    if quote:
        parts.append(f"Source: “{quote}”")
    return " ".join(p for p in parts if p).strip()


def _gift_question(name: str, payload: dict[str, Any]) -> str:
    qtype = payload["type"]
    prompt = payload["prompt"]
    lines: list[str] = []
    if qtype == "mcq":
        for choice in payload["choices"]:
            mark = "=" if choice["id"] == payload["answer"] else "~"
            lines.append(f"{mark}{_gift_html(choice['text'])}")
    elif qtype == "multi":
        keys = set(payload["answer"])
        weight = 100 / len(keys)
        for choice in payload["choices"]:
            sign = "" if choice["id"] in keys else "-"
            lines.append(f"~%{sign}{_weight(weight)}%{_gift_html(choice['text'])}")
    elif qtype == "true_false":
        prompt = payload.get("statement") or prompt
        lines.append("TRUE" if payload["answer"] else "FALSE")
    elif qtype == "short":
        accepted = payload.get("accepted") or [payload["answer"]]
        lines.extend(f"={gift_escape(a)}" for a in accepted)
    elif qtype == "matching":
        right = {r["id"]: r["text"] for r in payload["right"]}
        for left in payload["left"]:
            lines.append(f"={_gift_pair(left['text'])} -> "
                         f"{_gift_pair(right[payload['answer'][left['id']]])}")
    elif qtype == "ordering":
        items = {i["id"]: i["text"] for i in payload["items"]}
        prompt = f"{prompt} Match each event to its place in time (1st = earliest)."
        for place, item_id in enumerate(payload["answer"]):
            lines.append(f"={_gift_pair(items[item_id])} -> {_ORDINALS[place]}")
    else:
        raise ValueError(f"cannot export question type {qtype!r}")
    feedback = _feedback(payload)
    if feedback:
        lines.append(f"####{_gift_html(feedback)}")
    quote = " ".join(((payload.get("source") or {}).get("quote") or "").split())
    header = f"// {payload.get('id', name)} ({qtype})" + (f" — source: {quote}" if quote else "")
    body = "\n".join("\t" + line for line in lines)
    return f"{header}\n::{gift_escape(name)}::[html]{_gift_html(prompt)}{{\n{body}\n}}\n"


def to_gift(questions: Sequence[tuple[str, dict[str, Any]]], category: str | None = None) -> str:
    """GIFT text for (name, payload) pairs, one blank line between questions."""
    blocks = []
    if category:
        blocks.append(f"$CATEGORY: {category}\n")
    blocks.extend(_gift_question(name, payload) for name, payload in questions)
    return "\n".join(blocks)


# --------------------------------------------------------------------------- Moodle XML

def _text(parent: ET.Element, tag: str, value: str, fmt: str = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt})
    ET.SubElement(element, "text").text = value
    return element


def _html(text: str) -> str:
    return html.escape(str(text), quote=False)


def _answer(parent: ET.Element, fraction: str, text: str, fmt: str = "html") -> None:
    answer = ET.SubElement(parent, "answer", {"fraction": fraction, "format": fmt})
    ET.SubElement(answer, "text").text = text
    _text(answer, "feedback", "")


def _xml_question(quiz: ET.Element, name: str, payload: dict[str, Any]) -> None:
    qtype = payload["type"]
    moodle_type = {"mcq": "multichoice", "multi": "multichoice", "true_false": "truefalse",
                   "short": "shortanswer", "matching": "matching",
                   "ordering": "ordering"}.get(qtype)
    if moodle_type is None:
        raise ValueError(f"cannot export question type {qtype!r}")
    question = ET.SubElement(quiz, "question", {"type": moodle_type})
    ET.SubElement(ET.SubElement(question, "name"), "text").text = name
    prompt = payload.get("statement") if qtype == "true_false" else payload["prompt"]
    _text(question, "questiontext", _html(prompt or payload["prompt"]))
    _text(question, "generalfeedback", _html(_feedback(payload)))
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = str(payload.get("id", ""))[:100]
    if qtype in ("mcq", "multi"):
        single = qtype == "mcq"
        ET.SubElement(question, "single").text = "true" if single else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "abc"
        keys = {payload["answer"]} if single else set(payload["answer"])
        weight = _weight(100 / len(keys))
        for choice in payload["choices"]:
            if choice["id"] in keys:
                fraction = "100" if single else weight
            else:
                fraction = "0" if single else f"-{weight}"
            _answer(question, fraction, _html(choice["text"]))
    elif qtype == "true_false":
        _answer(question, "100" if payload["answer"] else "0", "true", "moodle_auto_format")
        _answer(question, "0" if payload["answer"] else "100", "false", "moodle_auto_format")
    elif qtype == "short":
        ET.SubElement(question, "usecase").text = "0"
        for accepted in payload.get("accepted") or [payload["answer"]]:
            _answer(question, "100", str(accepted), "moodle_auto_format")
    elif qtype == "matching":
        ET.SubElement(question, "shuffleanswers").text = "true"
        right = {r["id"]: r["text"] for r in payload["right"]}
        for left in payload["left"]:
            sub = _text(question, "subquestion", _html(left["text"]))
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = \
                right[payload["answer"][left["id"]]]
    else:  # ordering: Moodle's ordering type lists the items in the right order
        items = {i["id"]: i["text"] for i in payload["items"]}
        for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                           ("selectcount", str(len(payload["answer"]))),
                           ("gradingtype", "ABSOLUTE_POSITION"), ("showgrading", "SHOW"),
                           ("numberingstyle", "none")):
            ET.SubElement(question, tag).text = value
        for place, item_id in enumerate(payload["answer"], start=1):
            _answer(question, f"{place}.0000000", _html(items[item_id]))


def to_moodle_xml(questions: Sequence[tuple[str, dict[str, Any]]],
                  category: str | None = None) -> str:
    """A Moodle XML question file (``<quiz>``) for (name, payload) pairs."""
    quiz = ET.Element("quiz")
    if category:
        cat = ET.SubElement(quiz, "question", {"type": "category"})
        ET.SubElement(ET.SubElement(cat, "category"), "text").text = category
    for name, payload in questions:
        _xml_question(quiz, name, payload)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") \
        + "\n"


# --------------------------------------------------------------------------- JSON

def to_json(document: dict[str, Any], facts: Sequence[dict[str, Any]],
            questions: Sequence[dict[str, Any]]) -> str:
    """Facts and questions (with keys and sources) as one JSON document."""
    return json.dumps({"format": "quizapp-export", "version": 1, "document": document,
                       "facts": list(facts), "questions": list(questions)},
                      ensure_ascii=False, indent=2) + "\n"
