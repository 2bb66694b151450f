"""Curated facts: loading the YAML fact files and checking them against their commentary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .text import normalize, with_article

KINDS = ("year", "date", "number", "entity", "entity_set", "acronym", "statement")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,80}$")


@dataclass(frozen=True)
class Entity:
    """A named thing of a pool (a country, a city...) with the spellings that also count."""

    name: str
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Fact:
    """One checkable statement of the commentary, with its provenance."""

    id: str
    topic: str
    kind: str
    question: str
    statement: str
    answer: str | tuple[str, ...]
    quote: str
    explanation: str = ""
    aliases: tuple[str, ...] = ()
    term: str | None = None
    category: str | None = None
    distractors: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    event: str | None = None
    source_note: str | None = None
    document: str = ""

    @property
    def answer_text(self) -> str:
        return ", ".join(self.answer) if isinstance(self.answer, tuple) else self.answer

    @classmethod
    def from_dict(cls, raw: dict[str, Any], document: str = "") -> Fact:
        """Build a fact from its YAML mapping (lists become tuples, values strings)."""
        answer = raw.get("answer")
        if isinstance(answer, list):
            answer = tuple(str(a) for a in answer)
        else:
            answer = "" if answer is None else str(answer)

        def strings(key: str) -> tuple[str, ...]:
            value = raw.get(key) or ()
            if isinstance(value, str | int):
                value = [value]
            return tuple(str(v) for v in value)

        return cls(
            id=str(raw.get("id", "")),
            topic=str(raw.get("topic", "")),
            kind=str(raw.get("kind", "")),
            question=str(raw.get("question", "")),
            statement=str(raw.get("statement", "")),
            answer=answer,
            quote=str(raw.get("quote", "")),
            explanation=str(raw.get("explanation", "") or ""),
            aliases=strings("aliases"),
            term=str(raw["term"]) if raw.get("term") else None,
            category=str(raw["category"]) if raw.get("category") else None,
            distractors=strings("distractors"),
            exclude=strings("exclude"),
            event=str(raw["event"]) if raw.get("event") else None,
            source_note=str(raw["source_note"]) if raw.get("source_note") else None,
            document=document,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the fact as plain JSON-ready data (the shape of the YAML record)."""
        data: dict[str, Any] = {
            "id": self.id, "topic": self.topic, "kind": self.kind, "question": self.question,
            "statement": self.statement,
            "answer": list(self.answer) if isinstance(self.answer, tuple) else self.answer,
            "aliases": list(self.aliases), "quote": self.quote, "explanation": self.explanation,
        }
        for key in ("term", "category", "event", "source_note"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        for key in ("distractors", "exclude"):
            if getattr(self, key):
                data[key] = list(getattr(self, key))
        return data


@dataclass(frozen=True)
class Topic:
    id: str
    title: str


@dataclass
class FactBase:
    """A commentary with its topics, distractor pools and facts."""

    document_id: str
    title: str
    text: str
    topics: list[Topic]
    pools: dict[str, list[Entity]]
    facts: list[Fact]
    meta: dict[str, Any] = field(default_factory=dict)

    def topic_title(self, topic_id: str) -> str:
        return next((t.title for t in self.topics if t.id == topic_id), topic_id)

    @cached_property
    def _entities(self) -> dict[str, Entity]:
        index: dict[str, Entity] = {}
        for pool in self.pools.values():
            for entity in pool:
                for spelling in entity.spellings:
                    index.setdefault(normalize(spelling), entity)
        return index

    def entity(self, name: str) -> Entity | None:
        """Find a pool entity by any of its spellings."""
        return self._entities.get(normalize(name))

    def spellings(self, name: str) -> tuple[str, ...]:
        """All accepted spellings of a name: itself plus its pool aliases."""
        entity = self.entity(name)
        return entity.spellings if entity else (name,)


def _entity(raw: Any) -> Entity:
    if isinstance(raw, list):
        return Entity(str(raw[0]), tuple(str(a) for a in raw[1:]))
    return Entity(str(raw))


def parse_factbase(raw: dict[str, Any], text: str) -> FactBase:
    """Build a fact base from a parsed fact file and its commentary text."""
    document = raw.get("document") or {}
    doc_id = str(document.get("id", "document"))
    return FactBase(
        document_id=doc_id,
        title=str(document.get("title", doc_id)),
        text=text,
        topics=[Topic(str(t["id"]), str(t.get("title", t["id"]))) for t in raw.get("topics", [])],
        pools={name: [_entity(e) for e in entries]
               for name, entries in (raw.get("pools") or {}).items()},
        facts=[Fact.from_dict(f, doc_id) for f in raw.get("facts", [])],
        meta={k: v for k, v in document.items() if k not in ("id", "title")},
    )


def load_factbase(path: str | Path) -> FactBase:
    """Load a YAML fact file and the commentary it names (``document.file``, beside it)."""
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = (path.parent / raw["document"]["file"]).read_text(encoding="utf-8")
    return parse_factbase(raw, text)


def seed_paths(seeds_dir: str | Path) -> list[Path]:
    """Return the fact files of a seeds folder, in a stable order."""
    return sorted(Path(seeds_dir).glob("*.yaml"))


def check_fact(fact: Fact, base: FactBase) -> list[str]:
    """Return what is wrong with one fact (empty when it is sound)."""
    problems: list[str] = []
    if not _ID.match(fact.id):
        problems.append("id must be lower-case kebab-case")
    if fact.kind not in KINDS:
        problems.append(f"kind {fact.kind!r} is not one of {', '.join(KINDS)}")
    if fact.topic not in {t.id for t in base.topics}:
        problems.append(f"topic {fact.topic!r} is not declared under topics")
    if not fact.question.strip():
        problems.append("question is empty")
    if fact.statement.count("{answer}") != 1:
        problems.append("statement must contain {answer} exactly once")
    if not fact.answer:
        problems.append("answer is empty")
    if fact.kind == "entity_set" and not isinstance(fact.answer, tuple):
        problems.append("an entity_set answer must be a list")
    if fact.kind != "entity_set" and isinstance(fact.answer, tuple):
        problems.append("only entity_set answers may be lists")
    if not fact.quote.strip():
        problems.append("quote is empty")
    elif fact.quote not in base.text:
        problems.append("quote is not a verbatim substring of the commentary")
    elif isinstance(fact.answer, str) and fact.kind in ("year", "number") \
            and fact.answer not in fact.quote:
        problems.append(f"answer {fact.answer!r} does not appear in its quote")
    if fact.kind == "year" and not re.fullmatch(r"\d{4}", str(fact.answer)):
        problems.append("a year answer must be four digits")
    if fact.kind == "number" and not re.fullmatch(r"\d+", str(fact.answer)):
        problems.append("a number answer must be a whole number")
    if fact.kind == "acronym" and not fact.term:
        problems.append("an acronym fact needs a term")
    if fact.kind in ("date", "statement", "acronym") and len(fact.distractors) < 3:
        problems.append(f"{with_article(fact.kind.replace('_', ' '))} fact needs at least 3 "
                            "curated distractors")
    if fact.kind in ("entity", "entity_set") and fact.category \
            and fact.category not in base.pools:
        problems.append(f"category {fact.category!r} is not a pool")
    if fact.kind in ("entity", "entity_set") and not fact.category and len(fact.distractors) < 3:
        problems.append("an entity fact needs a category or at least 3 distractors")
    keys = {normalize(a) for a in (fact.answer if isinstance(fact.answer, tuple)
                                   else (fact.answer, *fact.aliases))}
    for wrong in fact.distractors:
        if normalize(wrong) in keys:
            problems.append(f"distractor {wrong!r} is the answer or an alias of it")
    return problems


def check_factbase(base: FactBase) -> list[str]:
    """Return one message per problem in the fact base, prefixed with the fact id."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    seen_questions: dict[str, str] = {}
    for fact in base.facts:
        if fact.id in seen_ids:
            problems.append(f"{fact.id}: duplicate id")
        seen_ids.add(fact.id)
        key = normalize(fact.question)
        if key in seen_questions:
            problems.append(f"{fact.id}: same question as {seen_questions[key]}")
        seen_questions.setdefault(key, fact.id)
        problems.extend(f"{fact.id}: {p}" for p in check_fact(fact, base))
    if not base.facts:
        problems.append("the fact file has no facts")
    return problems
