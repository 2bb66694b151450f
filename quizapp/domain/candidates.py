"""A candidate fact found by a rule, and the gate that decides which candidates a rule may
write in full and which it proposes for the instructor to phrase."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, replace
from typing import Any

from .facts import DANGLING
from .references import back_reference
from .sentences import YEAR
from .text import NEGATION, normalize
from .yearblanks import ONE_OF_TWO, blank_problem, clean_event


@dataclass(frozen=True)
class Candidate:
    """A fact found by a rule, ready to be reviewed by an instructor."""

    kind: str
    answer: str | tuple[str, ...]
    quote: str
    question: str
    statement: str
    rule: str
    aliases: tuple[str, ...] = ()
    distractors: tuple[str, ...] = ()
    term: str | None = None
    category: str | None = None
    event: str | None = None
    #: What the text says an acronym's body or programme does (matched, round 6).
    role: str | None = None
    explanation: str = ""
    importance: str = "supporting"
    #: What an instructor must write before this candidate can be asked (empty: nothing).
    needs: str = ""
    #: The forms a rule-written candidate is asked in (empty: its kind's defaults).
    forms: tuple[str, ...] = ()
    #: Another milestone year in the sentence, for a true/false item (round 6).
    false_statements: tuple[str, ...] = ()

    @property
    def answer_text(self) -> str:
        return ", ".join(self.answer) if isinstance(self.answer, tuple) else self.answer

    def key(self) -> tuple[str, str, str]:
        answer = self.answer if isinstance(self.answer, tuple) else (self.answer,)
        return (self.kind, "|".join(sorted(normalize(a) for a in answer)), self.quote)

    def to_record(self, fact_id: str, topic: str) -> dict[str, Any]:
        """The curated-fact mapping (as in a seed YAML file) for ``Fact.from_dict``."""
        record: dict[str, Any] = {
            "id": fact_id, "topic": topic, "kind": self.kind, "question": self.question,
            "statement": self.statement,
            "answer": list(self.answer) if isinstance(self.answer, tuple) else self.answer,
            "aliases": list(self.aliases), "quote": self.quote,
            "explanation": self.explanation, "rule": self.rule,
            "importance": self.importance,
        }
        for key in ("term", "category", "event", "needs", "role"):
            if getattr(self, key):
                record[key] = getattr(self, key)
        if self.distractors:
            record["distractors"] = list(self.distractors)
        if self.forms:
            record["forms"] = list(self.forms)
        if self.false_statements:
            record["false_statements"] = list(self.false_statements)
        return record


#: What a rule cannot phrase well is proposed for the instructor to write (kind: reason).
PROPOSE = {
    "date": "An exact day is a detail: ask it only where it matters, in your own words, "
            "with the text's other dates (suggested) as wrong answers.",
    "entity": "A name with a role is a detail: ask it only if the person matters to the "
              "argument.",
    "entity_set": "A list: a rule cannot tell a partner from a rival, so choose wrong "
                  "answers a student who skimmed would believe and the text rules out.",
    # "24 K9 howitzers arrived ...": a count blanked from a lifted sentence is trivia more
    # often than not; whether it carries the argument is the instructor's call.
    "number": "A count or share: ask it in your own words only if it carries the "
              "author's argument.",
}
SEVERAL_YEARS = ("This sentence names several years: a blank would print the others "
                 "beside it; ask one of its events in your own words.")
INCIDENTAL_YEAR = ("A blank here would not ask when the sentence's event happened ({why}); "
                   "ask it in your own words if it matters.")
TWIN = ("Another candidate already blanks this sentence: blanks cut from one sentence "
        "print each other's answers.")
#: Typed only: made-up wrong numbers and years (a run of neighbours, a future year for a
#: past event) are what a skimming student rules out.
TYPED_KINDS = ("year",)
#: A cloze longer than this is cut to the clause that holds its blank.
CLOZE_WORDS = 25


def _propose(candidate: Candidate, needs: str) -> Candidate:
    # A year or count the instructor phrases stays typed: the rules' wrong values would be
    # made up.
    forms = ("short",) if candidate.kind in ("year", "number") else candidate.forms
    return replace(candidate, question="", needs=needs, forms=forms)


def gate(candidates: list[Candidate]) -> list[Candidate]:
    """The rules' gates for an imported text: one typed blank per sentence and per answer,
    only on a year that dates its sentence's main event (``yearblanks``), with its
    sentence quoted as the explanation; dates, names and lists are proposed."""
    out: list[Candidate] = []
    blanked: set[str] = set()
    text_years = sorted({int(c.answer) for c in candidates if c.kind == "year"
                         and isinstance(c.answer, str) and c.answer.isdigit()})
    asked = paired = 0
    first_paired: str | None = None
    for candidate in candidates:
        if candidate.needs:
            out.append(candidate)
            continue
        if candidate.kind in PROPOSE:
            candidate = _propose(candidate, PROPOSE[candidate.kind])
        elif candidate.kind in TYPED_KINDS:
            sentence = candidate.quote
            why = blank_problem(candidate.statement) if candidate.kind == "year" else None
            if not why and (ref := back_reference(candidate.statement)):
                # Round 9's held-out text: "moving these partners onto a new framework".
                why = f"the sentence leans on an earlier one ({ref!r})"
            if candidate.kind == "year" and candidate.rule == "year" \
                    and len(YEAR.findall(sentence)) > 1:
                candidate = _propose(candidate, SEVERAL_YEARS)
            elif why:
                candidate = _propose(candidate, INCIDENTAL_YEAR.format(why=why))
            elif sentence in blanked and candidate.rule != ONE_OF_TWO:
                # (Each clause of two joined events prints neither year: both may stand,
                # the quote shown after one keeps the other out of its quiz.)
                candidate = _propose(candidate, TWIN)
            else:
                # Two blanks keyed to one year may both stand (round 6): the quoted
                # sentence after one prints the other's key, so the draw keeps them apart.
                blanked.add(sentence)
                event = candidate.event if clean_event(candidate.statement,
                                                       candidate.event) else None
                statement = _shorten(candidate.statement)
                false = _false_year(statement, candidate, text_years) \
                    if (paired + 1) * TRUE_FALSE_EVERY <= asked + 1 else None
                asked += 1
                paired += bool(false)
                first_paired = first_paired or (sentence if false else None)
                candidate = replace(candidate, event=event, statement=statement,
                                    forms=_forms(false, paired, first_paired or sentence),
                                    false_statements=(false,) if false else ())
        if not candidate.explanation:
            candidate = replace(candidate, explanation=f"The commentary: “{candidate.quote}”")
        out.append(candidate)
    return out


#: One year blank in this many also gets a true/false item (true/false stays a quarter).
TRUE_FALSE_EVERY = 3


def _forms(false: str | None, paired: int, first_sentence: str) -> tuple[str, ...]:
    """A year with a false version is asked typed and as that false statement, or (every
    other one) only as a true/false, which may then state it as it stands: round 8 left
    every imported true/false False. Which comes first depends on the text (its first
    such sentence), so a text of one such year is not always False."""
    if not false:
        return ("short",)
    first = zlib.crc32(first_sentence.encode()) % 2
    return ("true_false",) if (paired + first) % 2 else ("short", "true_false")
#: Events that happen once (a signing, a launch, a first): another year is plainly false.
#: "Since ___" is not one: it holds for every later year too.
_ONCE = re.compile(r"\b(?:signed|launched|established|founded|created|adopted|issued|"
                   r"concluded|entered into force|first|upgraded|opened|began|started)\b")


def _false_year(statement: str, candidate: Candidate, years: list[int]) -> str | None:
    """The statement with another milestone year of the text (the nearest one the quote
    does not name, never a later year than the text's last): a confusable fact a skimming
    student could believe, for a once-only event; None when there is none."""
    if not _ONCE.search(statement) or re.match(r"\s*Since\b", statement) \
            or NEGATION.search(statement):
        return None  # a negated sentence's falsehood is arguable
    key = int(str(candidate.answer))
    quoted = {int(y) for y in YEAR.findall(candidate.quote)}
    others = sorted((y for y in years if y != key and y not in quoted),
                    key=lambda y: (abs(y - key), y))
    return statement.replace("{answer}", str(others[0])) if others else None


_CUT_AFTER = re.compile(r",\s+(?:but|yet|while|which|leading)\b|;\s|:\s|\s+and\s+"
                        r"(?:has|have|had|was|were|is|are)\b")


def _shorten(statement: str) -> str:
    """A long sentence cut to the clause of its blank (a lead-in kept when what follows
    leans on it: "...: its plan to ...")."""
    if len(statement.split()) <= CLOZE_WORDS:
        return statement
    at = statement.index("{answer}")
    cut = _CUT_AFTER.search(statement, at)
    if cut:
        statement = statement[:cut.start()].rstrip(" ,;:") + "."
    leads = list(re.finditer(r";\s+|:\s+", statement[:statement.index("{answer}")]))
    if leads:
        rest = statement[leads[-1].end():]
        if not DANGLING.match(rest) and len(rest.split()) >= 6:
            statement = rest[:1].upper() + rest[1:]
    return statement
