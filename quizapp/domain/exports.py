"""Exports: gradebook CSV (safe to open in a spreadsheet), Moodle GIFT and XML, JSON.

Questions are exported from their stored payloads (the generator's dicts). Ordering
questions go to Moodle XML as Moodle's own ``ordering`` type; GIFT has no ordering syntax
in core Moodle, so there they become a ``matching`` question (event -> place in time).

GIFT and XML are written for the way Moodle's importers (question/format/gift and
question/format/xml) read them, not only for their grammar: every text is cleaned of what
XML 1.0 forbids and trimmed as Moodle trims it, and every field is escaped against each
rule Moodle applies to it (see docs/exports.md).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

#: A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_GIFT_SPECIAL = ("\\", "~", "=", "#", "{", "}", ":")
#: Characters XML 1.0 forbids (C0 controls but tab and line ends, lone surrogates,
#: U+FFFE/U+FFFF): one of them makes Moodle refuse the whole XML file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Punctuation a student may add or leave off at the end of a typed answer.
_TRAILING_PUNCT = re.compile(r"[\s.!?,;:…]+$")
_ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th")


def clean_text(value: Any) -> str:
    """Text any export can carry: nothing XML 1.0 forbids, LF line ends, trimmed as Moodle does.

    A forbidden character becomes a space, as quizapp's answer checking reads it (a
    separator), so exported keys accept what quizapp accepts.
    """
    text = _NOT_XML.sub(" ", str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip(" \t\n")


def moodle_accepted(accepted: Sequence[str]) -> list[str]:
    """The short answers Moodle needs to accept what quizapp accepts.

    quizapp ignores punctuation; Moodle compares the whole text (case aside, since exports
    set ``usecase`` 0), so each alias goes with and without its trailing punctuation.
    """
    variants: dict[str, str] = {}
    for alias in accepted:
        text = clean_text(alias)
        bare = _TRAILING_PUNCT.sub("", text)
        for variant in (text, bare, bare + "." if bare else ""):
            key = unicodedata.normalize("NFC", variant).lower()
            if variant and key not in variants:
                variants[key] = variant
    return list(variants.values())


def shortanswer_pattern(text: str) -> str:
    """A short answer as Moodle stores it: ``*`` is Moodle's wildcard, ``\\*`` a star."""
    return clean_text(text).replace("*", "\\*")


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
# Moodle's GIFT reader (question/format/gift/format.php) trims every text, reads a leading
# "[html]", "[markdown]", "[moodle]" or "[plain]" as a format, "%n%" after "~" or "=" as a
# weight, "[id:..]" and "[tag:..]" in "//" comments, and "&&0NN;" as its own placeholders
# for escaped characters. "->" cannot be escaped at all.

def category_path(names: Sequence[str]) -> str:
    """A Moodle category path; "/" inside a name is written "//" (Moodle's own rule)."""
    escaped = []
    for name in names:
        part = " ".join(clean_text(name).split()).replace("/", "//")
        escaped.append((" " if part.startswith("/") else "") + part
                       + (" " if part.endswith("/") else ""))
    return "/".join(escaped)


def gift_escape(text: str) -> str:
    """Escape GIFT's reserved characters (as Moodle's exporter does); newlines become \\n."""
    out = clean_text(text)
    for char in _GIFT_SPECIAL:
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\n")


def _gift_html(text: str) -> str:
    """HTML text; "[" as an entity, so no text can start with a format marker."""
    return gift_escape(html.escape(clean_text(text), quote=False).replace("[", "&#91;"))


def _gift_plain(text: str) -> str:
    """Plain text (names, matching right sides): "&&" split so it is no placeholder."""
    return gift_escape(re.sub(r"&(?=&)", "&\u2060", clean_text(text)))


def _gift_short(text: str) -> str:
    """A short answer: the wildcard-escaped pattern; "->" and "&&" split by a wildcard."""
    pattern = re.sub(r"&(?=&)", "&*", shortanswer_pattern(text).replace("->", "-*>"))
    return ("[plain]" if pattern.startswith("[") else "") + gift_escape(pattern)


def _gift_comment(text: str) -> str:
    """One comment line with no "[...]" for Moodle to read as an id number or a tag."""
    return " ".join(clean_text(text).split()).replace("[", "(").replace("]", ")")


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _feedback(payload: dict[str, Any]) -> str:
    parts = [payload.get("explanation") or ""]
    quote = (payload.get("source") or {}).get("quote")
    if quote:
        parts.append(f"Source: “{quote}”")
    return " ".join(p for p in parts if p).strip()


def _gift_question(name: str, payload: dict[str, Any]) -> str:
    from .question_types import QUESTION_TYPES  # the types write with this module's escapes

    qtype = QUESTION_TYPES.get(payload["type"])
    if qtype is None:
        raise ValueError(f"cannot export question type {payload['type']!r}")
    prompt, lines = qtype.gift(payload)
    feedback = _feedback(payload)
    if feedback:
        lines.append(f"####{_gift_html(feedback)}")
    header = f"// {_gift_comment(str(payload.get('id', name)))} ({qtype.name})"
    body = "\n".join("\t" + line for line in lines)
    return f"{header}\n::{_gift_plain(name)}::[html]{_gift_html(prompt)}{{\n{body}\n}}\n"


def to_gift(questions: Sequence[tuple[str, dict[str, Any]]],
            category: Sequence[str] | None = None) -> str:
    """GIFT text for (name, payload) pairs, one blank line between questions.

    ``category`` is the list of category names, outermost first.
    """
    blocks = []
    if category:
        # Moodle reads the rest of the block as the path, unescaped but for "\\".
        path = re.sub(r"&(?=&)", "&\u2060", category_path(category)).replace("\\", "\\\\")
        blocks.append(f"$CATEGORY: {path}\n")
    blocks.extend(_gift_question(name, payload) for name, payload in questions)
    return "\n".join(blocks)


# --------------------------------------------------------------------------- Moodle XML
# Moodle's XML reader drops every whitespace-only piece of character data, and an entity
# reference is a piece of its own: "&lt; &gt;" would import as "<>". Text that needs
# escaping therefore goes in CDATA, as Moodle's own exporter writes it.

def _text(parent: ET.Element, tag: str, value: str, fmt: str = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt})
    ET.SubElement(element, "text").text = value
    return element


def _html(text: str) -> str:
    return html.escape(clean_text(text), quote=False)


def _answer(parent: ET.Element, fraction: str, text: str, fmt: str = "html") -> None:
    answer = ET.SubElement(parent, "answer", {"fraction": fraction, "format": fmt})
    ET.SubElement(answer, "text").text = text
    _text(answer, "feedback", "")


def _xml_question(quiz: ET.Element, name: str, payload: dict[str, Any]) -> None:
    from .question_types import QUESTION_TYPES  # the types write with this module's helpers

    qtype = QUESTION_TYPES.get(payload["type"])
    if qtype is None:
        raise ValueError(f"cannot export question type {payload['type']!r}")
    question = ET.SubElement(quiz, "question", {"type": qtype.moodle_type})
    ET.SubElement(ET.SubElement(question, "name"), "text").text = name
    _text(question, "questiontext", _html(qtype.export_prompt(payload)))
    _text(question, "generalfeedback", _html(_feedback(payload)))
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = clean_text(payload.get("id", ""))[:100]
    qtype.moodle_xml(question, payload)


def _xml_content(text: str) -> str:
    """Character data Moodle reads back whole: CDATA where escaping would be needed."""
    if not re.search(r"[<>&]", text):
        return text
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _serialize(element: ET.Element, depth: int, out: list[str]) -> None:
    """Write ``element`` indented, each leaf's text cleaned and in ``_xml_content`` form."""
    pad = "  " * depth
    attrs = "".join(f' {k}="{html.escape(clean_text(v))}"' for k, v in element.attrib.items())
    children = list(element)
    if children:
        out.append(f"{pad}<{element.tag}{attrs}>")
        for child in children:
            _serialize(child, depth + 1, out)
        out.append(f"{pad}</{element.tag}>")
    elif text := clean_text(element.text or ""):
        out.append(f"{pad}<{element.tag}{attrs}>{_xml_content(text)}</{element.tag}>")
    else:
        out.append(f"{pad}<{element.tag}{attrs}/>")


def to_moodle_xml(questions: Sequence[tuple[str, dict[str, Any]]],
                  category: Sequence[str] | None = None) -> str:
    """A Moodle XML question file (``<quiz>``) for (name, payload) pairs.

    ``category`` is the list of category names, outermost first.
    """
    quiz = ET.Element("quiz")
    if category:
        cat = ET.SubElement(quiz, "question", {"type": "category"})
        ET.SubElement(ET.SubElement(cat, "category"), "text").text = category_path(category)
    for name, payload in questions:
        _xml_question(quiz, name, payload)
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _serialize(quiz, 0, out)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- JSON

def to_json(document: dict[str, Any], facts: Sequence[dict[str, Any]],
            questions: Sequence[dict[str, Any]]) -> str:
    """Facts and questions (with keys and sources) as one JSON document."""
    return json.dumps({"format": "quizapp-export", "version": 1, "document": document,
                       "facts": list(facts), "questions": list(questions)},
                      ensure_ascii=False, indent=2) + "\n"
