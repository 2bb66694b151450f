"""Which dated events one ordering item may hold: one right order, and labels that do not
give the order away."""

from __future__ import annotations

import re

from .facts import Fact


def years_in(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text)}


def dated_alike(a: Fact, b: Fact) -> bool:
    """Two events a reader could date to the same year: the same year, or the year of one
    named in the other's sentence ("revised in 2018 and 2020" beside a 2018 event)."""
    years_a, years_b = years_in(a.quote) | {int(a.answer)}, years_in(b.quote) | {int(b.answer)}
    return int(a.answer) in years_b or int(b.answer) in years_a


def events_clash(a: Fact, b: Fact) -> bool:
    """Datable to one year (no single right order), one series ("IPCP agreed", "IPCP
    revised"), or labels naming one thing ("17 months earlier than the Vilnius summit"
    beside the Vilnius summit): their wording gives the order away."""
    return (dated_alike(a, b) or a.id.split("-")[0] == b.id.split("-")[0]
            or bool(label_names(a.event) & label_names(b.event))
            or _misdatable(a, b) or _misdatable(b, a))


def _misdatable(a: Fact, b: Fact) -> bool:
    """``b`` falls between ``a``'s year and an earlier one its fact excludes as a reader's
    likely misdating (Russia's aggression, 2022, read as 2014): the order would turn on
    it, so the label need not date itself ("17 months earlier than ...")."""
    if not (a.kind == b.kind == "year" and str(a.answer).isdigit()
            and str(b.answer).isdigit()):
        return False
    year, other = int(a.answer), int(b.answer)
    return any(int(y) <= other < year for y in a.exclude if y.isdigit() and int(y) < year)


#: Names every label of the seed's timelines shares: no cue between two of them.
_EVERY_LABEL = {"Japan", "Japan's", "Japan’s", "NATO", "The", "A", "An"}


def label_names(label: str | None) -> set[str]:
    """The capitalised words of a timeline label (its names), but for the protagonists."""
    return {w for w in re.findall(r"[A-Z][\w’'-]*", label or "")} - _EVERY_LABEL
