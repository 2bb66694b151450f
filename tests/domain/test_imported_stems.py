"""Stems lifted from an imported text read alone (round 12: the findings of the blind
review of an imported Japan–India commentary, as patterns on texts of their own)."""

from __future__ import annotations

import pytest

from quizapp.domain.candidates import standalone
from quizapp.domain.extraction import extract
from quizapp.domain.references import pronoun_subject
from quizapp.domain.sentences import end_sentence
from quizapp.domain.yearblanks import blank_problem


def _years(text):
    return {c.answer: c for c in extract(text) if c.kind == "year"}


def test_a_sentence_ending_inside_a_quotation_gets_no_second_full_stop():
    text = ("Chile's president went to Lima in April 2005 to add a \"maritime dimension\" to "
            "the relationship, and in December 2006 Chile and Peru upgraded their ties to a "
            "\"Strategic and Integral Partnership.\"")
    year = _years(text)["2006"]
    assert not year.needs
    assert year.statement.endswith('Partnership."'), year.statement
    assert '."' + "." not in year.explanation and '.".' not in year.explanation
    assert end_sentence('ties to a "Strategic Partnership.".') == \
        'ties to a "Strategic Partnership."'
    assert end_sentence("Peru signed it in {answer},") == "Peru signed it in {answer}."


def test_he_is_made_the_one_person_the_sentence_before_names():
    # A person is known by a role somewhere in the text ("President Michelle Bachelet").
    text = ("President Michelle Bachelet visited Lima in 2006. Bachelet was the idea's most "
            "articulate champion. In August 2007 she addressed Peru's Congress with her "
            "\"Two Coasts\" speech on shared maritime interests.")
    year = _years(text)["2007"]
    assert not year.needs
    assert year.statement.startswith("In August {answer} Michelle Bachelet addressed"), \
        year.statement
    assert year.quote in text  # the quote stays verbatim


@pytest.mark.parametrize("text", [
    # No one named before, or two people: who "he" is stays the instructor's call.
    "The thaw was slow. In August 2007 he addressed Peru's Congress on maritime interests.",
    "Prime Minister Ana Torres met Prime Minister Luis Vega in Lima. In August 2007 he "
    "addressed Peru's Congress on maritime interests.",
    # A pronoun subject whose thing is named before.
    "The Pacific Forum met twice. At the May 2022 summit in Lima it launched a Maritime "
    "Awareness Partnership for the Pacific.",
    # Round 13: "the programme" with no programme named before in its paragraph, two, or
    # a nameless one beside the named one.
    "Chile and Peru build ships together. A treaty signed in December 2021 created an "
    "organisation to manage the programme, with its headquarters in Lima.",
    "Chile announced the Pacific Patrol Vessel Programme and the Coastal Radar Programme. "
    "A treaty signed in December 2021 created an organisation to manage the programme, "
    "with its headquarters in Lima.",
    "Chile announced the Pacific Patrol Vessel Programme and a training programme. "
    "A treaty signed in December 2021 created an organisation to manage the programme, "
    "with its headquarters in Lima.",
])
def test_a_reference_without_its_referent_is_proposed(text):
    (year,) = _years(text).values()
    assert year.needs and not year.question
    assert "leans on an earlier one" in year.needs


def test_a_pronoun_the_sentence_itself_names_is_no_reference():
    assert pronoun_subject("The European Union and Japan held their first summit in "
                           "{answer}, when they adopted a joint declaration.") is None
    assert pronoun_subject("When Abe returned in {answer}, he gave a speech.") is None
    assert pronoun_subject("In {answer}, it was signed in Lima.") == "it"
    assert pronoun_subject("During that visit, in {answer}, the two leaders met.") == \
        "During that visit"
    assert pronoun_subject("That agreement was signed in {answer}.") == "That agreement"
    assert pronoun_subject("Peru said in {answer} that it would sign.") is None


@pytest.mark.parametrize("statement", [
    # The object is in the sentence before (stepped back from the Quad).
    "Australia under Kevin Rudd stepped back in early {answer}.",
    "Canada joined in {answer}.",
    "Peru pulled out in March {answer}.",
])
def test_a_verb_whose_object_is_in_the_sentence_before_is_not_blanked(statement):
    assert "leans on its neighbours" in blank_problem(statement)


def test_a_verb_with_its_object_may_be_blanked():
    assert blank_problem("Canada joined the Quad in {answer}.") is None
    assert blank_problem("Australia stepped back from the Quad in early {answer}.") is None
    assert blank_problem("Chile and Peru agreed in {answer} to begin talks on a treaty.") \
        is None


@pytest.mark.parametrize("statement", [
    "Japan lifted its remaining sanctions in {answer}, partly because Washington was moving "
    "closer to New Delhi after the September 11 attacks.",
    "Peru reopened its embassy in {answer}, soon after the events of 11 September.",
    "Chile changed course in {answer}, after 9/11.",
])
def test_a_dated_event_beside_the_blank_gives_it_away(statement):
    assert "gives the blank away" in blank_problem(statement)


def test_a_full_date_of_the_blanks_own_event_is_no_clue():
    assert blank_problem("On July 8, {answer}, the two ministers signed the Reciprocal "
                         "Access Agreement.") is None


def test_a_leading_date_without_its_comma_dates_the_main_clause():
    # Round 11 refused it in the bank lint yet let its longer sentence through the gate.
    assert blank_problem("In April {answer} Japan replaced its ban on arms exports with "
                         "the Three Principles.") is None
    assert blank_problem("In April {answer} Japan had replaced its ban on arms exports, "
                         "which made cooperation legally possible.") is None


def test_also_and_a_pluperfect_main_verb_are_dropped_from_a_lifted_year_stem():
    assert standalone("In August {answer}, at a conference in Nairobi, Abe also set out "
                      "his vision.") == "In August {answer}, at a conference in Nairobi, " \
                                       "Abe set out his vision."
    assert standalone("In April {answer} Japan had replaced its ban on arms exports.") == \
        "In April {answer} Japan replaced its ban on arms exports."
    # "not only ... but also" keeps it; a relative clause keeps its pluperfect.
    assert "but also" in standalone("In {answer}, Peru not only signed but also ratified it.")
    kept = ("In {answer}, Japan and Australia issued the Joint Declaration, the first such "
            "declaration Japan had signed with any country.")
    assert standalone(kept) == kept
    text = ("The two navies trained together. In April 2014 Peru had replaced its ban on arms "
            "exports with the Three Principles on Transfer of Defense Equipment.")
    assert _years(text)["2014"].statement.startswith("In April {answer} Peru replaced")


def test_a_false_version_swaps_a_quoted_name_the_text_gives_another_event():
    text = ("In 2000, Chile and Peru announced a \"Global Partnership in the 21st Century.\" "
            "In 2004, Chile and Peru signed an agreement on fisheries. In 2006, Chile and "
            "Peru signed an agreement on search and rescue at sea. In December 2008, Chile "
            "and Peru upgraded their ties to a \"Strategic and Global Partnership.\" In 2014, "
            "Chile and Peru raised their ties to a \"Special Strategic and Global "
            "Partnership.\"")
    year = _years(text)["2008"]
    assert year.forms == ("true_false",)
    (false,) = year.false_statements
    assert "December 2008" in false and "Special Strategic and Global Partnership" in false


def test_a_false_year_is_not_another_typed_questions_key_when_the_text_has_another():
    text = ("In 2010, Chile and Peru signed an agreement on fisheries. In 2013, Chile and "
            "Peru signed an agreement on search and rescue at sea. Since 2012, the two coast "
            "guards have trained together every year. In 2017, Chile and Peru signed a "
            "logistics agreement. In 2015, Chile and Peru opened a joint centre for maritime "
            "surveillance in Tacna.")
    years = _years(text)
    assert years["2012"].needs and not years["2013"].needs  # "Since" is proposed
    (false,) = years["2015"].false_statements
    assert "2012" in false  # not 2013 or 2017, the keys of typed questions


# A "who" item in place of a typed year (round 12: every imported question asked when).

_LEADERS = ("Prime Minister Ana Torres, Prime Minister Luis Vega and Prime Minister Rosa "
            "Prado had each visited Lima. ")


def test_a_dated_sentence_whose_subject_is_a_named_person_asks_who():
    text = _LEADERS + ("Prime Minister Jorge Lagos chose Arica in March 2012 to present a new "
                       "plan for the Pacific.")
    (who,) = [c for c in extract(text) if c.rule == "person of a dated event"]
    assert who.kind == "entity" and who.answer == "Jorge Lagos" and who.forms == ("mcq",)
    assert who.statement == ("Prime Minister {answer} chose Arica in March 2012 to present "
                             "a new plan for the Pacific.")
    assert set(who.distractors) == {"Ana Torres", "Luis Vega", "Rosa Prado"}
    assert "2012" not in {c.answer for c in extract(text) if c.kind == "year" and not c.needs}


@pytest.mark.parametrize("text", [
    # Another stem names the person: the key would be printed there.
    _LEADERS + "Prime Minister Jorge Lagos chose Arica in March 2012 to present a new plan "
    "for the Pacific. In 2015, Chile and Peru signed a fisheries accord drafted by Lagos.",
    # Fewer than three others of the office to offer.
    "Prime Minister Ana Torres had visited Lima. Prime Minister Jorge Lagos chose Arica in "
    "March 2012 to present a new plan for the Pacific.",
])
def test_no_who_item_where_it_would_be_given_away_or_lack_options(text):
    assert not [c for c in extract(text) if c.rule == "person of a dated event"]
    assert "2012" in {c.answer for c in extract(text) if c.kind == "year" and not c.needs}
