"""The curated fact base: provenance, coverage and the source's known defects."""

from __future__ import annotations

import pytest

from quizapp import resource_dir
from quizapp.domain.facts import KINDS, check_factbase, load_factbase, parse_factbase

from support.helpers import ROOT

SEEDS = resource_dir("seeds")
SHARED_SOURCE = ROOT.parent / "shared" / "source"


@pytest.fixture(scope="module")
def base():
    return load_factbase(SEEDS / "nato-japan.yaml")


def test_seed_commentary_is_a_verbatim_copy_of_the_shared_source():
    shared = SHARED_SOURCE / "nato-japan-commentary.txt"
    if not shared.exists():
        pytest.skip("the shared source folder is not beside this checkout")
    assert (SEEDS / "nato-japan-commentary.txt").read_bytes() == shared.read_bytes()


def test_fact_base_passes_its_own_checks(base):
    assert check_factbase(base) == []


def test_every_quote_is_a_verbatim_substring_of_the_commentary(base):
    for fact in base.facts:
        assert fact.quote in base.text, fact.id


def test_fact_ids_are_unique_and_stable_looking(base):
    ids = [f.id for f in base.facts]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)


def test_fact_base_covers_the_commentary(base):
    assert len(base.facts) >= 35
    kinds = {f.kind for f in base.facts}
    assert {"year", "acronym", "entity_set", "entity", "statement"} <= kinds
    assert kinds <= set(KINDS)
    years = {f.answer for f in base.facts if f.kind == "year"}
    assert {"2010", "2013", "2014", "2015", "2018", "2020", "2023"} <= years
    terms = {f.term for f in base.facts if f.kind == "acronym"}
    assert {"ITPP", "IPCP", "HADR", "CMX", "CCDCOE", "GCAP", "FOIP", "ADMM-Plus"} <= terms


def test_mission_to_nato_is_keyed_2018(base):
    mission = [f for f in base.facts if f.kind == "year" and "Mission of Japan to NATO" in f.quote]
    assert mission and all(f.answer == "2018" for f in mission)


def test_gcap_partners_are_the_united_kingdom_and_italy(base):
    gcap = [f for f in base.facts if f.kind == "entity_set" and "GCAP" in f.question]
    assert gcap
    assert sorted(gcap[0].answer) == ["Italy", "United Kingdom"]


def test_itpp_is_keyed_correctly_though_the_source_misspells_it(base):
    itpp = next(f for f in base.facts if f.kind == "acronym" and f.term == "ITPP")
    assert itpp.answer.startswith("Individually Tailored Partnership")
    assert "ITTP" not in " ".join(f.question + f.statement + str(f.answer) for f in base.facts)
    misspelt = [f for f in base.facts if "ITTP" in f.quote]
    assert misspelt, "the quotes keep the source's ITTP verbatim"
    assert all(f.source_note and "ITPP" in f.source_note for f in misspelt)


def test_duplicated_paragraph_yields_each_fact_once(base):
    paragraph = "In the emerging technology arena"
    assert base.text.count(paragraph) == 2
    from_it = [f for f in base.facts if f.quote in base.text[base.text.index(paragraph):][:600]]
    questions = [f.question for f in from_it]
    assert len(questions) == len(set(questions))


@pytest.mark.parametrize("mutation, message", [
    ({"quote": "Japan joined NATO in 1999."}, "not a verbatim substring"),
    ({"kind": "colour"}, "kind 'colour'"),
    ({"statement": "No placeholder here."}, "{answer} exactly once"),
    ({"topic": "nowhere"}, "topic 'nowhere'"),
    ({"answer": "20188"}, "four digits"),
])
def test_check_reports_each_broken_fact(base, mutation, message):
    raw = {"document": {"id": "t", "title": "T"}, "topics": [{"id": "t", "title": "T"}],
           "facts": [{"id": "mission", "topic": "t", "kind": "year",
                      "question": "In which year?", "statement": "It was {answer}.",
                      "answer": "2018", "quote": "Japan finally established the Mission of "
                      "Japan to NATO in 2018.", **mutation}]}
    problems = check_factbase(parse_factbase(raw, base.text))
    assert any(message in p for p in problems), problems
    assert all(p.startswith("mission:") for p in problems)
