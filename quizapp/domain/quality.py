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
from .generator import (
    CLAIM_SET,
    COUNTED,
    SHARED_EVENTS,
    corrects,
    forms_of,
    is_claim_set,
    key_spellings,
)
from .option_kinds import descriptive_typed_key, odd_head_noun
from .passages import body
from .references import back_reference
from .references import lemma as _lemma
from .restating import (
    SLIGHT,
    answers_another,
    contains_key,
    prints_typed_key,
    refuting,
    same_event,
    shares_wrong_option,
    statements_of,
    states_key,
    visible_text,
)
from .restating import content_words as _content
from .sentences import COMMITMENT, claim_clusters, limit_claims
from .text import NEGATION, fill, mentions, normalize
from .timelines import dated_alike
from .yearblanks import blank_problem

#: At most this share of a bank, or of a quiz of four or more, is true/false.
MAX_TRUE_FALSE = 0.25
#: True and false statements of a bank differ by at most this many (half and half, give or
#: take an odd one and a statement dropped as a repeat).
TRUE_FALSE_SKEW = 2
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


#: The same word twice in a row ("taking part in in 2015", round 10's review).
_DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)


def _printed_texts(question: dict[str, Any]) -> list[str]:
    """Every text a student reads of a question: stem, statement, options, explanation."""
    options = [o["text"] for group in ("choices", "items", "left", "right")
               for o in question.get(group, [])]
    return [question["prompt"], question.get("statement", ""), *options,
            question.get("explanation", "")]


def lint_question(question: dict[str, Any], base: FactBase) -> list[str]:
    """What is wrong with one question on its own."""
    problems: list[str] = []
    qid, qtype = question["id"], question["type"]
    facts = _facts(question, base)
    for fact in facts:
        if fact.kind == "acronym" and qtype != "matching":
            problems.append(f"{qid}: an acronym asked by its initials ({qtype})")
        if qtype == "short":
            spellings = question.get("accepted") or [question["answer"]]
            own = {normalize(a) for a in spellings}
            if len(own) < len(spellings):
                # Round 10: pairs the checker reads alike suggest it tells them apart.
                problems.append(f"{qid}: two accepted spellings read alike to the checker")
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
    problems += [f"{qid}: {p}" for p in back_references(question)]
    problems += descriptive_typed_key(question) + odd_head_noun(question)
    problems += [f"{qid}: “{m.group(0)}” prints a word twice" for m in
                 _DOUBLED.finditer(" / ".join(_printed_texts(question)))]
    if qtype == "multi" and any(NEGATION.search(f.statement) or NEGATION.search(f.question)
                                for f in facts):
        # Round 8: "does not go beyond ..." as a select-all made activities the text shows
        # happening (exercises) defensible: a negated claim is typed only.
        problems.append(f"{qid}: a select-all on a negated claim")
    if qtype == "matching":
        problems += _matching_cue(question, facts)
    if qtype == "ordering":
        problems += _timeline(question, facts, base)
    if qtype == "multi" and COUNTED.search(question["prompt"]):
        problems.append(f"{qid}: a select-all stem gives the count")
    if qtype in ("mcq", "multi") and len(facts) == 1 and facts[0].kind == "statement" \
            and not ANCHORED.search(question["prompt"]):
        # "What does Japan now do ...?" against a distractor the text is silent on: the
        # world may well hold it. Asked as the text's claim, the text rules it out.
        problems.append(f"{qid}: a claim asked about the world, not the commentary")
    if qtype == "short" and len(facts) == 1 and facts[0].kind == "year":
        why = blank_problem(fill(facts[0].statement, "{answer}"), str(facts[0].answer))
        if why:
            problems.append(f"{qid}: {why}")
    if qtype == "mcq":
        problems += _distractor_kind(question, facts[0] if facts else None, base)
    if qtype in ("mcq", "multi"):
        problems += _odd_one_out(question) + _form_apart(question) + _near_copies(question, facts)
        if len(facts) == 1:
            problems += _outside_entities(question, facts[0], base)
    if qtype == "true_false" and not question["answer"] \
            and not corrects(question.get("explanation", ""), question["statement"]):
        problems.append(f"{qid}: the explanation of a false statement does not state "
                        "the truth of the swapped detail")
    if qtype == "true_false" and not question["answer"] and len(facts) == 1:
        problems += [f"{qid}: {p}" for p in false_version_problems(
            facts[0], question["statement"], base)]
    return problems


def back_references(question: dict[str, Any]) -> list[str]:
    """Every statement of a question (stem, true/false statement, options, labels) that
    leans on an unnamed earlier item."""
    stem, true, false = statements_of(question)
    out = []
    for text in [stem, *true, *false]:
        found = text and back_reference(text, "" if text is stem else stem)
        if found:
            out.append(f"{found!r} refers to something the question does not name")
    return out


#: Words that deny or belittle: a false version adding or dropping one turns the author's
#: claim round ("of little significance" for "of great significance"; "declined to sign").
_INVERTING = {"not", "no", "never", "nor", "neither", "without", "little", "lacks", "lack",
              "lacking", "declined", "refused", "failed", "unrealistic", "inconceivable",
              "insignificant", "unimportant", "irrelevant", "rarely", "seldom", "hardly",
              "confined"}
#: Antonym pairs (either way round) a false version must not swap.
_ANTONYMS = {("great", "little"), ("great", "small"), ("significant", "minor"),
             ("important", "minor"), ("strengthen", "weaken"), ("deepen", "weaken"),
             ("more", "less"), ("increase", "decrease"), ("expand", "reduce"),
             ("essential", "unnecessary"), ("urgent", "unnecessary"), ("long", "short"),
             ("robust", "weak"), ("strong", "weak"), ("success", "failure")}
#: A defence commitment or membership stated as fact: against the limits the author names
#: ("it is unrealistic to expect NATO to act for Japan's defense"), a reversal of the
#: whole argument that no reader of it would believe.
_COMMITTING = re.compile(r"\b(?:full membership|membership of|join(?:s|ed|ing)? NATO|"
                         r"to (?:its|their|Japan's|Japan’s) defen[cs]e|help defend|"
                         r"defend (?:its|their|Japan)|collective defen[cs]e commitment|"
                         r"logistical support to)\b", re.IGNORECASE)
_DENYING = re.compile(r"\b(?:not|never|cannot|inconceivable|unrealistic|nor)\b",
                      re.IGNORECASE)


def _prefix_antonym(a: str, b: str) -> bool:
    return any(a == p + b or b == p + a for p in ("un", "in", "im", "ir", "il", "dis", "non"))


def false_version_problems(fact: Fact, statement: str, base: FactBase) -> list[str]:
    """Why a false true/false version is no confusable fact: the true claim negated or
    turned into its antonym, the false version of a denial (which denies what the author
    affirms), or a defence commitment the author's limits rule out. A good false version
    swaps in another year, partner or programme the text names."""
    if is_claim_set(fact):
        return []  # one claim of a set against a claim the author never makes
    true = normalize(fill(fact.statement, fact.answer_text))
    said, told = set(true.split()), set(normalize(statement).split())
    added, dropped = told - said, said - told
    problems = []
    if (added | dropped) & _INVERTING:
        problems.append(f"the false version negates the claim "
                        f"({sorted((added | dropped) & _INVERTING)})")
    elif any((x, y) in _ANTONYMS or (y, x) in _ANTONYMS or _prefix_antonym(x, y)
             for x in dropped for y in added):
        problems.append("the false version swaps a word of the claim for its antonym")
    elif _DENYING.search(true):
        problems.append("a false version of a denial denies something else, which the "
                        "author affirms")
    if _COMMITTING.search(statement) and not _DENYING.search(statement) \
            and limit_claims(base.facts):
        problems.append("the false version states a defence commitment the author's "
                        "limits rule out (it reverses the whole argument)")
    outside = swapped_in_outside(fact, statement, base)
    if outside:
        problems.append(f"the false version swaps in {outside} which the commentary never "
                        "names (a well-read student may defend it)")
    return problems


_NAME_OR_NUMBER = re.compile(r"(?<!^)(?<![.?!] )\b(?:[A-Z][\w’'-]*|\d[\d,]*)")


def swapped_in_outside(fact: Fact, statement: str, base: FactBase) -> list[str]:
    """The names and numbers a false statement adds to its fact's claim and quote that the
    commentary never prints (round 11: "the Quad" for FOIP, which the text never mentions);
    a sentence's first word is no name."""
    told = normalize(f"{fill(fact.statement, fact.answer_text)} {fact.quote}").split()
    text = set(normalize(base.text).split())
    out = []
    for word in _NAME_OR_NUMBER.findall(statement.strip()):
        for norm in normalize(word).split():  # "Indo-Pacific" is two words
            bare = norm[:-1] if norm.endswith("s") else norm  # "Kishida's"
            if norm not in told and not {norm, bare} & text:
                out.append(word)
                break
    return out




def _bigrams(text: str) -> set[tuple[str, str]]:
    words = normalize(text).split()
    return {(a, b) for a, b in zip(words, words[1:], strict=False)
            if not (a in SLIGHT and b in SLIGHT)}


#: Choices this short are names or phrases: their shape ("X and Y") is part of their kind.
_SHORT_CHOICE = 6


def _form_apart(question: dict[str, Any]) -> list[str]:
    """The wrong options share a phrase or a shape the key lacks (every wrong option says
    "may not", no key does; the key alone is a pair "X and Y"): the form finds the key."""
    answer = question["answer"]
    keys = set(answer) if isinstance(answer, list) else {answer}
    right = [c["text"] for c in question["choices"] if c["id"] in keys]
    wrong = [c["text"] for c in question["choices"] if c["id"] not in keys]
    if len(wrong) < 2 or not right:
        return []
    problems = []
    shared = set.intersection(*map(_bigrams, wrong)) - set().union(*map(_bigrams, right))
    if shared:
        problems.append(f"{question['id']}: every wrong option says "
                        f"{' / '.join(sorted(' '.join(b) for b in shared))!r}, no key does")
    texts = right + wrong
    bracketed = ["(" in t for t in texts]
    if len(set(bracketed[:len(right)])) == 1 and all(
            b != bracketed[0] for b in bracketed[len(right):]):
        # "the ASEAN Defense Ministers' Meeting Plus (ADMM-Plus)" among plain names
        problems.append(f"{question['id']}: the key alone "
                        f"{'has' if bracketed[0] else 'lacks'} a bracket")
    if all(len(t.split()) <= _SHORT_CHOICE for t in texts):
        pair = [bool(re.search(r"\S \band\b \S", t)) for t in texts]
        if len(set(pair[:len(right)])) == 1 and all(p != pair[0] for p in pair[len(right):]):
            problems.append(f"{question['id']}: the key alone is "
                            f"{'a pair' if pair[0] else 'not a pair'} (\"X and Y\")")
    reading = [bool(_READING.search(t)) for t in texts]
    if all(reading[:len(right)]) and not any(reading[len(right):]):
        # Round 11: "the ITPP's language indicates ..." among three reported events.
        problems.append(f"{question['id']}: the key alone is a reading (an inference), the "
                        "wrong options report events")
    return problems + _shape_apart(question["id"], right, wrong)


#: Words that make a choice the author's reading of something rather than a reported event.
_READING = re.compile(r"\b(?:indicat\w*|suggest\w*|probabl[ey]|reflect\w*|impl(?:y|ies|ied)|"
                      r"estimat\w*|infer\w*)\b", re.IGNORECASE)


#: The key is a length outlier when it is this many times longer (or shorter) than every
#: wrong option.
LENGTH_OUTLIER = 1.8
#: Lengths below this many words are names and short phrases: their length is no cue.
_LONG = 6
#: Two capitalised words in a row: a Title Case name ("Rules-Based International Order").
_TITLE_CASE = re.compile(r"\b[A-Z][\w’'-]*[a-z][\w’'-]* (?:(?:of|and|the) )?[A-Z][\w’'-]*[a-z]")


def _shape_apart(qid: str, right: list[str], wrong: list[str]) -> list[str]:
    """The key alone in another letter case (Title Case "the Rules-Based International
    Order" among lower-case phrases, round 8) or far longer or shorter than every wrong
    option: the shape finds the key without the text."""
    problems = []
    # (Only one way round: a plain key among options naming countries is common and fair.)
    if all(_TITLE_CASE.search(t) for t in right) \
            and not any(_TITLE_CASE.search(t) for t in wrong):
        problems.append(f"{qid}: the key alone is in Title Case")
    if len(right) == 1:
        key, lengths = len(right[0].split()), [len(t.split()) for t in wrong]
        if _LONG <= key > LENGTH_OUTLIER * max(lengths) \
                or _LONG <= min(lengths) > LENGTH_OUTLIER * key:
            problems.append(f"{qid}: the key alone is "
                            f"{'longer' if key > max(lengths) else 'shorter'} by far")
    return problems


#: Pools of names (a name the text uses is found verbatim; areas and roles are phrased).
NAMED_POOLS = ("country", "organization", "institution")


def _outside_entities(question: dict[str, Any], fact: Fact, base: FactBase) -> list[str]:
    """Countries or organisations from outside the text offered while the text names
    others of the pool that are not excluded: the text's own are the better distractors
    (round 5: India and Canada beside the text's unused Australia and New Zealand)."""
    if fact.category not in NAMED_POOLS:
        return []
    text = body(base.text)
    answer = question["answer"]
    keys = set(answer) if isinstance(answer, list) else {answer}
    shown = {normalize(c["text"]) for c in question["choices"]}
    wrong = [c["text"] for c in question["choices"] if c["id"] not in keys]
    outside = [t for t in wrong if not mentions(text, t)]
    banned = {normalize(s) for k in (fact.answer if isinstance(fact.answer, tuple)
                                     else (fact.answer,)) for s in base.spellings(k)}
    banned |= {normalize(s) for x in fact.exclude for s in base.spellings(x)}
    unused = [e.name for e in base.pools.get(fact.category, [])
              if normalize(e.name) not in banned | shown
              and not any(mentions(fact.quote, s) for s in e.spellings)
              and any(mentions(text, s) for s in e.spellings)]
    if outside and unused:
        return [f"{question['id']}: {outside} from outside the text while it names "
                f"{unused}"]
    return []


#: A stem that asks what the text says (its claims, not the world's).
ANCHORED = re.compile(r"\b(?:commentary|author)\b", re.IGNORECASE)
#: Words a timeline label may add to the commentary's own: which revision it was.
_ORDINALS = {"first", "second", "third", "time"}


def _words(text: str) -> set[str]:
    return {w for w in normalize(text).split() if len(w) > 2}


def _said(word: str, said: set[str]) -> bool:
    """``word`` or a form of it ("sign": "signed"; "starts": "started") is in ``said``."""
    return word in said or _lemma(word) in {_lemma(w) for w in said} or any(
        min(len(w), len(word)) >= 4 and (w.startswith(word) or word.startswith(w))
        for w in said)


def _timeline(question: dict[str, Any], facts: list[Fact], base: FactBase) -> list[str]:
    """One right order: no two events a reader could date to the same year ("revised
    again", 2020, beside a 2018 event when the text names 2018 and 2020 for it), and
    labels in the commentary's words."""
    problems = []
    for i, a in enumerate(facts):
        for b in facts[i + 1:]:
            if dated_alike(a, b):
                problems.append(f"{question['id']}: {a.id} and {b.id} could be dated to "
                                "the same year")
    said = _words(body(base.text))
    for fact in facts:
        new = {w for w in _words(fact.event or "") - _ORDINALS if not _said(w, said)}
        if new:
            problems.append(f"{question['id']}: the label of {fact.id} is not in the "
                            f"commentary's words ({sorted(new)})")
    return problems


def _matching_cue(question: dict[str, Any], facts: list[Fact]) -> list[str]:
    """A description repeating a word of its name's spelled-out form ("Exercise" and "the
    NATO exercise") pairs itself up without the text."""
    if not facts or not all(f.role for f in facts):
        return []  # acronyms matched to their expansions: the name is the description
    right = {r["id"]: r["text"] for r in question.get("right", [])}
    problems = []
    for left, fact in zip(question.get("left", []), facts, strict=False):
        if contains_key(normalize(left["text"]), [normalize(fact.answer_text)]):
            # Round 5: "Crisis Management Exercise (CMX)" beside "the NATO drill ...": the
            # name's noun tells its kind, and the kind finds the description.
            problems.append(f"{question['id']}: {fact.term} printed with its spelled-out "
                            "name beside a description")
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


def _one_word_apart(a: str, b: str) -> bool:
    """Two phrases of two words or more alike but for one word in one place."""
    wa, wb = normalize(a).split(), normalize(b).split()
    return len(wa) == len(wb) >= 2 and sum(x != y for x, y in zip(wa, wb, strict=True)) == 1


def _near_copies(question: dict[str, Any], facts: list[Fact]) -> list[str]:
    """A wrong option one word from a key ("international" for "domestic political
    leverage", round 9) pairs itself with the key: the odd pair out is a cue. Names (every
    word capitalised, "United States" and "United Kingdom") and a fact's ``near_copies``
    are left alone."""
    keys = question["answer"] if isinstance(question["answer"], list) else [question["answer"]]
    texts = {c["id"]: c["text"] for c in question["choices"]}
    meant = {normalize(t) for f in facts for t in f.near_copies}
    return [f"{question['id']}: the option {text!r} is one word from the key {texts[k]!r}"
            for k in keys if k in texts for cid, text in texts.items()
            if cid not in keys and normalize(text) not in meant
            and _one_word_apart(texts[k], text)
            and not all(w[:1].isupper() for w in f"{texts[k]} {text}".split())]


def _near_duplicates(a: str, b: str) -> bool:
    """Two choices that say nearly the same: most of their content words in common."""
    wa, wb = _content(a), _content(b)
    return len(wa) >= 2 and len(wb) >= 2 and len(wa & wb) / min(len(wa), len(wb)) >= 0.8


def lint_bank(bank: Sequence[dict[str, Any]], base: FactBase) -> list[str]:
    """Every question's lints, plus the bank's: true/false share, repeated statements,
    and every core fact asked in at least two forms."""
    problems = [p for q in bank for p in lint_question(q, base)]
    problems += [f"{f.id}: {p}" for f in base.facts for s in f.false_statements
                 for p in false_version_problems(f, s, base)]
    problems += [f"{f.id}: {r!r} refers to something the statement does not name"
                 for f in base.facts for s in f.false_statements
                 if (r := back_reference(s))]
    forms = Counter(q["type"] for q in bank)
    # As for a quiz, a bank of fewer than four may hold one true/false (round 11: a small
    # imported bank whose ordering repeated its typed years).
    if forms["true_false"] > max(MAX_TRUE_FALSE * len(bank), int(len(bank) < 4)):
        problems.append(f"true/false is {forms['true_false']} of {len(bank)} questions")
    statements = Counter(normalize(q["statement"]) for q in bank if q["type"] == "true_false")
    problems += [f"true/false statement repeated: {s!r}" for s, n in statements.items() if n > 1]
    true = sum(q["answer"] is True for q in bank if q["type"] == "true_false")
    if abs(2 * true - forms["true_false"]) > TRUE_FALSE_SKEW:
        problems.append(f"{true} of {forms['true_false']} true/false statements are true")
    timelines = [set(q["fact_ids"]) for q in bank if q["type"] == "ordering"]
    problems += [f"two ordering items share {len(a & b)} events: {sorted(a & b)}"
                 for i, a in enumerate(timelines) for b in timelines[i + 1:]
                 if len(a & b) > SHARED_EVENTS]
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
    problems += [f"{q['id']} prints the typed answer of {other['id']}" for q in quiz
                 for other in quiz if prints_typed_key(q, other)]
    problems += [f"{q['id']} and {other['id']} offer one wrong option"
                 for i, q in enumerate(quiz) for other in quiz[i + 1:]
                 if shares_wrong_option(q, other)]
    for i, q in enumerate(quiz):
        for other in quiz[i + 1:]:
            if not set(q["fact_ids"]) & set(other["fact_ids"]) and (
                    answers_another(q, other) or answers_another(other, q)):
                problems.append(f"{q['id']} and {other['id']} restate each other's "
                                "statements (an option, a key or a stem)")
    problems += [f"{other['id']} states what refutes a wrong option or false statement of "
                 f"{q['id']}" for q in quiz for other in quiz if other is not q
                 and refuting(q, _facts(q, base)).intersection(other["fact_ids"])]
    problems += [f"{q['id']} offers an option that states the key of {other['id']}"
                 for q in quiz for other in quiz if other is not q
                 and any(states_key(q, f) for f in _facts(other, base))]
    forms = Counter(q["type"] for q in quiz)
    if len(quiz) >= 4 and forms["true_false"] > MAX_TRUE_FALSE * len(quiz):
        problems.append(f"true/false is {forms['true_false']} of {len(quiz)}")
    if forms["ordering"] > 1:
        problems.append(f"{forms['ordering']} ordering items in one quiz")
    clusters, limits = claim_clusters(base.facts), limit_claims(base.facts)
    events = same_event(base)
    for i, q in enumerate(quiz):
        for other in quiz[i + 1:]:
            if any(g in clusters.get(f, ()) for f in q["fact_ids"] for g in other["fact_ids"]):
                problems.append(f"{q['id']} and {other['id']} ask claims of one passage")
            if any(g in events.get(f, ()) for f in q["fact_ids"] for g in other["fact_ids"]):
                problems.append(f"{q['id']} and {other['id']} date one event")
        for other in quiz:
            if other is not q and limits.intersection(other["fact_ids"]) \
                    and not limits.intersection(q["fact_ids"]) \
                    and COMMITMENT.search(visible_text(q)):
                problems.append(f"{q['id']} speaks of a defence commitment that the limits "
                                f"claim of {other['id']} rules out")
    details = sum(q.get("importance") == "detail" for q in quiz)
    if len(quiz) >= 4 and details * 2 >= len(quiz):
        problems.append(f"details are {details} of {len(quiz)}")
    return problems
