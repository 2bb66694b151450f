"""Read questions from Moodle GIFT and Moodle XML files, as Moodle's own importers read them.

The GIFT reader follows ``question/format/gift/format.php`` (blocks at blank lines, ``//``
comments, ``::name::``, ``[html]``/``[plain]``/``[markdown]``/``[moodle]`` markers, the
``\\`` escapes as Moodle's placeholders, ``%n%`` weights, ``####`` general feedback, the
answer-list shapes that make a multichoice, matching, true/false or short-answer question).
The XML reader takes Moodle's ``<quiz>`` of ``<question type=...>`` elements through
defusedxml: no DTD, no entity declarations, no external references, so neither a billion
laughs nor an XXE can get through. Both give ``Draft``s (``domain.authoring``), the same the
instructor's form makes, plus what was skipped and why; ``ImportFileError`` for a file that
cannot be read at all.

What quizapp's exports add for Moodle is undone: the ordering-as-matching of GIFT, the
``Source: “…”`` of the general feedback, the short answers' ``\\*``, ``-*>`` and ``&*&`` and the
word joiner that splits ``&&``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .authoring import Draft, one_line, ordering_from_matching, split_feedback

#: The largest file read (bytes): a question bank of a few hundred questions.
MAX_IMPORT_BYTES = 256 * 1024
#: Questions read from one file at most.
MAX_IMPORT_QUESTIONS = 300
FORMATS = ("gift", "moodle_xml")


class ImportFileError(ValueError):
    """The file cannot be read at all (not UTF-8, not XML, too large, no questions)."""


@dataclass
class ImportResult:
    drafts: list[Draft] = field(default_factory=list)
    #: (where in the file, why it was left out).
    skipped: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- text

class _TextOf(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The text of an HTML fragment on one line (tags dropped, entities decoded)."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return one_line("".join(parser.parts))


def _text(raw: str, fmt: str) -> str:
    return html_text(raw) if fmt == "html" else one_line(raw)


def _plain(text: str) -> str:
    """Plain text as quizapp's GIFT export wrote it: "&&" was split by a word joiner."""
    return one_line(text.replace("&\u2060&", "&&"))


def short_answer(pattern: str) -> str | None:
    """A Moodle short-answer pattern as quizapp's typed answer, or None for a wildcard."""
    text = pattern.replace("-*>", "->").replace("&*&", "&&")
    if re.search(r"(?<!\\)\*", text):
        return None
    return one_line(text.replace("\\*", "*"))


def _short_draft(draft: Draft, answers: list[tuple[str, float]]) -> Draft | str:
    accepted: list[str] = []
    for pattern, weight in answers:
        if weight < 1:
            if weight > 0:
                draft.notes.append(f"Left out “{pattern[:40]}”: quizapp gives no part marks "
                                   "for a typed answer.")
            continue
        text = short_answer(pattern)
        if text is None:
            draft.notes.append(f"Left out “{pattern[:40]}”: quizapp has no wildcards (*).")
        elif text:
            accepted.append(text)
    if not accepted:
        return "No fully right typed answer without a wildcard."
    draft.accepted = accepted
    return draft


def _choice_draft(draft: Draft, answers: list[tuple[str, float]], single: bool
                  ) -> Draft | str:
    if single and any(0 < weight < 1 for _, weight in answers):
        return "Part marks for a choice: quizapp's multiple choice has one right answer."
    draft.type = "mcq" if single else "multi"
    draft.choices = [(text, weight >= 1 if single else weight > 0) for text, weight in answers]
    return draft


def _matching_draft(draft: Draft, pairs: list[tuple[str, str]]) -> Draft:
    extra = [right for left, right in pairs if not left]
    if extra:
        draft.notes.append(f"Left out {len(extra)} extra match(es) with no item: quizapp "
                           "offers exactly one match per item.")
    pairs = [(left, right) for left, right in pairs if left]
    ordering = ordering_from_matching(draft.prompt, pairs)
    if ordering is not None:
        draft.type, draft.prompt, draft.items = "ordering", ordering[0], ordering[1]
    else:
        draft.type, draft.pairs = "matching", pairs
    return draft


def _with_feedback(draft: Draft, feedback: str) -> Draft:
    draft.explanation, draft.quote = split_feedback(feedback)
    return draft


# --------------------------------------------------------------------------- GIFT

_PLACEHOLDERS = (("\\:", "&&058;"), ("\\#", "&&035;"), ("\\=", "&&061;"), ("\\{", "&&123;"),
                 ("\\}", "&&125;"), ("\\~", "&&126;"), ("\\n", "&&010"))
_WEIGHT = re.compile(r"^%(-?[0-9]{1,3}(?:\.[0-9]*)?)%")
_FORMAT_MARKERS = ("moodle", "html", "plain", "markdown")


def _escaped_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in _PLACEHOLDERS:
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def _escaped_post(text: str) -> str:
    for escaped, placeholder in _PLACEHOLDERS:
        text = text.replace(placeholder, "\n" if escaped == "\\n" else escaped[1])
    return text


def _with_format(text: str, default: str) -> tuple[str, str]:
    """(text, format): a leading format marker read as Moodle reads it."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        if text[1:end] in _FORMAT_MARKERS:
            fmt, text = text[1:end], text[end + 1:]
    return _escaped_post(text).strip(), fmt


def _gift_answers(answertext: str, sep: str) -> list[str]:
    answers = answertext.split(sep)
    if answers[0].strip() in ("", "0"):
        answers.pop(0)
    return [a.strip() for a in answers]


def _weighted(answer: str, default: float) -> tuple[float, str]:
    found = _WEIGHT.match(answer)
    if found is None:
        return default, answer
    return float(found.group(1)) / 100, answer[found.end():]


def _label_with_name(where: str, text: str) -> str:
    """``where`` with the question's name, if the file gives one."""
    return f"{where}: {one_line(text)}" if one_line(text) else where


def _gift_question(block: list[str], where: str) -> Draft | tuple[str, str] | None:
    """One block as Moodle's ``readquestion`` reads it: a draft, a reason to skip, or None
    for a block with nothing to import (comments only, a category)."""
    kept = [line for line in block if not line.startswith("//")]
    text = _escaped_pre("\n".join(kept).strip())
    if not text or text.startswith("$CATEGORY:"):
        return None
    name = ""
    if text.startswith("::"):
        finish = text.find("::", 2)
        if finish < 0:
            return "The name is not closed with “::”."
        name, text = _escaped_post(text[2:finish]).strip(), text[finish + 2:].strip()
    label = _label_with_name(where, name)
    read = _gift_body(text, label)
    return (label, read) if isinstance(read, str) else read


def _gift_body(text: str, label: str) -> Draft | str:
    """The question after its name: its text, answers and feedback."""
    start = text.find("{")
    finish = text.find("}", start + 1) if start >= 0 else -1
    if start < 0:
        return "No answers in braces { }: a description, not a question."
    if finish < 0:
        return "The answers' braces are not closed: “{” without “}”."
    answertext = text[start + 1:finish].strip()
    questiontext = text[:start] + ("" if text.endswith("}") else "_____") + text[finish + 1:]
    general = ""
    split = answertext.rfind("####")
    if split >= 0:
        general, answertext = answertext[split + 4:], answertext[:split].strip()
    prompt, fmt = _with_format(questiontext.strip(), "moodle")
    feedback, feedback_fmt = _with_format(general, fmt)
    draft = Draft(type="", prompt=_text(prompt, fmt), name=label)
    _with_feedback(draft, _text(feedback, feedback_fmt))
    if not answertext:
        return "An essay question: quizapp has no essay form."
    if answertext.startswith("#"):
        return "A numerical question: quizapp has no numerical form."

    def answer_text(answer: str) -> str:
        return _text(*_with_format(answer.split("#", 1)[0].strip(), fmt))

    if "~" in answertext:
        answers = []
        for answer in _gift_answers(answertext.replace("=", "~="), "~"):
            if answer.startswith("="):
                weight, answer = 1.0, answer[1:]
            else:
                weight, answer = _weighted(answer, 0.0)
            answers.append((answer_text(answer), weight))
        return _choice_draft(draft, answers, "=" in answertext)
    if "=" in answertext and "->" in answertext:
        pairs = []
        for answer in _gift_answers(answertext, "="):
            left, arrow, right = answer.partition("->")
            if not arrow:
                return "A matching pair without “->”."
            pairs.append((_text(*_with_format(left.strip(), fmt)),
                          _plain(_escaped_post(right).strip())))
        return _matching_draft(draft, pairs)
    check = answertext.split("#", 1)[0].strip()
    if check in ("T", "TRUE", "F", "FALSE"):
        draft.type, draft.truth = "true_false", check in ("T", "TRUE")
        return draft
    draft.type = "short"
    answers = []
    for answer in _gift_answers(answertext, "="):
        weight, answer = _weighted(answer, 1.0)
        text, _fmt = _with_format(answer.split("#", 1)[0].strip(), fmt)
        answers.append((text, weight))
    return _short_draft(draft, answers)


def parse_gift(data: bytes) -> ImportResult:
    """Questions of a GIFT file (UTF-8)."""
    text = _decoded(data)
    result = ImportResult()
    block: list[str] = []
    first = 0
    count = 0
    for number, line in enumerate(text.split("\n") + [""], 1):
        line = line.strip(" \t\n\r\0\x0b")
        if line not in ("", "0"):
            first = first or number
            block.append(line)
            continue
        if block:
            count += 1
            _add(result, _gift_question(block, f"Line {first}"), f"Line {first}", count)
        block, first = [], 0
    return _finished(result)


# --------------------------------------------------------------------------- Moodle XML

def _child_text(element: ET.Element | None, path: str = "text") -> str:
    found = element.find(path) if element is not None else None
    return "".join(found.itertext()).strip() if found is not None else ""


def _formatted(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return _text(_child_text(element), element.get("format", "html"))


def _fraction(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0")) / 100
    except ValueError:
        return 0.0


def _xml_question(question: ET.Element, where: str) -> Draft | tuple[str, str] | None:
    if question.get("type", "") == "category":
        return None
    label = _label_with_name(where, _child_text(question.find("name")))
    read = _xml_body(question, label)
    return (label, read) if isinstance(read, str) else read


def _xml_body(question: ET.Element, label: str) -> Draft | str:
    qtype = question.get("type", "")
    draft = Draft(type="", prompt=_formatted(question.find("questiontext")), name=label)
    _with_feedback(draft, _formatted(question.find("generalfeedback")))
    answers = question.findall("answer")
    if qtype == "multichoice":
        single = _child_text(question, "single").lower() in ("true", "1")
        return _choice_draft(draft, [(_formatted(a), _fraction(a)) for a in answers], single)
    if qtype == "truefalse":
        right = [a for a in answers if _fraction(a) >= 1]
        if len(right) != 1 or _child_text(right[0]).lower() not in ("true", "false"):
            return "A true/false question needs one right answer, true or false."
        draft.type, draft.truth = "true_false", _child_text(right[0]).lower() == "true"
        return draft
    if qtype == "shortanswer":
        draft.type = "short"
        if _child_text(question, "usecase") == "1":
            draft.notes.append("Case-sensitive in Moodle: quizapp ignores case.")
        return _short_draft(draft, [(_child_text(a), _fraction(a)) for a in answers])
    if qtype == "matching":
        return _matching_draft(draft, [
            (_formatted(sub), one_line(_child_text(sub.find("answer"))))
            for sub in question.findall("subquestion")])
    if qtype == "ordering":
        order = [(_fraction(a), n, _formatted(a)) for n, a in enumerate(answers)]
        draft.type, draft.items = "ordering", [text for *_, text in sorted(order)]
        return draft
    return f"A Moodle “{qtype or 'untyped'}” question: quizapp has no such form."


def parse_moodle_xml(data: bytes) -> ImportResult:
    """Questions of a Moodle XML file (``<quiz>``), read with DTDs and entities refused."""
    _check_size(data)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise ImportFileError("The file declares a DTD or entities, which a question file "
                              "never needs: they are refused.") from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ImportFileError(f"This is not well-formed XML (line {line}, column "
                              f"{column + 1}). Export the questions again from Moodle."
                              ) from None
    if root.tag != "quiz":
        raise ImportFileError(f"A Moodle XML question file starts with <quiz>, not "
                              f"<{root.tag[:30]}>.")
    result = ImportResult()
    for count, question in enumerate(root.findall("question"), 1):
        _add(result, _xml_question(question, f"Question {count}"), f"Question {count}", count)
    return _finished(result)


# --------------------------------------------------------------------------- both

def _check_size(data: bytes) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"The file is too large: at most {MAX_IMPORT_BYTES // 1024} KB.")


def _decoded(data: bytes) -> str:
    _check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text: save it as UTF-8 and try again."
                              ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _add(result: ImportResult, read: Draft | str | tuple[str, str] | None, where: str,
         count: int) -> None:
    if count > MAX_IMPORT_QUESTIONS:
        if count == MAX_IMPORT_QUESTIONS + 1:
            result.skipped.append((where, f"Only the first {MAX_IMPORT_QUESTIONS} questions "
                                          "of a file are read."))
        return
    if isinstance(read, tuple):
        result.skipped.append(read)
    elif isinstance(read, str):
        result.skipped.append((where, read))
    elif read is not None:
        result.drafts.append(read)


def _finished(result: ImportResult) -> ImportResult:
    if not result.drafts and not result.skipped:
        raise ImportFileError("The file holds no questions.")
    return result


def parse(fmt: str, data: bytes) -> ImportResult:
    """Questions of a file in ``fmt`` (``gift`` or ``moodle_xml``)."""
    if fmt == "gift":
        return parse_gift(data)
    if fmt == "moodle_xml":
        return parse_moodle_xml(data)
    raise ImportFileError(f"Choose a format: {', '.join(FORMATS)}.")
