"""Question generation: every fact in several forms, with distractors of the key's own kind.

Questions are plain dicts in the shape of the ``quizapp questions --json`` contract.
Randomness comes only from the ``random.Random`` passed in, so a seed fixes the bank.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from collections.abc import Callable, Iterable
from typing import Any

from .facts import Fact, FactBase
from .passages import body, first_block_with, split_blocks
from .question_types import QUESTION_TYPES
from .restating import (
    CLAIM_SHARE,
    claims_of,
    contains_key,
    content_words,
    kept_apart,
    refuting,
    restated_facts,
    visible_text,
)
from .sentences import COMMITMENT, limit_claims
from .text import (
    ACCEPTED_NOTE,
    fill,
    join_names,
    mentions,
    normalize,
    number_spellings,
    unique_accepted,
)
from .timelines import events_clash, years_in
from .yearblanks import joins_two_events

TYPES = ("mcq", "multi", "true_false", "short", "ordering", "matching")
BLANK = "_____"
#: Forms a kind of fact is asked in unless the fact names its own (``Fact.forms``).
#: True/false is added only for a fact with a curated false statement; an acronym is
#: asked only in a matching item (its initials would answer any other form).
FORMS = {
    "year": ("mcq", "short"),
    "date": ("mcq",),
    "number": ("mcq", "short"),
    "entity": ("mcq", "short"),
    "entity_set": ("multi",),
    "acronym": (),
    "statement": ("mcq",),
}
IMPORTANCE_RANK = {"core": 0, "supporting": 1, "detail": 2}
GROUP_SIZE = 4
#: Groupings of a curated bank's milestones and acronyms (more ordering and matching items).
GROUP_ROUNDS = 2
MCQ_DISTRACTORS = 3


class GenerationError(ValueError):
    """A fact cannot yield a sound question (too few distractors, say)."""


#: A pool member the body names more often than this is a protagonist of the text.
PROTAGONIST = 2


# Cached: a bank asks the same few texts about the same names hundreds of times.
@functools.lru_cache(maxsize=4096)
def _count(text: str, name: str, flags: int = re.IGNORECASE) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags))


@functools.lru_cache(maxsize=16)
def _normalized_body(text: str) -> str:
    return normalize(body(text))


def _excluded(fact: Fact, base: FactBase) -> set[str]:
    """Normalised values that must never be offered as wrong answers for ``fact``."""
    keys = fact.answer if isinstance(fact.answer, tuple) else (fact.answer,)
    out = {normalize(s) for k in keys for s in base.spellings(k)}
    out |= {normalize(a) for a in fact.aliases}
    out |= {normalize(s) for x in fact.exclude for s in base.spellings(x)}
    return out


def distractors(fact: Fact, base: FactBase, rng: random.Random, n: int) -> list[str]:
    """Pick ``n`` wrong answers of the key's kind: distinct, not aliases, not true elsewhere."""
    banned = _excluded(fact, base)
    candidates: list[str] = []
    if fact.kind == "year":
        key = int(str(fact.answer))
        taken = years_in(fact.quote) | {int(x) for x in fact.exclude if str(x).isdigit()}
        # Never a year after the text was written: "the 2026 summit" is no test of knowledge.
        latest = max(years_in(base.text) | {key})
        # First the text's other years (another milestone: confusable), nearest first;
        # then close years; never a year the quote itself names.
        # A year the sentence's or the stem's other dates rule out ("signed in 2022, in
        # force in ___"; "agreed in 2014, first revised in ___") is no distractor: keep
        # the key's place among them.
        quoted = years_in(f"{fact.quote} {fact.question}") - {key}
        low = max((y for y in quoted if y < key), default=0)
        high = min((y for y in quoted if y > key), default=10_000)

        def fits(y: int) -> bool:
            return low < y < high and y not in taken and y <= latest

        named = sorted((y for y in years_in(body(base.text)) if y != key and fits(y)),
                       key=lambda y: abs(y - key))[:4]
        rng.shuffle(named)
        near = [key + d for d in (-1, 1, -2, 2, -3, 3, -4, 4, -5, 5) if fits(key + d)]
        pick = near[:6]
        rng.shuffle(pick)
        candidates = [str(y) for y in named + pick + near[6:]]
    elif fact.kind == "number":
        key = int(str(fact.answer))
        curated = list(fact.distractors)
        rng.shuffle(curated)
        near = [key + d for d in (-1, 1, -2, 2, -3, 3, 4, -4, 5, -5) if key + d > 0]
        rng.shuffle(near)
        candidates = curated + [str(x) for x in near]
    elif fact.kind in ("entity", "entity_set"):
        curated = list(fact.distractors)
        rng.shuffle(curated)
        # Then pool members the text itself names (elsewhere than in the quote): a generic
        # list offers options no informed reader would consider.
        # The text's protagonists (named at every turn) are parties, never wrong answers.
        text = body(base.text)
        pool = [e.name for e in base.pools.get(fact.category or "", [])
                if not any(mentions(fact.quote, s) for s in e.spellings)
                and 0 < sum(_count(text, s) for s in e.spellings) <= PROTAGONIST]
        rng.shuffle(pool)
        candidates = curated + pool
    else:  # date, acronym, statement: curated by the editor
        candidates = list(fact.distractors)
        rng.shuffle(candidates)
    chosen: list[str] = []
    seen = set(banned)
    for candidate in candidates:
        key = normalize(candidate)
        if key and key not in seen:
            chosen.append(candidate)
            seen.add(key)
        if len(chosen) == n:
            return chosen
    raise GenerationError(f"{fact.id}: only {len(chosen)} distractors, {n} needed")


def _qid(*parts: str) -> str:
    return ".".join(parts)


def _source(base: FactBase, facts: Iterable[Fact]) -> dict[str, Any]:
    quotes = list(dict.fromkeys(f.quote for f in facts))
    return {"document": base.document_id, "title": base.title,
            "quote": " … ".join(quotes), "quotes": quotes}


def _common(qtype: str, qid: str, prompt: str, facts: list[Fact], base: FactBase,
            explanation: str) -> dict[str, Any]:
    notes = [f.source_note for f in facts if f.source_note]
    return {
        "id": qid,
        "type": qtype,
        "prompt": prompt,
        "topic": facts[0].topic,
        "fact_ids": [f.id for f in facts],
        "source": _source(base, facts),
        "explanation": explanation,
        **({"source_note": notes[0]} if notes else {}),
    }


def _choices(texts: list[str], rng: random.Random) -> list[dict[str, str]]:
    rng.shuffle(texts)
    return [{"id": "abcdefghij"[i], "text": t} for i, t in enumerate(texts)]


def _display(fact: Fact, value: str) -> str:
    """How an answer value reads in a statement ("the United Kingdom")."""
    if fact.kind in ("entity", "entity_set"):
        return join_names([value])
    return value


def _statement(fact: Fact, value: str | tuple[str, ...]) -> str:
    text = join_names(list(value)) if isinstance(value, tuple) else _display(fact, value)
    return fill(fact.statement, text)


def make_mcq(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Ask the fact's question with its key among wrong answers of the same kind."""
    key = fact.answer_text
    choices = _choices([key, *distractors(fact, base, rng, MCQ_DISTRACTORS)], rng)
    answer = next(c["id"] for c in choices if c["text"] == key)
    prompt = fact.question
    q = _common("mcq", _qid(fact.id, "mcq"), prompt, [fact], base, fact.explanation)
    return {**q, "choices": choices, "answer": answer, "answer_text": key}


#: "which two" in a select-all stem: the number is dropped ("which" alone asks the same).
COUNTED = re.compile(r"\b([Ww]hich|[Ww]hat|of) (?:two|three|four|five|six|\d+)\b")


def make_multi(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Ask for every member of a set among members of the same pool that are not in it."""
    members = list(fact.answer)
    wrong = distractors(fact, base, rng, max(2, min(3, 6 - len(members))))
    choices = _choices(members + wrong, rng)
    answer = sorted(c["id"] for c in choices if c["text"] in members)
    # "Which two ...? Select all that apply" gives the count away: the form does not need it.
    prompt = COUNTED.sub(r"\1", fact.question) + " Select all that apply."
    q = _common("multi", _qid(fact.id, "multi"), prompt, [fact], base, fact.explanation)
    ordered = [c["text"] for c in choices if c["id"] in answer]
    return {**q, "choices": choices, "answer": answer, "answer_text": ordered}


def may_be_true(fact: Fact, base: FactBase) -> bool:
    """Whether ``fact`` may be stated as it stands: a year also asked typed may not (the
    true version is the cloze's sentence filled in; one fact, one form per sentence)."""
    return not (fact.kind == "year" and "short" in forms_of(fact, base))


def make_true_false(fact: Fact, base: FactBase, rng: random.Random,
                    truth: bool | None = None) -> dict[str, Any]:
    """State the fact, or the fact with one value swapped for a wrong one of the same kind
    (``truth`` chooses which; by default a coin toss)."""
    if not fact.false_statements:
        raise GenerationError(f"{fact.id}: true/false needs a plausible false statement")
    toss = rng.random() < 0.5
    truth = (toss if truth is None else truth) and may_be_true(fact, base)
    correct = _statement(fact, fact.answer)
    if is_claim_set(fact):
        # A select-all key of claims joined into one sentence reads as a list to check
        # item by item: the true version states one claim of the set.
        correct = fill(fact.statement, rng.choice(list(fact.answer)))
    sentence = correct if truth else rng.choice(fact.false_statements)
    explanation = fact.explanation if truth else false_explanation(fact, sentence, correct)
    q = _common("true_false", _qid(fact.id, "true_false"), f"True or false? {sentence}",
                [fact], base, explanation)
    return {**q, "statement": sentence, "answer": truth,
            "answer_text": "True" if truth else "False"}


def corrects(explanation: str, false_statement: str) -> bool:
    """Whether an explanation says something the false statement does not: without that
    it cannot state the truth of the swapped detail and reads as a confirmation."""
    return bool(content_words(explanation) - content_words(false_statement))


def false_explanation(fact: Fact, false_statement: str, correct: str) -> str:
    """A false statement is corrected in one sentence of the text's facts, nothing more:
    the true statement, or the text's own sentence when the swap lies outside the
    statement's blank (partners swapped in a sentence whose blank is the regions)."""
    if corrects(correct, false_statement) or not fact.quote:
        return correct
    return f"The commentary says: “{fact.quote}”"


#: A set of this many claims (not names from a pool) is never joined into one sentence.
CLAIM_SET = 3


def is_claim_set(fact: Fact) -> bool:
    """A select-all key of several claims the text makes, not a set of names."""
    return (fact.kind == "entity_set" and not fact.category
            and isinstance(fact.answer, tuple) and len(fact.answer) >= CLAIM_SET)


def make_short(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Blank out the key in the fact's statement (one member, for a set) to be typed."""
    if fact.kind == "acronym":
        raise GenerationError(f"{fact.id}: an acronym is never asked by its initials")
    if fact.kind == "entity_set":
        members = list(fact.answer)
        missing = rng.randrange(len(members))
        key = members[missing]
        shown = [join_names([m]) if i != missing else BLANK for i, m in enumerate(members)]
        text = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
        prompt = f"Fill in the blank: {fill(fact.statement, text)}"
        accepted = list(base.spellings(key))
    else:
        key = fact.answer_text
        # "Tokyo opened a mission to NATO in ___" takes a place as well as a year (round
        # 27's held-out review): the prompt says which is wanted.
        lead = "Fill in the year" if fact.kind == "year" else "Fill in the blank"
        prompt = f"{lead}: {fill(fact.statement, BLANK)}"
        accepted = [key, *fact.aliases, *base.spellings(key)]
        if fact.kind == "number":
            accepted += number_spellings(key, fact.statement)
    q = _common("short", _qid(fact.id, "short"), prompt, [fact], base, fact.explanation)
    return {**q, "answer": key, "answer_text": key,
            "accepted": unique_accepted(accepted)}


def _group_id(kind: str, facts: list[Fact]) -> str:
    digest = hashlib.sha1("|".join(sorted(f.id for f in facts)).encode()).hexdigest()[:10]
    return f"{kind}-{digest}"


def group_facts(facts: list[Fact], rng: random.Random,
                clash: Callable[[Fact, Fact], bool], tries: int = 12,
                size: int = GROUP_SIZE) -> list[list[Fact]]:
    """Partition facts into groups of ``size`` in which no two facts clash.

    Greedy on a shuffled order; a few orders are tried and the one making most groups wins.
    """
    best: list[list[Fact]] = []
    for _ in range(tries):
        pending = list(facts)
        rng.shuffle(pending)
        groups: list[list[Fact]] = []
        while len(pending) >= size:
            group: list[Fact] = []
            for fact in list(pending):
                if not any(clash(fact, g) for g in group):
                    group.append(fact)
                    pending.remove(fact)
                if len(group) == size:
                    break
            if len(group) < size:
                break
            groups.append(group)
        if len(groups) > len(best):
            best = groups
    return best


def make_ordering(facts: list[Fact], base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Put dated events in chronological order (distinct years, so one order is right)."""
    chronological = sorted(facts, key=lambda f: int(str(f.answer)))
    items = [{"id": f"e{i + 1}", "text": f.event or f.question, "fact": f}
             for i, f in enumerate(facts)]
    rng.shuffle(items)
    for i, item in enumerate(items):
        item["id"] = f"e{i + 1}"
    by_fact = {item["fact"].id: item["id"] for item in items}
    answer = [by_fact[f.id] for f in chronological]
    if [i["id"] for i in items] == answer:  # never hand out the solution as the start order
        items = items[1:] + items[:1]
    q = _common("ordering", _group_id("ordering", facts),
                "Put these events in chronological order, earliest first.",
                chronological, base,
                "; ".join(f"{f.answer}: {f.event}" for f in chronological) + ".")
    return {**q, "items": [{"id": i["id"], "text": i["text"]} for i in items],
            "answer": answer,
            "answer_text": [f"{f.answer} — {f.event}" for f in chronological]}


def make_matching(facts: list[Fact], base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Match acronyms to what the text says they are or do (their ``role``); without a
    role for each, match acronyms to their expansions.

    The spelled-out name is never printed beside a role: its nouns pair it up without the
    text ("Crisis Management Exercise" with "the NATO drill ...", "Centre" with "body")."""
    roles = all(f.role for f in facts)

    def label(f: Fact) -> str:
        return str(f.term)

    def target(f: Fact) -> str:
        return str(f.role) if roles else str(f.answer)

    left = [{"id": f"l{i + 1}", "text": label(f)} for i, f in enumerate(facts)]
    right_facts = list(facts)
    rng.shuffle(right_facts)
    if len(right_facts) > 1 and right_facts == list(facts):
        # Never in the acronyms' own order (round 41: read straight across, it answered
        # itself); rotated, not reshuffled, so the rest of the bank draws as before.
        right_facts = right_facts[1:] + right_facts[:1]
    right = [{"id": f"r{i + 1}", "text": target(f)} for i, f in enumerate(right_facts)]
    answer = {lt["id"]: right[right_facts.index(f)]["id"]
              for lt, f in zip(left, facts, strict=True)}
    prompt = ("Match each acronym to what the commentary says about it." if roles
              else "Match each acronym to what it stands for.")
    q = _common("matching", _group_id("matching", facts), prompt, facts, base,
                "; ".join(f"{f.term}: {target(f)}" for f in facts) + ".")
    return {**q, "left": left, "right": right, "answer": answer,
            "answer_text": [f"{f.term} — {target(f)}" for f in facts]}


_MAKERS = {"mcq": make_mcq, "multi": make_multi, "true_false": make_true_false,
           "short": make_short}


def forms_of(fact: Fact, base: FactBase) -> tuple[str, ...]:
    """The single-fact forms ``fact`` is asked in: its own list, or its kind's defaults.

    A cloze needs one defensible filler: a year whose quote names another year (revised
    "in 2018 and 2020") is not asked as fill-in-the-blank.
    """
    forms = [f for f in fact.forms or FORMS[fact.kind] if f in _MAKERS]
    if not fact.forms and fact.false_statements:
        forms.append("true_false")
    if "short" in forms and fact.kind == "year" and _two_fillers(fact):
        forms.remove("short")
    return tuple(forms)


def _two_fillers(fact: Fact) -> bool:
    """Whether a year cloze could take another year of its quote: one the stem prints, or
    one in the same clause ("revised and renewed in 2018 and 2020"). A year of another
    clause joined by ", and" (another event, which the stem leaves out) is no filler."""
    key = str(fact.answer)
    others = years_in(fact.quote) - {int(key)}
    if years_in(fill(fact.statement, "")) - {int(key)}:
        return True
    at = fact.quote.find(key)
    for year in others:
        other = fact.quote.find(str(year))
        between = fact.quote[min(at, other):max(at, other)]
        if at < 0 or not joins_two_events(between):
            return True
    return False


def questions_for_fact(fact: Fact, base: FactBase, rng: random.Random,
                       truth: bool | None = None) -> list[dict[str, Any]]:
    """All single-fact questions about ``fact``, one per form it is asked in, except a form
    whose stem would print its own answer ("allies of the United States ... cooperate with
    ___ and India"); ``truth`` chooses the true/false version."""
    forms = forms_of(fact, base)
    out = []
    for form in forms:
        q = make_true_false(fact, base, rng, truth) if form == "true_false" \
            else _MAKERS[form](fact, base, rng)
        if form == "true_false" or not _prints_own_key(q, fact, base):
            out.append(q)
    if forms and not out:
        raise GenerationError(f"{fact.id}: every question would print its own answer")
    return out


def _prints_own_key(question: dict[str, Any], fact: Fact, base: FactBase) -> bool:
    if question["type"] == "short":
        keys = {normalize(a) for a in question["accepted"]}
    else:
        keys = key_spellings(fact, base) | {normalize(fact.answer_text)}
    return contains_key(normalize(question["prompt"]), keys)


def group_questions(base: FactBase, facts: list[Fact], rng: random.Random, tries: int = 12,
                    timeline_clash: Callable[[Fact, Fact], bool] | None = None,
                    rounds: int = 1, min_size: int = GROUP_SIZE) -> list[dict[str, Any]]:
    """Chronology as ordering items and acronyms as matching items; each round groups the
    facts anew, so a bank can hold several different timelines of the same milestones.
    A text with too few for a group of GROUP_SIZE gets one of ``min_size`` (an imported
    commentary's three milestones still make one chronology item)."""
    out: dict[str, dict[str, Any]] = {}
    timeline = [f for f in facts if f.kind == "year" and f.event]
    # Matched to their expansions, the initials would give the answers away: only by role.
    acronyms = [f for f in facts if f.kind == "acronym" and f.term and f.role]
    kinds = ((timeline, timeline_clash or events_clash, make_ordering),
             (acronyms, _acronym_clash, make_matching))
    timelines: list[set[str]] = []
    for _ in range(rounds):
        for found, clash, make in kinds:
            groups = group_facts(found, rng, clash, tries)
            if not groups and min_size < GROUP_SIZE:
                groups = group_facts(found, rng, clash, tries, size=min_size)
            for group in groups:
                ids = {f.id for f in group}
                if make is make_ordering:
                    # Round 8: four timelines of much the same events. Two share at most
                    # one event, so each asks a chronology of its own.
                    if any(len(ids & t) > SHARED_EVENTS for t in timelines):
                        continue
                    timelines.append(ids)
                q = make(group, base, rng)
                out.setdefault(q["id"], q)
    return list(out.values())


#: Two ordering items of a bank share at most this many events.
SHARED_EVENTS = 1


def _acronym_clash(a: Fact, b: Fact) -> bool:
    return a.term == b.term or normalize(str(a.answer)) == normalize(str(b.answer))


def balanced_truths(facts: Iterable[Fact], base: FactBase,
                    rng: random.Random) -> dict[str, bool]:
    """Which true/false items state their fact as it stands: half of them (an odd one
    true), chosen among those that may be true (round 8: 7 of a sample's 8 were True)."""
    asked = [f for f in facts if "true_false" in forms_of(f, base)]
    free = [f for f in asked if may_be_true(f, base)]
    rng.shuffle(free)
    true = {f.id for f in free[:(len(asked) + 1) // 2]}
    return {f.id: f.id in true for f in asked}


def generate_bank(base: FactBase, seed: int = 0) -> list[dict[str, Any]]:
    """Generate the whole question bank of a fact base, deterministically for ``seed``."""
    rng = random.Random(seed)
    truths = balanced_truths(base.facts, base, rng)
    bank: list[dict[str, Any]] = []
    for fact in base.facts:
        bank.extend(questions_for_fact(fact, base, rng, truths.get(fact.id)))
    bank.extend(group_questions(base, base.facts, rng, rounds=GROUP_ROUNDS))
    return finish_bank(bank, base)


def key_spellings(fact: Fact, base: FactBase, text: str | None = None) -> set[str]:
    """Normalised spellings of a fact's key whose sight would answer a question about it.

    An acronym's key is its name and its spelled-out form alike: an option reading
    "NATO's Crisis Management Exercise" pairs CMX in a matching item by its initials.
    A value the text names at every turn (Japan, NATO) gives nothing away and is left out.
    """
    keys = fact.answer if isinstance(fact.answer, tuple) else (fact.answer, *fact.aliases)
    if fact.kind == "acronym" and fact.term:
        keys = (fact.term, *keys)
    text = _normalized_body(base.text) if text is None else text
    out: set[str] = set()
    for key in keys:
        for spelling in (*base.spellings(key), key):
            norm = normalize(spelling)
            if norm and _count(text, norm, 0) <= COMMON:
                out.add(norm)
    return out


#: A key named more often than this in the body is common ground, not a cue.
COMMON = 5


#: What drawing a quiz reads from a question: it changes with the rest of the bank (one
#: more approved fact adds cues), not with the question's wording.
DRAW_FIELDS = ("importance", "cues", "near")


def content(question: dict[str, Any]) -> dict[str, Any]:
    """A question without its draw fields: what a student sees and is checked against."""
    return {k: v for k, v in question.items() if k not in DRAW_FIELDS}


def finish_bank(bank: list[dict[str, Any]], base: FactBase) -> list[dict[str, Any]]:
    """Add what drawing a quiz needs: each question's importance (its weightiest fact's),
    ``cues`` (other facts whose key it prints, the facts ``kept_apart`` from its own and, for
    a question speaking of a defence commitment, the limits claims ruling it out) and ``near``
    (the other facts of its paragraph); drop repeated true/false statements."""
    facts = {f.id: f for f in base.facts}
    text = normalize(body(base.text))
    keys = {f.id: key_spellings(f, base, text) for f in base.facts}
    claims = claims_of(base)
    clusters = kept_apart(base)  # one passage's claims, one event's dates: one per quiz
    limits = limit_claims(base.facts)  # and the limits apart from options they rule out
    blocks = split_blocks(base.text)
    paragraph = {f.id: getattr(first_block_with(blocks, f.quote), "index", None)
                 for f in base.facts}
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    for q in bank:
        if q["type"] == "true_false":
            if normalize(q["statement"]) in seen:
                continue
            seen.add(normalize(q["statement"]))
        kept.append(q)
    restating = {id(q): {f for o in kept if o is not q for f in restated_facts(q, o, facts)}
                 for q in kept}
    out: list[dict[str, Any]] = []
    for q in kept:
        own = [facts[i] for i in q["fact_ids"] if i in facts]
        q["importance"] = min((f.importance for f in own), key=IMPORTANCE_RANK.__getitem__,
                              default="supporting")
        text = visible_text(q)
        words = content_words(text)
        q["cues"] = sorted(i for i, k in keys.items() if i not in q["fact_ids"] and (
            (k and contains_key(text, k)) or any(i in clusters.get(f.id, ()) for f in own)
            or (i in limits and COMMITMENT.search(text))
            or (i in claims and len(claims[i] & words) >= CLAIM_SHARE * len(claims[i]))
            or i in restating[id(q)] or i in refuting(q, own)))
        here = {paragraph[f.id] for f in own} - {None}
        q["near"] = sorted(i for i in keys if i not in q["fact_ids"] and paragraph[i] in here)
        out.append(q)
    return out


def public_view(question: dict[str, Any]) -> dict[str, Any]:
    """What a client may see before answering: no key, no accepted answers."""
    out = {k: question[k] for k in ("id", "type", "prompt") if k in question}
    qtype = QUESTION_TYPES.get(question.get("type"))
    for field in qtype.shown_fields if qtype else ():
        if field in question:
            out[field] = question[field]
    return out


def contract_view(question: dict[str, Any]) -> dict[str, Any]:
    """The ``quizapp questions --json`` record: answering fields plus key and source."""
    out = public_view(question)
    out.update({k: question[k] for k in ("answer", "answer_text", "fact_ids")})
    if "accepted" in question:  # what the checker takes, as written: reviewers see it
        out["accepted"] = list(question["accepted"])
        out["accepted_note"] = ACCEPTED_NOTE
    out["source"] = {"document": question["source"]["document"],
                     "quote": question["source"]["quote"]}
    for extra in ("topic", "explanation", "source_note"):
        if extra in question:
            out[extra] = question[extra]
    return out
