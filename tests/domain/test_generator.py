"""Question generation: every form, sound keys, distractors of the same kind, determinism."""

from __future__ import annotations

import dataclasses
import random
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp import resource_dir
from quizapp.domain.checking import check
from quizapp.domain.facts import Fact, load_factbase
from quizapp.domain.generator import (
    FORMS,
    TYPES,
    contract_view,
    distractors,
    generate_bank,
    make_matching,
    make_short,
    make_true_false,
    public_view,
)
from quizapp.domain.text import normalize

BASE = load_factbase(resource_dir("seeds") / "nato-japan.yaml")
FACTS = {f.id: f for f in BASE.facts}
seeds = st.integers(min_value=0, max_value=2**31 - 1)


@pytest.fixture(scope="module")
def bank():
    return generate_bank(BASE, 1)


def test_bank_has_all_six_forms(bank):
    assert {q["type"] for q in bank} == set(TYPES)


def test_every_core_fact_is_asked_in_at_least_two_forms(bank):
    forms: dict[str, set[str]] = {f.id: set() for f in BASE.facts if f.importance == "core"}
    for q in bank:
        for fid in q["fact_ids"]:
            if fid in forms:
                forms[fid].add(q["type"])
    assert len(forms) >= 15
    assert all(len(v) >= 2 for v in forms.values()), {k: v for k, v in forms.items()
                                                      if len(v) < 2}


def test_question_ids_are_unique(bank):
    ids = [q["id"] for q in bank]
    assert len(ids) == len(set(ids))


def test_no_question_is_asked_twice(bank):
    single = [normalize(q["prompt"]) for q in bank if q["type"] not in ("ordering", "matching")]
    assert [p for p, n in Counter(single).items() if n > 1] == []
    groups = [tuple(sorted(q["fact_ids"])) for q in bank if q["type"] in ("ordering", "matching")]
    assert len(groups) == len(set(groups))


def test_every_key_is_accepted_by_its_checker(bank):
    for q in bank:
        result = check(q, q["answer"])
        assert result.correct and result.credit == 1.0, q["id"]


def test_every_distractor_is_rejected_by_its_checker(bank):
    for q in bank:
        if q["type"] == "mcq":
            for choice in q["choices"]:
                if choice["id"] != q["answer"]:
                    assert not check(q, choice["id"]).correct, (q["id"], choice)
        elif q["type"] == "multi":
            for choice in q["choices"]:
                if choice["id"] not in q["answer"]:
                    assert not check(q, q["answer"] + [choice["id"]]).correct
        elif q["type"] == "true_false":
            assert not check(q, not q["answer"]).correct


def test_short_answers_accept_every_spelling_a_reader_uses(bank):
    north = next(q for q in bank if q["id"] == "communique-condemned-north-korea.short")
    for typed in ("North Korea", "DPRK", "the D.P.R.K.", "north korea."):
        assert check(north, typed).correct, typed
    south = next(q for q in bank if q["id"] == "vilnius-itpp-cosigner.short")
    for typed in ("South Korea", "Republic of Korea", "ROK", "R.O.K.", "south korea!"):
        assert check(south, typed).correct, typed


def test_a_country_typed_by_its_common_short_form_is_accepted():
    # Round 38: "NZ" for New Zealand was refused where "ROK" and "DPRK" were accepted.
    partners = next(q for seed in range(30) for q in generate_bank(BASE, seed)
                    if q["id"] == "vilnius-indo-pacific-partners.short"
                    and q["answer"] == "New Zealand")
    for typed in ("New Zealand", "NZ", "N.Z.", "Aotearoa New Zealand"):
        assert check(partners, typed).correct, typed
    assert not check(partners, "Australia").correct


@pytest.mark.parametrize("typed", ["Korea", "korea.", "North Korea", "Japan"])
def test_short_answers_refuse_another_country(bank, typed):
    """Tolerant of spelling, not of a different country: "Korea" is not South Korea."""
    south = next(q for q in bank if q["id"] == "vilnius-itpp-cosigner.short")
    assert not check(south, typed).correct


def test_quotes_are_verbatim_and_cite_the_document(bank):
    for q in bank:
        assert q["source"]["document"] == "nato-japan"
        for quote in q["source"]["quotes"]:
            assert quote in BASE.text


def test_year_distractors_are_near_and_never_true_for_the_event():
    for fact in (f for f in BASE.facts if f.kind == "year"):
        years_in_quote = set(re.findall(r"\d{4}", fact.quote))
        for seed in range(10):
            wrong = distractors(fact, BASE, random.Random(seed), 3)
            assert all(re.fullmatch(r"\d{4}", w) for w in wrong)
            # Another milestone's year from the text, or a close one.
            assert all(abs(int(w) - int(fact.answer)) <= 5 or w in BASE.text for w in wrong)
            assert not set(wrong) & years_in_quote
            assert not set(wrong) & set(fact.exclude)


def test_entity_distractors_come_from_the_same_pool_and_are_not_aliases():
    for fact in (f for f in BASE.facts if f.kind in ("entity", "entity_set") and f.category):
        pool = {normalize(s) for e in BASE.pools[fact.category] for s in e.spellings}
        curated = {normalize(d) for d in fact.distractors}
        keys = fact.answer if isinstance(fact.answer, tuple) else (fact.answer,)
        spellings = {normalize(s) for k in keys for s in BASE.spellings(k)}
        for seed in range(5):
            for wrong in distractors(fact, BASE, random.Random(seed), 2):
                assert normalize(wrong) in pool | curated, (fact.id, wrong)
                assert normalize(wrong) not in spellings


def test_public_view_never_contains_the_key(bank):
    for q in bank:
        view = public_view(q)
        assert set(view) <= {"id", "type", "prompt", "choices", "items", "left", "right"}
        assert "answer" not in view and "accepted" not in view


def test_contract_view_has_the_documented_fields(bank):
    for q in bank:
        record = contract_view(q)
        assert {"id", "type", "prompt", "answer", "answer_text", "fact_ids", "source"} <= set(
            record)
        assert set(record["source"]) == {"document", "quote"}
        needed = {"mcq": "choices", "multi": "choices", "ordering": "items", "matching": "left"}
        if q["type"] in needed:
            assert needed[q["type"]] in record
        if q["type"] in ("multi", "ordering", "matching"):
            assert isinstance(record["answer_text"], list)
        else:
            assert isinstance(record["answer_text"], str)


def test_ordering_items_are_not_handed_out_already_in_order(bank):
    for q in (q for q in bank if q["type"] == "ordering"):
        assert [i["id"] for i in q["items"]] != q["answer"]
        years = [FACTS[f].answer for f in q["fact_ids"]]
        assert len(set(years)) == len(years), "events of one year have no single right order"


def test_true_false_false_statements_differ_from_the_truth(bank):
    for q in (q for q in bank if q["type"] == "true_false" and q["answer"] is False):
        fact = FACTS[q["fact_ids"][0]]
        truth = fact.statement.replace("{answer}", "")
        assert normalize(q["statement"]) != normalize(truth)


# One property test, not three: a bank takes most of a second to generate, so each seed's
# bank is made twice (determinism) and both banks' keys and choices are checked.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds)
def test_any_seed_gives_one_bank_with_keys_of_its_facts_and_distinct_choices(seed):
    bank = generate_bank(BASE, seed)
    assert bank == generate_bank(BASE, seed)
    for q in bank:
        if q["type"] == "mcq":
            texts = [normalize(c["text"]) for c in q["choices"]]
            assert len(texts) == 4 and len(set(texts)) == 4
            assert sum(c["id"] == q["answer"] for c in q["choices"]) == 1
            fact = FACTS[q["fact_ids"][0]]
            key = next(c["text"] for c in q["choices"] if c["id"] == q["answer"])
            assert key == fact.answer_text
            others = [c["text"] for c in q["choices"] if c["id"] != q["answer"]]
            assert all(normalize(o) not in {normalize(a) for a in fact.aliases} for o in others)
        if q["type"] == "multi":
            texts = [normalize(c["text"]) for c in q["choices"]]
            assert len(set(texts)) == len(texts) >= len(q["answer"]) + 2


def test_acronyms_are_asked_only_by_matching_what_the_body_is_or_does(bank):
    assert FORMS["acronym"] == ()
    acronyms = {f.id for f in BASE.facts if f.kind == "acronym"}
    asked = [q for q in bank if acronyms & set(q["fact_ids"])]
    assert asked and all(q["type"] == "matching" for q in asked)
    for q in asked:
        roles = {FACTS[f].role for f in q["fact_ids"]}
        assert {r["text"] for r in q["right"]} == roles


def test_timeline_groups_never_mix_one_series_or_one_year():
    for seed in range(10):
        for q in (q for q in generate_bank(BASE, seed) if q["type"] == "ordering"):
            prefixes = [f.split("-")[0] for f in q["fact_ids"]]
            assert len(set(prefixes)) == len(prefixes), q["fact_ids"]


def test_year_distractors_never_postdate_the_commentary():
    latest = max(int(y) for y in re.findall(r"\b(20\d\d)\b", BASE.text))
    for seed in range(10):
        for q in generate_bank(BASE, seed):
            if q["type"] == "mcq" and FACTS[q["fact_ids"][0]].kind == "year":
                assert all(int(c["text"]) <= latest for c in q["choices"])


def test_a_cloze_is_not_made_where_the_quote_names_two_years(bank):
    """ "revised and renewed in 2018 and 2020": "revised again in ___" has two fillers."""
    ids = {q["id"] for q in bank}
    assert "ipcp-agreed-year.short" not in ids  # its quote names 2014, 2018 and 2020
    assert "ipcp-agreed-year.mcq" in ids and "cmx-start-year.short" in ids


def test_year_distractors_keep_their_place_among_the_stems_dates():
    """ "agreed in 2014, first revised in ___": 2010 or 2013 would be ruled out by the stem."""
    fact = FACTS["ipcp-first-revision-year"]
    for seed in range(10):
        assert all(2014 < int(w) < 2020 for w in distractors(fact, BASE, random.Random(seed), 3))


def test_a_statement_opening_with_a_reference_to_earlier_sentences_is_refused():
    from quizapp.domain.facts import check_fact

    fact = FACTS["shared-concerns-three-countries"]
    lifted = Fact.from_dict({**fact.to_dict(), "statement": "According to the commentary, "
                             "these security concerns had long been shared among {answer}."})
    assert any("leans on the sentences before it" in p for p in check_fact(lifted, BASE))
    assert check_fact(fact, BASE) == []


def test_the_export_shows_what_a_short_answer_accepts_and_the_checker_takes_it(bank):
    shorts = [contract_view(q) for q in bank if q["type"] == "short"]
    assert shorts and all(r["accepted"] for r in shorts)
    for record in shorts:
        for spelling in record["accepted"]:
            assert check(record, spelling).correct
    china = next(r for r in shorts if r["fact_ids"] == ["communique-china-challenges"])
    assert {"PRC", "People's Republic of China"} <= set(china["accepted"])


def test_a_person_is_keyed_as_the_text_prints_the_name_with_full_names_accepted(bank):
    q = next(q for q in bank if q["id"] == "joint-political-declaration-nato-leader.short")
    assert q["answer"] == "Rasmussen"  # the text never prints "Anders Fogh"
    assert check(q, "Anders Fogh Rasmussen").correct and check(q, "rasmussen").correct


def test_a_typed_number_accepts_words_and_its_unit():
    from quizapp.domain.text import number_spellings
    spellings = number_spellings("2", "about {answer} percent of GDP")
    assert {"2", "two", "2%", "2 percent", "two per cent"} <= set(spellings)
    assert set(number_spellings("31", "{answer} NATO member states")) >= {"thirty-one",
                                                                          "thirty one"}


def test_a_false_statement_is_corrected_in_one_sentence(bank):
    false = [q for q in bank if q["type"] == "true_false" and q["answer"] is False]
    assert false
    for q in false:
        assert q["statement"] not in q["explanation"]
        assert q["explanation"].count(". ") == 0, q["explanation"]


def test_accepted_lists_one_spelling_per_form_the_checker_folds(bank):
    # Round 10: "Self-Defense Forces officers" beside "Self Defense Forces officers" read as
    # if the checker told a hyphen from a space, so "Self-Defense Force officers" seemed
    # refused. One spelling per normalised form, and a note says what is folded.
    for q in (q for q in bank if q["type"] == "short"):
        forms = [normalize(a) for a in q["accepted"]]
        assert len(forms) == len(set(forms)), q["accepted"]
    # Round 13: the bank no longer asks it typed (a description); its spellings still fold.
    fact = next(f for f in BASE.facts if f.id == "sdf-officers-to-nato-hq")
    sdf = make_short(dataclasses.replace(fact, answer="Self Defense Force officers", aliases=(
        "Self-Defense Force officer", "Self-Defense Forces", "Japan Self-Defense Forces",
        "Japanese Self-Defense Force officers", "Self-Defense Force personnel", "SDF officers",
        "SDF personnel")), BASE, random.Random(0))
    for typed in ("Self-Defense Force officers", "Self-Defense Forces", "Japan Self-Defense Forces",
                  "Self Defence Force officer", "SDF officers"):
        assert check(sdf, typed).correct, typed
    assert "Case" in contract_view(sdf)["accepted_note"]
    # Round 10's review: refused, though right.
    for typed in ("SDF personnel", "Self-Defense Force personnel",
                  "Japanese Self-Defense Force officers"):
        assert check(sdf, typed).correct, typed
    rasmussen = next(f for f in BASE.facts if f.id == "joint-political-declaration-nato-leader")
    accepted = make_short(rasmussen, BASE, random.Random(0))["accepted"]
    assert "Secretary-General Rasmussen" in accepted
    assert {normalize(a) for a in accepted} == {normalize(a) for a in [
        rasmussen.answer, *rasmussen.aliases, *BASE.spellings(rasmussen.answer)]}


def test_a_typed_name_is_accepted_with_its_title_and_a_bare_title_is_not(bank):
    """Round 10's review: "Prime Minister Shinzo Abe", "PM Abe" were refused."""
    shorts = [q for q in bank if q["type"] == "short"]
    for fid, titled in (("abe-father-of-both-initiatives", ("Prime Minister Shinzo Abe",
                         "PM Abe", "then Prime Minister Abe", "Shinzō Abe")),
                        ("joint-political-declaration-japan-leader", ("PM Abe",)),
                        ("joint-political-declaration-nato-leader", (
                            "Secretary General Rasmussen", "NATO Secretary-General Rasmussen"))):
        for q in (q for q in shorts if q["fact_ids"] == [fid]):
            for typed in titled:
                assert check(q, typed).correct, (fid, typed)
            for title in ("Prime Minister", "PM", "Secretary-General", "NATO"):
                assert not check(q, title).correct, (fid, title)
            assert len(q["accepted"]) <= 10  # a Moodle export doubles each, up to 20

def test_a_true_false_of_a_claim_set_states_one_claim_not_the_joined_key():
    # Round 3: "partnership-limits" joined its three select-all claims into one sentence.
    fact = FACTS["partnership-limits"]
    truths = set()
    for seed in range(40):
        q = make_true_false(fact, BASE, random.Random(seed))
        held = [c for c in fact.answer if normalize(c) in normalize(q["statement"])]
        assert len(held) <= 1, q["statement"]
        if q["answer"]:
            truths.add(held[0])
    assert truths == set(fact.answer)


def test_a_matching_items_right_column_is_never_in_the_left_columns_order():
    # Round 41: a shuffle that left every description beside its acronym answered itself.
    class Unshuffled(random.Random):
        def shuffle(self, x):
            pass
    acronyms = [f for f in BASE.facts if f.kind == "acronym"][:4]
    q = make_matching(acronyms, BASE, Unshuffled(0))
    assert q["answer"] != {f"l{i}": f"r{i}" for i in range(1, 5)}
    assert sorted(q["answer"].values()) == ["r1", "r2", "r3", "r4"]
