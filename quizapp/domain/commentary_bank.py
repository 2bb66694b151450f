"""A commentary's question bank, built from its approved facts."""

from __future__ import annotations

import random
from typing import Any

from .facts import FactBase
from .generator import (
    GenerationError,
    balanced_truths,
    finish_bank,
    group_questions,
    questions_for_fact,
)
from .timelines import dated_alike

#: An imported text's chronology or acronyms make a group of three when four are wanting.
SMALL_GROUP = 3


def _timeline_clash(a: Any, b: Any) -> bool:
    """Datable to one year (no single right order) or the same sentence (it gives the
    order away)."""
    return dated_alike(a, b) or a.quote == b.quote


def generation_problem(fact: Any, base: FactBase) -> str | None:
    """Why ``fact`` yields no question (the generator's refusal), or None when it yields."""
    try:
        questions_for_fact(fact, base, random.Random(0))
    except (GenerationError, KeyError, ValueError) as exc:
        return str(exc)
    return None


def commentary_bank(base: FactBase, seed: int = 0) -> list[dict[str, Any]]:
    """The question bank of a commentary's approved facts.

    Each fact draws from its own seeded generator, so approving one more fact does not
    reword the questions of the others; a fact that cannot yield a sound question is left
    out (approval checks for that first).
    """
    bank: list[dict[str, Any]] = []
    truths = balanced_truths(sorted(base.facts, key=lambda f: f.id), base,
                             random.Random(f"{seed}:{base.document_id}:truths"))
    for fact in base.facts:
        try:
            bank.extend(questions_for_fact(fact, base, random.Random(f"{seed}:{fact.id}"),
                                           truths.get(fact.id)))
        except GenerationError:
            continue
    rng = random.Random(f"{seed}:{base.document_id}:groups")
    ordered = sorted(base.facts, key=lambda f: f.id)
    groups = group_questions(base, ordered, rng, tries=1, timeline_clash=_timeline_clash,
                             min_size=SMALL_GROUP)
    typed = {fid for q in bank if q["type"] == "short" for fid in q["fact_ids"]}
    bank.extend(q for q in groups if not gives_away(q, typed))
    return finish_bank(bank, base)


def gives_away(question: dict[str, Any], typed: set[str]) -> bool:
    """An ordering whose events are all, or all but one, also asked as typed years: it
    repeats those questions (round 10's held-out review); the typed years stay."""
    ids = question["fact_ids"]
    return question["type"] == "ordering" and len(typed.intersection(ids)) >= len(ids) - 1
