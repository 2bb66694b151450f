"""Text normalisation shared by answer checking and distractor rules."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# British and American spellings both count; the commentary mixes them.
_SPELLINGS = {
    "defence": "defense",
    "centre": "center",
    "programme": "program",
    "programmes": "programs",
    "organisation": "organization",
    "organisations": "organizations",
}
_ARTICLES = {"the", "a", "an"}
#: A negated sentence: swapping one of its values changes its truth unpredictably.
NEGATION = re.compile(r"\b(?:not|never|no longer|nor|neither|without)\b|n[’']t\b",
                      re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")

#: Names that take "the" in running text ("with the United Kingdom").
NAMES_WITH_ARTICLE = {
    "United Kingdom", "United States", "Netherlands", "Philippines", "European Union",
    "Czech Republic", "Republic of Korea", "People's Republic of China",
}


# Cached: the quiz-wide cue checks compare every pair of a bank's questions, so the same
# option and stem texts are folded many thousand times.
@functools.lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """Fold case, width, accents, punctuation, spelling variants and leading articles."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace("+", " plus ")
    # "U.K." is "uk" and "Japan’s" is "japans"; other punctuation separates words.
    text = re.sub(r"[.'’]", "", text)
    text = _PUNCT.sub(" ", text)
    words = [_SPELLINGS.get(w, w) for w in _SPACE.split(text.strip()) if w]
    while words and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def in_sentence(name: str) -> str:
    """Return ``name`` as it reads inside a sentence (adds "the" where English needs it)."""
    return f"the {name}" if name in NAMES_WITH_ARTICLE else name


def join_names(names: list[str] | tuple[str, ...]) -> str:
    """Render ``["A", "B", "C"]`` as "A, B and C" (with articles where needed)."""
    parts = [in_sentence(n) for n in names]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def fill(statement: str, value: str) -> str:
    """Put ``value`` into a statement template at ``{answer}``, without doubling "the"."""
    before, _, after = statement.partition("{answer}")
    if value.startswith("the ") and before.rstrip().lower().endswith(" the"):
        value = value[4:]
    sentence = before + value + after
    return sentence[:1].upper() + sentence[1:]


def mentions(text: str, name: str) -> bool:
    """Whether ``name`` occurs in ``text`` as a whole word, ignoring case."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


# The app's own words (fact kinds, time units, "question"): a rule this small covers them, so
# no inflection library (inflect, Babel) is pulled in for two English helpers.
def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """``count`` and the noun in the number that fits: "1 minute", "5 minutes"."""
    return f"{count} {word if count == 1 else plural_form or word + 's'}"


def with_article(phrase: str) -> str:
    """The phrase after "a" or "an" by its first letter: "an acronym", "a year"."""
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def unique_accepted(accepted: Iterable[str]) -> list[str]:
    """One spelling per form the checker reads alike (``normalize``), the first listed kept.

    Round 10: a list showing "Self-Defense Forces officers" beside "Self Defense Forces
    officers" read as if the checker told them apart, so a reviewer took a spelling it folds
    (a hyphen for a space) for a refused one; ``ACCEPTED_NOTE`` says what it folds instead.
    """
    seen: set[str] = set()
    out = []
    for text in accepted:
        if normalize(text) not in seen:
            seen.add(normalize(text))
            out.append(text)
    return out


#: The months' names, and the same as one regex group ("(?:January|...)").
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MONTH = "(?:" + "|".join(MONTHS) + ")"


#: Beside a typed answer's accepted spellings: what the checker ignores in any of them (no
#: example date: "April 2022" was the stem's own date in round 37's held-out review).
ACCEPTED_NOTE = ("Case, accents, punctuation, hyphens (read as spaces), British or American "
                 "spelling and a leading article are ignored; a year may be typed with its "
                 "month or day before it.")


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


#: Words around a year that do not change which year a person typed: "April 2022", "in
#: early 2022", "11 April 2022" (the held-out review of round 24: a "Since ___" blank keyed
#: 2022 refused "April 2022", the text's own wording elsewhere).
_AROUND_A_YEAR = {"in", "early", "mid", "late", "spring", "summer", "autumn", "fall",
                  "winter", "of", "year", "ad", "since", "january", "february", "march",
                  "april", "may", "june", "july", "august", "september", "october",
                  "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                  "sep", "sept", "oct", "nov", "dec"}


_MONTH_WORDS = _AROUND_A_YEAR - {"in", "early", "mid", "late", "spring", "summer", "autumn",
                                 "fall", "winter", "of", "year", "ad", "since"}


def year_typed(response: str) -> str | None:
    """The one four-digit year of a typed answer that says nothing else ("April 2022" is
    2022); None when it says something else or names no year or several."""
    if re.search(r"\d\s*[-–—/]\s*\d", response):
        return None  # "2021-22", "2021/22": a hedge between two years
    words = normalize(response).replace("-", " ").split()
    years = [w for w in words if re.fullmatch(r"\d{4}", w)]
    month = any(w in _MONTH_WORDS for w in words)
    rest = [w for w in words if w not in years and w not in _AROUND_A_YEAR
            and not (month and re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", w))]
    return years[0] if len(years) == 1 and not rest else None

