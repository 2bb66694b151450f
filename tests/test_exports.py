"""Exports: formula-safe CSV, Moodle GIFT (round-tripped by a small parser) and Moodle XML."""

from __future__ import annotations

import csv
import html
import io
import json
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from quizapp.domain import exports
from quizapp.domain.facts import load_factbase
from quizapp.domain.generator import generate_bank

SEED = Path(__file__).resolve().parents[1] / "seeds" / "nato-japan.yaml"
NASTY = "Tricky ~ = # { } : \\ & <b>bold</b> “quotes” -> arrow"


@pytest.fixture(scope="module")
def bank() -> list[dict]:
    return generate_bank(load_factbase(SEED), seed=0)


def one_of_each(bank: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for question in bank:
        seen.setdefault(question["type"], question)
    assert set(seen) == {"mcq", "multi", "true_false", "short", "ordering", "matching"}
    return list(seen.values())


# --------------------------------------------------------------------------- CSV

@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx",
                                  "=HYPERLINK(\"http://evil\")"])
def test_cells_that_spreadsheets_would_evaluate_get_a_quote(cell):
    assert exports.csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("value, text", [("ann", "ann"), (3.0, "3"), (2.5, "2.5"), (4, "4"),
                                         (None, ""), ("a=b", "a=b")])
def test_ordinary_cells_are_left_alone(value, text):
    assert exports.csv_cell(value) == text


def test_csv_round_trips_through_a_reader_with_formulas_defused():
    body = exports.to_csv(["username", "grade"], [["=cmd|' /C calc'!A0", 3.5],
                                                   ['o"brien, jr', None]])
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [["username", "grade"], ["'=cmd|' /C calc'!A0", "3.5"],
                    ['o"brien, jr', ""]]


# --------------------------------------------------------------------------- GIFT

def gift_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def split_unescaped(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not escaped by a backslash."""
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
        elif text.startswith(sep, i):
            parts.append("".join(current))
            current = []
            i += len(sep)
        else:
            current.append(text[i])
            i += 1
    parts.append("".join(current))
    return parts


def parse_gift(text: str) -> list[dict]:
    """A small GIFT reader: enough of the format to check what the exporter writes."""
    questions = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln for ln in block.splitlines() if not ln.startswith("//")]
        body = "\n".join(lines).strip()
        if not body or body.startswith("$CATEGORY:"):
            continue
        match = re.match(r"^::(?P<name>(?:\\.|[^:\\])*)::(?:\[(?P<fmt>\w+)\])?(?P<rest>.*)$",
                         body, re.S)
        assert match, body
        rest = match.group("rest")
        opening = next(i for i, ch in enumerate(rest) if ch == "{" and (i == 0 or
                                                                         rest[i - 1] != "\\"))
        assert rest.endswith("}")
        prompt, answers = rest[:opening], rest[opening + 1:-1]
        general = None
        pieces = split_unescaped(answers, "####")
        if len(pieces) == 2:
            answers, general = pieces
        items = []
        for line in answers.strip().splitlines():
            line = line.strip()
            if line in ("TRUE", "FALSE"):
                items.append(("tf", line == "TRUE", None))
                continue
            mark, content = line[0], line[1:]
            weight = None
            if content.startswith("%"):
                weight, content = content[1:].split("%", 1)
            items.append((mark, gift_unescape(content), weight))
        unhtml = html.unescape if match.group("fmt") == "html" else (lambda s: s)
        questions.append({"name": gift_unescape(match.group("name")),
                          "prompt": unhtml(gift_unescape(prompt)), "answers": items,
                          "feedback": unhtml(gift_unescape(general)) if general else None,
                          "unhtml": unhtml})
    return questions


@pytest.mark.parametrize("char", list("~=#{}:\\") + ["\n"])
def test_gift_escaping_round_trips_every_reserved_character(char):
    text = f"a{char}b{char}"
    escaped = exports.gift_escape(text)
    assert "\n" not in escaped
    assert gift_unescape(escaped) == text


def test_gift_export_of_every_type_parses_back_to_the_same_questions(bank):
    questions = one_of_each(bank)
    mcq = next(q for q in questions if q["type"] == "mcq")
    mcq = {**mcq, "prompt": NASTY, "choices": [{**c, "text": c["text"] + " ~{=}:#"}
                                               for c in mcq["choices"]]}
    questions = [mcq if q["type"] == "mcq" else q for q in questions]
    text = exports.to_gift([(f"{q['id']}: name", q) for q in questions], "$course$/quizapp")
    parsed = parse_gift(text)
    assert [p["name"] for p in parsed] == [f"{q['id']}: name" for q in questions]
    by_type = {q["type"]: (q, p) for q, p in zip(questions, parsed, strict=True)}

    q, p = by_type["mcq"]
    assert p["prompt"] == NASTY
    keys = [p["unhtml"](a[1]) for a in p["answers"] if a[0] == "="]
    assert keys == [next(c["text"] for c in q["choices"] if c["id"] == q["answer"])]
    assert {p["unhtml"](a[1]) for a in p["answers"]} == {c["text"] for c in q["choices"]}

    q, p = by_type["multi"]
    weights = {p["unhtml"](a[1]): float(a[2]) for a in p["answers"]}
    right = {c["text"] for c in q["choices"] if c["id"] in q["answer"]}
    assert {t for t, w in weights.items() if w > 0} == right
    assert sum(w for w in weights.values() if w > 0) == pytest.approx(100, abs=0.01)

    q, p = by_type["true_false"]
    assert p["answers"] == [("tf", q["answer"], None)]
    assert p["prompt"] == q["statement"]

    q, p = by_type["short"]
    assert [a[1] for a in p["answers"]] == q["accepted"]

    q, p = by_type["matching"]
    pairs = dict(a[1].split(" -> ") for a in p["answers"])
    right_text = {r["id"]: r["text"] for r in q["right"]}
    assert {p["unhtml"](k): p["unhtml"](v) for k, v in pairs.items()} == {
        lt["text"]: right_text[q["answer"][lt["id"]]] for lt in q["left"]}

    q, p = by_type["ordering"]  # exported as matching: event -> place in time
    pairs = [a[1].split(" -> ") for a in p["answers"]]
    items = {i["id"]: i["text"] for i in q["items"]}
    assert [p["unhtml"](event) for event, _place in pairs] == [items[i] for i in q["answer"]]
    assert [place for _event, place in pairs] == ["1st", "2nd", "3rd", "4th"][:len(pairs)]
    for _q, parsed_q in by_type.values():
        assert parsed_q["feedback"]


# --------------------------------------------------------------------------- Moodle XML

def test_moodle_xml_has_moodles_structure_for_every_type(bank):
    questions = one_of_each(bank)
    mcq = next(q for q in questions if q["type"] == "mcq")
    questions = [{**q, "prompt": NASTY} if q is mcq else q for q in questions]
    text = exports.to_moodle_xml([(q["id"], q) for q in questions], "$course$/quizapp/NATO")
    root = ET.fromstring(text.encode())
    assert root.tag == "quiz"
    category, *items = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/quizapp/NATO"
    types = {"mcq": "multichoice", "multi": "multichoice", "true_false": "truefalse",
             "short": "shortanswer", "matching": "matching", "ordering": "ordering"}
    for question, element in zip(questions, items, strict=True):
        assert element.get("type") == types[question["type"]]
        assert element.findtext("name/text") == question["id"]
        qtext = element.find("questiontext")
        assert qtext.get("format") == "html"
        assert html.unescape(qtext.findtext("text")) == (
            question["statement"] if question["type"] == "true_false" else question["prompt"])
        assert element.findtext("defaultgrade") == "1"
        answers = element.findall("answer")
        kind = question["type"]
        if kind == "mcq":
            assert element.findtext("single") == "true"
            fractions = {html.unescape(a.findtext("text")): a.get("fraction") for a in answers}
            key = next(c["text"] for c in question["choices"] if c["id"] == question["answer"])
            assert fractions.pop(key) == "100"
            assert set(fractions.values()) == {"0"}
        elif kind == "multi":
            assert element.findtext("single") == "false"
            total = sum(float(a.get("fraction")) for a in answers
                        if float(a.get("fraction")) > 0)
            assert total == pytest.approx(100, abs=0.01)
        elif kind == "true_false":
            fractions = {a.findtext("text"): a.get("fraction") for a in answers}
            right = "true" if question["answer"] else "false"
            assert fractions[right] == "100"
        elif kind == "short":
            assert [a.findtext("text") for a in answers] == question["accepted"]
            assert {a.get("fraction") for a in answers} == {"100"}
        elif kind == "matching":
            subs = element.findall("subquestion")
            right = {r["id"]: r["text"] for r in question["right"]}
            assert {html.unescape(s.findtext("text")): s.findtext("answer/text")
                    for s in subs} == {lt["text"]: right[question["answer"][lt["id"]]]
                                       for lt in question["left"]}
        else:
            items_text = {i["id"]: i["text"] for i in question["items"]}
            assert [html.unescape(a.findtext("text")) for a in answers] == \
                [items_text[i] for i in question["answer"]]
            assert [a.get("fraction") for a in answers] == \
                [f"{n}.0000000" for n in range(1, len(answers) + 1)]
            assert element.findtext("gradingtype") == "ABSOLUTE_POSITION"
            assert element.findtext("selectcount") == str(len(answers))


def test_json_export_carries_facts_and_questions():
    body = exports.to_json({"title": "T"}, [{"id": "f1"}], [{"id": "q1"}])
    data = json.loads(body)
    assert data["format"] == "quizapp-export"
    assert (data["facts"], data["questions"]) == ([{"id": "f1"}], [{"id": "q1"}])


def test_every_generated_question_exports_without_error(bank):
    sample = random.Random(1).sample(bank, 40)
    named = [(q["id"], q) for q in sample]
    assert len(parse_gift(exports.to_gift(named))) == 40
    assert len(ET.fromstring(exports.to_moodle_xml(named).encode()).findall("question")) == 40
