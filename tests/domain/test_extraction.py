"""Candidate facts found by rules in a commentary (pure domain code, no app)."""

from __future__ import annotations

import random
import re

import pytest

import quizapp.domain.sentences as splitting
from quizapp.domain import extraction
from quizapp.domain.extraction import best_long_form, evaluate, extract, sentences
from quizapp.domain.facts import Fact, FactBase, Topic, check_fact, load_factbase
from quizapp.domain.generator import (
    GenerationError,
    content,
    distractors,
    finish_bank,
    generate_bank,
    questions_for_fact,
)
from quizapp.domain.passages import body
from quizapp.domain.quality import lint_bank

from support.helpers import ROOT

SEED = ROOT / "seeds" / "nato-japan.yaml"
#: Floors for the measurement on the seed commentary (measured: see docs/extraction.md).
RECALL_FLOOR = 0.85
PRECISION_FLOOR = 0.85


@pytest.fixture(scope="module")
def seed_base() -> FactBase:
    return load_factbase(SEED)


def kinds(text: str, kind: str) -> list[extraction.Candidate]:
    return [c for c in extract(text) if c.kind == kind]


def test_sentences_are_verbatim_slices_of_the_text():
    text = "Heading line\n\nFirst one, in 2010. Dr. Who came (in 2011). Then the U.S. left.\n"
    found = sentences(text)
    assert [s.text for s in found] == ["Heading line", "First one, in 2010.",
                                       "Dr. Who came (in 2011).", "Then the U.S. left."]
    for sentence in found:
        assert text[sentence.start:sentence.start + len(sentence.text)] == sentence.text


def test_a_year_becomes_a_cloze_fact_with_its_sentence_and_event():
    text = "In 2010, Japan signed the Agreement on Security of Information with NATO."
    (fact,) = kinds(text, "year")
    assert fact.answer == "2010"
    assert fact.quote == text
    assert fact.statement == "In {answer}, Japan signed the Agreement on Security of " \
                             "Information with NATO."
    assert "_____" in fact.question
    assert fact.event == "Japan signed the Agreement on Security of Information with NATO"


def test_in_the_same_year_is_resolved_from_the_previous_sentence():
    text = ("The group issued a report in 2014. In the same year, the IPCP was agreed "
            "upon.")
    facts = kinds(text, "year")
    same = next(f for f in facts if f.rule == "same-year")
    assert same.answer == "2014"
    assert same.quote == text  # both sentences, verbatim
    assert same.statement == "In {answer}, the IPCP was agreed upon."


def test_two_years_in_one_sentence_give_two_facts_without_a_timeline_event():
    facts = kinds("It was revised in 2018 and 2020.", "year")
    assert sorted(f.answer for f in facts) == ["2018", "2020"]
    assert all(f.event is None for f in facts)  # the same event twice would be ambiguous


def test_a_year_inside_a_full_date_is_a_date_not_a_year():
    text = "He attends the summit on July 12, 2023."
    assert kinds(text, "year") == []
    (date,) = kinds(text, "date")
    assert date.answer == "July 12, 2023"


def test_date_distractors_are_the_texts_other_dates_and_a_day_is_proposed():
    text = ("They signed on July 8, 2024. A sailor was hurt on June 17, 2024. The court ruled "
            "on July 12, 2016. Leaders met on April 11, 2024.")
    signed = next(c for c in kinds(text, "date") if c.answer == "July 8, 2024")
    # Never the key moved by a week or a month (the one the others match).
    assert set(signed.distractors) == {"June 17, 2024", "July 12, 2016", "April 11, 2024"}
    assert signed.needs and not signed.question  # an exact day waits for the instructor


def test_numbers_that_count_something_are_found_but_not_years_or_dates():
    text = "In addition to 31 NATO member states, it met on July 11-12 under Article 5 in 2023."
    assert sorted(c.answer for c in kinds(text, "number")) == ["31", "5"]


@pytest.mark.parametrize("text, term, long", [
    ("Japan joined NATO’s Crisis Management Exercise (CMX) in 2015.", "CMX",
     "Crisis Management Exercise"),
    ('It announced a "Global Combat Air Programme (GCAP)" with Italy.', "GCAP",
     "Global Combat Air Programme"),
    ("They met in the ASEAN Defense Ministers’ Meeting Plus (ADMM-Plus).", "ADMM-Plus",
     "ASEAN Defense Ministers’ Meeting Plus"),
    ("A study group on HADR (humanitarian assistance and disaster relief) reported.", "HADR",
     "humanitarian assistance and disaster relief"),
    ("It spoke of FOIP (Free and Open Indo-Pacific) often.", "FOIP",
     "Free and Open Indo-Pacific"),
])
def test_acronyms_are_found_in_both_parenthesis_orders(text, term, long):
    (fact,) = kinds(text, "acronym")
    assert (fact.term, fact.answer) == (term, long)
    assert fact.question == f"What does {term} stand for?"


def test_parentheses_that_are_not_acronym_definitions_are_ignored():
    text = ("The partners (Australia, New Zealand, and South Korea) met. "
            "A photo (Beata Zawrzel/NurPhoto via Getty Images) ran. The WHO (Geneva) spoke.")
    assert kinds(text, "acronym") == []


def test_schwartz_hearst_needs_every_letter_in_order():
    assert best_long_form("CMX", "the Crisis Management Exercise") == \
        "Crisis Management Exercise"
    assert best_long_form("XYZ", "the Crisis Management Exercise") is None


def test_acronym_distractors_are_the_other_expansions_of_the_text():
    text = ("Japan joined the Crisis Management Exercise (CMX). It signed the IPCP (Individual "
            "Partnership and Cooperation Programme). It backs FOIP (Free and Open Indo-Pacific)."
            " It joined the Global Combat Air Programme (GCAP).")
    cmx = next(c for c in kinds(text, "acronym") if c.term == "CMX")
    assert set(cmx.distractors) == {"Individual Partnership and Cooperation Programme",
                                    "Free and Open Indo-Pacific", "Global Combat Air Programme"}


def test_a_list_of_countries_becomes_an_entity_set_with_canonical_names():
    text = "Japan works with some NATO members such as the UK, France, Germany, and Italy."
    (fact,) = kinds(text, "entity_set")
    assert fact.answer == ("United Kingdom", "France", "Germany", "Italy")
    assert fact.category == "country"
    assert fact.statement == "Japan works with some NATO members such as {answer}."


def test_two_countries_need_an_enumeration_cue_to_count_as_a_list():
    assert kinds("Japan and South Korea signed it.", "entity_set") == []
    assert kinds("Tension between Russia and China grows.", "entity_set") == []
    (fact,) = kinds("It builds a fighter with the United Kingdom and Italy.", "entity_set")
    assert fact.answer == ("United Kingdom", "Italy")


def test_a_list_of_short_phrases_after_a_cue_is_an_entity_set():
    text = ("It proposed areas for the partnership, including cyber defense, disaster relief, "
            "and counter-piracy operations.")
    (fact,) = kinds(text, "entity_set")
    assert fact.answer == ("cyber defense", "disaster relief", "counter-piracy operations")


def test_a_quoted_phrase_is_not_mistaken_for_a_list():
    text = ('Phrases such as "upholding and strengthening the Order" in the language of the '
            "text matter.")
    assert kinds(text, "entity_set") == []


def test_people_with_roles_are_entities_with_a_last_name_alias():
    text = "In 2013, Prime Minister Shinzo Abe met NATO Secretary-General Rasmussen in Tokyo."
    people = {c.answer: c for c in kinds(text, "entity")}
    assert set(people) == {"Shinzo Abe", "Rasmussen"}
    assert people["Shinzo Abe"].aliases == ("Abe",)
    assert people["Shinzo Abe"].category == "person"
    assert kinds("The Ambassador to Belgium spoke.", "entity") == []


def test_a_repeated_paragraph_yields_its_facts_once():
    paragraph = "In 2015, Japan joined the Crisis Management Exercise (CMX).\n\n"
    once = extract(paragraph)
    twice = extract(paragraph * 2)
    assert [c.key() for c in once] == [c.key() for c in twice]


def test_every_quote_is_a_verbatim_substring(seed_base):
    for candidate in extract(seed_base.text):
        assert candidate.quote in seed_base.text


def approve_all(text: str, slug: str = "new") -> tuple[FactBase, list[str]]:
    """Approve every candidate that passes the gates, as an instructor approving them
    unedited would; return the base and one line per candidate left for the instructor."""
    records = [c.to_record(f"{slug}-{i}", slug) for i, c in enumerate(extract(text))]
    pools = extraction.pools()
    approved, proposed = [], []
    for record in records:
        fact = Fact.from_dict(record, slug)
        base = FactBase(slug, slug, text, [Topic(slug, slug)], pools, [fact])
        problems = check_fact(fact, base)
        if not problems:
            try:
                questions_for_fact(fact, base, random.Random(1))
            except GenerationError as exc:
                problems = [str(exc)]
        if problems:
            proposed.append(f"{record['rule']}: {problems[0]}")
        else:
            approved.append(fact)
    return FactBase(slug, slug, text, [Topic(slug, slug)], pools, approved), proposed


def test_seed_candidates_that_pass_the_gates_make_a_bank_that_passes_the_lints(seed_base):
    base, proposed = approve_all(seed_base.text)
    bank = extraction.commentary_bank(base)
    assert "short" in {q["type"] for q in bank}
    # Acronyms are matched by what the text says they do, never to their expansions.
    assert "matching" not in {q["type"] for q in bank}
    assert lint_bank(bank, base) == []
    # A rule-written fact is typed (no made-up wrong years or numbers), one blank per
    # sentence or per clause of two joined events, which prints no other year; a true/false
    # item swaps in another year the text names.
    single = [q for q in bank if len(q["fact_ids"]) == 1]
    assert all(q["type"] in ("short", "true_false") for q in single)
    shorts = [q for q in single if q["type"] == "short"]
    assert len({q["prompt"] for q in shorts}) == len(shorts)
    assert not any(re.search(r"\b(?:19|20)\d\d\b", q["prompt"]) for q in shorts)
    text_years = set(re.findall(r"\b(?:19|20)\d\d\b", seed_base.text))
    for q in single:
        if q["type"] == "true_false":
            assert set(re.findall(r"\b(?:19|20)\d\d\b", q["statement"])) <= text_years
    assert all(q["type"] == "matching" for q in bank
               if any(f.kind == "acronym" for f in base.facts if f.id in q["fact_ids"]))
    for question in bank:
        if question["type"] == "ordering":
            years = [f.answer for f in base.facts if f.id in question["fact_ids"]]
            assert len(set(years)) == len(years)  # one right order
    # The author's claims are proposed for the instructor to phrase, not dropped.
    assert sum(p.startswith("claim or cause") for p in proposed) >= 3


def test_approving_one_more_fact_keeps_the_other_questions_word_for_word(seed_base):
    candidates = extract(seed_base.text)
    facts = [Fact.from_dict(c.to_record(f"new-{i}", "new"), "new")
             for i, c in enumerate(candidates)]

    def bank(chosen):
        base = FactBase("new", "New", seed_base.text, [Topic("new", "New")],
                        extraction.pools(), chosen)
        return {q["id"]: content(q) for q in extraction.commentary_bank(base, seed=3)
                if len(q["fact_ids"]) == 1}

    first = next(i for i, c in enumerate(candidates) if not c.needs and c.kind == "year")
    before, after = bank(facts[:first] + facts[first + 1:]), bank(facts)
    assert set(after) - set(before)
    assert all(after[qid] == question for qid, question in before.items())


def test_a_different_commentary_is_read_by_the_same_rules():
    text = ("The Madrid Summit in 2022\n\n"
            "On June 28-30, leaders met in Madrid. Finland and Sweden were invited to join, "
            "alongside partners such as Australia, Japan, and New Zealand. Secretary-General "
            "Jens Stoltenberg called it historic. The Strategic Concept (SC) named 7 "
            "challenges. The alliance also works with the European Union and the United "
            "Nations on crisis response, including demining, air policing, and cyber defence.")
    found = {(c.kind, c.answer if isinstance(c.answer, str) else tuple(c.answer))
             for c in extract(text)}
    assert ("year", "2022") not in found  # only in the heading: not a sentence to quote
    assert ("date", "June 28-30") in found
    assert ("number", "7") in found
    assert ("acronym", "Strategic Concept") in found
    assert ("entity_set", ("Australia", "Japan", "New Zealand")) in found
    assert ("entity_set", ("demining", "air policing", "cyber defence")) in found
    assert ("entity", "Jens Stoltenberg") in found


def test_extractor_recall_and_precision_on_the_seed_commentary(seed_base):
    """Measure against the curated facts; the figures are printed (pytest -s) and documented."""
    candidates = extract(seed_base.text)
    report = evaluate(candidates, seed_base.facts, spellings=seed_base.spellings)
    print(f"\nrecall (year, acronym, entity_set): {len(report.recalled)}/{report.curated} = "
          f"{report.recall:.1%}; missed: {', '.join(report.missed) or 'none'}")
    print(f"precision (candidates matching a curated fact's answer and quote): "
          f"{report.kept}/{report.candidates} = {report.precision:.1%}")
    for candidate in report.unmatched:
        print(f"  not curated: {candidate.kind} {candidate.answer_text!r} ({candidate.rule})")
    assert report.curated == 29
    assert report.recall >= RECALL_FLOOR
    assert report.precision >= PRECISION_FLOOR


def test_evaluation_counts_a_wrong_answer_as_not_recalled(seed_base):
    fact = next(f for f in seed_base.facts if f.id == "info-security-agreement-year")
    wrong = extraction.Candidate(kind="year", answer="2011", quote=fact.quote, question="?",
                                 statement="{answer}", rule="test")
    right = extraction.Candidate(kind="year", answer="2010", quote=fact.quote, question="?",
                                 statement="{answer}", rule="test")
    assert not extraction.matches(wrong, fact)
    assert extraction.matches(right, fact)
    report = evaluate([wrong], [fact])
    assert (report.recall, report.precision) == (0.0, 0.0)


class _Counting:
    """Stands in for ``re`` and the splitter's compiled look-back: counts characters read."""

    def __init__(self, real, read: list[int]) -> None:
        self._real, self._read = real, read

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def search(self, *args, **kwargs):
        if isinstance(args[0], str) and not hasattr(self._real, "pattern"):
            string, pos, endpos = args[1], 0, len(args[1])  # re.search(pattern, string)
        else:
            string = args[0]
            pos = args[1] if len(args) > 1 else 0
            endpos = args[2] if len(args) > 2 else len(string)
        self._read.append(endpos - pos)
        return self._real.search(*args, **kwargs)


@pytest.mark.parametrize("unit", ["A. ", "Mr. ", "U.S. and U.K. ", "It was 2010. "])
def test_sentence_splitting_reads_each_character_a_bounded_number_of_times(monkeypatch, unit):
    """Looking back for an abbreviation reads a few characters, not the sentence so far
    (60,000 characters of "A. A. A. ..." took 34 s when it read back to the start)."""
    read: list[int] = []
    monkeypatch.setattr(splitting, "re", _Counting(splitting.re, read))
    monkeypatch.setattr(splitting, "_WORD_BEFORE", _Counting(splitting._WORD_BEFORE, read))
    text = unit * (6000 // len(unit))
    sentences(text)
    assert sum(read) <= 20 * len(text)


def test_extraction_past_its_deadline_stops():
    import time

    with pytest.raises(extraction.ExtractionTooSlow):
        extract("In 2010, Japan signed the Agreement with NATO.", deadline=time.monotonic())


# ------------------------------------------------------------------ imported commentaries

COMMENTARIES = ROOT / "tests" / "commentaries"


@pytest.mark.parametrize("name", ["japan-australia.txt", "nato-korea.txt", "eu-japan.txt",
                                  "korea-poland.txt", "japan-philippines.txt"])
def test_an_imported_commentary_makes_a_bank_that_passes_the_lints(name):
    """Commentaries written for the tests (see docs/question-quality.md)."""
    text = (COMMENTARIES / name).read_text(encoding="utf-8")
    base, proposed = approve_all(text, "doc")
    bank = extraction.commentary_bank(base)
    # Fewer, good questions: what cannot pass the gates is proposed (one is the floor: a
    # text whose every dated sentence is incidental yields none, and that is right).
    assert len(bank) >= 1
    assert lint_bank(bank, base) == []
    body_text = body(text)
    for question in bank:
        for quote in question["source"]["quotes"]:
            assert quote in body_text  # never a byline, caption or heading
        assert not re.search(r"\b(?:Both countries|the two (?:sides|governments))\b",
                             question["prompt"], re.IGNORECASE), question["prompt"]
    # What the agreement does and why it matters goes to the instructor, not nowhere.
    assert sum(p.startswith("claim or cause") for p in proposed) >= 2


def test_a_long_form_starting_with_a_function_word_takes_the_word_before():
    text = "In 2010, they signed an Acquisition and Cross-Servicing Agreement (ACSA) in Tokyo."
    assert best_long_form("ACSA", "signed an Acquisition and Cross-Servicing Agreement") == \
        "Acquisition and Cross-Servicing Agreement"
    (fact,) = kinds(text, "acronym")
    assert fact.answer == "Acquisition and Cross-Servicing Agreement"


def test_a_sentence_leaning_on_its_neighbours_is_resolved_or_proposed():
    text = ("In 2007, Japan and Australia issued a joint declaration on security cooperation. "
            "In 2010, the two governments signed a logistics agreement.\n\n"
            "Tokyo welcomed Canberra's offer. "
            "Both countries also upgraded their ties to a Special Strategic Partnership in 2014, "
            "a step that went well beyond trade and investment.")
    years = {c.answer: c for c in kinds(text, "year")}
    # A new paragraph's "both countries" is the text's first pair when the paragraph names
    # both (here by their capitals; round 57).
    # ... and "also" goes: the sentence it points back to is not in the stem.
    assert years["2014"].statement.startswith("Japan and Australia upgraded")
    text = ("In 2010, the two governments signed a logistics agreement.\n\n"
            "Both countries also upgraded their ties to a Special Strategic Partnership in 2014, "
            "a step that went well beyond trade and investment.")
    assert years["2010"].statement == "In {answer}, Japan and Australia signed a logistics " \
                                      "agreement."
    assert years["2010"].quote in text  # the quote stays verbatim
    years = {c.answer: c for c in kinds(text, "year")}
    lonely = years["2014"]  # no pair earlier in its paragraph: left to the instructor
    fact = Fact.from_dict(lonely.to_record("x-1", "x"), "x")
    base = FactBase("x", "x", text, [Topic("x", "x")], extraction.pools(), [fact])
    assert any("leans on the sentences before it" in p for p in check_fact(fact, base))


def test_year_distractors_keep_the_order_of_the_sentences_other_dates():
    text = ("The pact was signed in January 2018 and entered into force in August 2020, "
            "long after talks began in 2012 and well before the 2023 review.")
    fact = next(c for c in kinds(text, "year") if c.answer == "2020")
    fact = Fact.from_dict(fact.to_record("p-1", "p"), "p")
    base = FactBase("p", "p", text, [Topic("p", "p")], extraction.pools(), [fact])
    for seed in range(10):
        wrong = distractors(fact, base, random.Random(seed), 3)
        assert all(2018 < int(w) < 2023 for w in wrong), wrong


def test_country_distractors_come_from_the_text_and_are_never_its_protagonists():
    text = ("Japan and Australia train together. Japan and Australia met again in Tokyo. "
            "Japan and Australia also work with the United States and India in the Quad. "
            "China and Russia watch; Indonesia and Vietnam stay neutral.")
    (fact,) = [c for c in kinds(text, "entity_set") if "India" in c.answer]
    fact = Fact.from_dict(fact.to_record("q-1", "q"), "q")
    base = FactBase("q", "q", text, [Topic("q", "q")], extraction.pools(), [fact])
    for seed in range(10):
        for wrong in distractors(fact, base, random.Random(seed), 3):
            assert wrong in text and wrong not in ("Japan", "Australia"), wrong


def test_identical_true_false_statements_are_asked_once(seed_base):
    fact = next(f for f in seed_base.facts if f.false_statements)
    question = next(q for q in generate_bank(seed_base, 0)
                    if q["type"] == "true_false" and q["fact_ids"] == [fact.id])
    twin = dict(question, id=question["id"] + "-twin")
    assert len(finish_bank([question, twin], seed_base)) == 1


def test_a_year_asked_as_true_false_is_not_also_typed():
    # Round 11's held-out review: "In December 2007 ... upgraded ties" beside the typed
    # "In December ___ ... upgraded ties" (2006) repeated one question with a year moved.
    text = ("In 2009, Chile and Peru issued a Joint Declaration on Maritime Cooperation. In "
            "2012, Chile and Peru signed an agreement on search and rescue at sea. Chile and "
            "Peru upgraded their ties to a Strategic Partnership in 2016. Since 2018, the two "
            "coast guards have trained together every year. In 2020, Chile and Peru signed a "
            "fisheries accord for the Humboldt Current. In 2021, Chile and Peru launched a "
            "joint naval exercise off Arica. In 2023, Chile and Peru established a joint "
            "centre for maritime surveillance. In 2024, Chile and Peru opened a joint coast "
            "guard academy in Tacna. In 2025, Chile and Peru signed a logistics agreement.")
    base = FactBase("new", "New", text, [Topic("new", "New")], extraction.pools(),
                    [Fact.from_dict(c.to_record(f"new-{i}", "new"), "new")
                     for i, c in enumerate(extract(text)) if not c.needs])
    paired = [f for f in base.facts if f.kind == "year" and f.false_statements]
    assert len(paired) == 2
    assert all(f.forms == ("true_false",) for f in paired)
    for fact in paired:  # a year moved by one is a trick on the date, not a fact
        (false,) = fact.false_statements
        (year,) = re.findall(r"\b20\d\d\b", false)
        assert abs(int(year) - int(fact.answer)) > 1
    bank = extraction.commentary_bank(base)
    typed = {f for q in bank if q["type"] == "short" for f in q["fact_ids"]}
    judged = {f for q in bank if q["type"] == "true_false" for f in q["fact_ids"]}
    assert judged and not typed & judged
    # Round 8 left every imported true/false False: the bank states half as they stand.
    assert {q["answer"] for q in bank if q["type"] == "true_false"} == {True, False}


@pytest.mark.parametrize("second, dangling", [
    ("The two visits opened a new chapter in relations in 2019.", True),
    ("In 2019, the three ministers signed a plan on port security.", True),
    ("The two Koreas signed a joint statement on fisheries in 2019.", False),
])
def test_a_reference_to_earlier_sentences_is_not_lifted_as_a_stem(second, dangling):
    text = f"Chile's president went to Lima in May. Peru's went to Santiago in June. {second}"
    (year,) = [c for c in extract(text) if c.kind == "year"]
    fact = Fact.from_dict(year.to_record("x-1", "x"), "x")
    base = FactBase("x", "x", text, [Topic("x", "x")], extraction.pools(), [fact])
    leans = any("leans on the sentences before it" in p for p in check_fact(fact, base))
    assert leans == dangling
