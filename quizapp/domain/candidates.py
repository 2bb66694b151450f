"""A candidate fact found by a rule, and the gate that decides which candidates a rule may
write in full and which it proposes for the instructor to phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .facts import DANGLING
from .sentences import YEAR
from .text import normalize


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
    explanation: str = ""
    importance: str = "supporting"
    #: What an instructor must write before this candidate can be asked (empty: nothing).
    needs: str = ""
    #: The forms a rule-written candidate is asked in (empty: its kind's defaults).
    forms: tuple[str, ...] = ()

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
        for key in ("term", "category", "event", "needs"):
            if getattr(self, key):
                record[key] = getattr(self, key)
        if self.distractors:
            record["distractors"] = list(self.distractors)
        if self.forms:
            record["forms"] = list(self.forms)
        return record


#: What a rule cannot phrase well is proposed for the instructor to write (kind: reason).
PROPOSE = {
    "date": "An exact day is a detail: ask it only where it matters, in your own words, "
            "with the text's other dates (suggested) as wrong answers.",
    "entity": "A name with a role is a detail: ask it only if the person matters to the "
              "argument.",
    "entity_set": "A list: a rule cannot tell a partner from a rival, so choose wrong "
                  "answers a student who skimmed would believe and the text rules out.",
}
SEVERAL_YEARS = ("This sentence names several years: a blank would print the others "
                 "beside it; ask one of its events in your own words.")
TWIN = ("Another candidate already blanks this sentence: blanks cut from one sentence "
        "print each other's answers.")
#: Typed only: made-up wrong numbers and years (a run of neighbours, a future year for a
#: past event) are what a skimming student rules out.
TYPED_KINDS = ("year", "number")
#: A cloze longer than this is cut to the clause that holds its blank.
CLOZE_WORDS = 25


def _propose(candidate: Candidate, needs: str) -> Candidate:
    return replace(candidate, question="", needs=needs)


def gate(candidates: list[Candidate]) -> list[Candidate]:
    """The rules' gates for an imported text: one typed blank per sentence, with its
    sentence quoted as the explanation; dates, names and lists are proposed."""
    out: list[Candidate] = []
    blanked: set[str] = set()
    for candidate in candidates:
        if candidate.needs:
            out.append(candidate)
            continue
        if candidate.kind in PROPOSE:
            candidate = _propose(candidate, PROPOSE[candidate.kind])
        elif candidate.kind in TYPED_KINDS:
            sentence = candidate.quote
            if candidate.kind == "year" and candidate.rule == "year" \
                    and len(YEAR.findall(sentence)) > 1:
                candidate = _propose(candidate, SEVERAL_YEARS)
            elif sentence in blanked:
                candidate = _propose(candidate, TWIN)
            else:
                blanked.add(sentence)
                candidate = replace(candidate, forms=("short",),
                                    statement=_shorten(candidate.statement))
        if not candidate.explanation:
            candidate = replace(candidate, explanation=f"The commentary: “{candidate.quote}”")
        out.append(candidate)
    return out


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
