"""Curated facts: loading the YAML fact files and checking them against their commentary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .passages import body, is_heading, section_heading
from .text import NEGATION, fill, mentions, normalize, with_article

KINDS = ("year", "date", "number", "entity", "entity_set", "acronym", "statement")
#: How much a fact matters to the text's argument, judged by reading: quizzes draw core
#: facts first and keep details a minority.
IMPORTANCE = ("core", "supporting", "detail")
#: Forms a single fact may be asked in (ordering and matching group several facts).
SINGLE_FORMS = ("mcq", "multi", "true_false", "short")
#: Forms that ask several facts at once; a fact whose ``forms`` name only these is asked
#: only in them (a year every other stem prints, say, as one event of a chronology).
GROUP_FORMS = ("ordering", "matching")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,80}$")
#: Openings that need the previous sentence ("Both countries also ...", "This step ...").
DANGLING = re.compile(
    r"(?:According to (?:the commentary|the author),\s*)?"
    # A lead-in of time ("In ___, the two visits ...") does not resolve the reference.
    r"(?:(?:In|On|Since|During|By)\b[^,]{0,40},\s*)?"
    r"(?:Both (?:countries|sides|nations|partners|leaders|governments)|The (?:two|three|four|"
    r"five|both) (?-i:[a-z])[\w-]*|(?:This|These|That|Those|Such)(?:\s+\w+)?|It|They|"
    r"He|She|We|Its|Their|The (?:agreement|treaty|deal|pact|programme|program|step|move|"
    r"partnership|declaration|document|alliance|initiative|plan))\b"
    r"(?!\s+(?:is|was)\s+(?:inconceivable|unrealistic))",
    re.IGNORECASE)


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
    importance: str = "supporting"
    #: The forms this fact is asked in; empty means the defaults of its kind.
    forms: tuple[str, ...] = ()
    #: Plausible false versions of the statement (a skimming student would believe them);
    #: a fact is asked as true/false only when it has one.
    false_statements: tuple[str, ...] = ()
    #: For an acronym: what the body or programme is or does in the text, for matching.
    role: str | None = None
    #: Distractors one word from the key on purpose (the lint refuses others).
    near_copies: tuple[str, ...] = ()
    #: Facts whose questions state what refutes this fact's wrong options or false
    #: statements (a stem "Japan started participating in NATO's CMX in ___" beside the
    #: false limit "Japan would not take part in NATO exercises"): never in one quiz.
    ruled_out_by: tuple[str, ...] = ()

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
            importance=str(raw.get("importance") or "supporting"),
            forms=strings("forms"),
            false_statements=strings("false_statements"),
            role=str(raw["role"]) if raw.get("role") else None,
            near_copies=strings("near_copies"),
            ruled_out_by=strings("ruled_out_by"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the fact as plain JSON-ready data (the shape of the YAML record)."""
        data: dict[str, Any] = {
            "id": self.id, "topic": self.topic, "kind": self.kind, "question": self.question,
            "statement": self.statement,
            "answer": list(self.answer) if isinstance(self.answer, tuple) else self.answer,
            "aliases": list(self.aliases), "quote": self.quote, "explanation": self.explanation,
            "importance": self.importance,
        }
        for key in ("term", "category", "event", "source_note", "role"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        for key in ("distractors", "exclude", "forms", "false_statements", "near_copies",
                    "ruled_out_by"):
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
    for text in (fact.question, fact.statement, fact.event or ""):
        found = DANGLING.match(text.replace("{answer}", "").lstrip("“\"' "))
        if found:
            problems.append(f"“{found.group(0).strip()} …” leans on the sentences before it: "
                            "say what it refers to")
            break
    if fact.statement.count("{answer}") != 1:
        problems.append("statement must contain {answer} exactly once")
    if not fact.answer:
        problems.append("answer is empty")
    if fact.kind == "entity_set" and not isinstance(fact.answer, tuple):
        problems.append("an entity_set answer must be a list")
    if fact.kind != "entity_set" and isinstance(fact.answer, tuple):
        problems.append("only entity_set answers may be lists")
    if fact.importance not in IMPORTANCE:
        problems.append(f"importance {fact.importance!r} is not one of {', '.join(IMPORTANCE)}")
    for form in fact.forms:
        if form not in SINGLE_FORMS + GROUP_FORMS:
            problems.append(f"form {form!r} is not one of "
                            f"{', '.join(SINGLE_FORMS + GROUP_FORMS)}")
    if fact.kind == "acronym" and {"short", "mcq", "true_false"} & set(fact.forms):
        problems.append("an acronym is never asked by its initials: use matching (role)")
    if "true_false" in fact.forms and not fact.false_statements:
        problems.append("true/false needs a plausible false statement")
    if fact.false_statements and NEGATION.search(fact.statement):
        problems.append("no true/false from a negated statement: its falsehood is arguable")
    if not fact.quote.strip():
        problems.append("quote is empty")
    elif fact.quote not in base.text:
        problems.append("quote is not a verbatim substring of the commentary")
    elif fact.quote not in body(base.text) or is_heading(fact.quote):
        problems.append("quote is a heading or page leftover, not a sentence of the body")
    elif isinstance(fact.answer, str) and fact.kind in ("year", "number") \
            and fact.answer not in fact.quote \
            and fact.answer not in section_heading(base.text, fact.quote):
        problems.append(f"answer {fact.answer!r} does not appear in its quote or its heading")
    if fact.kind == "year" and not re.fullmatch(r"\d{4}", str(fact.answer)):
        problems.append("a year answer must be four digits")
    if fact.kind == "number" and not re.fullmatch(r"\d+", str(fact.answer)):
        problems.append("a number answer must be a whole number")
    if fact.kind == "acronym" and not fact.term:
        problems.append("an acronym fact needs a term")
    # An acronym is asked only by matching, which needs no wrong answers; nor does a
    # statement asked only as a typed cloze.
    chosen = not fact.forms or bool({"mcq", "multi"} & set(fact.forms))
    if fact.kind in ("date", "statement") and chosen and len(fact.distractors) < 3:
        problems.append(f"{with_article(fact.kind)} fact needs at least 3 curated distractors")
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
    for false in fact.false_statements:
        if normalize(false) == normalize(fill(fact.statement, fact.answer_text)):
            problems.append("a false statement is the true statement")
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
    problems.extend(f"{fact.id}: ruled_out_by names no fact {other!r}" for fact in base.facts
                    for other in fact.ruled_out_by if other not in seen_ids)
    problems.extend(check_pools(base))
    return problems


def check_pools(base: FactBase) -> list[str]:
    """Spellings that would accept a different thing: "Korea" for South Korea is also part
    of North Korea, so it names neither."""
    problems: list[str] = []
    for name, pool in base.pools.items():
        for entity in pool:
            for spelling in entity.aliases:
                for other in pool:
                    if other is not entity and normalize(spelling) != normalize(other.name) \
                            and mentions(other.name, spelling):
                        problems.append(f"pool {name}: {spelling!r} (for {entity.name}) is "
                                        f"also part of {other.name!r}")
    return problems
