"""Question generation: every fact in several forms, with distractors of the key's own kind.

Questions are plain dicts in the shape of the ``quizapp questions --json`` contract.
Randomness comes only from the ``random.Random`` passed in, so a seed fixes the bank.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterable
from typing import Any

from .facts import Fact, FactBase
from .text import fill, join_names, mentions, normalize

TYPES = ("mcq", "multi", "true_false", "short", "ordering", "matching")
BLANK = "_____"
#: Forms each kind of fact is asked in (ordering and matching group several facts).
FORMS = {
    "year": ("mcq", "true_false", "short"),
    "date": ("mcq", "true_false", "short"),
    "number": ("mcq", "true_false", "short"),
    "entity": ("mcq", "true_false", "short"),
    "entity_set": ("multi", "true_false", "short"),
    "acronym": ("mcq", "true_false", "short"),
    "statement": ("mcq", "true_false"),
}
GROUP_SIZE = 4
MCQ_DISTRACTORS = 3


class GenerationError(ValueError):
    """A fact cannot yield a sound question (too few distractors, say)."""


def _years_in(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text)}


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
        taken = _years_in(fact.quote) | {int(x) for x in fact.exclude if str(x).isdigit()}
        # Never a year after the text was written: "the 2026 summit" is no test of knowledge.
        latest = max(_years_in(base.text) | {key})
        near = [key + d for d in (-1, 1, -2, 2, -3, 3, -4, 4, -5, 5)
                if key + d not in taken and key + d <= latest]
        # Mostly close years (plausible), in random order, never a year true for this event.
        pick = near[:6]
        rng.shuffle(pick)
        candidates = [str(y) for y in pick] + [str(y) for y in near[6:]]
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
        pool = [e.name for e in base.pools.get(fact.category or "", [])
                if not any(mentions(fact.quote, s) for s in e.spellings)]
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


def make_multi(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Ask for every member of a set among members of the same pool that are not in it."""
    members = list(fact.answer)
    wrong = distractors(fact, base, rng, max(2, 6 - len(members)))
    choices = _choices(members + wrong, rng)
    answer = sorted(c["id"] for c in choices if c["text"] in members)
    prompt = f"{fact.question} Select all that apply."
    q = _common("multi", _qid(fact.id, "multi"), prompt, [fact], base, fact.explanation)
    ordered = [c["text"] for c in choices if c["id"] in answer]
    return {**q, "choices": choices, "answer": answer, "answer_text": ordered}


def make_true_false(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """State the fact, or the fact with one value swapped for a wrong one of the same kind."""
    truth = rng.random() < 0.5
    if truth:
        sentence = _statement(fact, fact.answer)
    elif fact.kind == "entity_set":
        members = list(fact.answer)
        members[rng.randrange(len(members))] = distractors(fact, base, rng, 1)[0]
        sentence = _statement(fact, tuple(members))
    else:
        sentence = _statement(fact, distractors(fact, base, rng, 1)[0])
    correct = _statement(fact, fact.answer)
    explanation = fact.explanation if truth else f"{correct} {fact.explanation}".strip()
    q = _common("true_false", _qid(fact.id, "true_false"), f"True or false? {sentence}",
                [fact], base, explanation)
    return {**q, "statement": sentence, "answer": truth,
            "answer_text": "True" if truth else "False"}


def make_short(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Blank out the key in the fact's statement (one member, for a set) to be typed."""
    if fact.kind == "acronym":
        prompt = f"Which acronym stands for “{fact.answer}”?"
        key, accepted = str(fact.term), [str(fact.term)]
        accepted += [fact.term.replace("-", " "), fact.term.replace("-Plus", "+")]
    elif fact.kind == "entity_set":
        members = list(fact.answer)
        missing = rng.randrange(len(members))
        key = members[missing]
        shown = [join_names([m]) if i != missing else BLANK for i, m in enumerate(members)]
        text = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
        prompt = f"Fill in the blank: {fill(fact.statement, text)}"
        accepted = list(base.spellings(key))
    else:
        key = fact.answer_text
        prompt = f"Fill in the blank: {fill(fact.statement, BLANK)}"
        accepted = [key, *fact.aliases, *base.spellings(key)]
    q = _common("short", _qid(fact.id, "short"), prompt, [fact], base, fact.explanation)
    return {**q, "answer": key, "answer_text": key,
            "accepted": list(dict.fromkeys(accepted))}


def _group_id(kind: str, facts: list[Fact]) -> str:
    digest = hashlib.sha1("|".join(sorted(f.id for f in facts)).encode()).hexdigest()[:10]
    return f"{kind}-{digest}"


def group_facts(facts: list[Fact], rng: random.Random,
                clash: Callable[[Fact, Fact], bool], tries: int = 12) -> list[list[Fact]]:
    """Partition facts into groups of GROUP_SIZE in which no two facts clash.

    Greedy on a shuffled order; a few orders are tried and the one making most groups wins.
    """
    best: list[list[Fact]] = []
    for _ in range(tries):
        pending = list(facts)
        rng.shuffle(pending)
        groups: list[list[Fact]] = []
        while len(pending) >= GROUP_SIZE:
            group: list[Fact] = []
            for fact in list(pending):
                if not any(clash(fact, g) for g in group):
                    group.append(fact)
                    pending.remove(fact)
                if len(group) == GROUP_SIZE:
                    break
            if len(group) < GROUP_SIZE:
                break
            groups.append(group)
        if len(groups) > len(best):
            best = groups
    return best


def _timeline_clash(a: Fact, b: Fact) -> bool:
    """Same year (no single right order), or one series ("IPCP agreed", "IPCP revised"),
    whose wording gives the order away."""
    return a.answer == b.answer or a.id.split("-")[0] == b.id.split("-")[0]


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
    """Match acronyms to their expansions."""
    left = [{"id": f"l{i + 1}", "text": str(f.term)} for i, f in enumerate(facts)]
    right_facts = list(facts)
    rng.shuffle(right_facts)
    right = [{"id": f"r{i + 1}", "text": str(f.answer)} for i, f in enumerate(right_facts)]
    answer = {lt["id"]: right[right_facts.index(f)]["id"]
              for lt, f in zip(left, facts, strict=True)}
    q = _common("matching", _group_id("matching", facts),
                "Match each acronym to what it stands for.", facts, base,
                "; ".join(f"{f.term}: {f.answer}" for f in facts) + ".")
    return {**q, "left": left, "right": right, "answer": answer,
            "answer_text": [f"{f.term} — {f.answer}" for f in facts]}


_MAKERS = {"mcq": make_mcq, "multi": make_multi, "true_false": make_true_false,
           "short": make_short}


def questions_for_fact(fact: Fact, base: FactBase, rng: random.Random) -> list[dict[str, Any]]:
    """All single-fact questions about ``fact``, one per form its kind allows."""
    return [_MAKERS[form](fact, base, rng) for form in FORMS[fact.kind]]


def generate_bank(base: FactBase, seed: int = 0) -> list[dict[str, Any]]:
    """Generate the whole question bank of a fact base, deterministically for ``seed``."""
    rng = random.Random(seed)
    bank: list[dict[str, Any]] = []
    for fact in base.facts:
        bank.extend(questions_for_fact(fact, base, rng))
    timeline = [f for f in base.facts if f.kind == "year" and f.event]
    for group in group_facts(timeline, rng, _timeline_clash):
        bank.append(make_ordering(group, base, rng))
    acronyms = [f for f in base.facts if f.kind == "acronym"]
    for group in group_facts(acronyms, rng, lambda a, b: a.term == b.term):
        bank.append(make_matching(group, base, rng))
    return bank


def public_view(question: dict[str, Any]) -> dict[str, Any]:
    """What a client may see before answering: no key, no accepted answers."""
    out = {k: question[k] for k in ("id", "type", "prompt") if k in question}
    for field in ("choices", "items", "left", "right"):
        if field in question:
            out[field] = question[field]
    return out


def contract_view(question: dict[str, Any]) -> dict[str, Any]:
    """The ``quizapp questions --json`` record: answering fields plus key and source."""
    out = public_view(question)
    out.update({k: question[k] for k in ("answer", "answer_text", "fact_ids")})
    out["source"] = {"document": question["source"]["document"],
                     "quote": question["source"]["quote"]}
    for extra in ("topic", "explanation", "source_note"):
        if extra in question:
            out[extra] = question[extra]
    return out
