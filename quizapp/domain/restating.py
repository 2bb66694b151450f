"""What one question shows that answers another: statements restated, keys printed, a
false statement's swapped detail given away. ``finish_bank`` turns it into each question's
``cues``, and ``quality.lint_quiz`` checks a drawn quiz with it."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from .facts import Fact, FactBase
from .sentences import claim_clusters, sentences
from .text import MONTHS, normalize


def visible_text(question: dict[str, Any]) -> str:
    """Everything a student reads of a question, before and after answering."""
    parts = [question.get("prompt", ""), question.get("explanation", "")]
    for field in ("choices", "items", "left", "right"):
        parts += [c["text"] for c in question.get(field, [])]
    return normalize(" \n ".join(parts))


def contains_key(text: str, keys: Iterable[str]) -> bool:
    """Whether normalised ``text`` holds one of the normalised ``keys`` as whole words."""
    return any(k in text and re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text) for k in keys)


#: Words too common to cue an answer: function words and the text's everyday names.
_STOP = set("""a an the and or of in on at to for with by from as is are was were be been its
it this that these those which what who whom whose how why when where does did do has have had
would could can will should may might not no than then into over under about after before
between among such other their his her our your they them according commentary author text
japan japans nato natos""".split())


@functools.lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """Content words cut to a common stem ("operations", "operational": "operat");
    cached: a bank compares each option with every other question's."""
    return frozenset(w[:6] for w in normalize(text).split()
                     if w not in _STOP and len(w) > 3 and w.strip("_"))  # a blank is no word


#: A question whose visible words hold this share of another fact's key claim answers it.
CLAIM_SHARE = 0.6
#: Two statements share at least this many content words (and CLAIM_SHARE of the shorter)
#: when one restates the other.
RESTATED_WORDS = 3
_BOILERPLATE = re.compile(r"^(?:True or false\?|Fill in the (?:blank|year):)\s*|\s*Select all that "
                          r"apply\.$|\s*Put these events in chronological order[^.]*\.$")


def restates(a: str, b: str) -> bool:
    """Whether statement ``a`` says most of what ``b`` says (or the other way round), or
    both hold one phrase of four words that is not a name ("does not go beyond")."""
    wa, wb = content_words(a), content_words(b)
    shared = len(wa & wb)
    return (shared >= RESTATED_WORDS and shared >= CLAIM_SHARE * min(len(wa), len(wb))) \
        or bool(_phrases(a) & _phrases(b))


#: Words too slight to make a shared phrase a cue on their own.
SLIGHT = frozenset("the a an of in on to and for with at by its their as is are was".split())
_FRAME = {"according", "commentary", "author", "says", "said"}
PHRASE_WORDS = 4


@functools.lru_cache(maxsize=8192)
def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    """Runs of PHRASE_WORDS words of which at least three are plain words (not names,
    which every question on a topic shares, nor slight words or "according to the
    commentary"): "does not go beyond", "a joint operational infrastructure"."""
    words = [w for w in re.findall(r"[\w’'-]+", text) if normalize(w)]
    out = set()
    for i in range(len(words) - PHRASE_WORDS + 1):
        run = words[i:i + PHRASE_WORDS]
        plain = [w for w in run if w[:1].islower() and w.lower() not in SLIGHT | _FRAME]
        if len(plain) >= PHRASE_WORDS - 1:
            out.add(tuple(normalize(w) for w in run))
    return frozenset(out)


def statements_of(question: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    """(its stem, the true statements it shows, the false ones): a true/false statement,
    a cloze, every choice (the keys true, the distractors false), timeline label and
    matched description. A reader takes each for a claim, so each is checked against the
    other questions of a quiz."""
    stem = _BOILERPLATE.sub("", question.get("prompt", ""))
    qtype, answer = question["type"], question.get("answer")
    if qtype == "true_false":
        statement = [question["statement"]]
        return ("", statement, []) if answer else ("", [], statement)
    if qtype == "short":
        return "", [stem], []
    keys = set(answer) if isinstance(answer, list) else {answer} if isinstance(answer, str) \
        else set()
    true = [c["text"] for c in question.get("choices", []) if c["id"] in keys]
    false = [c["text"] for c in question.get("choices", []) if c["id"] not in keys]
    for field in ("items", "left", "right"):
        true += [c["text"] for c in question.get(field, [])]
    return stem, true, false


def answers_another(question: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether a statement of one restates the stem, key or a distractor of the other, or
    one stem restates an option of the other (a true/false on the Mission's 2018 founding
    beside a distractor naming it; a stem's "does not go beyond ..." beside that limit as
    a select-all option). Two stems on one topic are no cue, nor are two wrong options
    (a false claim seen twice tells nothing)."""
    stem_q, true_q, false_q = statements_of(question)
    stem_o, true_o, false_o = statements_of(other)
    return any(restates(a, b) for a in true_q for b in [stem_o, *true_o, *false_o] if b) \
        or any(restates(a, b) for a in false_q for b in [stem_o, *true_o] if b) \
        or bool(stem_q) and any(restates(stem_q, b) for b in true_o + false_o) \
        or exposes(question, other) or exposes(other, question) \
        or prints_typed_key(question, other) or prints_typed_key(other, question)


def prints_typed_key(question: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether ``question`` prints an accepted spelling of typed ``other``'s answer, as a
    whole word or a possessive (round 9: "North Korea's WMD and missile programs" in two
    options beside the blank "condemned the WMD and missile programs of ___"); every
    spelling of a name counts, however often the text names it. A year or number is left to
    ``key_spellings`` (printed in a date of another event, a common year tells little)."""
    if other["type"] != "short" or question is other:
        return False
    text = visible_text(question)
    return any(k and not k[:1].isdigit() and re.search(rf"(?<!\w){re.escape(k)}s?(?!\w)", text)
               for k in {normalize(a) for a in other.get("accepted") or [other["answer"]]})


#: A false statement's swapped detail is cued when this many of its words, all of them,
#: are printed elsewhere.
DETAIL_WORDS = 2


def exposes(question: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether ``other`` prints what tells a false true/false ``question`` apart from its
    true version: the detail the truth has instead (its explanation states the truth) or
    the one swapped in (round 8: "jointly develop a next-generation fighter aircraft"
    swapped into the ITPP, beside a stem asking who develops that aircraft under GCAP)."""
    if question["type"] != "true_false" or question["answer"]:
        return False
    said = content_words(question["statement"])
    truth = content_words(question.get("explanation", ""))
    shown = content_words(visible_text(other))
    return any(len(detail) >= DETAIL_WORDS and detail <= shown
               for detail in (truth - said, said - truth))


def claims_of(base: FactBase) -> dict[str, frozenset[str]]:
    """Each statement fact's key claim as content words: a choice or a statement of another
    question that restates most of it answers it."""
    return {f.id: words for f in base.facts if f.kind in ("statement", "entity_set")
            and len(words := content_words(f.answer_text)) >= 2}


def wrong_options(question: dict[str, Any]) -> set[str]:
    """A choice item's wrong options, normalised."""
    if question["type"] not in ("mcq", "multi"):
        return set()
    keys = question["answer"]
    keys = set(keys) if isinstance(keys, list) else {keys}
    return {normalize(c["text"]) for c in question.get("choices", []) if c["id"] not in keys}


def shares_wrong_option(question: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two choice items offer one wrong option (round 9: "the inseparability of
    Euro-Atlantic and Indo-Pacific security" wrong in three questions of a quiz taught that
    it is never the key, and it is the author's headline claim)."""
    return bool(wrong_options(question) & wrong_options(other))


def restated_facts(question: dict[str, Any], other: dict[str, Any],
              facts: dict[str, Fact]) -> list[str]:
    """The facts of ``other`` that ``question`` restates or is restated by: for a group
    item only the facts whose own label or description does (one timeline label on the
    2022 strategy keeps the other three events free)."""
    if other["type"] not in ("ordering", "matching"):
        return list(other["fact_ids"]) if answers_another(question, other) \
            or shares_wrong_option(question, other) \
            or any(states_key(question, facts[f]) for f in other["fact_ids"] if f in facts) \
            else []
    stem, true, false = statements_of(question)
    options = true + false
    out = [f for f in other["fact_ids"] if f in facts and states_key(question, facts[f])]
    for fid in other["fact_ids"]:
        fact = facts.get(fid)
        label = fact and (fact.event if other["type"] == "ordering" else fact.role)
        if fid not in out and label and any(restates(a, label) for a in [stem, *options] if a):
            out.append(fid)
    return out


def shows_wrong(question: dict[str, Any]) -> bool:
    """Whether a question prints a wrong option or a false statement of its facts."""
    return question["type"] in ("mcq", "multi") or (
        question["type"] == "true_false" and not question["answer"])


def refuting(question: dict[str, Any], own: Iterable[Fact]) -> set[str]:
    """The facts whose questions refute what ``question`` shows as wrong (``ruled_out_by``)."""
    return {i for f in own for i in f.ruled_out_by} if shows_wrong(question) else set()


@functools.lru_cache(maxsize=8192)
def key_phrases(text: str) -> frozenset[tuple[str, str]]:
    """Two plain content words in a row ("revisionist countries", "fighter aircraft"), cut
    to their stems; names ("Indo-Pacific", "South Korea") are shared by every question on
    a topic and left out."""
    words = re.findall(r"[\w’'-]+", text)
    out = set()
    for a, b in zip(words, words[1:], strict=False):
        pair = (normalize(a), normalize(b))
        if a[:1].islower() and b[:1].islower() and all(
                w not in _STOP and len(w) > 3 and " " not in w for w in pair):
            out.add((pair[0][:6], pair[1][:6]))
    return frozenset(out)


def states_key(question: dict[str, Any], fact: Fact) -> bool:
    """Whether an option of ``question``, right or wrong, holds a phrase of ``fact``'s key
    (round 12: "help it counter revisionist countries", a wrong option of one item, beside
    the item whose key is "revisionist countries that try to change the status quo")."""
    if fact.id in question["fact_ids"]:
        return False
    key = key_phrases(fact.answer_text)
    return bool(key) and any(key & key_phrases(c["text"]) for c in question.get("choices", []))


#: A name in at most this many sentences of the text is one event's ("Cavour"), not the
#: text's everywhere-name ("Japan", "NATO"): docs/question-quality.md, "Same-event items".
EVENT_NAME_SENTENCES = 3
#: Letters a name shares with an everywhere-name when it is one of its forms.
STEM = 4
_MONTHS = frozenset(MONTHS)
_CAPITALISED = re.compile(r"(?<![\w’'-])[A-Z][\w-]*")


def _names_of(text: str) -> list[tuple[str, bool]]:
    """Each capitalised word of ``text`` with whether it opens its sentence."""
    return [(m.group(), m.start() == 0) for s in sentences(text)
            for m in _CAPITALISED.finditer(s.text) if m.group() not in _MONTHS]


def same_event(base: FactBase) -> dict[str, set[str]]:
    """For each year fact, the others keyed to the same year whose sentences share a
    distinctive name (held-out Italy–Japan: the Cavour group's deployment "In ___" beside
    its arrival "In August ___": one event, one stem answering the other)."""
    years = tuple((f.id, f.answer_text, f.quote) for f in base.facts if f.kind == "year")
    return {fid: set(others) for fid, others in _same_event(base.text, years).items()}


@functools.lru_cache(maxsize=64)
def _same_event(text: str, years: tuple[tuple[str, str, str], ...]
                ) -> dict[str, frozenset[str]]:
    """``same_event`` on plain values: cached, as ``lint_quiz`` asks it for every quiz."""
    said = [set(re.findall(r"[\w-]+", s.text)) for s in sentences(text)]
    proper = {n for n, first in _names_of(text) if not first}  # not capitalised as a start
    count = {n: sum(n in words for words in said) for n in proper}
    # "Italian" is a form of the everywhere-name "Italy", however seldom the text uses it.
    common = {n[:STEM] for n in proper if count[n] > EVENT_NAME_SENTENCES}
    rare = {n for n in proper if count[n] <= EVENT_NAME_SENTENCES and n[:STEM] not in common}
    names = {fid: {n for n, _ in _names_of(quote)} & rare for fid, _, quote in years}
    return {fid: frozenset(g for g, other, _ in years if g != fid and other == year
                           and names[fid] & names[g]) for fid, year, _ in years}


def kept_apart(base: FactBase) -> dict[str, set[str]]:
    """For each fact, the facts never drawn beside it: the other claims of its passage
    (``claim_clusters``) and, for a year, the other dates of its event (``same_event``)."""
    out = claim_clusters(base.facts)
    for fid, others in same_event(base).items():
        out[fid] = out.get(fid, set()) | others
    return out
