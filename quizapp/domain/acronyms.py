"""Acronym candidates of an imported commentary: "Long Form (ACR)" and "ACR (Long Form)",
the long form found by the Schwartz-Hearst letter-matching algorithm, and what the
sentence says the body or programme does (its ``role``, to match it by)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .candidates import Candidate
from .sentences import YEAR, Sentence
from .text import MONTHS, normalize
from .yearblanks import IRREGULAR as _PAST

_SHORT = re.compile(r"^[A-Za-z][A-Za-z0-9&\-]{1,11}$")


def _is_short_form(token: str) -> bool:
    return bool(_SHORT.match(token)) and sum(c.isupper() for c in token) >= 2 \
        and token[0].isalnum() and len(token.split()) == 1


def best_long_form(short: str, long: str) -> str | None:
    """Schwartz & Hearst (2003): the shortest tail of ``long`` whose letters spell ``short``."""
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = max(long.rfind(" ", 0, i + 1), long.rfind("\"", 0, i + 1),
                long.rfind("“", 0, i + 1)) + 1
    found = long[start:].strip(" \"“”'‘’,")
    # "Acquisition and Cross-Servicing Agreement (ACSA)": the shortest match starts at
    # "and"; a long form does not start with a function word when the word before it
    # carries the acronym's first letter.
    before = long[:start].split()
    while found and found.split()[0].lower() in _FUNCTION_WORDS and before \
            and before[-1][:1].lower() == short[:1].lower():
        found = f"{before.pop()} {found}"
    return found or None


_FUNCTION_WORDS = {"and", "of", "for", "the", "on", "in", "to", "a", "an", "with", "at", "by"}


def _plausible_expansion(short: str, long: str | None) -> bool:
    if not long or long.lower() == short.lower():
        return False
    words = long.split()
    if words[0].lower() in _FUNCTION_WORDS:
        return False
    letters = sum(c.isalnum() for c in short)
    return 2 <= len(words) <= min(letters + 5, letters * 2) and short.lower() not in long.lower()


def acronym_candidates(sents: Iterable[Sentence]) -> list[Candidate]:
    found: list[tuple[str, str, str, str]] = []  # term, expansion, quote, rule
    for sent in sents:
        text = sent.text
        for match in re.finditer(r"\(([^()]{2,120})\)", text):
            inside = match.group(1).strip()
            before = text[:match.start()].rstrip()
            if _is_short_form(inside):
                letters = sum(c.isalnum() for c in inside)
                window = " ".join(before.split()[-min(letters + 5, letters * 2):])
                long = best_long_form(inside, window)
                if _plausible_expansion(inside, long):
                    found.append((inside, long, text, "long-form (ACR)"))
            else:
                token = re.search(r"([A-Za-z][A-Za-z0-9&\-]{1,11})$", before)
                if token and _is_short_form(token.group(1)):
                    long = best_long_form(token.group(1), inside)
                    if long == inside and _plausible_expansion(token.group(1), long):
                        found.append((token.group(1), long, text, "ACR (long form)"))
    out: list[Candidate] = []
    expansions = list(dict.fromkeys(long for _, long, _, _ in found))
    for term, long, quote, rule in found:
        statement = f"{term} stands for {{answer}}."
        others = tuple(e for e in expansions if normalize(e) != normalize(long))
        role = acronym_role(quote, term, long)
        out.append(Candidate(kind="acronym", answer=long, term=term, quote=quote, rule=rule,
                             importance="supporting" if role else "detail", role=role,
                             question=f"What does {term} stand for?", statement=statement,
                             distractors=others,
                             explanation=f"The commentary writes {term} for “{long}”."))
    return out


_ROLE_WORDS = (3, 18)
#: Present-tense verbs a role may open with ("remains largely closed to ...").
_PRESENT = re.compile(r"^(?:is|remains|has|covers|creates|gives|allows|lets|provides|"
                      r"includes|aims|seeks|sets|links|connects|commits|opens)\b")


#: A body named second in a compound subject shares its predicate with the first, and the
#: predicate agrees with both ("... and JICA became key sources of training", round 19).
_SHARED_PREDICATE = re.compile(r"\band\s+(?:the\s+)?$")
#: A predicate that compares with something said elsewhere (round 19: "offered an
#: alternative model"): no description to match by.
_LEANING_ROLE = re.compile(r"\b(?:alternative|similar|such|same|another|further|these|those|"
                           r"them|likewise)\b|\bthat\s+(?:year|month|week|day|spring|summer|"
                           r"autumn|fall|winter|" + "|".join(MONTHS) + r")\b", re.IGNORECASE)
#: An appositive headed by one of these says what an event was, not what the body is
#: ("... (SOVFA), the moment drew less attention ...", "membership of the OECD (OECD), an
#: ambition that anchors ...", round 56's texts).
_EVENT_HEADS = {"moment", "time", "day", "year", "ambition", "goal", "aim", "step", "move",
                "decision", "milestone", "event", "occasion", "episode", "achievement",
                "success", "setback", "turning", "culmination", "result", "outcome"}


#: A name after a preposition is no subject: the verb after it is another's ("a tribunal
#: constituted under the United Nations Convention on the Law of the Sea (UNCLOS) rejected
#: ...", round 56: the ruling was given to the convention).
_OBJECT_OF = re.compile(r"\b(?:under|of|by|in|with|to|from|within|through|for|on|at|via|"
                        r"into|against|between|among|beyond|outside|inside)\s+(?:the\s+)?$")


def _opens_with_verb(clause: str) -> bool:
    first = clause.split()[0].lower() if clause.split() else ""
    return first.endswith("ed") or first in _PAST or bool(_PRESENT.match(first))


def acronym_role(sentence: str, term: str, long: str) -> str | None:
    """What the sentence says the acronym's body or programme does, in its own words, to
    match the acronym against (never its spelled-out name, whose nouns would pair it up):
    the predicate after "Long Form (ACR)" ("... (EDF) remains largely closed to firms from
    outside the Union"), past an aside (", signed in July 2018 and ..., created ..."), or
    an appositive ("... (SDP), the first such partnership ..."). None when the sentence
    says nothing that plain, names a year (a timeline's business) or repeats the name."""
    at = sentence.find(f"{long} ({term})")
    if at < 0 or _SHARED_PREDICATE.search(sentence[:at]):
        return None  # "the JCG and the Japan International Cooperation Agency (JICA) became"
    after = sentence[at + len(long) + len(term) + 3:]
    role = None
    apposition = re.match(r",\s+((?:the|a|an)\s+[^,;:.()]+)[,.]", after)
    if apposition:
        head = apposition.group(1).split()
        role = None if len(head) > 1 and head[1].lower() in _EVENT_HEADS else apposition.group(1)
    else:
        aside = re.match(r",[^,]*,\s*", after)
        rest = after[aside.end():] if aside else after.lstrip()
        clause = re.split(r"[;:]|,\s+(?:and|but|while|which|although)\b|\.\s*$", rest)[0]
        relative = re.match(r",\s+which\s+([^;:]+?)\.?$", after)
        if _opens_with_verb(clause) and not _OBJECT_OF.search(sentence[:at]):
            role = clause
        elif relative and _opens_with_verb(relative.group(1)):
            role = relative.group(1)  # "(ACSA), which lets their forces exchange ..."
    if role is None:
        return None
    role = role.strip().rstrip(".,")
    if _LEANING_ROLE.search(role):
        return None  # "offered an alternative model" (to what?)
    words = role.split()
    if not _ROLE_WORDS[0] <= len(words) <= _ROLE_WORDS[1] or YEAR.search(role) \
            or {w.lower().strip(",") for w in words} & {w.lower() for w in long.split()
                                                        if len(w) > 3}:
        return None
    return role
