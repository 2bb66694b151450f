"""Drawing questions for a quiz from a bank: filtered, spread over facts, reproducible.

A quiz is judged as a whole: one question per fact, core facts first and details a
minority, true/false at most a quarter and no form more than half, and no question that
prints the key of another question of the same quiz (its ``cues``).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

TIERS = ("core", "supporting", "detail")
#: Shares of a quiz per importance, most important first (details: at most this share).
SHARES = {"core": 0.6, "supporting": 0.3, "detail": 0.1}


@dataclass(frozen=True)
class Candidate:
    id: int
    type: str
    topic: str
    fact_ids: tuple[str, ...]
    importance: str = "supporting"
    #: Facts (other than its own) whose key this question prints.
    cues: tuple[str, ...] = ()
    #: Facts of the same paragraph: kept apart while the pool allows.
    near: tuple[str, ...] = ()


def form_caps(count: int) -> dict[str, int]:
    """How many questions of one form a quiz of ``count`` may hold."""
    half = max(1, math.ceil(count / 2))
    return {"true_false": count // 4, "*": half}


class _Quiz:
    def __init__(self, count: int) -> None:
        self.count = count
        self.picked: list[Candidate] = []
        self.asked: set[str] = set()
        self.cued: set[str] = set()
        self.close: set[str] = set()
        self.forms: Counter[str] = Counter()
        self.caps = form_caps(count)

    def full(self) -> bool:
        return len(self.picked) == self.count

    def fits(self, c: Candidate, forms: int = 2, facts: bool = True,
             near: bool = True) -> bool:
        """Whether ``c`` keeps the rules; ``forms`` 2 keeps every cap on forms, 1 only the
        true/false cap, 0 none."""
        if c in self.picked:
            return False
        if facts and (self.asked.intersection(c.fact_ids) or self.asked.intersection(c.cues)
                      or self.cued.intersection(c.fact_ids)):
            return False
        if near and (self.asked.intersection(c.near) or self.close.intersection(c.fact_ids)):
            return False
        if forms == 0 or forms == 1 and c.type != "true_false":
            return True
        return self.forms[c.type] < self.caps.get(c.type, self.caps["*"])

    def add(self, c: Candidate) -> None:
        self.picked.append(c)
        self.asked.update(c.fact_ids)
        self.cued.update(c.cues)
        self.close.update(c.near)
        self.forms[c.type] += 1


#: Fresh orders tried before a quiz may repeat a fact or print another question's key.
RETRIES = 8
_KEEP_FACTS = ((2, True, True), (2, True, False), (1, True, False))
_DROP_FACTS = ((1, False, False), (0, False, False))


def draw(candidates: Sequence[Candidate], count: int, rng: random.Random,
         types: Sequence[str] = (), topics: Sequence[str] = ()) -> list[Candidate]:
    """Draw ``count`` questions as a quiz (see the module notes); rules are relaxed in turn
    only when the pool is too small to keep them: one paragraph per question first, then
    the caps on forms and details, then (after a few fresh orders of the pool have failed:
    a greedy fill can paint itself into a corner) one question per fact."""
    pool = [c for c in candidates
            if (not types or c.type in types) and (not topics or c.topic in topics)]
    pool.sort(key=lambda c: c.id)
    pool = _weighted_order(pool, rng)
    quiz = _fill(pool, count, _KEEP_FACTS)
    for _ in range(RETRIES):
        if quiz.full():
            break
        pool = _weighted_order(pool, rng)
        quiz = _fill(pool, count, _KEEP_FACTS)
    _relax(quiz, _tiers(pool), _DROP_FACTS)
    picked = quiz.picked
    rng.shuffle(picked)
    return picked


def _weighted_order(pool: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    """A random order in which every fact (not every question) is equally likely to come
    first within its tier: a question weighs one over its facts' number of questions, so
    a fact asked in four forms no longer turns up in most quizzes (weighted sampling
    without replacement, Efraimidis and Spirakis: sort by u ** (1 / weight))."""
    questions = Counter(f for c in pool for f in c.fact_ids)

    def weight(c: Candidate) -> float:
        return 1 / max((questions[f] for f in c.fact_ids), default=1)

    keyed = [(rng.random() ** (1 / weight(c)), c) for c in pool]
    return [c for _, c in sorted(keyed, key=lambda t: t[0], reverse=True)]


def _tiers(pool: Sequence[Candidate]) -> dict[str, list[Candidate]]:
    return {t: [c for c in pool if (c.importance if c.importance in TIERS
                                    else "supporting") == t] for t in TIERS}


def _fill(pool: Sequence[Candidate], count: int,
          relaxations: Sequence[tuple[int, bool, bool]]) -> _Quiz:
    """Each tier up to its share, then the rest under ``relaxations``, in pool order."""
    by_tier = _tiers(pool)
    quiz = _Quiz(count)
    quota = {"core": round(count * SHARES["core"]),
             "detail": max(1, math.floor(count * SHARES["detail"]))}
    quota["supporting"] = max(0, count - quota["core"] - quota["detail"])
    for tier in TIERS:  # each tier up to its share
        taken = 0
        for c in by_tier[tier]:
            if quiz.full() or taken == quota[tier]:
                break
            if quiz.fits(c):
                quiz.add(c)
                taken += 1
    _relax(quiz, by_tier, relaxations)
    return quiz


def _relax(quiz: _Quiz, by_tier: dict[str, list[Candidate]],
           relaxations: Sequence[tuple[int, bool, bool]]) -> None:
    detail_cap = max(1, math.floor(quiz.count * SHARES["detail"]))
    for forms, facts, near in relaxations:
        for tier in TIERS:  # then the most important first
            for c in by_tier[tier]:
                if quiz.full():
                    break
                details = sum(p.importance == "detail" for p in quiz.picked)
                if tier == "detail" and forms == 2 and details >= detail_cap:
                    break
                if quiz.fits(c, forms, facts, near):
                    quiz.add(c)


def review_pick(due_facts: Sequence[tuple[str, str | None]], candidates: Sequence[Candidate],
                count: int, rng: random.Random) -> list[Candidate]:
    """For each due fact (id, type asked last), pick a question about it in another form."""
    by_fact: dict[str, list[Candidate]] = {}
    in_groups: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: c.id):
        for fact_id in c.fact_ids:
            (by_fact if len(c.fact_ids) == 1 else in_groups).setdefault(fact_id, []).append(c)
    picked: list[Candidate] = []
    for fact_id, last_type in due_facts:
        # A fact asked only within a group (an acronym in a matching item) is reviewed there.
        options = by_fact.get(fact_id) or [c for c in in_groups.get(fact_id, [])
                                            if c not in picked]
        fresh = [c for c in options if c.type != last_type] or options
        if fresh:
            picked.append(rng.choice(fresh))
        if len(picked) == count:
            break
    return picked
