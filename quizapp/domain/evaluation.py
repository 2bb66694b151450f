"""How well the extraction rules do: candidates measured against a curated fact file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .candidates import Candidate
from .text import normalize


@dataclass
class Evaluation:
    """How candidates compare with a curated fact file."""

    recall_kinds: tuple[str, ...]
    curated: int = 0
    recalled: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    candidates: int = 0
    kept: int = 0
    unmatched: list[Candidate] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return len(self.recalled) / self.curated if self.curated else 0.0

    @property
    def precision(self) -> float:
        return self.kept / self.candidates if self.candidates else 0.0


def _forms(value: str, spellings) -> set[str]:
    return {_loose(s) for s in spellings(value)}


def _loose(value: str) -> str:
    """Normalised, with plural ``s`` dropped (Programs / Programme both read "program")."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w
                    for w in normalize(value).split())


def _answers_match(candidate: Candidate, fact, spellings) -> bool:
    if isinstance(fact.answer, tuple) or isinstance(candidate.answer, tuple):
        if not (isinstance(fact.answer, tuple) and isinstance(candidate.answer, tuple)):
            return False
        mine = [_forms(a, spellings) for a in candidate.answer]
        theirs = [_forms(a, spellings) for a in fact.answer]
        common = sum(1 for m in mine if any(m & t for t in theirs))
        union = len(mine) + len(theirs) - common
        return union > 0 and common / union >= 0.75
    keys = _forms(fact.answer_text, spellings) | {_loose(a) for a in fact.aliases}
    if fact.term:
        keys |= {_loose(fact.term)}
    return bool(_forms(candidate.answer_text, spellings) & keys)


def _quotes_overlap(candidate: Candidate, fact) -> bool:
    return candidate.quote in fact.quote or fact.quote in candidate.quote


def matches(candidate: Candidate, fact, spellings=lambda s: (s,)) -> bool:
    """A candidate is worth keeping when a curated fact has its answer and its sentence."""
    return _answers_match(candidate, fact, spellings) and _quotes_overlap(candidate, fact)


def evaluate(candidates: Sequence[Candidate], curated: Sequence[Any],
             recall_kinds: Sequence[str] = ("year", "acronym", "entity_set"),
             spellings=lambda s: (s,)) -> Evaluation:
    """Recall of curated facts of ``recall_kinds``; precision over every candidate a rule
    wrote in full (a claim proposed for the instructor to phrase is not counted)."""
    found = list(candidates)  # a fact proposed for the instructor to phrase is still found
    candidates = [c for c in candidates if not c.needs]
    report = Evaluation(tuple(recall_kinds))
    for fact in curated:
        if fact.kind not in recall_kinds:
            continue
        report.curated += 1
        hit = any(c.kind == fact.kind and matches(c, fact, spellings) for c in found)
        (report.recalled if hit else report.missed).append(fact.id)
    report.candidates = len(candidates)
    for candidate in candidates:
        if any(matches(candidate, fact, spellings) for fact in curated):
            report.kept += 1
        else:
            report.unmatched.append(candidate)
    return report
