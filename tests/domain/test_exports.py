"""Exports: formula-safe CSV, Moodle GIFT (round-tripped by a small parser) and Moodle XML."""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import random
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.domain import exports
from quizapp.domain.facts import load_factbase
from quizapp.domain.generator import generate_bank
from quizapp.domain.question_types import QUESTION_TYPES

from support.helpers import ROOT

SEED = ROOT / "seeds" / "nato-japan.yaml"
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

@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "\nx", "|x",
                                  "%x", "=HYPERLINK(\"http://evil\")"])
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


# --------------------------------------------------------------------------- Moodle's readers
# Python transliterations of what Moodle does on import, so the tests check the files the
# way Moodle reads them, not the way their grammar says: question/format/gift/format.php
# (readquestions, readquestion, escapedchar_pre/post, parse_text_with_format, comment ids and
# tags), lib/xmlize.php (core_xml_parser drops whitespace-only character data) and
# qtype_shortanswer_question::compare_string_with_wildcard.

PHP_WS = " \t\n\r\0\x0b"  # what PHP's trim() strips
_ESCAPED = [("\\:", "&&058;"), ("\\#", "&&035;"), ("\\=", "&&061;"), ("\\{", "&&123;"),
            ("\\}", "&&125;"), ("\\~", "&&126;"), ("\\n", "&&010")]
_POST = [("&&058;", ":"), ("&&035;", "#"), ("&&061;", "="), ("&&123;", "{"), ("&&125;", "}"),
         ("&&126;", "~"), ("&&010", "\n")]
_WEIGHT = re.compile(r"^%\-*([0-9]{1,2})\.?([0-9]*)%")
_FORMATS = {"moodle", "html", "plain", "markdown"}


def php_trim(text: str) -> str:
    return text.strip(PHP_WS)


def php_empty(text: str) -> bool:
    return text in ("", "0")


def escapedchar_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in _ESCAPED:
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def escapedchar_post(text: str) -> str:
    for placeholder, char in _POST:
        text = text.replace(placeholder, char)
    return text


def parse_text_with_format(text: str, default: str = "moodle") -> tuple[str, str]:
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        if text[1:end] in _FORMATS:
            fmt, text = text[1:end], text[end + 1:]
    return php_trim(escapedchar_post(text)), fmt


def weight_of(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.index("%")
    return float(answer[:end]) / 100, answer[end + 1:]


def comment_text(answer: str, fmt: str) -> tuple[str, str]:
    return parse_text_with_format(php_trim(answer.split("#", 1)[0]), fmt)


def _answer_list(answertext: str, sep: str) -> list[str]:
    answers = answertext.split(sep)
    answers[0] = php_trim(answers[0])
    if php_empty(answers[0]):
        answers.pop(0)
    return [php_trim(a) for a in answers]


def moodle_read_gift_question(lines: list[str]) -> dict:
    """``qformat_gift::readquestion`` for the question types quizapp writes."""
    comments = "".join(ln + "\n" for ln in lines if ln.startswith("//"))
    lines = [" " if ln.startswith("//") else ln for ln in lines]
    text = escapedchar_pre(php_trim("\n".join(lines)))
    if text.startswith("$CATEGORY:"):
        return {"qtype": "category", "category": php_trim(text[10:])}
    question: dict = {"name": None, "idnumber": re.search(
        r"\[id:((?:\\\]|[^\]\[\x00-\x1f\x7f])+)\]", comments), "tags": re.findall(
        r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])*)\]", comments)}
    if text.startswith("::"):
        text = text[2:]
        finish = text.index("::")
        question["name"] = php_trim(escapedchar_post(text[:finish]))
        text = php_trim(text[finish + 2:])
    start, finish = text.find("{"), text.find("}")
    assert start >= 0 and finish >= 0, "Moodle: braces error"
    answertext = php_trim(text[start + 1:finish])
    questiontext = text[:start] + ("" if text.endswith("}") else "_____") + text[finish + 1:]
    split = answertext.rfind("####")
    general = ""
    if split >= 0:
        general, answertext = answertext[split + 4:], php_trim(answertext[:split])
    question["text"], fmt = parse_text_with_format(questiontext)
    question["format"] = fmt
    question["generalfeedback"], question["generalfeedbackformat"] = \
        parse_text_with_format(general, fmt)
    assert answertext and answertext[0] != "#", "essay or numerical"
    if "~" in answertext:
        question["qtype"] = "multichoice"
        question["single"] = "=" in answertext
        question["answers"] = []
        for answer in _answer_list(answertext.replace("=", "~="), "~"):
            if answer[0] == "=":
                weight, answer = 1.0, answer[1:]
                question["explicit"] = True
            elif _WEIGHT.match(answer):
                weight, answer = weight_of(answer)
            else:
                weight = 0.0
                question["implicit_weight"] = True
            question["answers"].append((comment_text(answer, fmt), weight))
    elif "=" in answertext and "->" in answertext:
        question["qtype"] = "match"
        question["pairs"] = []
        for answer in _answer_list(answertext, "="):
            marker = answer.index("->")
            question["pairs"].append((parse_text_with_format(answer[:marker], fmt),
                                      php_trim(escapedchar_post(answer[marker + 2:]))))
    else:
        check = answertext
        if answertext.find("#") > 0:
            check = php_trim(answertext[:answertext.find("#")])
        if check in ("T", "TRUE", "F", "FALSE"):
            question["qtype"] = "truefalse"
            answer, _fmt = parse_text_with_format(php_trim(answertext.split("#", 2)[0]), fmt)
            question["correct"] = answer in ("T", "TRUE")
        else:
            question["qtype"] = "shortanswer"
            question["answers"] = []
            for answer in _answer_list(answertext, "="):
                if _WEIGHT.match(answer):
                    weight, answer = weight_of(answer)
                else:
                    weight = 1.0
                    question["implicit_weight"] = True
                question["answers"].append((comment_text(answer, fmt)[0], weight))
    return question


def moodle_read_gift(text: str) -> list[dict]:
    """``qformat_default::readquestions``: PHP ``file()`` lines, blocks at empty lines."""
    questions, block = [], []
    for line in text.split("\n") + [""]:
        line = php_trim(line)
        if php_empty(line):
            if block:
                questions.append(moodle_read_gift_question(block))
            block = []
        else:
            block.append(line)
    return questions


def moodle_category(path: str) -> list[str]:
    """``qformat_default::split_category_path`` (without PARAM_TEXT's tag stripping)."""
    return [php_trim(raw.replace("//", "/")) for raw in re.split(r"(?<!/)/(?!/)", path)]


def moodle_matches(response: str, pattern: str) -> bool:
    """``compare_string_with_wildcard`` with ``usecase`` 0."""
    pattern, response = (unicodedata.normalize("NFC", t) for t in (pattern, response))
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    return re.fullmatch(regexp, php_trim(response), re.IGNORECASE) is not None


_XML_TOKEN = re.compile(r"<\?.*?\?>|<!\[CDATA\[(?P<cdata>.*?)\]\]>"
                        r"|<(?P<close>/?)(?P<tag>[^\s/>]+)[^>]*?(?P<empty>/?)>"
                        r"|(?P<ref>&[^;]+;)|(?P<text>[^<&]+)", re.S)


def moodle_xml_texts(document: str) -> list[str]:
    """Each leaf element's text as Moodle's XML import reads it, in document order.

    PHP's xml parser (libxml2) hands an entity reference to ``core_xml_parser`` as a piece of
    its own, and ``characterdata`` drops every piece that is only whitespace; ``getpath``
    trims what is left.
    """
    texts, stack = [], []
    for token in _XML_TOKEN.finditer(document):
        if token.group("tag"):
            if token.group("close") or token.group("empty"):
                pieces, children = stack.pop() if token.group("close") else ([], False)
                if not children:
                    texts.append(php_trim("".join(pieces)))
                if stack:
                    stack[-1][1] = True
            else:
                stack.append([[], False])
            continue
        piece = token.group("cdata") if token.group("cdata") is not None else \
            html.unescape(token.group("ref") or token.group("text") or "")
        if stack and (piece == "0" or php_trim(piece) != ""):
            stack[-1][0].append(piece)
    return texts


def strict_xml(document: str) -> ET.Element:
    """Parse with a strict XML 1.0 parser (expat); raises on any forbidden character."""
    return ET.fromstring(document.encode("utf-8"))


# --------------------------------------------------------------------------- GIFT

def gift_unescape(text: str) -> str:
    return escapedchar_post(escapedchar_pre(text))


@pytest.mark.parametrize("char", list("~=#{}:\\") + ["\n"])
def test_gift_escaping_round_trips_every_reserved_character(char):
    text = f"a{char}b{char}c"
    escaped = exports.gift_escape(text)
    assert "\n" not in escaped
    assert gift_unescape(escaped) == text


def unhtml(text: str) -> str:
    return html.unescape(text)


def test_gift_export_of_every_type_reads_back_in_moodle_as_the_same_questions(bank):
    questions = one_of_each(bank)
    mcq = next(q for q in questions if q["type"] == "mcq")
    mcq = {**mcq, "prompt": NASTY, "choices": [{**c, "text": c["text"] + " ~{=}:#"}
                                               for c in mcq["choices"]]}
    questions = [mcq if q["type"] == "mcq" else q for q in questions]
    text = exports.to_gift([(f"{q['id']}: name", q) for q in questions],
                           ("$course$", "quizapp"))
    category, *parsed = moodle_read_gift(text)
    assert moodle_category(category["category"]) == ["$course$", "quizapp"]
    assert [p["name"] for p in parsed] == [f"{q['id']}: name" for q in questions]
    by_type = {q["type"]: (q, p) for q, p in zip(questions, parsed, strict=True)}
    for _q, p in by_type.values():
        assert p["format"] == "html" and p["generalfeedback"]
        assert not p.get("implicit_weight")

    q, p = by_type["mcq"]
    assert p["qtype"] == "multichoice" and p["single"]
    assert unhtml(p["text"]) == NASTY
    weights = {unhtml(t): w for (t, _fmt), w in p["answers"]}
    key = next(c["text"] for c in q["choices"] if c["id"] == q["answer"])
    assert weights == {c["text"]: 1.0 if c["text"] == key else 0.0 for c in q["choices"]}

    q, p = by_type["multi"]
    assert p["qtype"] == "multichoice" and not p["single"]
    weights = {unhtml(t): w for (t, _fmt), w in p["answers"]}
    right = {c["text"] for c in q["choices"] if c["id"] in q["answer"]}
    assert {t for t, w in weights.items() if w > 0} == right
    assert sum(w for w in weights.values() if w > 0) == pytest.approx(1, abs=0.0001)

    q, p = by_type["true_false"]
    assert p["qtype"] == "truefalse" and p["correct"] is q["answer"]
    assert unhtml(p["text"]) == q["statement"]

    q, p = by_type["short"]
    assert p["qtype"] == "shortanswer"
    assert {w for _a, w in p["answers"]} == {1.0}
    for alias in q["accepted"]:
        assert any(moodle_matches(alias, pattern) for pattern, _w in p["answers"])

    q, p = by_type["matching"]
    assert p["qtype"] == "match"
    right_text = {r["id"]: r["text"] for r in q["right"]}
    assert {unhtml(left): right for (left, _fmt), right in p["pairs"]} == {
        lt["text"]: right_text[q["answer"][lt["id"]]] for lt in q["left"]}

    q, p = by_type["ordering"]  # exported as matching: event -> place in time
    items = {i["id"]: i["text"] for i in q["items"]}
    assert [unhtml(event) for (event, _fmt), _place in p["pairs"]] == \
        [items[i] for i in q["answer"]]
    assert [place for _event, place in p["pairs"]] == ["1st", "2nd", "3rd", "4th"][:len(items)]


# --------------------------------------------------------------------------- Moodle XML

def test_moodle_xml_has_moodles_structure_for_every_type(bank):
    questions = one_of_each(bank)
    mcq = next(q for q in questions if q["type"] == "mcq")
    questions = [{**q, "prompt": NASTY} if q is mcq else q for q in questions]
    text = exports.to_moodle_xml([(q["id"], q) for q in questions],
                                 ("$course$", "quizapp", "NATO"))
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
            patterns = [a.findtext("text") for a in answers]
            assert all(any(moodle_matches(alias, p) for p in patterns)
                       for alias in question["accepted"])
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
    assert len(moodle_read_gift(exports.to_gift(named))) == 40
    assert len(ET.fromstring(exports.to_moodle_xml(named).encode()).findall("question")) == 40


# --------------------------------------------------------------------------- hostile text

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def kept(text: str) -> str:
    """What an export keeps of a text: forbidden characters as spaces, LF line ends, trimmed
    as Moodle trims."""
    return php_trim(_NOT_XML.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n"))


def gift_plain(text: str) -> str:
    """GIFT cannot carry Moodle's own "&&0NN;" placeholders in plain text: "&&" gets a
    word joiner (U+2060) between the ampersands (docs/exports.md)."""
    return re.sub(r"&(?=&)", "&\u2060", kept(text))


def one_line(text: str) -> str:
    return " ".join(kept(text).split())


def hostile_bank(texts: Iterator[str]) -> list[tuple[str, dict]]:
    """One question of each type with a text from ``texts`` in every field."""
    def t() -> str:
        return next(texts)

    def common(kind: str) -> dict:
        return {"type": kind, "id": t(), "prompt": t(), "explanation": t(),
                "source": {"quote": t()}}

    choices = [{"id": c, "text": t()} for c in "abcd"]
    key = t()
    return [(t(), payload) for payload in (
        {**common("mcq"), "choices": choices, "answer": "b"},
        {**common("multi"), "choices": choices, "answer": ["a", "c"]},
        {**common("true_false"), "statement": t(), "answer": False},
        {**common("short"), "answer": key, "accepted": [key, t()]},
        {**common("matching"), "left": [{"id": "l1", "text": t()}, {"id": "l2", "text": t()}],
         "right": [{"id": "r1", "text": t()}, {"id": "r2", "text": t()}],
         "answer": {"l1": "r2", "l2": "r1"}},
        {**common("ordering"), "items": [{"id": "i1", "text": t()}, {"id": "i2", "text": t()}],
         "answer": ["i2", "i1"]},
    )]


def expected_feedback(payload: dict) -> str:
    """The explanation and the source quote, as the exports write them (general feedback)."""
    return kept(f"{payload['explanation']} Source: “{payload['source']['quote']}”".strip())


def check_short_patterns(payload: dict, patterns: list[str]) -> None:
    """Moodle gives credit for every accepted text, and for nothing longer."""
    for alias in payload["accepted"]:
        assert any(moodle_matches(kept(alias), p) for p in patterns), (alias, patterns)
        assert not any(moodle_matches(kept(alias) + "zz", p) for p in patterns), alias


def check_gift_round_trip(named: list[tuple[str, dict]], title: str) -> None:
    text = exports.to_gift(named, ("$course$", "quizapp", title))
    category, *questions = moodle_read_gift(text)
    assert category["qtype"] == "category"
    assert moodle_category(category["category"]) == \
        ["$course$", "quizapp", re.sub(r"&(?=&)", "&\u2060", one_line(title))]
    assert len(questions) == len(named)
    for (name, payload), q in zip(named, questions, strict=True):
        assert q["name"] == gift_plain(name)
        assert (q["idnumber"], q["tags"]) == (None, [])
        assert q["format"] == q["generalfeedbackformat"] == "html"
        assert unhtml(q["generalfeedback"]) == expected_feedback(payload)
        assert not q.get("implicit_weight")
        kind = payload["type"]
        prompt = payload["statement"] if kind == "true_false" else payload["prompt"]
        if kind == "ordering":
            prompt += " Match each event to its place in time (1st = earliest)."
        assert unhtml(q["text"]) == kept(prompt)
        if kind in ("mcq", "multi"):
            assert q["qtype"] == "multichoice" and q["single"] is (kind == "mcq")
            keys = {payload["answer"]} if kind == "mcq" else set(payload["answer"])
            read = [(unhtml(text), fmt, weight > 0) for (text, fmt), weight in q["answers"]]
            assert read == [(kept(c["text"]), "html", c["id"] in keys)
                            for c in payload["choices"]]
        elif kind == "true_false":
            assert q["qtype"] == "truefalse" and q["correct"] is payload["answer"]
        elif kind == "short":
            assert q["qtype"] == "shortanswer"
            assert {weight for _p, weight in q["answers"]} == {1.0}
            check_short_patterns(payload, [p for p, _w in q["answers"]])
        elif kind == "matching":
            right = {r["id"]: r["text"] for r in payload["right"]}
            assert q["qtype"] == "match"
            assert [(unhtml(left), fmt, r) for (left, fmt), r in q["pairs"]] == [
                (kept(left["text"]), "html", gift_plain(right[payload["answer"][left["id"]]]))
                for left in payload["left"]]
        else:
            items = {i["id"]: i["text"] for i in payload["items"]}
            assert q["qtype"] == "match"
            assert [(unhtml(left), r) for (left, _fmt), r in q["pairs"]] == [
                (kept(items[i]), place) for i, place in zip(payload["answer"], ("1st", "2nd"),
                                                      strict=True)]


def check_xml_round_trip(named: list[tuple[str, dict]], title: str) -> None:
    document = exports.to_moodle_xml(named, ("$course$", "quizapp", title))
    root = strict_xml(document)
    leaves = [php_trim(e.text or "") for e in root.iter() if len(e) == 0]
    assert moodle_xml_texts(document) == leaves  # Moodle drops nothing a strict parser reads
    category, *questions = root.findall("question")
    assert moodle_category(category.findtext("category/text")) == \
        ["$course$", "quizapp", one_line(title)]
    assert len(questions) == len(named)
    for (name, payload), q in zip(named, questions, strict=True):
        assert q.findtext("name/text") == kept(name)
        assert q.findtext("idnumber") == kept(payload["id"])[:100]
        assert unhtml(q.findtext("generalfeedback/text")) == expected_feedback(payload)
        kind = payload["type"]
        prompt = payload["statement"] if kind == "true_false" else payload["prompt"]
        assert unhtml(q.findtext("questiontext/text")) == kept(prompt)
        answers = q.findall("answer")
        assert all(a.get("fraction") for a in answers)
        if kind in ("mcq", "multi"):
            keys = {payload["answer"]} if kind == "mcq" else set(payload["answer"])
            assert [(unhtml(a.findtext("text")), float(a.get("fraction")) > 0)
                    for a in answers] == [(kept(c["text"]), c["id"] in keys)
                                          for c in payload["choices"]]
        elif kind == "short":
            patterns = [a.findtext("text") for a in answers]
            check_short_patterns(payload, patterns)
            for pattern in patterns:  # Moodle accepts only what quizapp accepts
                assert QUESTION_TYPES["short"].check(payload, pattern.replace("\\*", "*")).correct
        elif kind == "matching":
            right = {r["id"]: r["text"] for r in payload["right"]}
            assert [(unhtml(s.findtext("text")), s.findtext("answer/text"))
                    for s in q.findall("subquestion")] == [
                (kept(left["text"]), kept(right[payload["answer"][left["id"]]]))
                for left in payload["left"]]
        elif kind == "ordering":
            items = {i["id"]: i["text"] for i in payload["items"]}
            assert [unhtml(a.findtext("text")) for a in answers] == \
                [kept(items[i]) for i in payload["answer"]]


#: What Moodle's importers misread, one hazard per case, each at the start of every field.
HOSTILE = {
    "weight": "%50% half credit",
    "negative-weight": "%-100%minus",
    "format-marker": "[markdown]*eaten*",
    "html-marker": "[html]<b>bold</b> & co",
    "wildcard": "*any* thing",
    "category-injection": "$CATEGORY: x\n\n::evil::[html]Injected{=pwned}",
    "slashes": "/a/b//c/",
    "id-and-tag": "// [id:stolen] [tag:spam] \\]",
    "gift-reserved": "~ = # { } : \\ \\n \\\\ {=x}",
    "arrow": "-> a -> b",
    "placeholders": "&&058; &&092; &&010 &&",
    "entities": "< > & &lt; &amp; \" '",
    "spaces-between-escapes": "< > & & ]]> ]]]]> <![CDATA[",
    "control-chars": "vertical\x0btab\x0cform\x00nul\x1fus\ufffe\ud83dlone\x7fdel",
    "line-ends": "one\r\ntwo\rthree\n\nfour",
    "padding": "  \t padded \t ",
    "true-false": "TRUE",
    "zero": "0",
}


@pytest.mark.parametrize("hazard", sorted(HOSTILE))
def test_gift_reads_back_in_moodle_intact_with_hostile_text_in_every_field(hazard):
    texts = (f"{HOSTILE[hazard]} {n}" for n in itertools.count())
    check_gift_round_trip(hostile_bank(texts), HOSTILE[hazard])


@pytest.mark.parametrize("hazard", sorted(HOSTILE))
def test_moodle_xml_reads_back_in_moodle_intact_with_hostile_text_in_every_field(hazard):
    texts = (f"{HOSTILE[hazard]} {n}" for n in itertools.count())
    check_xml_round_trip(hostile_bank(texts), HOSTILE[hazard])


_PIECES = ["%50%", "%-50%", "%100%", "[markdown]", "[html]", "[plain]", "[moodle]", "*", "\\*",
           "$CATEGORY:", "/", "//", "\n", "\n\n", "\r", "\r\n", "->", "&&058;", "&&092;",
           "&&010", "&lt;", "]]>", "<", ">", "&", "::", "[id:x]", "[tag:y]", "\\", "\\n",
           "~", "=", "#", "####", "{", "}", "0", "T", " ", "\t", "\x0b", "\x00", "\ud83d",
           "\ufffe", "\u2028", "\x85", "\xa0"]
_HOSTILE_TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(_PIECES)),
                         min_size=1, max_size=8).map("".join).filter(lambda t: kept(t).strip())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_HOSTILE_TEXT, min_size=5, max_size=20))
def test_any_text_survives_both_exports_as_moodle_reads_them(texts):
    named = hostile_bank(itertools.cycle(texts))
    check_gift_round_trip(named, texts[-1])
    check_xml_round_trip(named, texts[-1])


def short_question(*accepted: str) -> dict:
    return {"type": "short", "id": "q1", "prompt": "Capital of Japan?", "explanation": "",
            "answer": accepted[0], "accepted": list(accepted)}


@pytest.mark.parametrize("typed", ["Tokyo", "tokyo", "Tokyo.", "TOKYO"])
def test_a_key_with_a_full_stop_accepts_what_quizapp_accepts_in_moodle(typed):
    question = short_question("Tokyo.", "Edo")
    assert QUESTION_TYPES["short"].check(question, typed).correct
    xml = strict_xml(exports.to_moodle_xml([("q1", question)]))
    assert xml.findtext("question/usecase") == "0"
    patterns = [a.findtext("text") for a in xml.findall("question/answer")]
    assert any(moodle_matches(typed, p) for p in patterns)
    (gift,) = moodle_read_gift(exports.to_gift([("q1", question)]))
    assert any(moodle_matches(typed, p) for p, _w in gift["answers"])


def test_short_answer_variants_skip_what_moodle_already_matches_case_blind():
    assert exports.moodle_accepted(["U.S.", "u.s.", "US", "Tokyo!"]) == \
        ["U.S.", "U.S", "US", "US.", "Tokyo!", "Tokyo", "Tokyo."]


def test_a_vertical_tab_anywhere_leaves_the_moodle_xml_well_formed():
    question = {**short_question("Tok\x0byo"), "prompt": "Capital\x0b of\x00 Japan?\x1f",
                "explanation": "It is\x0c Tokyo.\ufffe"}
    document = exports.to_moodle_xml([("name\x0b", question)], ("$course$", "a\x0bb"))
    root = strict_xml(document)  # raises on the old exporter
    assert root.findtext("question/category/text") == "$course$/a b"
    assert unhtml(root.findtext("question[@type='shortanswer']/questiontext/text")) == \
        "Capital  of  Japan?"


def test_moodle_keeps_the_spaces_between_characters_xml_has_to_escape():
    question = {"type": "matching", "id": "m1", "prompt": "Match", "explanation": "",
                "left": [{"id": "l1", "text": "less & more"}, {"id": "l2", "text": "b"}],
                "right": [{"id": "r1", "text": "< >"}, {"id": "r2", "text": "& &"}],
                "answer": {"l1": "r1", "l2": "r2"}}
    document = exports.to_moodle_xml([("m1", question)])
    texts = moodle_xml_texts(document)
    assert "< >" in texts and "& &" in texts  # the old exporter gave "<>" and "&&"
