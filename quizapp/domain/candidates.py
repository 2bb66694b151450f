"""A candidate fact found by a rule, and the gate that decides which candidates a rule may
write in full and which it proposes for the instructor to phrase."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .facts import DANGLING
from .references import (
    PAIR_REFERENCE,
    back_reference,
    definite_reference,
    leaning_words,
    pronoun_subject,
    same_head_anaphor,
    unnamed_parties,
    unowned_body,
    unowned_instalment,
)
from .sentences import YEAR, end_sentence
from .text import MONTH, NEGATION, normalize
from .yearblanks import (
    IRREGULAR_PAST,
    ONE_OF_TWO,
    blank_problem,
    clean_event,
    fragment,
    milestone,
    unnamed_subject,
)


@dataclass(frozen=True)
class Candidate:
    """A fact found by a rule, ready to be reviewed by an instructor."""

    kind: str
    answer: str | tuple[str, ...]
    quote: str
    question: str
    statement: str
    rule: str
    aliases: tuple[str, ...] = ()
    distractors: tuple[str, ...] = ()
    term: str | None = None
    category: str | None = None
    event: str | None = None
    #: What the text says an acronym's body or programme does (matched, round 6).
    role: str | None = None
    explanation: str = ""
    importance: str = "supporting"
    #: What an instructor must write before this candidate can be asked (empty: nothing).
    needs: str = ""
    #: The forms a rule-written candidate is asked in (empty: its kind's defaults).
    forms: tuple[str, ...] = ()
    #: Another milestone year in the sentence, for a true/false item (round 6).
    false_statements: tuple[str, ...] = ()

    @property
    def answer_text(self) -> str:
        return ", ".join(self.answer) if isinstance(self.answer, tuple) else self.answer

    def key(self) -> tuple[str, str, str]:
        answer = self.answer if isinstance(self.answer, tuple) else (self.answer,)
        return (self.kind, "|".join(sorted(normalize(a) for a in answer)), self.quote)

    def to_record(self, fact_id: str, topic: str) -> dict[str, Any]:
        """The curated-fact mapping (as in a seed YAML file) for ``Fact.from_dict``."""
        record: dict[str, Any] = {
            "id": fact_id, "topic": topic, "kind": self.kind, "question": self.question,
            "statement": self.statement,
            "answer": list(self.answer) if isinstance(self.answer, tuple) else self.answer,
            "aliases": list(self.aliases), "quote": self.quote,
            "explanation": self.explanation, "rule": self.rule,
            "importance": self.importance,
        }
        for key in ("term", "category", "event", "needs", "role"):
            if getattr(self, key):
                record[key] = getattr(self, key)
        if self.distractors:
            record["distractors"] = list(self.distractors)
        if self.forms:
            record["forms"] = list(self.forms)
        if self.false_statements:
            record["false_statements"] = list(self.false_statements)
        return record


#: What a rule cannot phrase well is proposed for the instructor to write (kind: reason).
PROPOSE = {
    "date": "An exact day is a detail: ask it only where it matters, in your own words, "
            "with the text's other dates (suggested) as wrong answers.",
    "entity": "A name with a role is a detail: ask it only if the person matters to the "
              "argument.",
    "entity_set": "A list: a rule cannot tell a partner from a rival, so choose wrong "
                  "answers a student who skimmed would believe and the text rules out.",
    # "24 K9 howitzers arrived ...": a count blanked from a lifted sentence is trivia more
    # often than not; whether it carries the argument is the instructor's call.
    "number": "A count or share: ask it in your own words only if it carries the "
              "author's argument.",
}
SEVERAL_YEARS = ("This sentence names several years: a blank would print the others "
                 "beside it; ask one of its events in your own words.")
INCIDENTAL_YEAR = ("A blank here would not ask when the sentence's event happened ({why}); "
                   "ask it in your own words if it matters.")
TWIN = ("Another candidate already blanks this sentence: blanks cut from one sentence "
        "print each other's answers.")
#: Typed only: made-up wrong numbers and years (a run of neighbours, a future year for a
#: past event) are what a skimming student rules out.
TYPED_KINDS = ("year",)
#: A cloze longer than this is cut to the clause that holds its blank.
CLOZE_WORDS = 25


def _propose(candidate: Candidate, needs: str) -> Candidate:
    # A year or count the instructor phrases stays typed: the rules' wrong values would be
    # made up.
    forms = ("short",) if candidate.kind in ("year", "number") else candidate.forms
    return replace(candidate, question="", needs=needs, forms=forms)


def _refusal(candidate: Candidate, earlier: str = "",
             common: Collection[str] = ()) -> str | None:
    """Why a typed candidate's blank is proposed instead of written (None: it may be);
    ``earlier``: the text's sentences before its quote; ``common``: its lower-case words."""
    # The sentence as the question prints it (cut to its clause) must pass too: "Diplomatic
    # relations were formally established in ___" names no one once ", but ... the two
    # countries ..." is cut off (round 22's tuning text).
    printed = standalone(_shorten(candidate.statement))
    why = (blank_problem(candidate.statement, str(candidate.answer))
           or blank_problem(printed, str(candidate.answer))) if candidate.kind == "year" else None
    if not why and (ref := back_reference(candidate.statement)
                    or pronoun_subject(candidate.statement)
                    or _group(definite_reference(candidate.statement))
                    or _group(PAIR_REFERENCE.search(candidate.statement))
                    or leaning_words(standalone(candidate.statement))
                    or same_head_anaphor(printed, earlier, cut=candidate.rule == ONE_OF_TWO)
                    or unnamed_parties(printed)
                    or unowned_instalment(printed)
                    or unowned_body(printed)
                    or (common and unnamed_subject(printed, common))):
        # Round 9's held-out text: "moving these partners onto a new framework"; round
        # 11's: "In August ___ he addressed ..." (no one named before).
        why = f"the sentence leans on an earlier one ({ref!r})"
    if not why and candidate.kind == "year" \
            and _cut_to_a_phrase(printed, candidate.statement, candidate.rule == ONE_OF_TWO):
        why = "the clause of its blank, cut from a longer sentence, has no main verb"
    if not why and candidate.kind == "year" and not milestone(printed):
        why = ("its event is no milestone: no signing, launch, agreement, opening, first or "
               "decision")
    if candidate.kind == "year" and candidate.rule == "year" \
            and len(YEAR.findall(candidate.quote)) > 1:
        return SEVERAL_YEARS
    return INCIDENTAL_YEAR.format(why=why) if why else None


#: A bare comma after the blank before a verb phrase or a clause of its own (", sent
#: medical aid", ", negotiations were launched"), not a subordinate one (", when ...") nor a
#: participle's phrase (", framed around ...").
_LISTED_CLAUSE = re.compile(r",\s+(?!(?:and|but|or|yet|so|while|which|who|whom|whose|where|"
                            r"when|as|after|before|with|without|although|though|because|"
                            r"since|including|a|an|the|one|each|both|all|its|their|his|her|"
                            r"then|later|only|just|not)\b)"
                            rf"(?:[a-z][\w’'-]*\s+(?:[a-z]+ed|{IRREGULAR_PAST}|was|were|had|has|"
                            rf"have)|(?:{IRREGULAR_PAST})(?!\s+(?:by|in|at|from|for|with|to|as)\b))"
                            r"\b")


def _cut_to_a_phrase(printed: str, statement: str, cut: bool = False) -> bool:
    """Whether ``printed``, cut from a longer ``statement``, is a noun phrase and no clause
    up to its blank ("The ... Treaty signed by Putin and Kim in June ___, North Korean
    shells ...", "Under the ICE Pact announced with Canada and Finland in July ___": the
    main verb was in the part cut off, round 58); ``cut``: the statement is itself a clause
    cut from its sentence."""
    if not cut and normalize(printed) == normalize(standalone(statement)):
        return False
    at = printed.index("{answer}") + len("{answer}")
    # "Romania recognised the DPRK in ___, sent medical aid during the Korean War." (round
    # 59): the first two of three clauses, their ", and" cut off with the third
    listed = _LISTED_CLAUSE.search(printed, at)
    # (the first comma after the blank: a later one may close an aside, ", then Lithuania's
    # provisional capital, issued ...")
    return fragment(end_sentence(printed[:at])) \
        or bool(listed and "," not in printed[at:listed.start()])


def _group(match: re.Match[str] | None) -> str | None:
    return match.group(0) if match else None


def gate(candidates: list[Candidate], earlier: Mapping[str, str] | None = None,
         common: Collection[str] = ()) -> list[Candidate]:
    """The rules' gates for an imported text: one typed blank per sentence and per answer,
    only on a year that dates its sentence's main event (``yearblanks``), with its
    sentence quoted as the explanation; dates, names and lists are proposed.
    ``earlier``: each quote's preceding sentences in the text; ``common``: the text's
    lower-case words (a capitalised first word among them names nothing)."""
    earlier = earlier or {}
    out: list[Candidate] = []
    blanked: set[str] = set()
    text_years = sorted({int(c.answer) for c in candidates if c.kind == "year"
                         and isinstance(c.answer, str) and c.answer.isdigit()})
    # A false year is best not another question's key: the reader would see it twice.
    # Each typed candidate's refusal, worked out once (the checks read its neighbours).
    refusals = [_refusal(c, earlier.get(c.quote, ""), common)
                if c.kind in TYPED_KINDS and not c.needs else None for c in candidates]
    typed = {int(str(c.answer)) for c, why in zip(candidates, refusals, strict=True)
             if c.kind == "year" and not c.needs and str(c.answer).isdigit() and not why}
    asked = paired = 0
    labels = _quoted_labels(c.quote for c in candidates)
    for candidate, refusal in zip(candidates, refusals, strict=True):
        if candidate.needs:
            out.append(candidate)
            continue
        if candidate.kind in PROPOSE:
            candidate = _propose(candidate, PROPOSE[candidate.kind])
        elif candidate.kind in TYPED_KINDS:
            sentence = candidate.quote
            if why := refusal:
                # A proposal approved unedited keeps its timeline label only if clean.
                event = candidate.event if clean_event(candidate.statement,
                                                       candidate.event) else None
                candidate = _propose(replace(candidate, event=event), why)
            elif sentence in blanked and candidate.rule != ONE_OF_TWO:
                # (Each clause of two joined events prints neither year: both may stand,
                # the quote shown after one keeps the other out of its quiz.)
                candidate = _propose(candidate, TWIN)
            else:
                # Two blanks keyed to one year may both stand (round 6): the quoted
                # sentence after one prints the other's key, so the draw keeps them apart.
                blanked.add(sentence)
                event = candidate.event if clean_event(candidate.statement,
                                                       candidate.event) else None
                statement = standalone(_shorten(candidate.statement))
                told = without_aside(statement)
                false = _false_version(told, candidate, text_years, labels, typed) \
                    if (paired + 1) * TRUE_FALSE_EVERY <= asked + 1 else None
                statement = told if false else statement
                asked += 1
                paired += bool(false)
                candidate = replace(candidate, event=event, statement=statement,
                                    forms=("true_false",) if false else ("short",),
                                    false_statements=(false,) if false else ())
        if not candidate.explanation:
            candidate = replace(candidate, explanation=f"The commentary: “{candidate.quote}”")
        out.append(candidate)
    return out


#: One year blank in this many is asked as a true/false instead (true/false stays a quarter).
TRUE_FALSE_EVERY = 4


#: Events that happen once (a signing, a launch, a first): another year is plainly false.
#: "Since ___" is not one: it holds for every later year too.
_ONCE = re.compile(r"\b(?:signed|launched|established|founded|created|adopted|issued|"
                   r"concluded|entered into force|first|upgraded|opened|began|started)\b")


#: A false year this close to the key is a trick on the date, not a confusable fact.
_NEAR_YEARS = 1
#: A name in quotation marks: "a \"Strategic and Global Partnership.\"".
_QUOTED = re.compile(r"[\"“]([A-Z][^\"“”]{3,80}?)[.,]?[\"”]")


def _quoted_labels(quotes: Iterable[str]) -> list[str]:
    """The names the text puts in quotation marks, in order, once each."""
    return list(dict.fromkeys(m.group(1) for q in quotes for m in _QUOTED.finditer(q)))


def _false_version(statement: str, candidate: Candidate, years: list[int],
                   labels: list[str], typed: Collection[int] = ()) -> str | None:
    """A false version of a once-only event a skimming student could believe: another
    quoted name of the text of the same kind ("Strategic and Global Partnership" for the
    "Special Strategic and Global Partnership" of 2014), else another milestone year of
    the text more than a year away (the nearest the quote does not name, never later than
    the text's last; one no typed question has as its key, if any); None when there is
    none."""
    if not _ONCE.search(statement) or re.match(r"\s*Since\b", statement) \
            or NEGATION.search(statement):
        return None  # a negated sentence's falsehood is arguable
    filled = statement.replace("{answer}", str(candidate.answer))
    for match in _QUOTED.finditer(filled):
        name = match.group(1)
        kin = [other for other in labels if other != name
               and other.split()[-1] == name.split()[-1] and other not in candidate.quote]
        if kin:
            return filled[:match.start(1)] + kin[0] + filled[match.end(1):]
    key = int(str(candidate.answer))
    quoted = {int(y) for y in YEAR.findall(candidate.quote)}
    others = sorted((y for y in years if abs(y - key) > _NEAR_YEARS and y not in quoted),
                    key=lambda y: (y in typed, abs(y - key), y))
    return statement.replace("{answer}", str(others[0])) if others else None


#: "Abe also set out ...": lifted alone, "also" points at a sentence the student does not see
#: ("not only ... but also" keeps it).
_ALSO = re.compile(r"(?<!\bbut)\s+also\b(?=\s+[a-z])")
#: "In April 2014 Japan had replaced ...": the pluperfect orders the sentence against the one
#: before; dated on its own, the event is in the simple past. Only a participle that is
#: also the past form is changed ("had been", "had taken" stay).
_PLUPERFECT = re.compile(r"^((?:(?:In|On|During|At|By)\b[^,;]*?\{answer\},?\s+)?(?:the\s+)?"
                         r"(?:[A-Z][\w’'.-]*\s+(?:and\s+)?){1,5})had\s+(?=(?:[a-z]+ed|held|"
                         r"made|led|built|sent|spent|kept|paid|sold|found|laid|lent|met|set|"
                         r"put|shut|won|struck|sought|taught|told|brought|bought|fought|"
                         r"thought)\b)")


#: "The groundwork was laid in July {answer}, when the two governments signed ...": the
#: subject leans on what came before; the dated event is the "when" clause.
_WHEN = re.compile(r"^(?:The|An?)\s+(?:[a-z][\w-]*\s+){1,2}(?:of\s+(?:[a-z][\w-]*\s+){1,3})?"
                   r"(?:(?:was|were)\s+[a-z]+|came|arrived|"
                   r"occurred|followed)\s+in\s+((?:[A-Z][a-z]+\s+)?\{answer\}),\s+when\s+")
#: A closing appositive after the dated clause: ", a format Japan had reserved for ...".
_ASIDE = re.compile(r"(\{answer\}[^,;:]*?),\s+an?\s+[a-z][^,;:{}]*[.!]?$")


def standalone(statement: str) -> str:
    """A year's statement as a sentence read alone: no "also", no pluperfect of its dated
    event (round 11's held-out review: "Abe also set out", "Japan had replaced"), no
    leaning subject before a dated "when" clause (round 12's: "The groundwork was laid in
    July ___, when ..."; round 14's: "The turning point came in May ___, when ..."), one
    full stop."""
    statement = _WHEN.sub(r"In \1 ", statement, count=1)
    statement = _PLUPERFECT.sub(r"\1", statement, count=1)
    return end_sentence(_ALSO.sub("", statement))


def without_aside(statement: str) -> str:
    """A true/false statement without a closing appositive (", a format Japan had
    reserved for ..."): its true and false versions then both differ from the text's
    wording, not only the false one (round 12's held-out review: verbatim = true)."""
    return end_sentence(_ASIDE.sub(r"\1", statement, count=1))


_CUT_AFTER = re.compile(r",\s+(?:but|yet|while|which|leading)\b|;\s|:\s|\s+and\s+"
                        r"(?:has|have|had|was|were|is|are)\b"
                        # "..., and he wanted growth from ..." (round 25: a second claim)
                        r"|,\s+and\s+(?:he|she|it|they|this)\s"
                        # "..., and in October a minister announced ..." (round 37: a
                        # second dated event, which buried the blank's in a 53-word stem)
                        rf"|,\s+and\s+(?:in|on|by)\s+(?:early\s+|late\s+|mid-)?{MONTH}\b")


def _shorten(statement: str) -> str:
    """A long sentence cut to the clause of its blank (a lead-in kept when what follows
    leans on it: "...: its plan to ...")."""
    if len(statement.split()) <= CLOZE_WORDS:
        return statement
    at = statement.index("{answer}")
    cut = _CUT_AFTER.search(statement, at)
    if cut and re.search(rf",\s+in\s+{MONTH}\b", statement[at:cut.start()]):
        cut = None  # "in January ___, in February, and in March": one list of dates
    if cut:
        statement = end_sentence(statement[:cut.start()])
    leads = list(re.finditer(r";\s+|:\s+", statement[:statement.index("{answer}")]))
    if leads:
        rest = statement[leads[-1].end():]
        if not DANGLING.match(rest) and len(rest.split()) >= 6:
            statement = rest[:1].upper() + rest[1:]
    return statement
