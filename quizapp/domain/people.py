"""The people an imported text names: who "he" is in a lifted sentence, and a "who" item
in place of a typed year whose sentence a named person acts in (round 12: every question
of an imported text asked when)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from .candidates import Candidate
from .references import pronoun_subject
from .sentences import cloze
from .text import MONTHS

#: Office and country of the well-known people in the distractor pool (by last name): a
#: "who" item offers only people of the key's office and country ("Prime Minister ___" is
#: no NATO chief, and a Japanese prime minister's options are no Vietnamese ones).
POOL_ROLES = {
    **{last: ("Prime Minister", "Japan") for last in (
        "Abe", "Kishida", "Suga", "Koizumi", "Ishiba", "Mori", "Fukuda", "Aso", "Hatoyama",
        "Noda")},
    "Sunak": ("Prime Minister", "United Kingdom"), "Albanese": ("Prime Minister", "Australia"),
    **{last: ("Secretary-General", "NATO") for last in (
        "Rasmussen", "Stoltenberg", "Rutte", "Scheffer")},
    "Biden": ("President", "United States"), "Macron": ("President", "France"),
    "Yoon": ("President", "South Korea"), "Zelensky": ("President", "Ukraine"),
    "Xi": ("President", "China"), "Putin": ("President", "Russia"),
    "Scholz": ("Chancellor", "Germany"),
}
#: What a text writes before an office to say whose it is ("Japanese Prime Minister ...",
#: "Japan's Prime Minister ..."): the country for each adjective.
DEMONYMS = {
    "Japanese": "Japan", "Vietnamese": "Vietnam", "Indian": "India", "Australian": "Australia",
    "British": "United Kingdom", "French": "France", "Italian": "Italy", "Dutch":
    "Netherlands", "German": "Germany", "Polish": "Poland", "Korean": "South Korea",
    "South Korean": "South Korea", "Chinese": "China", "American": "United States",
    "Indonesian": "Indonesia", "Philippine": "Philippines", "Filipino": "Philippines",
    "Swedish": "Sweden", "Finnish": "Finland", "Canadian": "Canada", "Estonian": "Estonia",
    "Latvian": "Latvia", "Lithuanian": "Lithuania", "Russian": "Russia", "Ukrainian":
    "Ukraine", "Norwegian": "Norway", "Danish": "Denmark", "Spanish": "Spain",
}
#: A "who" item needs this many other people of the key's office (its wrong options).
WHO_OPTIONS = 3


#: Generational suffixes, no last name: "Ferdinand Marcos Jr" is Marcos (round 64: "Jr"
#: as a last name made "Marcos" another person, and a wrong option of his own question).
_SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"}


def surname(name: str) -> str:
    """A person's last name, past any generational suffix ("Ferdinand Marcos Jr": Marcos)."""
    words = name.split()
    while len(words) > 1 and words[-1].rstrip(",") in _SUFFIXES:
        words.pop()
    return words[-1].rstrip(",") if words else name


def people_named(text: str, with_role: Iterable[tuple[str, str]],
                 pool: Iterable[tuple[str, ...]]) -> dict[str, str]:
    """Every spelling of a person ``text`` names (with a role, or from the pool of
    well-known names, and each by last name alone) → that person's office ("" unknown),
    longest spellings first."""
    found: dict[str, str] = {}
    for role, name in with_role:
        found.setdefault(name, role.replace("Secretary General", "Secretary-General"))
    for entry in pool:
        for spelling in entry:
            if _names(text, spelling):
                found.setdefault(spelling, POOL_ROLES.get(surname(entry[0]), ("", ""))[0])
    for name, role in list(found.items()):
        found.setdefault(surname(name), role)
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))


def _names(sentence: str, spelling: str) -> bool:
    return bool(re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", sentence))


#: Countries a text may write in the possessive before an office ("Japan's Prime Minister").
COUNTRY_NAMES = {**{c: c for c in DEMONYMS.values()}, "Britain": "United Kingdom",
                 "the United Kingdom": "United Kingdom", "the United States": "United States",
                 "the Netherlands": "Netherlands", "the Philippines": "Philippines"}
_OWNER = re.compile(
    r"\b(?:(?P<adj>" + "|".join(re.escape(w) for w in sorted(DEMONYMS, key=len, reverse=True))
    + r")|(?P<country>" + "|".join(re.escape(c) for c in sorted(COUNTRY_NAMES, key=len,
                                                              reverse=True))
    + r")[’']s)\s+(?=[A-Z])")
#: An office before a name is at most this many capitalised words ("Prime Minister").
_OFFICE_WORDS = 3


def countries_of(text: str, people: Iterable[str]) -> dict[str, str]:
    """Each person's country by last name, where it is known: from the pool, or from what
    the text writes before the office ("Vietnamese Prime Minister Pham Minh Chinh",
    "Japan's Prime Minister Fumio Kishida"). A person the text gives two countries has none.
    One pass over the text, whatever the number of people (an import has a deadline)."""
    names = set(people)
    found: dict[str, set[str]] = {}
    for name in names:
        last = surname(name)
        if last in POOL_ROLES:
            found.setdefault(last, set()).add(POOL_ROLES[last][1])
    longest = max((len(n.split()) for n in names), default=0)
    for match in _OWNER.finditer(text):
        country = DEMONYMS.get(match["adj"] or "") or COUNTRY_NAMES[match["country"]]
        words = re.findall(r"[\w’'-]+", text[match.end():match.end() + 200])
        for office in range(1, _OFFICE_WORDS + 1):
            if not all(w[:1].isupper() for w in words[:office]):
                break
            name = next((" ".join(words[office:office + n]) for n in range(longest, 0, -1)
                         if " ".join(words[office:office + n]) in names), None)
            if name:
                found.setdefault(surname(name), set()).add(country)
                break
    return {last: next(iter(c)) for last, c in found.items() if len(c) == 1}


def person_in(sentence: str, people: Sequence[str]) -> str | None:
    """The one person ``sentence`` names (None when it names none or several)."""
    named: dict[str, str] = {}
    for spelling in people:
        if _names(sentence, spelling):
            named.setdefault(surname(spelling), spelling)
    return next(iter(named.values())) if len(named) == 1 else None


def resolve_person(candidate: Candidate, previous: dict[str, str],
                   people: Sequence[str]) -> Candidate:
    """"In August 2007 he addressed ...": "he" or "she" made the one person the previous
    sentence of the paragraph names ("Abe was the idea's most articulate champion"); when
    it names none or several, the pronoun stays and the gate proposes the sentence."""
    pronoun = pronoun_subject(candidate.statement) if candidate.statement else None
    before = previous.get(candidate.quote)
    if pronoun not in ("he", "she", "He", "She") or before is None:
        return candidate
    person = person_in(before, people)
    if person is None or _names(candidate.quote, person):
        return candidate

    def named(text: str | None) -> str | None:
        return re.sub(rf"\b{pronoun}\b", person, text, count=1) if text else text

    return replace(candidate, statement=named(candidate.statement) or "",
                   question=named(candidate.question) or "", event=named(candidate.event))


def full_names(candidate: Candidate, people: Sequence[str],
               common: Collection[str] = (), text: str = "") -> Candidate:
    """A person the stem calls by last name alone ("In ___ Dung and Tony Abbott announced
    ...", round 30's held-out review: who is Dung?) given the full name the text uses
    elsewhere (the quote stays verbatim). Only where it can be no one else: not a last name
    two people share or ``text`` also writes after another first name ("Yohei Kono" beside
    "Taro Kono"), not one beside another capitalised word ("the Kono Statement", "Pierre
    Trudeau", "Resolution 1718"), not a month ("May"), a word the text also writes in lower
    case or a word that names documents and bodies."""
    by_last: dict[str, list[str]] = {}
    for spelling in people:
        if len(spelling.split()) > 1:
            by_last.setdefault(surname(spelling), []).append(spelling)
    others = {m.group(1) for m in re.finditer(r"\b([A-Z][\w’'.-]*\s+[A-Z][\w’'-]*)", text)}

    def unique(last: str, spellings: list[str]) -> str | None:
        full = max(spellings, key=len)
        if any(s not in full for s in spellings) or last in _MONTHS \
                or last.lower() in common or last in _NOT_SURNAMES:
            return None
        firsts = {o for o in others if surname(o) == last and o.split()[0] not in _TITLES
                  and not any(o in s for s in spellings)}
        return None if firsts else full

    def named(stem: str | None) -> str | None:
        for last, spellings in by_last.items():
            full = unique(last, spellings)
            if not stem or full is None or any(s in stem for s in spellings):
                continue
            bare = re.search(rf"(?<![\w’'-]){re.escape(last)}(?![\w’'-])", stem)
            if bare is None or re.search(r"[A-Z][\w’'.-]*\s+$", stem[:bare.start()]) \
                    or re.match(r"(?:['’]s)?\s+(?:[A-Z]|\d)", stem[bare.end():]):
                continue  # "Pierre Trudeau", "the Kono Statement", "Resolution 1718"
            partner = re.search(r"(?<![A-Z][\w’'.-] )\b([A-Z][\w’'-]+)\s+and\s+$",
                                stem[:bare.start()]) \
                or re.match(r"\s+and\s+([A-Z][\w’'-]+)\b(?!\s+[A-Z])", stem[bare.end():])
            if partner and partner.group(1) not in _TITLES \
                    and (partner.group(1) not in by_last
                         or unique(partner.group(1), by_last[partner.group(1)]) is None):
                continue  # "Howard and Abe", not "Howard and Shinzo Abe" (round 46)
            stem = f"{stem[:bare.start()]}{full}{stem[bare.end():]}"
        return stem

    return replace(candidate, statement=named(candidate.statement) or "",
                   question=named(candidate.question) or "", event=named(candidate.event))


#: Words before a last name that are no first name ("Prime Minister Abe", "When Abe").
_TITLES = {"Minister", "President", "Premier", "Chancellor", "Secretary", "General",
           "Ambassador", "Prime", "Mr", "Mrs", "Ms", "Dr", "Emperor", "King", "Queen",
           "Prince", "Princess", "Admiral", "Senator", "Governor", "Chairman", "Leader",
           "The", "In", "On", "At", "When", "After", "Before", "Under", "By", "For", "With",
           "And", "But", "As", "Since", "While", "Then", "That", "This", "Both", "Neither"}
#: Capitalised words a role regex can mistake for a person's last name ("General Assembly
#: Resolution 2758": "Resolution").
_NOT_SURNAMES = {"Resolution", "Assembly", "Council", "Statement", "Doctrine", "Declaration",
                 "Agreement", "Treaty", "Act", "Programme", "Program", "Initiative", "Plan",
                 "Strategy", "Summit", "Conference", "Committee", "Commission", "Court",
                 "Office", "Ministry", "Forces", "Force", "Staff", "Affairs", "Secretariat"}


_MONTHS = set(MONTHS)


#: The subject of a dated sentence, after its leading date (and an aside): "In August
#: {answer} Abe addressed", "Prime Minister Fumio Kishida chose New Delhi in March {answer}".
_SUBJECT = re.compile(r"^(?:(?:In|On|During|At|By)\b[^,;]*?\{answer\},?\s+(?:at\s[^,;]*,\s+)?)?"
                      r"(?:(?P<role>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\s+)??(?P<name>[A-Z][\w’'-]*"
                      r"(?:\s+[A-Z][\w’'-]*){0,2})\s+(?P<verb>[a-z]+)\b")


def who_instead(candidates: list[Candidate], people: dict[str, str],
                countries: dict[str, str] | None = None) -> list[Candidate]:
    """A typed year becomes a "who" item where a named person is the sentence's subject,
    its quote names them, no other stem does, and the text names three more of that
    person's office: the year shown, the person blanked, the others as wrong options
    ("In March 2023 Prime Minister _____ chose New Delhi ..."; Shinzo Abe, Yoshiro Mori,
    Junichiro Koizumi). Where ``countries`` (by last name) knows the key's country, the
    options are people it knows of that country. One per person."""
    full = {}
    for spelling, role in people.items():
        full.setdefault(surname(spelling), (spelling, role))  # longest spelling first
    # A person another question's stem names would be given away there (the key of
    # one question printed in another's stem), so such a person is no "who" key.
    stems = [c.statement for c in candidates if not c.needs and c.statement != "{answer}"]
    asked = {last for last in full if sum(_names(s, last) for s in stems) > 1}
    out: list[Candidate] = []
    for candidate in candidates:
        who = _who(candidate, full, asked, countries or {})
        if who:
            asked.add(surname(who.answer_text))
        out.append(who or candidate)
    return out


def _who(candidate: Candidate, full: dict[str, tuple[str, str]],
         asked: set[str], countries: dict[str, str]) -> Candidate | None:
    if candidate.kind != "year" or candidate.needs or candidate.forms != ("short",):
        return None
    match = _SUBJECT.match(candidate.statement)
    if not match or not re.fullmatch(r"[a-z]+ed|" + "|".join(_PAST), match.group("verb")):
        return None
    last = surname(match.group("name"))
    if last not in full or last in asked or surname(full[last][0]) != last \
            or match.group("name") not in full[last][0] or not _names(candidate.quote, last):
        return None  # (a quote saying "he" would not tell the student who it was)
    key, role = full[last]
    holders = [other for other, (_, office) in full.items() if role and office == role]
    if last not in countries and any(other in countries for other in holders):
        return None  # offices of two countries, and the key's unknown
    others = [full[other][0] for other in holders
              if other != last and countries.get(other) == countries.get(last)]
    if len(others) < WHO_OPTIONS:
        return None
    statement = _fill_year(candidate.statement, match, str(candidate.answer))
    return replace(candidate, kind="entity", answer=key, category="person",
                   aliases=(last,) if key != last else (), distractors=tuple(others),
                   forms=("mcq",), statement=statement, event=None,
                   question=f"Fill in the blank with the right name: {cloze(statement)}",
                   rule="person of a dated event")


def _fill_year(statement: str, match: re.Match[str], year: str) -> str:
    """The statement with the year written in and the person blanked."""
    return (statement[:match.start("name")] + "\0" + statement[match.end("name"):]) \
        .replace("{answer}", year).replace("\0", "{answer}")


#: Irregular past forms a "who" sentence's verb may take ("Kishida chose New Delhi").
_PAST = ("chose", "set", "made", "led", "met", "gave", "took", "held", "became", "began",
         "went", "came", "sent", "told", "wrote", "spoke", "won", "saw")
