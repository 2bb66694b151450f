"""Quality gates over a question bank and over the quizzes drawn from it.

Each lint returns messages (empty when the bank or quiz passes); the test suite runs them
over the seed bank and many drawn quizzes, and over banks built from imported commentaries.
They encode the instructor's rubric (docs/question-quality.md) where a rule can check it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .facts import Fact, FactBase
from .generator import CLAIM_SET, contains_key, forms_of, is_claim_set, key_spellings, visible_text
from .generator import content_words as _content
from .passages import body
from .text import NEGATION, fill, mentions, normalize

#: At most this share of a bank, or of a quiz of four or more, is true/false.
MAX_TRUE_FALSE = 0.25
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
_NUMBER = re.compile(r"^\d+$")
#: Words of a military commitment: against a modest-partnership key (or the other way
#: round) they make the key the odd one out, and common sense finds it without the text.
MILITARY = re.compile(r"\b(alliances?|collective defen[cs]e|mutual defen[cs]e|troops?|combat|"
                      r"nuclear|military|bases?)\b", re.IGNORECASE)


def _facts(question: dict[str, Any], base: FactBase) -> list[Fact]:
    by_id = {f.id: f for f in base.facts}
    return [by_id[i] for i in question["fact_ids"] if i in by_id]


def _choice_texts(question: dict[str, Any]) -> list[str]:
    return [c["text"] for c in question.get("choices", [])]


def lint_question(question: dict[str, Any], base: FactBase) -> list[str]:
    """What is wrong with one question on its own."""
    problems: list[str] = []
    qid, qtype = question["id"], question["type"]
    facts = _facts(question, base)
    for fact in facts:
        if fact.kind == "acronym" and qtype != "matching":
            problems.append(f"{qid}: an acronym asked by its initials ({qtype})")
        if qtype == "short":
            own = {normalize(a) for a in question.get("accepted") or [question["answer"]]}
            if contains_key(normalize(question["prompt"]), own):
                problems.append(f"{qid}: the stem prints its own answer")
        elif qtype in ("mcq", "multi"):
            own = key_spellings(fact, base) | {normalize(fact.answer_text)}
            if contains_key(normalize(question["prompt"]), own):
                problems.append(f"{qid}: the stem prints its own answer")
        if qtype == "true_false" and NEGATION.search(fact.statement):
            problems.append(f"{qid}: true/false from a negated statement")
        if qtype == "true_false" and not question["answer"] and normalize(
                question["statement"]) == normalize(fill(fact.statement, fact.answer_text)):
            problems.append(f"{qid}: the false statement is the true one")
        if qtype == "true_false" and is_claim_set(fact) and sum(
                contains_key(normalize(question["statement"]), [normalize(c)])
                for c in fact.answer) >= CLAIM_SET:
            problems.append(f"{qid}: true/false joins a select-all key into one sentence")
    if qtype == "matching":
        problems += _matching_cue(question, facts)
    if qtype == "mcq":
        problems += _distractor_kind(question, facts[0] if facts else None, base)
    if qtype in ("mcq", "multi"):
        problems += _odd_one_out(question)
    return problems


def _matching_cue(question: dict[str, Any], facts: list[Fact]) -> list[str]:
    """A description repeating a word of its name's spelled-out form ("Exercise" and "the
    NATO exercise") pairs itself up without the text."""
    if not facts or not all(f.role for f in facts):
        return []  # acronyms matched to their expansions: the name is the description
    right = {r["id"]: r["text"] for r in question.get("right", [])}
    problems = []
    for left, fact in zip(question.get("left", []), facts, strict=False):
        shared = _content(fact.answer_text) & _content(right.get(question["answer"].get(
            left["id"], ""), ""))
        if shared:
            problems.append(f"{question['id']}: the description of {fact.term} repeats "
                            f"its name ({sorted(shared)})")
    return problems


def _odd_one_out(question: dict[str, Any]) -> list[str]:
    """The key alone outside (or alone inside) the military vocabulary every wrong choice
    shares: the reviewer's "military alliance options against a modest-partnership key"."""
    answer = question["answer"]
    keys = set(answer) if isinstance(answer, list) else {answer}
    military = {c["id"]: bool(MILITARY.search(c["text"])) for c in question["choices"]}
    right = [military[i] for i in keys if i in military]
    wrong = [m for i, m in military.items() if i not in keys]
    if not right or not wrong:
        return []
    if all(wrong) and not any(right):
        return [f"{question['id']}: every wrong choice is military, the key is not"]
    if all(right) and not any(wrong):
        return [f"{question['id']}: the key alone is military"]
    return []


def _distractor_kind(question: dict[str, Any], fact: Fact | None,
                     base: FactBase) -> list[str]:
    """Choices of the key's kind, and no two that mean the same (one inside the other)."""
    qid = question["id"]
    texts = _choice_texts(question)
    problems: list[str] = []
    if fact is not None and fact.kind in ("year", "number"):
        pattern = _YEAR if fact.kind == "year" else _NUMBER
        odd = [t for t in texts if not pattern.match(t)]
        if odd:
            problems.append(f"{qid}: choices not of the key's kind: {odd}")
    if fact is not None and fact.kind == "entity" and fact.category:
        # A pool member the text never names is an invented option (Vietnam in a NATO
        # communique): only the editor's curated ones and the text's own may stand.
        text = body(base.text)
        allowed = {normalize(s) for e in base.pools.get(fact.category, [])
                   if any(mentions(text, s) for s in e.spellings) for s in e.spellings}
        allowed |= {normalize(d) for d in fact.distractors} | {normalize(fact.answer_text)}
        odd = [t for t in texts if normalize(t) not in allowed]
        if odd:
            problems.append(f"{qid}: choices neither curated nor named by the text: {odd}")
    problems += _stem_cue(question, texts, base)
    wrong = [normalize(c["text"]) for c in question.get("choices", [])
             if c["id"] != question.get("answer")]
    for i, a in enumerate(wrong):
        for b in wrong[i + 1:]:
            if a != b and _near_duplicates(a, b):
                problems.append(f"{qid}: choices {a!r} and {b!r} are near-duplicates")
    norms = [normalize(t) for t in texts]
    for i, a in enumerate(norms):
        for b in norms[i + 1:]:
            if a == b or contains_key(a, [b]) or contains_key(b, [a]):
                problems.append(f"{qid}: choices {a!r} and {b!r} overlap")
    return problems


def _stem_cue(question: dict[str, Any], texts: list[str], base: FactBase) -> list[str]:
    """A choice that alone shares a content word with the stem points to itself."""
    stem = _content(question["prompt"])
    sharing = [t for t in texts if _content(t) & stem]
    if len(sharing) == 1:
        return [f"{question['id']}: only the choice {sharing[0]!r} shares a word with the "
                f"stem ({sorted(_content(sharing[0]) & stem)})"]
    return []


def _near_duplicates(a: str, b: str) -> bool:
    """Two choices that say nearly the same: most of their content words in common."""
    wa, wb = _content(a), _content(b)
    return len(wa) >= 2 and len(wb) >= 2 and len(wa & wb) / min(len(wa), len(wb)) >= 0.8


def lint_bank(bank: Sequence[dict[str, Any]], base: FactBase) -> list[str]:
    """Every question's lints, plus the bank's: true/false share, repeated statements,
    and every core fact asked in at least two forms."""
    problems = [p for q in bank for p in lint_question(q, base)]
    forms = Counter(q["type"] for q in bank)
    if bank and forms["true_false"] > MAX_TRUE_FALSE * len(bank):
        problems.append(f"true/false is {forms['true_false']} of {len(bank)} questions")
    statements = Counter(normalize(q["statement"]) for q in bank if q["type"] == "true_false")
    problems += [f"true/false statement repeated: {s!r}" for s, n in statements.items() if n > 1]
    asked: dict[str, set[str]] = {}
    for q in bank:
        for fid in q["fact_ids"]:
            asked.setdefault(fid, set()).add(q["type"])
    for fact in base.facts:
        if fact.importance == "core" and len(asked.get(fact.id, ())) < 2:
            problems.append(f"{fact.id}: a core fact asked in fewer than two forms "
                            f"({sorted(asked.get(fact.id, ()))}; forms {forms_of(fact, base)})")
    return problems


def lint_quiz(quiz: Sequence[dict[str, Any]], base: FactBase) -> list[str]:
    """A quiz as a whole: one question per fact, no question printing another's key,
    true/false at most a quarter, details a minority."""
    problems: list[str] = []
    seen = Counter(fid for q in quiz for fid in q["fact_ids"])
    problems += [f"fact {fid} asked {n} times" for fid, n in seen.items() if n > 1]
    facts = {f.id: f for f in base.facts}
    text_of_body = normalize(body(base.text))
    keys = {fid: key_spellings(facts[fid], base, text_of_body)
            for q in quiz for fid in q["fact_ids"] if fid in facts}
    for q in quiz:
        text = visible_text(q)
        for other in quiz:
            if other is q:
                continue
            for fid in other["fact_ids"]:
                if fid in q["fact_ids"] or fid not in facts:
                    continue
                if contains_key(text, keys[fid]):
                    problems.append(f"{q['id']} prints the key of {other['id']}")
    forms = Counter(q["type"] for q in quiz)
    if len(quiz) >= 4 and forms["true_false"] > MAX_TRUE_FALSE * len(quiz):
        problems.append(f"true/false is {forms['true_false']} of {len(quiz)}")
    details = sum(q.get("importance") == "detail" for q in quiz)
    if len(quiz) >= 4 and details * 2 >= len(quiz):
        problems.append(f"details are {details} of {len(quiz)}")
    return problems
