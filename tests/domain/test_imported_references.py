"""A definite thing named only in an earlier sentence ("the programme"), a leaning subject
before a dated "when" clause, and a true/false that is not the text verbatim (round 13:
the round-12 held-out UK–Japan review, as patterns on texts of their own)."""

from __future__ import annotations

from quizapp.domain.candidates import standalone, without_aside
from quizapp.domain.extraction import extract
from quizapp.domain.references import definite_reference, kind_names


def _years(text):
    return {c.answer: c for c in extract(text) if c.kind == "year"}


def test_the_programme_is_made_the_one_programme_named_in_the_nearest_sentence_before():
    # The sentence just before names no programme; the one before it names one.
    text = ("In March 2019 the leaders of Chile, Peru and Ecuador announced the Pacific "
            "Patrol Vessel Programme, merging three national designs. The main industrial "
            "partners are ASMAR, SIMA and Astinave. A treaty signed in December 2021 created "
            "an international organisation to manage the programme, with its headquarters "
            "in Lima.")
    year = _years(text)["2021"]
    assert not year.needs
    assert "to manage the Pacific Patrol Vessel Programme, with" in year.statement
    assert "manage the programme" in year.quote  # the quote stays verbatim


def test_a_kind_with_an_adjective_is_resolved_too():
    text = ("A century after the Pacific Defence Alliance of 1881, Chile and Peru speak of "
            "partnership again. The original alliance lapsed in 1904, a casualty of the "
            "nitrate war, and for most of the century Chile and Peru related only as traders.")
    year = _years(text)["1904"]
    assert not year.needs
    assert year.statement.startswith("The Pacific Defence Alliance lapsed in {answer}")


def test_a_kind_its_own_sentence_names_is_no_reference():
    assert definite_reference("A treaty signed in {answer} made the treaty body.") is None
    assert definite_reference("Peru signed the agreement of 2004 in {answer}.") is None
    assert definite_reference("The agreement entered into force in {answer}.").group(0) \
        == "The agreement"
    assert kind_names("Peru and Chile signed an Acquisition and Cross-Servicing Agreement "
                      "and held Exercise Pacific Shield.", "agreement") == \
        ["Acquisition and Cross-Servicing Agreement"]
    assert kind_names("They then held Exercise Pacific Shield in Lima.", "exercise") == \
        ["Exercise Pacific Shield"]


def test_a_leaning_subject_before_a_dated_when_clause_is_dropped():
    assert standalone("The groundwork was laid in July {answer}, when Chile and Peru signed "
                      "an Information Security Agreement.") == \
        "In July {answer} Chile and Peru signed an Information Security Agreement."
    kept = "Political momentum peaked in {answer}, when Lagos visited Lima."
    assert standalone(kept) == kept


def test_a_true_false_drops_its_closing_aside_in_both_versions():
    assert without_aside("In {answer} Chile and Peru held their first \"2+2\" meeting in "
                         "Lima, a format Peru had kept for few partners.") == \
        "In {answer} Chile and Peru held their first \"2+2\" meeting in Lima."
    text = ("In 2010, Chile and Peru signed an agreement on fisheries. In 2013, Chile and "
            "Peru signed an agreement on search and rescue at sea. In 2017, Chile and Peru "
            "signed a logistics agreement. In January 2015 Chile and Peru held their first "
            "\"2+2\" meeting in Lima, a format Peru had kept for only a few partners.")
    year = _years(text)["2015"]
    assert year.forms == ("true_false",)
    assert year.statement == "In January {answer} Chile and Peru held their first \"2+2\" " \
                             "meeting in Lima."
    (false,) = year.false_statements
    assert "a format" not in false and "2015" not in false
