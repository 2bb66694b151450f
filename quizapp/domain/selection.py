"""Drawing questions for a quiz from a bank: filtered, spread over facts, reproducible.

A quiz is judged as a whole: one question per fact, core facts first and details a
minority, true/false at most a quarter, one ordering item, no other form more than half, and
no question that prints the key of another question of the same quiz (its ``cues``); since
round 10 typed answers at most three in ten and no letter keying more than half of its
multiple-choice items (two at least); since round 12 typed bare numbers at most two in ten,
and a quiz of five or more opens with a select-all, ordering or matching item.
"""

from __future__ import annotations

import functools
import itertools
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
    #: A true/false item's key (True or False); None for other forms.
    truth: bool | None = None
    #: A multiple-choice item's key letter ("a"); None for other forms.
    letter: str | None = None
    #: A typed item whose answer is a bare number (a year, a count).
    number: bool = False


def truth_of(qtype: str, answer: object) -> bool | None:
    """A true/false item's key, for the draw to keep a quiz's true and false even (SQLite's
    JSON gives it as 1 or 0)."""
    return bool(answer) if qtype == "true_false" and isinstance(answer, bool | int) else None


def letter_of(qtype: str, answer: object) -> str | None:
    """A multiple-choice item's key letter, for the draw to keep a quiz's keys apart."""
    return answer if qtype == "mcq" and isinstance(answer, str) else None


def number_of(qtype: str, answer: object) -> bool:
    """Whether a typed item's answer is a bare number, for the draw to keep a quiz's typed
    answers from being mostly years."""
    return qtype == "short" and str(answer).isdigit()


#: At most this share of a quiz is typed (round 9: 5 of 10 typed blanks in one quiz).
TYPED_SHARE = 0.3
#: At most this share of a quiz is a typed bare number (round 11: three years typed in one
#: quiz of ten); at least one.
NUMBER_SHARE = 0.2
#: The forms that ask several facts or claims at once; a quiz of STRUCTURED_FROM or more
#: opens with one of them (round 11: a quiz of single-fact items only; reserving its last
#: place did not do: by then no multi-fact item fitted).
STRUCTURED = ("multi", "ordering", "matching")
STRUCTURED_FROM = 5


def form_caps(count: int) -> dict[str, int]:
    """How many questions of one form a quiz of ``count`` may hold."""
    half = max(1, math.ceil(count / 2))
    # A quiz of three may hold one true/false (round 10: else a small imported bank
    # asked one fact twice); the lint's quarter counts from four.
    return {"true_false": count // 4 if count >= 4 else 1, "ordering": 1,
            "short": max(1, int(count * TYPED_SHARE)),
            "number": max(1, int(count * NUMBER_SHARE)), "*": half}


#: Caps kept when the others are relaxed: true/false a quarter, one timeline a quiz (two
#: timelines of one text's milestones ask one chronology twice); the typed cap a step less.
STRICT_CAPS = ("true_false", "ordering")
#: The forms whose caps a level of ``_Quiz.fits`` keeps (3: every cap).
KEPT_CAPS = {2: (*STRICT_CAPS, "short"), 1: STRICT_CAPS, 0: ()}


def letters_cap(items: int) -> int:
    """How many of a quiz's ``items`` multiple-choice items one key letter may take (round
    9: four of five keyed "a"); stored questions keep their order, the draw picks among them."""
    return max(2, items // 2)


class _Quiz:
    def __init__(self, count: int) -> None:
        self.count = count
        self.picked: list[Candidate] = []
        self.ids: set[int] = set()  # a set: comparing candidates field by field was slow
        self.details = 0
        self.asked: set[str] = set()
        self.cued: set[str] = set()
        self.close: set[str] = set()
        self.forms: Counter[str] = Counter()
        self.truths: Counter[bool] = Counter()
        self.letters: Counter[str] = Counter()
        self.numbers = 0
        self.caps = form_caps(count)

    def full(self) -> bool:
        return len(self.picked) == self.count

    def fits(self, c: Candidate, forms: int = 3, facts: bool = True,
             near: bool = True, letters: bool = True) -> bool:
        """Whether ``c`` keeps the rules; ``forms`` 3 keeps every cap on forms, 2 the typed,
        true/false and ordering ones, 1 the true/false and ordering ones, 0 none; ``letters``
        keeps multiple-choice key letters apart."""
        if c.id in self.ids:
            return False
        if facts and (self.asked.intersection(c.fact_ids) or self.asked.intersection(c.cues)
                      or self.cued.intersection(c.fact_ids)):
            return False
        if near and (self.asked.intersection(c.near) or self.close.intersection(c.fact_ids)):
            return False
        if letters and c.letter \
                and self.letters[c.letter] + 1 > letters_cap(sum(self.letters.values()) + 1):
            return False
        if forms < 3 and c.type not in KEPT_CAPS[forms]:
            return True
        if c.number and self.numbers >= self.caps["number"]:
            return False
        if c.truth is not None and self.truths[c.truth] > self.truths[not c.truth]:
            return False  # round 8: the true/false of a quiz mostly True
        return self.forms[c.type] < self.caps.get(c.type, self.caps["*"])

    def add(self, c: Candidate) -> None:
        self.picked.append(c)
        self.ids.add(c.id)
        self.details += c.importance == "detail"
        self.asked.update(c.fact_ids)
        self.cued.update(c.cues)
        self.close.update(c.near)
        self.forms[c.type] += 1
        if c.truth is not None:
            self.truths[c.truth] += 1
        if c.letter:
            self.letters[c.letter] += 1
        self.numbers += c.number


#: Fresh orders tried before a cap is relaxed, and again before a quiz may repeat a fact or
#: print another question's key (round 12: once the facts that refute another's wrong
#: options became cues, 16 left some quizzes of 15 with a cue or a fact twice; round 13:
#: with options stating another's key as cues, 32 left one; round 34: with more typed
#: forms 64 left several, and the best fill is now repaired by swaps, which more orders
#: barely improve on).
RETRIES = 64
#: A best fill at most this many questions short is repaired by swaps (``_repaired``);
#: further short, the pool has no such quiz and the swaps would only cost time.
REPAIRABLE = 2
#: (forms, facts, near, letters) as ``_Quiz.fits`` takes them, in the order tried.
_KEEP_FACTS = ((3, True, True, True), (3, True, False, True), (2, True, False, True),
               (1, True, False, True), (1, True, False, False))
#: The last levels of a quiz that fills its length: no cap on forms, then facts again.
_DROP_FACTS = ((1, False, False, False), (0, False, False, False))
#: No cap on forms, each fact once and no cues still.
_UNCAPPED = ((0, True, False, False),)
#: The levels that keep every cap on forms, typed answers and key letters: a fresh order is
#: tried before any of them is relaxed (round 12: a matching item opening the quiz left
#: room for ten only with a fourth typed answer; round 13: the third level, which lifts the
#: half cap on multiple choice, is no longer among them: it let six of ten be mcq).
_CAPPED = _KEEP_FACTS[:2]


def draw(candidates: Sequence[Candidate], count: int, rng: random.Random,
         types: Sequence[str] = (), topics: Sequence[str] = (),
         fill: bool | None = None) -> list[Candidate]:
    """Draw ``count`` questions as a quiz (see the module notes); rules are relaxed in turn
    only when the pool is too small to keep them: one paragraph per question first, then
    the caps on forms and details (after a few fresh orders of the pool have failed: a
    greedy fill can paint itself into a corner).

    One question per fact and no question printing another's key: a quiz that ``fill``s
    its length relaxes them last; one that does not is as long as they allow. ``fill``
    defaults to whether ``types`` or ``topics`` leave questions out (a drill of a few
    forms or topics fills its length; a quiz of the whole bank stops short). A quiz of
    five or more opens with a multi-fact item while the caps hold."""
    pool = [c for c in candidates
            if (not types or c.type in types) and (not topics or c.topic in topics)]
    pool.sort(key=lambda c: c.id)
    if fill is None:
        fill = len(pool) < len(candidates)
    quiz = _draw(pool, count, rng)
    if not quiz.full():
        if fill:
            _relax(quiz, _tiers(pool), _DROP_FACTS)
        else:
            quiz = _as_long_as_clean(pool, quiz, rng)
    picked = quiz.picked
    rng.shuffle(picked)
    return picked


def _as_long_as_clean(pool: list[Candidate], quiz: _Quiz, rng: random.Random) -> _Quiz:
    """A quiz of the whole bank that came up short, with each fact once and no question
    printing another's key (a 20-question quiz of the seed commentary repeated facts:
    its cues leave no room for so many; docs/question-quality.md)."""
    uncapped = _Quiz(quiz.count)
    for c in quiz.picked:
        uncapped.add(c)
    _relax(uncapped, _tiers(pool), _UNCAPPED)
    if uncapped.full():
        return uncapped  # the pool lacks the forms the caps ask for (all true/false)
    # The facts and cues stop it: drawn again at the length they allow, so that its caps
    # (true/false a quarter) are counted for that length.
    while quiz.picked and not quiz.full():
        quiz = _draw(pool, len(quiz.picked), rng)
    return quiz


def short_quiz_note(drawn: int, asked: int, narrowed: bool, what: str = "quiz") -> str:
    """What a learner or host is told when a drawn ``what`` holds fewer questions than
    asked for: a narrowed one has few questions to draw from, one of the whole bank stops
    where its rules stop."""
    if narrowed:
        return f"Only {drawn} questions match your choices, so this {what} has that many."
    return (f"This {what} has {drawn} questions, not {asked}: more would ask a fact twice or "
            "let one question give away another's answer.")


def _draw(pool: list[Candidate], count: int, rng: random.Random) -> _Quiz:
    """The best quiz of ``count`` (or fewer) that keeps one question per fact and no cues."""
    weights = _fact_weights(tuple(pool), count)
    pool = _weighted_order(pool, rng, weights)
    quiz = best = _fill(pool, count, _CAPPED, rng)
    for levels in (_CAPPED, _KEEP_FACTS):
        for attempt in range(RETRIES):
            if quiz.full():
                break
            pool = _weighted_order(pool, rng, weights)
            # Later orders open without a multi-fact item: its facts may leave no room.
            opening = levels is _CAPPED and attempt < RETRIES // 2
            quiz = _fill(pool, count, levels, rng, opening)
            if levels is _KEEP_FACTS and len(quiz.picked) >= len(best.picked):
                best = quiz
    if quiz.full():
        return quiz
    quiz = best if len(best.picked) > len(quiz.picked) else quiz
    # Fewer facts than questions: no quiz keeps one question per fact, so no swap helps.
    facts = {f for c in pool for f in c.fact_ids}
    if len(facts) >= count and count - len(quiz.picked) <= REPAIRABLE:
        quiz = _repaired(quiz, pool)
    return quiz


#: Rounds and simulated quizzes per round that even out how often each fact is drawn.
CALIBRATION_ROUNDS = 6
CALIBRATION_DRAWS = 50


@functools.lru_cache(maxsize=32)
def _fact_weights(pool: tuple[Candidate, ...], count: int) -> dict[str, float]:
    """A weight per fact that makes every fact of a tier about as likely to be drawn.

    A greedy fill accepts a fact unless a question already picked conflicts with it (a
    cue, a paragraph mate), so a fact few others conflict with came into most quizzes
    (round 5: Abe's initiatives in 49 of 60, the same three core facts in all three of a
    review's quizzes). Simulated fills with a fixed generator (the same weights for every
    seed) lower the weight of a fact drawn more often than its tier's mean and raise the
    others', a few rounds over; cached per pool and quiz length."""
    rng = random.Random(0)
    weights = {f: 1.0 for c in pool for f in c.fact_ids}
    tier_of = {f: (c.importance if c.importance in TIERS else "supporting")
               for c in pool if len(c.fact_ids) == 1 for f in c.fact_ids}
    for _ in range(CALIBRATION_ROUNDS):
        drawn: Counter[str] = Counter()
        for _ in range(CALIBRATION_DRAWS):
            quiz = _fill(_weighted_order(pool, rng, weights), count, _KEEP_FACTS, rng)
            drawn.update(f for c in quiz.picked for f in c.fact_ids)
        for tier in TIERS:
            facts = [f for f, t in tier_of.items() if t == tier]
            if not facts:
                continue
            mean = sum(drawn[f] for f in facts) / len(facts)
            for f in facts:
                weights[f] *= (mean + 1) / (drawn[f] + 1)
    return weights


def _weighted_order(pool: Sequence[Candidate], rng: random.Random,
                    weights: dict[str, float] | None = None) -> list[Candidate]:
    """A random order in which every fact (not every question) is equally likely to come
    first within its tier: a question weighs one over its facts' number of questions, so
    a fact asked in four forms no longer turns up in most quizzes (weighted sampling
    without replacement, Efraimidis and Spirakis: sort by u ** (1 / weight)); times its
    facts' calibrated weight (``_fact_weights``)."""
    questions = Counter(f for c in pool for f in c.fact_ids)

    def weight(c: Candidate) -> float:
        calibrated = min((weights.get(f, 1.0) for f in c.fact_ids), default=1.0) \
            if weights else 1.0
        return calibrated / max((questions[f] for f in c.fact_ids), default=1)

    keyed = [(rng.random() ** (1 / weight(c)), c) for c in pool]
    return [c for _, c in sorted(keyed, key=lambda t: t[0], reverse=True)]


def _tiers(pool: Sequence[Candidate]) -> dict[str, list[Candidate]]:
    return {t: [c for c in pool if (c.importance if c.importance in TIERS
                                    else "supporting") == t] for t in TIERS}


def _fill(pool: Sequence[Candidate], count: int,
          relaxations: Sequence[tuple[int, bool, bool, bool]], rng: random.Random,
          opening: bool = True) -> _Quiz:
    """One multi-fact item (any of them alike: by the pool's order, which weighs a question
    by its facts' other questions, the one select-all on a fact asked twice came first in
    most quizzes), then each tier up to its share, then the rest under ``relaxations``, in
    pool order."""
    by_tier = _tiers(pool)
    quiz = _Quiz(count)
    structured = sorted((c for c in pool if c.type in STRUCTURED), key=lambda c: c.id)
    if opening and count >= STRUCTURED_FROM and structured:
        quiz.add(rng.choice(structured))
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
           relaxations: Sequence[tuple[int, bool, bool, bool]]) -> None:
    detail_cap = max(1, math.floor(quiz.count * SHARES["detail"]))
    for forms, facts, near, letters in relaxations:
        for tier in TIERS:  # then the most important first
            for c in by_tier[tier]:
                if quiz.full():
                    break
                if tier == "detail" and forms == 3 and quiz.details >= detail_cap:
                    break
                if quiz.fits(c, forms, facts, near, letters):
                    quiz.add(c)


def _repaired(quiz: _Quiz, pool: Sequence[Candidate]) -> _Quiz:
    """Swap one picked question (then two) for more that keep every fact rule, while that
    fills the quiz further: a greedy fill stuck a question or two short (one pick cueing
    the only facts left) needs a step back, not a repeated fact (round 34: quizzes of 15
    from the seed bank, whatever the number of fresh orders)."""
    improved = True
    while improved and not quiz.full():
        improved = False
        picked = quiz.picked
        drops = [(c,) for c in picked] + list(itertools.combinations(picked, 2))
        for dropped in drops:
            gone = {c.id for c in dropped}
            trial = _Quiz(quiz.count)
            for c in picked:
                if c.id not in gone:
                    trial.add(c)
            _relax(trial, _tiers([c for c in pool if c.id not in gone]), _KEEP_FACTS)
            if len(trial.picked) > len(picked):
                quiz, improved = trial, True
                break
    return quiz


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
