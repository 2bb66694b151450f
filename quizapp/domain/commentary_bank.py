"""A commentary's question bank, built from its approved facts."""

from __future__ import annotations

import random
from typing import Any

from .facts import FactBase
from .generator import GenerationError, finish_bank, group_questions, questions_for_fact


def _timeline_clash(a: Any, b: Any) -> bool:
    """Same year (no single right order) or the same sentence (it gives the order away)."""
    return a.answer == b.answer or a.quote == b.quote


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
    for fact in base.facts:
        try:
            bank.extend(questions_for_fact(fact, base, random.Random(f"{seed}:{fact.id}")))
        except GenerationError:
            continue
    rng = random.Random(f"{seed}:{base.document_id}:groups")
    ordered = sorted(base.facts, key=lambda f: f.id)
    bank.extend(group_questions(base, ordered, rng, tries=1, timeline_clash=_timeline_clash))
    return finish_bank(bank, base)
