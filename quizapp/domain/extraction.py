"""Candidate facts from a new commentary, found by rules, each with its sentence verbatim.

The rules are deliberately plain and explainable to an instructor:

- ``year``: a four-digit year with the sentence it dates ("In 2010, Japan signed ..."), and
  "In the same year" resolved to the previous sentence's year;
- ``date``: a month and day ("July 11-12", "12 July 2023");
- ``number``: a whole number counting something ("31 NATO member states", "Article 5");
- ``acronym``: "Long Form (ACR)" and "ACR (Long Form)", the long form found by the
  Schwartz-Hearst letter-matching algorithm;
- ``entity_set``: a list of countries or organisations ("the UK, France, Germany, and Italy"),
  or a list of short noun phrases after an enumeration cue ("including A, B, and C");
- ``entity``: a named person with a role ("Prime Minister Fumio Kishida").

Each candidate becomes a curated-fact record (question, statement with ``{answer}``, answer,
aliases, distractors) so the question generator treats it exactly like a seed fact.
Nothing here touches Flask or the database.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from .acronyms import acronym_candidates, best_long_form
from .candidates import Candidate, gate
from .commentary_bank import commentary_bank, generation_problem
from .evaluation import Evaluation, evaluate, matches
from .facts import Entity
from .passages import body_span
from .people import (
    countries_of,
    full_names,
    people_named,
    resolve_person,
    surname,
    who_instead,
)
from .references import PAIR_REFERENCE, resolve_definite
from .sentences import (
    BLANK,
    YEAR,
    Sentence,
    ask_for,
    blank_out,
    is_line_heading,
    sentences,
)
from .text import MONTH, MONTHS, in_sentence, normalize
from .yearblanks import IRREGULAR, ONE_OF_TWO, one_event

__all__ = ["BLANK", "Candidate", "Evaluation", "ExtractionTooSlow", "Sentence", "best_long_form",
           "commentary_bank", "evaluate", "extract", "generation_problem", "matches",
           "mentions", "pools", "sentences"]



#: Distractor pools for new commentaries (a country list with its common aliases).
COUNTRIES: tuple[tuple[str, ...], ...] = (
    ("United Kingdom", "UK", "U.K.", "Britain", "Great Britain"),
    ("United States", "US", "U.S.", "USA", "United States of America", "America"),
    ("Italy",), ("France",), ("Germany",), ("Japan",),
    ("South Korea", "Republic of Korea", "ROK"), ("Australia",), ("New Zealand",),
    ("Canada",), ("Lithuania",), ("Estonia",), ("Latvia",), ("Poland",), ("Belgium",),
    ("Netherlands",), ("Luxembourg",), ("Spain",), ("Portugal",), ("Norway",), ("Denmark",),
    ("Iceland",), ("Finland",), ("Sweden",), ("Greece",), ("Turkey", "Türkiye", "Turkiye"),
    ("Ukraine",), ("Russia",), ("China", "People's Republic of China",
                                "People’s Republic of China", "PRC"),
    ("North Korea", "DPRK", "Democratic People's Republic of Korea"), ("India",),
    ("Indonesia",), ("Philippines",), ("Singapore",), ("Vietnam",), ("Malaysia",),
    ("Thailand",), ("Pakistan",), ("Iran",), ("Israel",), ("Syria",), ("Belarus",),
    ("Georgia",), ("Moldova",), ("Romania",), ("Bulgaria",), ("Hungary",),
    ("Czech Republic", "Czechia"), ("Slovakia",), ("Slovenia",), ("Croatia",),
    ("Albania",), ("Montenegro",), ("North Macedonia",), ("Brazil",), ("Mexico",),
    ("Egypt",), ("Saudi Arabia",), ("South Africa",), ("Taiwan",), ("Mongolia",),
)
ORGANIZATIONS: tuple[tuple[str, ...], ...] = (
    ("NATO", "North Atlantic Treaty Organization"), ("European Union", "EU"),
    ("United Nations", "UN"), ("ASEAN", "Association of Southeast Asian Nations"),
    ("African Union", "AU"), ("G7",), ("G20",), ("OSCE",), ("World Bank",),
    ("International Monetary Fund", "IMF"), ("World Trade Organization", "WTO"),
    ("Quad",), ("AUKUS",), ("Shanghai Cooperation Organisation", "SCO"),
)
PERSONS: tuple[tuple[str, ...], ...] = (
    ("Shinzo Abe", "Abe"), ("Fumio Kishida", "Kishida"), ("Yoshihide Suga", "Suga"),
    ("Junichiro Koizumi", "Koizumi"), ("Anders Fogh Rasmussen", "Rasmussen"),
    ("Jens Stoltenberg", "Stoltenberg"), ("Mark Rutte", "Rutte"),
    ("Jaap de Hoop Scheffer", "De Hoop Scheffer"), ("Joe Biden", "Biden"),
    ("Emmanuel Macron", "Macron"), ("Olaf Scholz", "Scholz"), ("Rishi Sunak", "Sunak"),
    ("Yoon Suk Yeol", "Yoon"), ("Anthony Albanese", "Albanese"),
    ("Volodymyr Zelensky", "Zelensky"), ("Xi Jinping", "Xi"), ("Vladimir Putin", "Putin"),
)
ROLES = ("Prime Minister", "President", "Vice President", "Secretary-General",
         "Secretary General", "Foreign Minister", "Defense Minister", "Defence Minister",
         "Minister", "Ambassador", "Chancellor", "General", "Admiral", "Senator",
         "Secretary of State", "Secretary of Defense", "Chairman", "King", "Queen", "Emperor")
#: Words that introduce an enumeration of short noun phrases.
LIST_CUES = ("including", "such as", "like", "namely", "areas of", "fields of",
             "framework of", "forms of", "kinds of", "types of")


def pools() -> dict[str, list[Entity]]:
    """The distractor pools a new commentary's facts draw from."""
    return {name: [Entity(e[0], tuple(e[1:])) for e in entries]
            for name, entries in (("country", COUNTRIES), ("organization", ORGANIZATIONS),
                                  ("person", PERSONS))}


# --------------------------------------------------------------------------- years, dates

_DAY_DATE = re.compile(
    rf"\b(?:(?P<m1>{MONTH})\s+(?P<d1>\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?)(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?)\s+(?P<m2>{MONTH})(?:,?\s+(?P<y2>\d{{4}}))?)"
    r"(?![\w-])")
_SAME_YEAR = re.compile(r"\b([Ii]n) the same year\b")


def _event(sentence: str, start: int, end: int) -> str | None:
    """A short description of what happened in the year at [start, end), for timelines."""
    comma = sentence.find(",", end)
    if re.match(r"(?:In|On|At|During|(?:Early|Late|Later) in)\b", sentence) and comma > 0 \
            and "," not in sentence[:start]:
        # "At their summit in Brussels in July 2023, the two sides agreed ...": the event
        # is the main clause, not the opening adverbial.
        before, after = "", sentence[comma + 1:]
    else:
        before, after = sentence[:start], sentence[end:]
    before = re.sub(rf"(?:\b(?:[Ii]n|[Ss]ince|[Oo]f|[Bb]y|[Ff]rom|[Uu]ntil|[Ee]arlier in|"
                    rf"[Ll]ater in)\s+)?(?:{MONTH}\s+)?$", "", before)
    # "... exports in December 2023, allowing ...": the comma still ends the clause.
    joint = ", " if after.lstrip().startswith(",") and before.strip() else " "
    text = (before.rstrip(" ,") + joint + after.lstrip(" ,")).strip()
    text = re.sub(r"\s+", " ", text).strip(" .,;:")
    if len(text.split()) > EVENT_WORDS:  # a trailing clause is no part of the event
        parts = re.split(r"(?<=[,;:])\s+", text)
        text = parts[0]
        for part in parts[1:]:
            if len(text.split()) >= 5:
                break
            text = f"{text} {part}"
        text = text.rstrip(",;:")
    text = re.sub(r"\s+also\b", "", text)
    if _ORDER_CUE.search(text):
        return None  # "X followed", "then Y": the label would give the order away
    words = text.split()
    if not 3 <= len(words) <= EVENT_WORDS:
        return None  # a label cut short reads badly: no timeline item from this sentence
    return text[0].upper() + text[1:]


#: An ordering item's label is at most this many words (a clear short label or none).
EVENT_WORDS = 16
_ORDER_CUE = re.compile(r"\b(?:followed|then|later|subsequently|finally|next|again|already|"
                        r"first|second|third|before|after)\b", re.IGNORECASE)


def _year_candidates(sents: Iterable[Sentence]) -> list[Candidate]:
    out: list[Candidate] = []
    previous: Sentence | None = None
    for sent in sents:
        text = sent.text
        dated = [m.span() for m in _DAY_DATE.finditer(text) if m.group("y1") or m.group("y2")]
        years = [m for m in YEAR.finditer(text)
                 if not any(a <= m.start() < b for a, b in dated)]
        for match in years:
            statement = blank_out(text, *match.span())
            single = len(YEAR.findall(text)) == 1
            clause = None if single else one_event(statement)
            if clause and _leans_on_first_clause(clause, statement):
                clause = None  # its year is then proposed with the sentence's others
            if clause:
                # Two dated events joined in one sentence: ask this one, leave the other
                # (its year and the order) out of the stem; the quote stays whole.
                at = clause.index("{answer}")
                filled = clause.replace("{answer}", match.group(1))
                out.append(Candidate(
                    kind="year", answer=match.group(1), quote=text, rule=ONE_OF_TWO,
                    question=ask_for("year", clause), statement=clause,
                    event=_event(filled, at, at + len(match.group(1))),
                    # Its own clause only: the whole sentence would print the other year.
                    explanation=f"The commentary, in part: “{filled}”"))
                continue
            out.append(Candidate(
                kind="year", answer=match.group(1), quote=text, rule="year",
                question=ask_for("year", statement), statement=statement,
                event=_event(text, *match.span()) if single else None))
        same = _SAME_YEAR.search(text)
        if same and previous is not None and previous.paragraph == sent.paragraph:
            prior = YEAR.findall(previous.text)
            if len(set(prior)) == 1:
                statement = blank_out(text, same.start(), same.end(), f"{same.group(1)} {{answer}}")
                out.append(Candidate(
                    kind="year", answer=prior[0], quote=f"{previous.text} {text}",
                    rule="same-year", question=ask_for("year", statement), statement=statement))
        previous = sent
    return out


def _leans_on_first_clause(clause: str, statement: str) -> bool:
    """Whether a later clause cut from ``statement`` names a thing the clause before it
    introduced: "...shortlisted Japan's Mogami class ...; Canberra chose an upgraded Mogami
    in August ___" (round 17's held-out review: which Mogami?). Countries, organisations,
    months and offices are named everywhere and do not count."""
    core = clause.rstrip(".")[1:]
    at = statement.find(core)
    if at <= 1:
        return False  # the first clause
    before = statement[:at]
    # What the clause does to something: the names after its verb ("chose an upgraded
    # Mogami"), not its subject ("Chile and Peru upgraded ..."); or a bare "it" ("...; in
    # September ___ the government scrapped it", round 21).
    verb = re.search(rf"\b(?:[a-z]+ed|{'|'.join(IRREGULAR)})\b", clause)
    if verb is None:
        return False
    if re.match(r"\s+(?:it|them)\b(?!\s+(?:clear|possible|hard|easier|harder|difficult)\b)",
                clause[verb.end():]):
        return True
    names = set(re.findall(r"\b[A-Z][\w’'-]+", clause[verb.end():])) - set(MONTHS) \
        - {w for m in mentions(clause) for w in clause[m.start:m.end].split()} \
        - {w for role in ROLES for w in role.split()}  # "Prime Minister", "Defence Minister"
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", before) for name in names)


def _date_candidates(sents: Iterable[Sentence]) -> list[Candidate]:
    """Every day-and-month date; its wrong answers are the text's other dates of the same
    shape (a key moved by a week or a month is the one the others match)."""
    found: list[tuple[Sentence, re.Match[str]]] = [
        (sent, match) for sent in sents for match in _DAY_DATE.finditer(sent.text)]

    def shape(match: re.Match[str]) -> tuple[bool, bool]:
        return bool(match.group("m1")), bool(match.group("y1") or match.group("y2"))

    out: list[Candidate] = []
    for sent, match in found:
        answer = match.group(0)
        statement = blank_out(sent.text, *match.span())
        distractors = tuple(dict.fromkeys(
            m.group(0) for _, m in found if shape(m) == shape(match)
            and normalize(m.group(0)) != normalize(answer)))
        aliases = tuple({answer.replace("-", "–"), answer.replace("–", "-")} - {answer})
        out.append(Candidate(kind="date", answer=answer, quote=sent.text, rule="date",
                             importance="detail",
                             question=ask_for("date", statement), statement=statement,
                             distractors=distractors, aliases=aliases))
    return out


# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"(?<![\w.,\-–/$€£%])(\d{1,3}(?:,\d{3})*|\d+)(?![\w\-–/%]|[.,]\d)")


def _number_candidates(sents: Iterable[Sentence]) -> list[Candidate]:
    out: list[Candidate] = []
    for sent in sents:
        text = sent.text
        dates = [m.span() for m in _DAY_DATE.finditer(text)]
        for match in _NUMBER.finditer(text):
            value = match.group(1).replace(",", "")
            if YEAR.fullmatch(value) or any(a <= match.start() < b for a, b in dates):
                continue
            after = text[match.end():]
            before = text[:match.start()]
            counts = re.match(r"\s+[A-Za-z][\w\-’']*", after)
            numbered = re.search(r"\b(?:Article|Section|Chapter|Resolution|Phase|Level|"
                                 r"Paragraph|Rule|Protocol)\s+$", before)
            if not (counts or numbered) or int(value) == 0:
                continue
            statement = blank_out(text, *match.span())
            out.append(Candidate(kind="number", answer=value, quote=text, rule="number",
                                 question=ask_for("number", statement), statement=statement))
    return out


# --------------------------------------------------------------------------- lists

@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name: str
    category: str


def _gazetteer() -> list[tuple[str, str, str]]:
    """(spelling, canonical name, category), longest spellings first."""
    rows = [(spelling, entry[0], category)
            for category, entries in (("country", COUNTRIES), ("organization", ORGANIZATIONS))
            for entry in entries for spelling in entry]
    return sorted(rows, key=lambda r: -len(r[0]))


_GAZETTEER = _gazetteer()


def mentions(text: str) -> list[_Mention]:
    """Countries and organisations named in ``text``, left to right, without overlaps."""
    taken: list[_Mention] = []
    for spelling, name, category in _GAZETTEER:
        pattern = rf"(?<![\w’'-]){re.escape(spelling)}(?![\w-]|’s|'s)"
        for match in re.finditer(pattern, text):
            if any(m.start < match.end() and match.start() < m.end for m in taken):
                continue
            taken.append(_Mention(match.start(), match.end(), name, category))
    return sorted(taken, key=lambda m: m.start)


_SEPARATOR = re.compile(r"^(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?$")
_TWO_ITEM_CUE = re.compile(r"(?:\b(?:with|including|such as|among|both|like|namely)|[(:])"
                           r"\s*(?:the\s+)?$", re.IGNORECASE)


def _entity_list_candidates(sents: Iterable[Sentence]) -> list[Candidate]:
    out: list[Candidate] = []
    for sent in sents:
        text = sent.text
        found = mentions(text)
        runs: list[list[_Mention]] = []
        for mention in found:
            if runs and _SEPARATOR.match(text[runs[-1][-1].end:mention.start]) \
                    and runs[-1][-1].category == mention.category:
                runs[-1].append(mention)
            else:
                runs.append([mention])
        for run in runs:
            names = tuple(dict.fromkeys(m.name for m in run))
            if len(names) < 2:
                continue
            last_gap = text[run[-2].end:run[-1].start]
            if not re.search(r"\b(?:and|or)\b", last_gap):
                continue
            start = run[0].start
            if text[:start].endswith("the "):
                start -= 4
            if len(names) == 2 and not _TWO_ITEM_CUE.search(text[:start]):
                continue
            statement = blank_out(text, start, run[-1].end)
            what = "countries" if run[0].category == "country" else "organisations"
            out.append(Candidate(kind="entity_set", answer=names, quote=text,
                                 rule=f"list of {what}", category=run[0].category,
                                 question=ask_for(what, statement), statement=statement))
    return out


_ITEM = r"[^,;:()\"“”]+"
_LAZY_ITEM = r"[^,;:()\"“”]+?"
_END = (r"(?=\s*[.,;:)]|\s*$|\s+(?:which|that|who|are|is|were|was|will|would|to|in|for|but|as"
        r"|have|has|can|could|should|must)\b)")
_PHRASE_LIST = re.compile(
    r"\b(?P<cue>" + "|".join(re.escape(c) for c in LIST_CUES) + r")\s+"
    rf"(?P<list>(?P<first>{_ITEM})(?:,\s+{_ITEM})*,?\s+(?:and|or)\s+{_LAZY_ITEM}){_END}")


def _phrase_list_candidates(sents: Iterable[Sentence]) -> list[Candidate]:
    found: list[tuple[Sentence, int, int, tuple[str, ...]]] = []
    for sent in sents:
        for match in _PHRASE_LIST.finditer(sent.text):
            parts = [p.strip() for p in match.group("list").split(",")]
            if len(parts) > 1 and re.match(r"(?:and|or)\s+", parts[-1]):
                parts[-1] = re.sub(r"^(?:and|or)\s+", "", parts[-1])
            else:
                *head, tail = re.split(r"\s+(?:and|or)\s+", parts[-1])
                parts[-1:] = [" and ".join(head), tail]
            items = tuple(p for p in (x.strip() for x in parts) if p)
            if len(items) < 2 or any(len(i.split()) > 10 for i in items):
                continue
            if any(mentions(i) for i in items) or any(i[0].isupper() and i.split()[0]
                                                      not in ("NATO",) for i in items[1:]):
                continue  # countries and organisations have their own rule; proper names too
            found.append((sent, match.start("list"), match.end("list"), items))
    out: list[Candidate] = []
    all_items = [i for _, _, _, items in found for i in items]
    for sent, start, end, items in found:
        statement = blank_out(sent.text, start, end)
        keys = {normalize(i) for i in items}
        others = tuple(dict.fromkeys(
            i for i in all_items if normalize(i) not in keys
            and normalize(i) not in normalize(sent.text)))
        out.append(Candidate(kind="entity_set", answer=items, quote=sent.text,
                             rule="list after an enumeration cue", distractors=others,
                             question=ask_for("items", statement), statement=statement))
    return out


# --------------------------------------------------------------------------- people

_NAME = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
_PERSON = re.compile(
    r"\b(?P<role>" + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True))
    + rf")\s+(?P<name>{_NAME}(?:\s+{_NAME}){{0,2}})(?![\w-])")


def _a_name(name: str) -> bool:
    """Whether the words after a role name a person ("Minister of Defence" does not)."""
    return not mentions(name) and name.split()[0] not in ("Of", "The", "To", "For")


def _person_candidates(sents: Iterable[Sentence]) -> list[Candidate]:
    out: list[Candidate] = []
    for sent in sents:
        for match in _PERSON.finditer(sent.text):
            name = match.group("name")
            if not _a_name(name):
                continue
            statement = blank_out(sent.text, *match.span("name"))
            aliases = (surname(name),) if len(name.split()) > 1 else ()
            out.append(Candidate(kind="entity", answer=name, aliases=aliases, quote=sent.text,
                                 importance="detail",
                                 rule=f"person with a role ({match.group('role')})",
                                 category="person", question=ask_for("name", statement),
                                 statement=statement))
    return out


# --------------------------------------------------------------------------- claims

#: Words that mark a claim, a cause or a purpose: what an agreement does and why it matters.
_CLAIM = re.compile(
    r"\b(?:because|therefore|thus|as a result|in order to|so that|aims? to|allows?|"
    r"enables?|will (?:allow|enable|help|strengthen|give|let)|is (?:essential|crucial|vital|"
    r"central|key)|(?:most|more) important|I (?:believe|argue|think)|should|must|"
    r"signals?|reflects?|means that)\b", re.IGNORECASE)


def _claim_candidates(sents: Sequence[Sentence]) -> list[Candidate]:
    """A claim, a cause or a purpose, proposed for the instructor to phrase: no rule can
    write its question and plausible wrong answers, so it is never asked as it stands."""
    out: list[Candidate] = []
    for sent in sents:
        if _CLAIM.search(sent.text) and len(sent.text.split()) >= 8:
            out.append(Candidate(
                kind="statement", answer=sent.text, quote=sent.text, rule="claim or cause",
                question="", statement="{answer}", importance="core",
                needs="A claim or cause of the author: write a question, its answer and "
                      "three wrong answers a student who skimmed would believe."))
    return out


# --------------------------------------------------------------------------- all rules

RULES = (_year_candidates, _date_candidates, _number_candidates, acronym_candidates,
         _entity_list_candidates, _phrase_list_candidates, _person_candidates,
         _claim_candidates)


_PAIR = PAIR_REFERENCE


def _pairs(sents: Sequence[Sentence], first: tuple[str, str] | None = None
           ) -> dict[str, str]:
    """For each sentence, the two parties "both countries" or "the two governments" in it
    most likely means: the nearest "A and B" of two countries or organisations earlier in
    its paragraph, or else ``first`` (the title's pair), or else the text's first pair if it
    came before (never one named later: round 14's "Russia and China" taken for Australia
    and NATO). A sentence that names a party before
    its reference ("Gillard and NATO's Secretary General signed ..., and in 2013 the two
    sides agreed") means the parties of that sentence: the pair is kept only if it holds each
    party so named. Otherwise the reference stays for the instructor to resolve."""
    out: dict[str, str] = {}
    last: tuple[str, str] | None = None
    paragraph = None
    read = ""  # the paragraph so far
    for sent in sents:
        if sent.paragraph != paragraph:
            last, paragraph, read = first, sent.paragraph, ""
        reference = _PAIR.search(sent.text)
        named_before = {m.name for m in mentions(sent.text[:reference.start()])} \
            if reference else set()
        # A pair from outside the paragraph only if the paragraph has named both, or one and
        # no other party: "The NATO track began ... the two sides adopted an ITPP" (Japan
        # and NATO) is no "Japan and Belgium" from the title (round 57: a wrong key).
        so_far = read + sent.text[:reference.start()] if reference else ""
        known = last is not first or bool(last and _pair_fits(last, so_far))
        # "both Nordic states" says which two; an earlier pair would replace it with others.
        if known and last and named_before <= set(last) \
                and not (reference and reference["adjective"]):
            out.setdefault(sent.text, f"{in_sentence(last[0])} and {in_sentence(last[1])}")
        read += sent.text + " "
        last = _pair_in(sent.text, last)
        first = first or last
    return out


#: Other words a text calls a party by: its people or its capital (not a capital that hosts
#: others' summits and headquarters: Brussels, Vilnius, Madrid, Washington ...).
_ALSO_CALLED = {
    "Japan": ("Tokyo", "Japanese"), "South Korea": ("Seoul", "Korean"),
    "Canada": ("Ottawa", "Canadian"), "Australia": ("Canberra", "Australian"),
    "New Zealand": ("Wellington",), "India": ("New Delhi", "Delhi", "Indian"),
    "Poland": ("Warsaw", "Polish"), "Philippines": ("Manila", "Filipino", "Philippine"),
    "France": ("French",), "Germany": ("German",), "Italy": ("Italian",),
    "United Kingdom": ("British",), "United States": ("American",), "Belgium": ("Belgian",),
    "Sweden": ("Stockholm", "Swedish"), "Finland": ("Helsinki", "Finnish"),
    "Norway": ("Oslo", "Norwegian"), "Denmark": ("Copenhagen", "Danish"),
    "Netherlands": ("Dutch",), "Spain": ("Spanish",), "Portugal": ("Portuguese",),
    "Greece": ("Athens", "Greek"), "Czechia": ("Prague", "Czech"), "Romania": ("Bucharest",
                                                                              "Romanian"),
    "Lithuania": ("Lithuanian",), "Latvia": ("Riga", "Latvian"), "Estonia": ("Tallinn",
                                                                              "Estonian"),
    "Turkey": ("Ankara", "Turkish"), "Ukraine": ("Kyiv", "Ukrainian"),
    "NATO": ("Alliance", "Allied", "allies"), "European Union": ("European",),
}


def _party_named(name: str, text: str) -> bool:
    """Whether ``text`` names the party ``name``, by any spelling, its people or capital."""
    spellings = next((e for e in (*COUNTRIES, *ORGANIZATIONS) if e[0] == name), (name,))
    return any(re.search(rf"(?<![\w’'-]){re.escape(w)}(?![\w-])", text)
               for w in (*spellings, *_ALSO_CALLED.get(name, ())))


def _pair_fits(pair: tuple[str, str], text: str) -> bool:
    """Whether ``text`` (a paragraph up to "the two sides") may mean ``pair``: it names both
    parties, or one of them and no other country or organisation."""
    named = [_party_named(p, text) for p in pair]
    others = {m.name for m in mentions(text)} - set(pair)
    return all(named) or (any(named) and not others)


#: Between the two parties of a pair: "Canada and Japan"; in a title also "NATO–Australia".
_AND = (" and ", " and the ")
_TITLE_DASH = ("–", "—", " – ", " — ")


def _pair_in(text: str, last: tuple[str, str] | None = None,
             separators: tuple[str, ...] = _AND, title: bool = False
             ) -> tuple[str, str] | None:
    """The last "A and B" of two countries or organisations in ``text`` (else ``last``),
    not one that a preposition makes the object of another's act ("Italy and Japan share
    worries about China and Russia": the two countries after it are Italy and Japan),
    except in a ``title`` ("Taking Stock of the NATO–Norway Relationship")."""
    found = mentions(text)
    subject = objects = None
    for a, b in zip(found, found[1:], strict=False):
        if text[a.end:b.start] in separators and a.name != b.name:
            if title or not _OBJECT_OF.search(text[:a.start]):
                subject = (a.name, b.name)
            else:
                objects = (a.name, b.name)
    if subject:
        return subject
    # Only a pair after a preposition ("the leaders of Japan and India met"): it may be the
    # pair meant next, or not; an older pair would be a guess (the independent review).
    return None if objects else last


_OBJECT_OF = re.compile(r"\b(?:about|against|over|from|toward|towards|on|of|at|by|"
                        r"with|among|like|than)\s+(?:the\s+)?$", re.IGNORECASE)


def title_pair(text: str) -> tuple[str, str] | None:
    """The two parties the commentary's title (what precedes its body) names, if any."""
    head = text[:body_span(text)[0]]
    return next((p for line in head.splitlines()
                 if (p := _pair_in(line, separators=_AND + _TITLE_DASH, title=True))), None)


def _resolve_pair(candidate: Candidate, pairs: dict[str, str]) -> Candidate:
    """Say whom "both countries" or "the two governments" are in the question we write
    (the quote stays verbatim)."""
    pair = next((p for text, p in pairs.items() if candidate.quote.endswith(text)), None)
    if pair is None:
        return candidate

    def named(match: re.Match[str]) -> str:  # "The two sides held": "The European Union"
        return pair[:1].upper() + pair[1:] if match.group(0)[:1].isupper() else pair

    def resolve(text: str | None) -> str | None:
        return _PAIR.sub(named, text) if text else text

    return replace(candidate, question=resolve(candidate.question) or "",
                   statement=resolve(candidate.statement) or "", event=resolve(candidate.event))


def _resolve_kind(candidate: Candidate, earlier: list[str]) -> Candidate:
    """Say which programme "the programme" is in the question we write (the quote stays
    verbatim): the one so named in the nearest earlier sentence of the paragraph."""
    def resolve(text: str | None) -> str | None:
        return resolve_definite(text, earlier) if text else text

    return replace(candidate, question=resolve(candidate.question) or "",
                   statement=resolve(candidate.statement) or "", event=resolve(candidate.event))


#: Longer "sentences" are no prose (a list or table run together); no rule reads them, so
#: each rule's work per sentence is bounded and the whole extraction grows with the text.
MAX_SENTENCE_CHARS = 1500
#: How many sentences back a definite phrase ("the line") is read as pointing.
ANAPHOR_REACH = 4


class ExtractionTooSlow(Exception):
    """The extraction ran past its deadline; nothing was extracted."""


def _until(sents: Sequence[Sentence], deadline: float | None) -> Iterator[Sentence]:
    for sent in sents:
        if deadline is not None and time.monotonic() >= deadline:
            raise ExtractionTooSlow
        yield sent


def extract(text: str, deadline: float | None = None) -> list[Candidate]:
    """Find candidate facts in a commentary, each once (a repeated paragraph adds nothing).

    ``deadline`` (``time.monotonic()``): raise ExtractionTooSlow when it passes.
    """
    start, end = body_span(text)
    # Page leftovers (bylines, captions) and headings are not sentences to quote.
    sents = [s for s in sentences(text) if start <= s.start < end and not is_line_heading(
        text, s)]
    seen: set[tuple[str, str, str]] = set()
    unique: list[Sentence] = []
    texts: set[str] = set()
    for sent in sents:
        if sent.text not in texts and len(sent.text) <= MAX_SENTENCE_CHARS:
            texts.add(sent.text)
            unique.append(sent)
    out: list[Candidate] = []
    pairs = _pairs(unique, title_pair(text))
    people = people_named(text, ((m.group("role"), m.group("name"))
                                 for m in _PERSON.finditer(text) if _a_name(m.group("name"))),
                          PERSONS)
    # The text's lower-case words: a capitalised word among them is no name.
    common = set(re.findall(r"\b[a-z][a-z’'-]+\b", text))
    previous = {b.text: a.text for a, b in zip(unique, unique[1:], strict=False)
                if a.paragraph == b.paragraph}
    earlier: dict[str, list[str]] = {}
    for a, b in zip(unique, unique[1:], strict=False):  # nearest first, in the paragraph
        if a.paragraph == b.paragraph:
            earlier[b.text] = [a.text, *earlier.get(a.text, [])]
    for rule in RULES:
        for candidate in rule(_until(unique, deadline)):
            candidate = resolve_person(_resolve_pair(candidate, pairs), previous, list(people))
            candidate = full_names(candidate, list(people), common, text)
            candidate = _resolve_kind(candidate, earlier.get(candidate.quote, []))
            key = candidate.key()
            if candidate.kind in ("entity_set", "acronym"):
                key = key[:2]  # the same list or acronym again is the same fact
            if key not in seen:
                seen.add(key)
                out.append(candidate)
    # What a lifted sentence may point back at: the few sentences before it.
    before = {b.text: " ".join(s.text for s in unique[max(0, i - ANAPHOR_REACH):i])
              for i, b in enumerate(unique)}
    return who_instead(gate(sorted(out, key=lambda c: text.find(c.quote)), before, common),
                       people, countries_of(text, people))


