"""Drawing questions for a quiz from a bank: filtered, spread over facts, reproducible."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    id: int
    type: str
    topic: str
    fact_ids: tuple[str, ...]


def draw(candidates: Sequence[Candidate], count: int, rng: random.Random,
         types: Sequence[str] = (), topics: Sequence[str] = ()) -> list[Candidate]:
    """Draw ``count`` questions, each about facts no earlier pick asked about when possible."""
    pool = [c for c in candidates
            if (not types or c.type in types) and (not topics or c.topic in topics)]
    pool.sort(key=lambda c: c.id)
    rng.shuffle(pool)
    picked: list[Candidate] = []
    asked: set[str] = set()
    for candidate in pool:
        if len(picked) == count:
            break
        if not asked.intersection(candidate.fact_ids):
            picked.append(candidate)
            asked.update(candidate.fact_ids)
    # A small pool may need a second question about a fact already asked.
    for candidate in pool:
        if len(picked) == count:
            break
        if candidate not in picked:
            picked.append(candidate)
    return picked


def review_pick(due_facts: Sequence[tuple[str, str | None]], candidates: Sequence[Candidate],
                count: int, rng: random.Random) -> list[Candidate]:
    """For each due fact (id, type asked last), pick a question about it in another form."""
    by_fact: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: c.id):
        if len(c.fact_ids) == 1:
            by_fact.setdefault(c.fact_ids[0], []).append(c)
    picked: list[Candidate] = []
    for fact_id, last_type in due_facts:
        options = by_fact.get(fact_id, [])
        fresh = [c for c in options if c.type != last_type] or options
        if fresh:
            picked.append(rng.choice(fresh))
        if len(picked) == count:
            break
    return picked
