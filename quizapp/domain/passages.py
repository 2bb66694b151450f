"""Reading a commentary: its blocks (headings, paragraphs), quotes highlighted in context.

Plain text in, plain data out: templates escape every segment and wrap marked ones in
``<mark>``, so no markup is ever built from the commentary's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .text import fill, join_names

_BLANK_LINES = re.compile(r"\n\s*\n")
#: A heading ends without sentence punctuation (a sentence or a caption ends with one).
_SENTENCE_END = (".", "?", "!", ":", ";", ",", ")", '"', "”", "’")
MAX_HEADING = 100


@dataclass(frozen=True)
class Block:
    """One line of the commentary: a heading or a paragraph."""

    index: int
    kind: str  # "heading" or "paragraph"
    text: str
    #: Index of an earlier block with the very same text (the source prints some twice).
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Segment:
    """A run of a paragraph, marked when a quote covers it."""

    text: str
    marked: bool = False
    #: Keys (fact ids, or quote numbers) of the quotes that cover this run.
    keys: tuple[str, ...] = ()


def is_heading(line: str) -> bool:
    """A short line standing alone, without final punctuation, reads as a heading."""
    line = line.strip()
    return 0 < len(line) <= MAX_HEADING and not line.endswith(_SENTENCE_END)


#: Prose: at least two sentences in one line (a caption or a byline has one at most).
_PROSE_SENTENCE = re.compile(r"[.?!][\"”’)]?\s+[A-Z“\"]")
MIN_PARAGRAPH = 120
#: A short line after the last paragraph ("Read in the East-West Center.") is page furniture.
MAX_TRAILER = 80


def _is_prose(line: str) -> bool:
    line = line.strip()
    return len(line) >= MIN_PARAGRAPH and _PROSE_SENTENCE.search(line) is not None


def body_span(text: str) -> tuple[int, int]:
    """Where the commentary's body starts and ends in a text copied from a web page.

    A copied page opens with leftovers (a logo's "SVG", the section label, bylines, a photo
    caption) and may end with a "Read in ..." line. The body starts at the first prose
    paragraph, or at the heading just before it, and ends with the last prose paragraph
    followed only by short lines. A text with no prose paragraph is all body.
    """
    lines: list[tuple[int, int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            start = offset + raw.index(stripped)
            lines.append((start, start + len(stripped), stripped))
        offset += len(raw)
    prose = [i for i, (_, _, line) in enumerate(lines) if _is_prose(line)]
    if not prose:
        return 0, len(text)
    first = prose[0]
    if first > 0 and is_heading(lines[first - 1][2]):
        first -= 1
    last = len(lines) - 1
    while last > prose[-1] and len(lines[last][2]) <= MAX_TRAILER:
        last -= 1
    return lines[first][0], lines[last][1]


def body(text: str) -> str:
    """The commentary's body without the web page's leftovers (see ``body_span``)."""
    start, end = body_span(text)
    return text[start:end]


def section_heading(text: str, quote: str) -> str:
    """The heading of the section holding ``quote`` ("" when there is none)."""
    heading = ""
    for block in split_blocks(text):
        if block.kind == "heading":
            heading = block.text
        elif quote and quote in block.text:
            return heading
    return ""


def split_blocks(text: str) -> list[Block]:
    """Split a commentary's body into headings and paragraphs, noting repeated paragraphs.

    Blocks are separated by blank lines; a block of several lines yields one paragraph per
    line, and only a single-line block may be a heading. Page leftovers before and after
    the body are not blocks (``body``).
    """
    blocks: list[Block] = []
    first_seen: dict[str, int] = {}
    for chunk in _BLANK_LINES.split(body(text).strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        alone = len(lines) == 1
        for line in lines:
            kind = "heading" if alone and is_heading(line) else "paragraph"
            index = len(blocks)
            blocks.append(Block(index, kind, line, first_seen.get(line)))
            first_seen.setdefault(line, index)
    return blocks


def highlight(text: str, quotes: Mapping[str, str] | Iterable[str]) -> list[Segment]:
    """Cut ``text`` into segments, marking where each quote (first occurrence) stands.

    ``quotes`` maps a key to its quote (or is a plain list, keyed by position). Overlapping
    quotes merge into one marked segment that carries all their keys.
    """
    pairs = quotes.items() if isinstance(quotes, Mapping) else (
        (str(i), q) for i, q in enumerate(quotes))
    spans: list[tuple[int, int, str]] = []
    for key, quote in pairs:
        start = text.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote), key))
    spans.sort()
    merged: list[list[Any]] = []
    for start, end, key in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(key)
        else:
            merged.append([start, end, [key]])
    segments: list[Segment] = []
    cursor = 0
    for start, end, keys in merged:
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], True, tuple(keys)))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments


def first_block_with(blocks: list[Block], quote: str) -> Block | None:
    """The first original (not repeated) block whose text contains ``quote``."""
    return next((b for b in blocks if b.duplicate_of is None and quote and quote in b.text),
                None)


def passages(text: str, quotes: Iterable[str]) -> list[list[Segment]]:
    """The paragraphs holding ``quotes``, in reading order, each with its quotes marked.

    A quote found in no single paragraph is shown on its own, marked, so nothing is lost.
    """
    blocks = split_blocks(text)
    by_block: dict[int, list[str]] = {}
    loose: list[str] = []
    for quote in dict.fromkeys(q for q in quotes if q):
        block = first_block_with(blocks, quote)
        if block is None:
            loose.append(quote)
        else:
            by_block.setdefault(block.index, []).append(quote)
    found = [highlight(blocks[i].text, qs) for i, qs in sorted(by_block.items())]
    return found + [[Segment(q, True, ("0",))] for q in loose]


def fact_sentence(data: Mapping[str, Any]) -> str:
    """The fact as a true sentence: its statement template filled with the key."""
    statement = str(data.get("statement") or "")
    answer = data.get("answer")
    if isinstance(answer, list | tuple):
        value = join_names([str(a) for a in answer])
    elif data.get("kind") == "entity":
        value = join_names([str(answer)])
    else:
        value = str(answer)
    if "{answer}" not in statement:
        return str(data.get("question") or value)
    return fill(statement, value)


@dataclass(frozen=True)
class AnnotatedBlock:
    """A block of the commentary with the quotes placed in it marked."""

    block: Block
    segments: tuple[Segment, ...]
    #: Keys of the quotes placed in this block, in reading order.
    keys: tuple[str, ...]


def annotate(text: str, quotes: Mapping[str, str]) -> list[AnnotatedBlock]:
    """Every block of ``text``, each quote marked in the first original block holding it.

    A repeated paragraph carries no marks (its quotes are marked where it first appears);
    a quote spanning blocks is left unmarked rather than guessed at.
    """
    blocks = split_blocks(text)
    placed: dict[int, dict[str, str]] = {}
    for key, quote in quotes.items():
        block = first_block_with(blocks, quote)
        if block is not None:
            placed.setdefault(block.index, {})[key] = quote
    out: list[AnnotatedBlock] = []
    for block in blocks:
        here = placed.get(block.index, {})
        segments = highlight(block.text, here) if here else [Segment(block.text)]
        keys = sorted(here, key=lambda k: (block.text.find(here[k]), k))
        out.append(AnnotatedBlock(block, tuple(segments), tuple(keys)))
    return out
