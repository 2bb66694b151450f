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
from .passages import body, first_block_with, split_blocks
from .text import fill, join_names, mentions, normalize

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


def _years_in(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text)}


#: A pool member the body names more often than this is a protagonist of the text.
PROTAGONIST = 2


def _count(text: str, name: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE))


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
        # First the text's other years (another milestone: confusable), nearest first;
        # then close years; never a year the quote itself names.
        # A year the sentence's or the stem's other dates rule out ("signed in 2022, in
        # force in ___"; "agreed in 2014, first revised in ___") is no distractor: keep
        # the key's place among them.
        quoted = _years_in(f"{fact.quote} {fact.question}") - {key}
        low = max((y for y in quoted if y < key), default=0)
        high = min((y for y in quoted if y > key), default=10_000)

        def fits(y: int) -> bool:
            return low < y < high and y not in taken and y <= latest

        named = sorted((y for y in _years_in(body(base.text)) if y != key and fits(y)),
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


def make_multi(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """Ask for every member of a set among members of the same pool that are not in it."""
    members = list(fact.answer)
    wrong = distractors(fact, base, rng, max(2, min(3, 6 - len(members))))
    choices = _choices(members + wrong, rng)
    answer = sorted(c["id"] for c in choices if c["text"] in members)
    prompt = f"{fact.question} Select all that apply."
    q = _common("multi", _qid(fact.id, "multi"), prompt, [fact], base, fact.explanation)
    ordered = [c["text"] for c in choices if c["id"] in answer]
    return {**q, "choices": choices, "answer": answer, "answer_text": ordered}


def make_true_false(fact: Fact, base: FactBase, rng: random.Random) -> dict[str, Any]:
    """State the fact, or the fact with one value swapped for a wrong one of the same kind."""
    if not fact.false_statements:
        raise GenerationError(f"{fact.id}: true/false needs a plausible false statement")
    truth = rng.random() < 0.5
    correct = _statement(fact, fact.answer)
    if is_claim_set(fact):
        # A select-all key of claims joined into one sentence reads as a list to check
        # item by item: the true version states one claim of the set.
        correct = fill(fact.statement, rng.choice(list(fact.answer)))
    sentence = correct if truth else rng.choice(fact.false_statements)
    # A false statement is corrected in one sentence of the text's facts, nothing more.
    explanation = fact.explanation if truth else correct
    q = _common("true_false", _qid(fact.id, "true_false"), f"True or false? {sentence}",
                [fact], base, explanation)
    return {**q, "statement": sentence, "answer": truth,
            "answer_text": "True" if truth else "False"}


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
        prompt = f"Fill in the blank: {fill(fact.statement, BLANK)}"
        accepted = [key, *fact.aliases, *base.spellings(key)]
        if fact.kind == "number":
            accepted += number_spellings(key, fact.statement)
    q = _common("short", _qid(fact.id, "short"), prompt, [fact], base, fact.explanation)
    return {**q, "answer": key, "answer_text": key,
            "accepted": hyphen_variants(dict.fromkeys(accepted))}


def hyphen_variants(spellings: Iterable[str]) -> list[str]:
    """``spellings`` with the hyphen and space forms of a compound beside each other.

    Display only: the checker folds a hyphen into a space already, but a reviewer reading
    "capacity building" alone takes "capacity-building" for a wrong answer. A compound is
    a hyphenated spelling, or a key of two lower-case words ("capacity building", not
    "South Korea"; not every alias, which would fill the list with noise).
    """
    out: list[str] = []
    for i, s in enumerate(spellings):
        out.append(s)
        if "-" in s:
            out.append(s.replace("-", " "))
        elif i == 0 and re.fullmatch(r"[a-z]+ [a-z]+", s):
            out.append(s.replace(" ", "-"))
    return list(dict.fromkeys(out))


_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNITS = {"percent": ("%", " percent", " per cent")}


def number_words(value: int) -> str | None:
    """A whole number below a hundred in words ("thirty-one"); None beyond."""
    if 0 <= value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")
    return None


def number_spellings(value: str, statement: str) -> list[str]:
    """How a person types a number: digits or words, with the unit the sentence gives it
    ("2", "two", "2%", "2 percent", "two per cent")."""
    forms = [value]
    words = number_words(int(value)) if value.isdigit() else None
    if words:
        forms += [words, words.replace("-", " ")]
    after = statement.partition("{answer}")[2].split()
    unit = after[0].strip(".,;:").lower() if after else ""
    for form in list(forms):
        forms += [f"{form}{suffix}" for suffix in _UNITS.get(unit, ())]
    return forms


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
    """Match programmes and bodies to what the text says they are or do (their ``role``);
    without a role for each, match acronyms to their expansions."""
    roles = all(f.role for f in facts)

    def label(f: Fact) -> str:
        return f"{f.term} ({f.answer})" if roles else str(f.term)

    def target(f: Fact) -> str:
        return str(f.role) if roles else str(f.answer)

    left = [{"id": f"l{i + 1}", "text": label(f)} for i, f in enumerate(facts)]
    right_facts = list(facts)
    rng.shuffle(right_facts)
    right = [{"id": f"r{i + 1}", "text": target(f)} for i, f in enumerate(right_facts)]
    answer = {lt["id"]: right[right_facts.index(f)]["id"]
              for lt, f in zip(left, facts, strict=True)}
    prompt = ("Match each programme or body to what the commentary says about it." if roles
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
    if "short" in forms and fact.kind == "year" and len(_years_in(fact.quote)) > 1:
        forms.remove("short")
    return tuple(forms)


def questions_for_fact(fact: Fact, base: FactBase, rng: random.Random) -> list[dict[str, Any]]:
    """All single-fact questions about ``fact``, one per form it is asked in, except a form
    whose stem would print its own answer ("allies of the United States ... cooperate with
    ___ and India")."""
    forms = forms_of(fact, base)
    out = []
    for form in forms:
        q = _MAKERS[form](fact, base, rng)
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
                    rounds: int = 1) -> list[dict[str, Any]]:
    """Chronology as ordering items and acronyms as matching items; each round groups the
    facts anew, so a bank can hold several different timelines of the same milestones."""
    out: dict[str, dict[str, Any]] = {}
    timeline = [f for f in facts if f.kind == "year" and f.event]
    # Matched to their expansions, the initials would give the answers away: only by role.
    acronyms = [f for f in facts if f.kind == "acronym" and f.term and f.role]
    for _ in range(rounds):
        for group in group_facts(timeline, rng, timeline_clash or _timeline_clash, tries):
            q = make_ordering(group, base, rng)
            out.setdefault(q["id"], q)
        for group in group_facts(acronyms, rng, _acronym_clash, tries):
            q = make_matching(group, base, rng)
            out.setdefault(q["id"], q)
    return list(out.values())


def _acronym_clash(a: Fact, b: Fact) -> bool:
    return a.term == b.term or normalize(str(a.answer)) == normalize(str(b.answer))


def generate_bank(base: FactBase, seed: int = 0) -> list[dict[str, Any]]:
    """Generate the whole question bank of a fact base, deterministically for ``seed``."""
    rng = random.Random(seed)
    bank: list[dict[str, Any]] = []
    for fact in base.facts:
        bank.extend(questions_for_fact(fact, base, rng))
    bank.extend(group_questions(base, base.facts, rng, rounds=GROUP_ROUNDS))
    return finish_bank(bank, base)


def key_spellings(fact: Fact, base: FactBase, text: str | None = None) -> set[str]:
    """Normalised spellings of a fact's key whose sight would answer a question about it.

    A value the text names at every turn (Japan, NATO) gives nothing away and is left out.
    """
    keys = fact.answer if isinstance(fact.answer, tuple) else (fact.answer, *fact.aliases)
    if fact.kind == "acronym" and fact.term:
        keys = (fact.term,)
    text = normalize(body(base.text)) if text is None else text
    out: set[str] = set()
    for key in keys:
        for spelling in (*base.spellings(key), key):
            norm = normalize(spelling)
            if norm and len(re.findall(rf"(?<!\w){re.escape(norm)}(?!\w)", text)) <= COMMON:
                out.add(norm)
    return out


#: A key named more often than this in the body is common ground, not a cue.
COMMON = 5


def visible_text(question: dict[str, Any]) -> str:
    """Everything a student reads of a question, before and after answering."""
    parts = [question.get("prompt", ""), question.get("explanation", "")]
    for field in ("choices", "items", "left", "right"):
        parts += [c["text"] for c in question.get(field, [])]
    return normalize(" \n ".join(parts))


def contains_key(text: str, keys: Iterable[str]) -> bool:
    """Whether normalised ``text`` holds one of the normalised ``keys`` as whole words."""
    return any(k in text and re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text) for k in keys)


#: What drawing a quiz reads from a question: it changes with the rest of the bank (one
#: more approved fact adds cues), not with the question's wording.
DRAW_FIELDS = ("importance", "cues", "near")


def content(question: dict[str, Any]) -> dict[str, Any]:
    """A question without its draw fields: what a student sees and is checked against."""
    return {k: v for k, v in question.items() if k not in DRAW_FIELDS}


#: Words too common to cue an answer: function words and the text's everyday names.
_STOP = set("""a an the and or of in on at to for with by from as is are was were be been its
it this that these those which what who whom whose how why when where does did do has have had
would could can will should may might not no than then into over under about after before
between among such other their his her our your they them according commentary author text
japan japans nato natos""".split())


def content_words(text: str) -> set[str]:
    """Content words cut to a common stem ("operations", "operational": "operat")."""
    return {w[:6] for w in normalize(text).split() if w not in _STOP and len(w) > 3}


def _claims(base: FactBase) -> dict[str, set[str]]:
    """Each statement fact's key claim as content words: a choice or a statement of another
    question that restates most of it answers it."""
    return {f.id: words for f in base.facts if f.kind in ("statement", "entity_set")
            and len(words := content_words(f.answer_text)) >= 2}


#: A question whose visible words hold this share of another fact's key claim answers it.
CLAIM_SHARE = 0.6


def finish_bank(bank: list[dict[str, Any]], base: FactBase) -> list[dict[str, Any]]:
    """Add what drawing a quiz needs: each question's importance (its weightiest fact's),
    ``cues`` (the other facts whose key it prints) and ``near`` (the other facts of its
    paragraph, which its explanation may well restate); drop repeated true/false statements."""
    facts = {f.id: f for f in base.facts}
    text = normalize(body(base.text))
    keys = {f.id: key_spellings(f, base, text) for f in base.facts}
    claims = _claims(base)
    blocks = split_blocks(base.text)
    paragraph = {f.id: getattr(first_block_with(blocks, f.quote), "index", None)
                 for f in base.facts}
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for q in bank:
        if q["type"] == "true_false":
            if normalize(q["statement"]) in seen:
                continue
            seen.add(normalize(q["statement"]))
        own = [facts[i] for i in q["fact_ids"] if i in facts]
        q["importance"] = min((f.importance for f in own), key=IMPORTANCE_RANK.__getitem__,
                              default="supporting")
        text = visible_text(q)
        words = content_words(text)
        q["cues"] = sorted(i for i, k in keys.items() if i not in q["fact_ids"] and (
            (k and contains_key(text, k))
            or (i in claims and len(claims[i] & words) >= CLAIM_SHARE * len(claims[i]))))
        here = {paragraph[f.id] for f in own} - {None}
        q["near"] = sorted(i for i in keys if i not in q["fact_ids"] and paragraph[i] in here)
        out.append(q)
    return out


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
    if "accepted" in question:  # what the checker takes, as written: reviewers see it
        out["accepted"] = list(question["accepted"])
    out["source"] = {"document": question["source"]["document"],
                     "quote": question["source"]["quote"]}
    for extra in ("topic", "explanation", "source_note"):
        if extra in question:
            out[extra] = question[extra]
    return out
