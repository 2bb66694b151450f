"""Quality gates (quizapp.domain.quality) over the seed bank and many drawn quizzes, each
lint shown failing on a deliberately bad example."""

from __future__ import annotations

import copy
import json
import random
from collections import Counter

import pytest

from quizapp import resource_dir
from quizapp.domain.facts import Fact, check_factbase, load_factbase
from quizapp.domain.generator import generate_bank
from quizapp.domain.passages import body, split_blocks
from quizapp.domain.quality import lint_bank, lint_question, lint_quiz
from quizapp.domain.selection import Candidate, draw

BASE = load_factbase(resource_dir("seeds") / "nato-japan.yaml")


def candidates(bank):
    return [Candidate(i, q["type"], q["topic"], tuple(q["fact_ids"]), q["importance"],
                      tuple(q["cues"]), tuple(q["near"])) for i, q in enumerate(bank, 1)]


def quiz(bank, count, seed, **filters):
    return [bank[c.id - 1] for c in draw(candidates(bank), count, random.Random(seed),
                                         **filters)]


@pytest.fixture(scope="module")
def bank():
    return generate_bank(BASE, 1)


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_the_seed_bank_passes_every_lint(seed):
    assert lint_bank(generate_bank(BASE, seed), BASE) == []


def test_drawn_quizzes_pass_every_lint(bank):
    for seed in range(25):
        for count in (5, 10, 15):
            assert lint_quiz(quiz(bank, count, seed), BASE) == [], (seed, count)


def test_true_false_is_at_most_a_quarter_of_the_bank(bank):
    assert sum(q["type"] == "true_false" for q in bank) <= len(bank) / 4


def test_quizzes_draw_core_facts_first_and_details_are_a_minority(bank):
    core = detail = total = 0
    for seed in range(40):
        drawn = quiz(bank, 10, seed)
        core += sum(q["importance"] == "core" for q in drawn)
        detail += sum(q["importance"] == "detail" for q in drawn)
        total += len(drawn)
    assert core / total >= 0.5 and detail / total <= 0.15


def test_a_quiz_has_a_balance_of_forms(bank):
    for seed in range(30):
        forms = [q["type"] for q in quiz(bank, 10, seed)]
        assert forms.count("true_false") <= 2 and max(map(forms.count, set(forms))) <= 5
        assert len(set(forms)) >= 3


def test_a_filtered_quiz_still_fills_up(bank):
    drawn = quiz(bank, 8, 3, types=["true_false"])
    assert len(drawn) == 8 and {q["type"] for q in drawn} == {"true_false"}


# ---------------------------------------------------------- each lint fails on a bad example

def _question(bank, qid):
    return copy.deepcopy(next(q for q in bank if q["id"] == qid))


def test_lint_catches_an_answer_in_its_own_stem(bank):
    q = _question(bank, "vilnius-itpp-cosigner.mcq")
    q["prompt"] = "Japan and South Korea signed ITPPs at Vilnius. Which country besides Japan?"
    assert any("prints its own answer" in p for p in lint_question(q, BASE))


def test_lint_catches_an_acronym_asked_by_its_initials(bank):
    q = _question(bank, "vilnius-itpp-cosigner.mcq")
    q["fact_ids"] = ["gcap-acronym"]
    assert any("initials" in p for p in lint_question(q, BASE))


def test_lint_catches_a_true_false_from_a_negated_sentence(bank):
    q = _question(bank, "itpp-rooted-in.true_false")
    q["fact_ids"] = ["itpp-partnership-framework"]  # "does not go beyond ..."
    assert any("negated" in p for p in lint_question(q, BASE))


def test_lint_catches_a_true_false_joined_from_a_select_all_key(bank):
    q = _question(bank, "partnership-limits.true_false")
    fact = next(f for f in BASE.facts if f.id == "partnership-limits")
    q["statement"] = q["prompt"] = ("The author presents as limits of the partnership that "
                                    + ", ".join(fact.answer) + ".")
    q["answer"] = True
    assert any("select-all key" in p for p in lint_question(q, BASE))
    assert not any("select-all key" in p
                   for p in lint_question(_question(bank, "partnership-limits.true_false"), BASE))


def test_lint_catches_a_matching_description_that_repeats_its_name(bank):
    # Round 3: "Crisis Management Exercise (CMX)" paired with "the NATO exercise ...".
    q = copy.deepcopy(next(q for q in bank if q["type"] == "matching"))
    assert not any("repeats its name" in p for p in lint_question(q, BASE))
    fact = next(f for f in BASE.facts if f.id == q["fact_ids"][0])
    name_word = fact.answer_text.split()[-1]
    right = next(r for r in q["right"] if r["id"] == q["answer"][q["left"][0]["id"]])
    right["text"] = f"the NATO {name_word.lower()} Japan joined"
    assert any("repeats its name" in p for p in lint_question(q, BASE))


def test_lint_catches_distractors_of_another_kind_and_overlapping_ones(bank):
    q = _question(bank, "info-security-agreement-year.mcq")
    q["choices"][0 if q["answer"] != "a" else 1]["text"] = "last December"
    assert any("kind" in p for p in lint_question(q, BASE))
    q = _question(bank, "vilnius-itpp-cosigner.mcq")
    wrong = [c for c in q["choices"] if c["id"] != q["answer"]]
    wrong[0]["text"], wrong[1]["text"] = "Vietnam", "Republic of South Korea"
    problems = lint_question(q, BASE)
    assert any("neither curated nor named by the text" in p for p in problems)
    assert any("overlap" in p for p in problems)


def test_lint_catches_too_much_true_false_and_repeated_statements(bank):
    tf = [q for q in bank if q["type"] == "true_false"]
    flooded = list(bank) + [dict(q, id=q["id"] + "x") for q in tf] * 3
    problems = lint_bank(flooded, BASE)
    assert any("true/false is" in p for p in problems)
    assert any("statement repeated" in p for p in problems)


def test_lint_catches_a_core_fact_asked_in_one_form(bank):
    thinned = [q for q in bank if q["id"] != "article-5-inconceivable.true_false"]
    assert any(p.startswith("article-5-inconceivable: a core fact")
               for p in lint_bank(thinned, BASE))


def test_lint_catches_one_fact_twice_and_a_cross_cue_in_a_quiz(bank):
    twice = [_question(bank, "joint-political-declaration-nato-leader.mcq"),
             _question(bank, "joint-political-declaration-nato-leader.short")]
    assert any("asked 2 times" in p for p in lint_quiz(twice, BASE))
    # The explanation of one question names the key (Rasmussen) of another.
    cue = _question(bank, "cmx-start-year.mcq")
    cue["explanation"] += " Rasmussen had signed a declaration with Abe two years before."
    other = _question(bank, "joint-political-declaration-nato-leader.mcq")
    assert any("prints the key of joint-political-declaration-nato-leader" in p
               for p in lint_quiz([cue, other], BASE))


def test_lint_catches_a_quiz_of_true_false_and_details(bank):
    tf = [q for q in bank if q["type"] == "true_false"][:4]
    details = [q for q in bank if q["importance"] == "detail"
               and q["type"] != "true_false"][:4]
    assert any("true/false is" in p for p in lint_quiz(tf, BASE))
    assert any("details are" in p for p in lint_quiz(details, BASE))


def test_draw_keeps_apart_questions_that_cue_each_other():
    pool = [Candidate(1, "mcq", "t", ("a",), "core", ("b",)),
            Candidate(2, "mcq", "t", ("b",), "core"),
            Candidate(3, "short", "t", ("c",), "core")]
    for seed in range(20):
        ids = {c.id for c in draw(pool, 2, random.Random(seed))}
        assert ids != {1, 2}


# ---------------------------------------------------------- the commentary's body

def test_students_see_the_body_without_page_leftovers():
    text = body(BASE.text)
    assert text.startswith("The Vilnius Summit in 2023\n")
    assert text.endswith("tool for domestic political leverage.")
    for leftover in ("SVG", "komei_isozaki", "Caption", "Read in the East-West Center",
                     "Getty Images"):
        assert leftover not in text
    assert split_blocks(BASE.text)[0].text == "The Vilnius Summit in 2023"


def test_every_quote_is_a_sentence_of_the_body_not_a_heading_or_byline():
    headings = {b.text for b in split_blocks(BASE.text) if b.kind == "heading"}
    for fact in BASE.facts:
        assert fact.quote in body(BASE.text), fact.id
        assert fact.quote not in headings, fact.id


def test_a_fact_quoting_a_byline_or_heading_is_refused():
    raw = json.loads(json.dumps(next(f for f in BASE.facts
                                     if f.id == "vilnius-summit-year").to_dict()))
    bad = copy.copy(BASE)
    bad.facts = [Fact.from_dict({**raw, "quote": "The Vilnius Summit in 2023"}),
                 Fact.from_dict({**raw, "id": "byline", "quote": "komei_isozaki"})]
    problems = check_factbase(bad)
    assert sum("heading or page leftover" in p for p in problems) == 2


def test_a_spelling_shared_with_another_country_is_refused():
    bad = copy.copy(BASE)
    bad.pools = {"country": [type(BASE.pools["country"][0])("South Korea", ("Korea",)),
                             type(BASE.pools["country"][0])("North Korea", ("DPRK",))]}
    assert any("'Korea'" in p for p in check_factbase(bad))


def test_lint_catches_a_choice_that_alone_shares_a_word_with_the_stem(bank):
    q = _question(bank, "joint-operational-infrastructure.mcq")
    q["prompt"] = "Given that Japan and NATO countries cooperate in operations, what is urgent?"
    assert not any("shares a word" in p for p in lint_question(_question(
        bank, "joint-operational-infrastructure.mcq"), BASE))
    assert any("shares a word with the stem" in p for p in lint_question(q, BASE))


def test_lint_catches_near_duplicate_distractors(bank):
    q = _question(bank, "joint-infrastructure-why.mcq")
    wrong = [c for c in q["choices"] if c["id"] != q["answer"]]
    wrong[0]["text"] = "NATO plans to station forces permanently in Japan"
    wrong[1]["text"] = "NATO plans to station its forces in Japan permanently"
    assert any("near-duplicates" in p for p in lint_question(q, BASE))


def test_a_choice_restating_another_facts_claim_keeps_them_apart(bank):
    """The limits select-all restates the framework's three activities: never one quiz."""
    limits = next(q for q in bank if q["id"] == "partnership-limits.multi")
    assert "itpp-partnership-framework" in limits["cues"]
    assert "article-5-inconceivable" in limits["cues"]


def test_a_greedy_dead_end_is_retried_before_a_question_prints_another_key():
    # Only {b, c} keeps the rules: a first pick of "a" (which prints both their keys)
    # leaves nothing, so a draw that never reorders the pool repeats or cues a fact.
    pool = [Candidate(1, "mcq", "t", ("a",), "core", cues=("b", "c")),
            Candidate(2, "mcq", "t", ("b",), "core"),
            Candidate(3, "short", "t", ("c",), "core")]
    for seed in range(30):
        assert {c.id for c in draw(pool, 2, random.Random(seed))} == {2, 3}, seed


def test_lint_catches_a_key_that_is_the_odd_one_out(bank):
    # Round 2's itpp-rooted-in: three military options against "practical cooperation".
    q = _question(bank, "itpp-rooted-in.mcq")
    wrong = [c for c in q["choices"] if c["id"] != q["answer"]]
    for choice, text in zip(wrong, ["collective defense", "a formal military alliance",
                                    "shared nuclear deterrence"], strict=True):
        choice["text"] = text
    assert any("every wrong choice is military" in p for p in lint_question(q, BASE))
    # And the other way round: the key alone speaks of troops.
    q = _question(bank, "itpp-rooted-in.mcq")
    next(c for c in q["choices"] if c["id"] == q["answer"])["text"] = "troop deployments"
    assert any("the key alone is military" in p for p in lint_question(q, BASE))
    # One military option among modest ones is no odd one out.
    q = _question(bank, "itpp-rooted-in.mcq")
    next(c for c in q["choices"] if c["id"] != q["answer"])["text"] = "collective defense"
    assert not any("military" in p for p in lint_question(q, BASE))


def test_every_fact_is_equally_likely_within_its_tier_however_many_forms_it_has():
    # Fact "a" has five questions, b-e one each: a uniform shuffle of questions would open
    # most quizzes with "a" (5 in 9); a draw weighted per fact, one in five.
    forms = ["mcq", "short", "true_false", "multi", "cloze"]
    pool = [Candidate(i, t, "t", ("a",), "core") for i, t in enumerate(forms, 1)]
    pool += [Candidate(10 + i, "mcq", "t", (f,), "core") for i, f in enumerate("bcde")]
    firsts = Counter(draw(pool, 1, random.Random(seed))[0].fact_ids[0] for seed in range(500))
    assert set(firsts) == set("abcde")
    assert all(60 <= n <= 140 for n in firsts.values()), firsts
