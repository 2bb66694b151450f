"""Lints on the kind of a key or an option, apart from ``quality`` (which is near its
size limit): a typed key that is a description, an option of another kind of thing."""

from __future__ import annotations

from collections import Counter
from typing import Any

#: Words a name may hold in lower case ("Republic of Korea", "Minister for Defence").
_NAME_JOINERS = {"of", "and", "the", "for", "in", "on", "to", "de", "du", "la", "von"}
#: A typed key of this many words or more, one of them a common word, is a description.
DESCRIPTION_WORDS = 3
#: Options this short are noun phrases whose last word is their head noun.
_PHRASE_WORDS = 6


def descriptive_typed_key(question: dict[str, Any]) -> list[str]:
    """A typed answer that describes (round 12: "Self Defense Force officers", flagged four
    rounds running: a reader types "SDF officer", "JSDF officers", "Self-Defense Forces
    personnel", and no list of spellings holds them all). A name, number or acronym is
    typed; a description is chosen."""
    if question["type"] != "short":
        return []
    words = str(question["answer"]).split()
    common = [w for w in words if w[:1].islower() and w not in _NAME_JOINERS]
    if len(words) >= DESCRIPTION_WORDS and common:
        return [f"{question['id']}: a typed key that is a description ({common} are common "
                "words): ask it chosen, not typed"]
    return []


def _head(text: str) -> str | None:
    words = text.split()
    last = words[-1].strip(".,;:") if words else ""
    if 2 <= len(words) <= _PHRASE_WORDS and last.isalpha() and last.islower():
        return last
    return None


def odd_head_noun(question: dict[str, Any]) -> list[str]:
    """One option a different kind of thing from the rest: every other short noun phrase
    ends in one head noun that it lacks (round 12: "a next-generation air-defense missile"
    among three "next-generation ... aircraft"; common sense strikes it out)."""
    if question["type"] not in ("mcq", "multi"):
        return []
    texts = [c["text"] for c in question.get("choices", [])]
    heads = [_head(t) for t in texts]
    if len(texts) < 4 or None in heads:
        return []
    noun, shared = Counter(heads).most_common(1)[0]
    if shared != len(texts) - 1:
        return []
    odd = next(t for t, h in zip(texts, heads, strict=True) if h != noun)
    return [f"{question['id']}: the option {odd!r} alone is no {noun!r} (a different kind "
            "of thing from the other options)"]
