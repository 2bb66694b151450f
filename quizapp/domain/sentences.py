"""A commentary's sentences: splitting (with their places in the text), heading lines,
and the blanks cut from a sentence for a cloze or a completion question."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .passages import is_heading

BLANK = "_____"
#: A four-digit year, not part of a longer number, range or date.
YEAR = re.compile(r"(?<![\d\-–/])(1[89]\d\d|20\d\d)(?![\d\-–/])")
#: Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "vs", "e.g", "i.e", "u.s", "u.k", "etc",
                  "gen", "col", "lt", "sgt", "prof", "jan", "feb", "mar", "apr", "jun", "jul",
                  "aug", "sep", "sept", "oct", "nov", "dec", "inc", "co", "corp", "jr", "sr"}


@dataclass(frozen=True)
class Sentence:
    """A sentence (or heading line) with its place in the text."""

    text: str
    start: int
    paragraph: int


def sentences(text: str) -> list[Sentence]:
    """Split a text into sentences; every line is a paragraph, a heading is one sentence."""
    out: list[Sentence] = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        stripped = line.strip()
        if stripped:
            base = offset + line.index(stripped)
            for start, end in _sentence_spans(stripped):
                piece = stripped[start:end].strip()
                if piece:
                    out.append(Sentence(piece, base + start + stripped[start:end].index(piece),
                                        number))
        offset += len(line)
    return out


_SENTENCE_END = re.compile(r"[.!?][\"”’)]?(?=\s+[\"“(‘A-Z0-9])")
_WORD_BEFORE = re.compile(r"[\w.]+$")
#: Longer than any abbreviation: the word before a full stop is read up to this many
#: characters back, so each split costs the same however far back the sentence began
#: (reading back to the sentence's start made "A. A. A. ..." quadratic).
_LONGEST_WORD = max(map(len, _ABBREVIATIONS)) + 1


def _sentence_spans(line: str) -> Iterable[tuple[int, int]]:
    start = 0
    for match in _SENTENCE_END.finditer(line):
        end = match.end()
        stop = match.start()
        word = _WORD_BEFORE.search(line, max(start, stop - _LONGEST_WORD), stop)
        if word and (word.group().lower() in _ABBREVIATIONS
                     or (len(word.group()) == 1 and "A" <= word.group() <= "Z")):
            continue
        yield start, end
        start = end
    yield start, len(line)


def blank_out(sentence: str, start: int, end: int, placeholder: str = "{answer}") -> str:
    return sentence[:start] + placeholder + sentence[end:]


#: A full stop after a sentence that already ended inside its closing quotation mark or
#: parenthesis: "... a \"Strategic and Global Partnership.\"." (the held-out review of
#: round 11).
_DOUBLE_STOP = re.compile(r"([.!?])([\"”’)]+)\s*\.(?=[\s\"”’)]|$)")


def end_sentence(text: str) -> str:
    """``text`` ending with one full stop: a quotation that ends the sentence keeps its
    own (``Partnership."``), a clause cut before a comma gets one."""
    text = _DOUBLE_STOP.sub(r"\1\2", text.rstrip())
    text = re.sub(r"[\s,;:]+$", "", text)
    return text if re.search(r"[.!?][\"”’)]*$", text) else text + "."


def tidy_stops(text: str) -> str:
    """``text`` without a full stop doubled after a closing quotation mark."""
    return _DOUBLE_STOP.sub(r"\1\2", text)


def cloze(statement: str) -> str:
    return statement.replace("{answer}", BLANK)


def ask_for(what: str, statement: str) -> str:
    verb = "complete" if what.endswith("s") else "completes"
    return f"Which {what} {verb} this sentence from the commentary: “{cloze(statement)}”"


def is_line_heading(text: str, sent: Sentence) -> bool:
    line_start = text.rfind("\n", 0, sent.start) + 1
    line_end = text.find("\n", sent.start)
    line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
    return line == sent.text and is_heading(line)


#: Kinds of fact whose claims can rule out another question's wrong answers.
CLAIM_KINDS = ("statement", "entity_set")


def claim_clusters(facts: Iterable[Any]) -> dict[str, set[str]]:
    """For each claim (a statement or a set), the other claims quoting one of its
    sentences: one passage ("It is inconceivable that Japan would ... and it is
    unrealistic to expect NATO to act for Japan's defense") asked as several facts, whose
    keys rule out one another's wrong answers. A quiz asks one of them."""
    claims = [f for f in facts if f.kind in CLAIM_KINDS]
    said = {f.id: {s.text for s in sentences(f.quote)} for f in claims}
    return {f.id: {g.id for g in claims if g.id != f.id and said[f.id] & said[g.id]}
            for f in claims}


#: A defence commitment: what a limits passage ("it is unrealistic to expect NATO to act for
#: Japan's defense") says the partnership is not.
COMMITMENT = re.compile(r"\b(?:collective defen[cs]e|mutual defen[cs]e|defen[cs]e commitment|"
                        r"defend(?:s|ed|ing)?|troops?|logistical support|alliance)\b",
                        re.IGNORECASE)
_DENIAL = re.compile(r"\b(?:not|never|nor|cannot|inconceivable|unrealistic)\b", re.IGNORECASE)


def limit_claims(facts: Iterable[Any]) -> set[str]:
    """Claims that deny a defence commitment (the limits passage): their keys rule out any
    other question's option that speaks of one, so a quiz asks them apart from those."""
    return {f.id for f in facts if f.kind in CLAIM_KINDS and _DENIAL.search(f.quote)
            and (COMMITMENT.search(f.quote) or re.search(r"defen[cs]e\b", f.quote))}
