"""Anki decks (``.apkg``) of facts, built with genanki.

Every id is derived from a stable name, never from the time or a counter: a note's guid from
its fact id, the note type's id from its name, a deck's id from what the deck holds. So a
learner who downloads a deck again and imports it gets their cards updated (Anki matches
notes by guid and decks by id), not a second copy beside their review history.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import genanki

from .text import join_names

#: Namespace of every guid and id quizapp writes; changing it would duplicate every card.
NAMESPACE = "quizapp"
MODEL_NAME = "quizapp fact (front: question; back: answer, source sentence, commentary)"

_CSS = """.card { font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.45;
  color: #1b1b1b; background: #fff; text-align: left; max-width: 36em; margin: 0 auto; }
.answer { font-size: 1.2em; font-weight: 700; }
blockquote { margin: 1em 0; padding: .4em .9em; border-left: 4px solid #c79a00;
  background: #fff8dc; font-style: italic; }
.commentary { font-size: .8em; color: #555; }
.nightMode .card, .card.nightMode { color: #eee; background: #222; }
.nightMode blockquote { background: #3a3320; }
.nightMode .commentary { color: #bbb; }"""


def stable_id(*names: str) -> int:
    """An id in genanki's recommended range (2**30 to 2**31) derived from ``names``."""
    digest = hashlib.sha256("\x1f".join((NAMESPACE, *names)).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(fact_id: str) -> str:
    """The guid of a fact's note: the same in every deck and every download."""
    return genanki.guid_for(NAMESPACE, "fact", fact_id)


MODEL = genanki.Model(
    stable_id("model", MODEL_NAME), MODEL_NAME,
    fields=[{"name": "Front"}, {"name": "Answer"}, {"name": "Source"},
            {"name": "Commentary"}, {"name": "Fact"}],
    templates=[{
        "name": "Question → answer",
        "qfmt": "{{Front}}",
        "afmt": ('{{FrontSide}}<hr id="answer"><p class="answer">{{Answer}}</p>'
                 "<blockquote>{{Source}}</blockquote>"
                 '<p class="commentary">{{Commentary}}</p>'),
    }],
    css=_CSS, sort_field_index=0)


@dataclass(frozen=True)
class FactCard:
    """One fact as a card: plain text in, escaped into the note's HTML fields."""

    fact_id: str
    front: str
    answer: str
    quote: str
    commentary: str
    topic: str = ""

    def note(self) -> genanki.Note:
        fields = [html.escape(v) for v in (self.front, self.answer, self.quote,
                                           self.commentary, self.fact_id)]
        tags = [f"{NAMESPACE}::{_tag(self.topic)}"] if self.topic else [NAMESPACE]
        return genanki.Note(model=MODEL, fields=fields, guid=note_guid(self.fact_id),
                            tags=tags)


def _tag(text: str) -> str:
    # Anki splits tags on spaces.
    return "_".join(text.split()) or "fact"


def card_for(fact_id: str, data: Mapping[str, Any], quote: str, commentary: str,
             topic: str = "") -> FactCard:
    """A fact record (``Fact.data``) as a card: its question in front, its key behind."""
    answer = data.get("answer")
    answer_text = join_names([str(a) for a in answer]) if isinstance(answer, list | tuple) \
        else str(answer)
    front = str(data.get("question") or "").strip()
    if not front:  # a fact without a question: its statement with the key blanked
        statement = str(data.get("statement") or "")
        front = statement.replace("{answer}", "_____") if "{answer}" in statement else quote
    return FactCard(fact_id, front, answer_text, quote, commentary, topic)


def deck_bytes(deck_key: str, title: str, cards: Iterable[FactCard]) -> bytes:
    """The ``.apkg`` file of a deck named ``title``; ``deck_key`` fixes its id."""
    deck = genanki.Deck(stable_id("deck", deck_key), title)
    seen: set[str] = set()
    for card in cards:
        if card.fact_id not in seen:  # one note per fact, even if two sources name it
            seen.add(card.fact_id)
            deck.add_note(card.note())
    return _package_bytes(genanki.Package(deck))


def _package_bytes(package: genanki.Package) -> bytes:
    """Write the package into memory.

    genanki's own ``write_to_file`` leaves its temporary SQLite file behind (one per
    download on a server), so the same steps run here in a directory that is removed.
    """
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as folder:
        path = os.path.join(folder, "collection.anki2")
        conn = sqlite3.connect(path)
        try:
            now = time.time()
            package.write_to_db(conn.cursor(), now, _ids(now))
            conn.commit()
        finally:
            conn.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", "{}")
        return out.getvalue()


def _ids(now: float) -> itertools.count:
    # Card and note row ids, as genanki numbers them (Anki matches notes by guid instead).
    return itertools.count(int(now * 1000))
