"""Which years of an imported text may be blanked, and which make a timeline label
(quizapp.domain.yearblanks and the import gate): the held-out reviews' failures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from quizapp.domain.acronyms import acronym_role
from quizapp.domain.extraction import extract
from quizapp.domain.yearblanks import blank_problem, clean_event, one_event


@pytest.mark.parametrize("statement", [
    "In {answer}, Japan signed the Agreement on Security of Information with NATO.",
    "In November {answer}, Tokyo and Brussels launched the Security and Defence Partnership.",
    "Japan relaxed its rules on arms exports in December {answer}, allowing exports.",
    "At their summit in Brussels in July {answer}, the two sides agreed to begin talks.",
    "Since {answer}, the Japan Maritime Self-Defense Force has conducted joint exercises.",
    "Japan started participating in NATO's Crisis Management Exercise (CMX) in {answer}.",
    "On July 8, {answer}, the two ministers signed the Reciprocal Access Agreement.",
    # An appositive is no aside (round 6).
    "The first cargo from LNG Canada, a terminal in Kitimat, British Columbia, left for "
    "Asia in {answer}.",
])
def test_a_year_dating_the_sentences_main_event_may_be_blanked(statement):
    assert blank_problem(statement) is None


@pytest.mark.parametrize("statement, reason", [
    # The author's as-of date and a year of measurement (held-out 2).
    ("By the end of {answer}, Poland had received most of the tanks.", "as-of"),
    ("The deal was worth 14 billion dollars in {answer} terms.", "as-of"),
    ("Its defence budget reached about 4 percent of GDP in {answer}.", "statistic"),
    ("In {answer}, Japan's defence budget reached 1.2 percent of GDP.", "statistic"),
    ("At the time of writing in March {answer}, the two sides had met twice.", "as-of"),
    ("In {answer}, trade between the two countries reached $30 billion.", "statistic"),
    ("Tokyo has supplied patrol vessels to Manila since {answer}.", "not an adverb"),
    ("Japan joined the pact in {answer}, a year after the United States withdrew.",
     "another date"),
    ("By {answer}, Poland had received most of the tanks.", "as-of"),
    # Another date gives the blank away ("months after signature").
    ("The first tanks arrived in December {answer}, less than six months after signature.",
     "another date"),
    # A subordinate clause's year, not the main event's.
    ("When Russia invaded Ukraine in February {answer}, Poland decided to buy abroad.",
     "subordinate"),
    # ... also when the clause opens a few words in: the main event is what follows.
    ("Shortly after Russia invaded Ukraine in February {answer}, Chile abstained in the "
     "vote.", "subordinate"),
    ("In the weeks after the invasion of Ukraine in {answer}, Brazil abstained in the vote.",
     "subordinate"),
    ("Even when the summit was held in {answer}, Peru stayed away.", "subordinate"),
    # A document's year and a year in an aside or a later clause.
    ("Japan's National Security Strategy of December {answer} called for cooperation.",
     "document"),
    ("The Strategy, published in September {answer}, had named Japan as a partner.", "aside"),
    ("The RAA, OSA and the summit in Washington in April {answer} belong to one strategy.",
     "aside"),
    ("A change of government in Warsaw in December {answer} led to a review.", "no past"),
    # Sentences that lean on their neighbours.
    ("The main reason is Russia's invasion of Ukraine in February {answer}.", "leans"),
    ("The first executive contracts followed in August {answer}.", "leans"),
    ("The Senate did so in December {answer}.", "leans"),
])
def test_an_incidental_year_is_not_blanked(statement, reason):
    why = blank_problem(statement)
    assert why is not None
    assert reason in why or reason.split()[0] in why, why


def test_the_gate_proposes_an_incidental_year_with_the_reason():
    text = ("In July 2022, Poland signed a framework agreement with Hanwha Aerospace. "
            "The first howitzers arrived in December 2022, less than six months after the "
            "framework agreement. Its defence budget reached about 4 percent of gross "
            "domestic product in 2024.")
    years = [c for c in extract(text) if c.kind == "year"]
    asked = [c for c in years if not c.needs]
    assert [c.answer for c in asked] == ["2022"]
    assert asked[0].statement.startswith("In July {answer}, Poland signed")
    proposed = [c for c in years if c.needs]
    assert len(proposed) == 2
    assert all("would not ask when the sentence's event happened" in c.needs for c in proposed)


def test_counts_are_proposed_not_blanked():
    text = "The first ten K2 tanks and 24 K9 howitzers arrived in Poland in the winter."
    numbers = [c for c in extract(text) if c.kind == "number"]
    assert numbers and all(c.needs and not c.question for c in numbers)


def test_a_timeline_label_is_a_clean_event_clause():
    assert clean_event("In November {answer}, Tokyo and Brussels launched the SDP.",
                       "Tokyo and Brussels launched the SDP")
    # A state since then is no event; nor is a label without a verb.
    assert not clean_event("Since {answer}, the navy has conducted exercises with Atalanta.",
                           "The navy has conducted exercises with Atalanta")
    assert not clean_event("At their summit in Brussels in July {answer}, they agreed.",
                           "At their summit in Brussels")
    assert not clean_event("A change of government in December {answer} led to a review.",
                           "A change of government led to a review")
    text = ("Since 2017, the Japan Maritime Self-Defense Force has conducted joint exercises "
            "with Operation Atalanta. In November 2024, Tokyo and Brussels launched the "
            "EU-Japan Security and Defence Partnership (SDP).")
    events = {c.answer: c.event for c in extract(text) if c.kind == "year"}
    assert events == {"2017": None, "2024": "Tokyo and Brussels launched the EU-Japan "
                                            "Security and Defence Partnership (SDP)"}


def test_both_sides_named_with_their_articles():
    # (The paragraph names both, as Japanese and European, since round 57.)
    text = ("The European Union and Japan trade a lot. Nothing else here matters at all.\n\n"
            "Japanese and European leaders met often. "
            "The two sides held their first summit in The Hague in 1991, when they adopted "
            "a joint declaration.")
    (year,) = [c for c in extract(text) if c.kind == "year"]
    assert year.statement.startswith("The European Union and Japan held their first summit")


def test_a_leading_adverbials_event_is_the_main_clause():
    text = ("The European Union and Japan trade a lot. Nothing else here matters at all.\n\n"
            "Japanese and European leaders met often. "
            "At their summit in Brussels in July 2023, the two sides agreed to begin "
            "consultations on a dedicated security agreement.")
    (year,) = [c for c in extract(text) if c.kind == "year"]
    assert year.event == ("The European Union and Japan agreed to begin consultations on a "
                          "dedicated security agreement")


# ---------------------------------------------------------- round 6: more from a text

@pytest.mark.parametrize("statement, clause", [
    ("In {answer}, Japan agreed to transfer TC-90 training aircraft to the Philippine Navy, "
     "and in 2020 Japan and the Philippines signed a contract for air surveillance radars.",
     "In {answer}, Japan agreed to transfer TC-90 training aircraft to the Philippine Navy."),
    ("Dialogue began in 2005, and NATO and South Korea signed an Individual Partnership and "
     "Cooperation Programme (IPCP) in {answer}.",
     "NATO and South Korea signed an Individual Partnership and Cooperation Programme "
     "(IPCP) in {answer}."),
    # One subject, two verbs: the first clause stands alone.
    ("Japan and the Philippines became strategic partners in {answer} and upgraded it to "
     "a strengthened strategic partnership in 2015.",
     "Japan and the Philippines became strategic partners in {answer}."),
])
def test_a_sentence_joining_two_dated_events_asks_one_without_the_other(statement, clause):
    assert one_event(statement) == clause
    assert blank_problem(clause) is None


@pytest.mark.parametrize("statement", [
    # One event dated twice: "in 2018 and 2020" would take either year.
    "The IPCP was agreed and was revised and renewed in {answer} and 2020.",
    # The clause leans on the other ("and upgraded it": no subject of its own).
    "They became strategic partners in {answer} and upgraded it to a partnership in 2015.",
    # Too short to stand alone: "Dialogue began in ___" (whose?).
    "Dialogue began in {answer}, and NATO and South Korea signed an IPCP in 2012.",
])
def test_a_clause_that_cannot_stand_alone_is_not_asked(statement):
    assert one_event(statement) is None


def _asked_years(text):
    """The year candidates the gate lets the rules write in full."""
    return [c for c in extract(text) if c.kind == "year" and not c.needs]


def test_both_events_of_one_sentence_are_asked_and_the_stem_prints_neither_year():
    text = ("Yoon attended the NATO summit in Madrid in June 2022, the first time a South "
            "Korean president had done so, and South Korea signed an Individually Tailored "
            "Partnership Programme (ITPP) with NATO in July 2023.")
    asked = _asked_years(text)
    assert [c.answer for c in asked] == ["2022", "2023"]
    for candidate in asked:
        other = "2023" if candidate.answer == "2022" else "2022"
        assert other not in candidate.statement and other not in candidate.explanation


def test_two_blanks_keyed_to_one_year_both_stand_and_a_draw_keeps_them_apart():
    # Round 5 proposed the second (SAME_KEY): now the quoted sentence's cue keeps them apart.
    text = ("At their summit in Brussels in July 2023, the European Union and Japan agreed "
            "to begin consultations on a security agreement. Japan relaxed its rules on "
            "arms exports in December 2023, allowing the export of finished weapons.")
    assert [c.answer for c in _asked_years(text)] == ["2023", "2023"]


def test_a_once_only_event_gets_a_true_false_with_another_year_of_the_text():
    text = ("In 2007, Japan and Australia issued the Joint Declaration on Security "
            "Cooperation. In 2010, Japan and Australia signed an Acquisition and "
            "Cross-Servicing Agreement. Japan and Australia upgraded their ties to a Special "
            "Strategic Partnership in 2014. Since 2017, the two navies have exercised "
            "together every year. In 2022, Japan and Australia signed a Reciprocal Access "
            "Agreement.")
    paired = [c for c in _asked_years(text) if c.false_statements]
    # One in four (true/false stays a quarter of a bank), never on "Since ___".
    assert len(paired) == 1 and not paired[0].statement.startswith("Since")
    # Asked only as a true/false: typed as well, the false version repeats the cloze.
    assert paired[0].forms == ("true_false",)
    false = paired[0].false_statements[0]
    assert paired[0].answer not in false
    assert any(y in false for y in ("2007", "2010", "2014", "2017"))


def test_an_acronym_is_matched_to_what_its_sentence_says_it_does():
    assert acronym_role(
        "The Economic Partnership Agreement (EPA), signed in July 2018 and in force from "
        "February 2019, created one of the largest free trade areas in the world.",
        "EPA", "Economic Partnership Agreement") == (  # past the aside and its years
        "created one of the largest free trade areas in the world")
    assert acronym_role(
        "The Strategic Partnership Agreement (SPA), which entered into force on the same "
        "day, gave the relationship its first legally binding framework.",
        "SPA", "Strategic Partnership Agreement") == (
        "gave the relationship its first legally binding framework")
    assert acronym_role(
        "In 2010, Japan and Australia signed an Acquisition and Cross-Servicing Agreement "
        "(ACSA), which lets their forces exchange fuel, food and transport.",
        "ACSA", "Acquisition and Cross-Servicing Agreement") == (
        "lets their forces exchange fuel, food and transport")
    # A description repeating the name's words would pair itself up: none.
    assert acronym_role(
        "Tokyo and Brussels launched the Security and Defence Partnership (SDP), the first "
        "such partnership the EU has concluded with an Asian country.",
        "SDP", "Security and Defence Partnership") is None


def test_an_imported_text_with_three_milestones_gets_a_chronology_item():
    from quizapp.domain.commentary_bank import commentary_bank
    from quizapp.domain.extraction import pools
    from quizapp.domain.facts import Fact, FactBase, Topic

    text = ("In 2007, Japan and Australia issued the Joint Declaration on Security "
            "Cooperation. In 2010, Japan and Australia signed an Acquisition and "
            "Cross-Servicing Agreement. Japan and Australia upgraded their ties to a Special "
            "Strategic Partnership in 2014.")
    # Two of the three asked as choice items, not typed (round 11: an ordering beside typed
    # years of all, or all but one, of its events is left out).
    facts = [Fact.from_dict(replace(c, forms=("mcq",) if i < 2 else c.forms)
                            .to_record(f"doc-{i}", "doc"), "doc")
             for i, c in enumerate(_asked_years(text))]
    base = FactBase("doc", "doc", text, [Topic("doc", "doc")], pools(), facts)
    orderings = [q for q in commentary_bank(base) if q["type"] == "ordering"]
    assert len(orderings) == 1 and len(orderings[0]["items"]) == 3


# Round 9's held-out text (patterns only): typed years lifted with a dangling reference,
# an empty transition sentence, and clipped timeline labels.

def test_a_year_whose_sentence_names_nothing_but_its_date_is_not_blanked():
    assert blank_problem("The political level changed in June {answer}.") \
        == "the sentence names nothing but its date"
    assert blank_problem("Japan relaxed its rules on arms exports in December {answer}.") \
        is None


def test_a_timeline_label_clipped_to_a_relative_clause_or_naming_nothing_is_refused():
    statement = "In {answer}, Japan and Australia signed an ACSA."
    assert clean_event(statement, "Japan and Australia signed an ACSA")
    assert not clean_event(statement, "Which moved the partners onto a framework")
    assert not clean_event(statement, "the talks began")


def test_an_imported_year_sentence_with_a_dangling_reference_is_proposed_not_blanked():
    text = ("NATO and Japan agreed a partnership programme at the Vilnius summit in 2023. "
            "In June 2024, NATO moved these partners onto a new framework of cooperation.")
    years = {c.answer: c for c in extract(text) if c.kind == "year"}
    assert "these partners" in years["2024"].needs


# Round 10's held-out text (patterns only): a blank inside a decade, clipped labels.

@pytest.mark.parametrize("statement", [
    "In the early {answer}s, Germany and Japan began regular talks.",
    "In the {answer}'s, Germany and Japan began regular talks.",
    "Germany and Japan drew closer in the late {answer}’s.",
])
def test_a_year_that_is_part_of_a_decade_is_not_blanked(statement):
    assert "decade" in blank_problem(statement)


def test_an_imported_decade_is_proposed_not_blanked():
    text = "In the early 2010s, Germany and Japan began regular talks on security."
    years = [c for c in extract(text) if c.kind == "year"]
    assert years and all(c.needs and not c.question for c in years)


@pytest.mark.parametrize("label", [
    "Allowing them to exchange classified material",
    "Led by Scholz and Kishida, the governments held consultations",
    "Signed an agreement on classified information",
    "agreed to begin consultations",
])
def test_a_timeline_label_without_its_subject_is_refused(label):
    assert not clean_event("In {answer}, Germany and Japan signed an agreement.", label)
    assert clean_event("In {answer}, Germany and Japan signed an agreement.",
                       "Germany and Japan signed an agreement")
    assert clean_event("In {answer}, Beijing and Moscow signed an agreement.",
                       "Beijing and Moscow signed an agreement")


def test_an_ordering_whose_events_are_asked_typed_is_left_out():
    """Round 10's held-out review: an ordering repeating the typed years beside it."""
    from quizapp.domain.commentary_bank import commentary_bank
    from quizapp.domain.extraction import pools
    from quizapp.domain.facts import Fact, FactBase, Topic

    text = ("In 2007, Japan and Australia issued the Joint Declaration on Security "
            "Cooperation. In 2010, Japan and Australia signed an Acquisition and "
            "Cross-Servicing Agreement. Japan and Australia upgraded their ties to a Special "
            "Strategic Partnership in 2014.")
    facts = [Fact.from_dict(c.to_record(f"doc-{i}", "doc"), "doc")
             for i, c in enumerate(_asked_years(text))]
    base = FactBase("doc", "doc", text, [Topic("doc", "doc")], pools(), facts)
    bank = commentary_bank(base)
    typed = {f for q in bank if q["type"] == "short" for f in q["fact_ids"]}
    assert len(typed) >= 2
    assert not [q for q in bank if q["type"] == "ordering"]
    # The typed years stay: none is dropped for the ordering's sake.
    assert {f.id for f in facts if "short" in f.forms} <= typed


def test_a_name_carrying_the_year_keeps_it_from_being_blanked():
    # Held-out review, round 13: "took part in ARC21 in Kyushu" beside "In May ___".
    statement = "In May {answer} French and Japanese troops took part in ARC21 in Kyushu."
    assert blank_problem(statement) is None  # the place of the year alone is fine
    assert "carries the year ('ARC21')" in blank_problem(statement, "2021")
    assert blank_problem(statement, "2019") is None  # a name of another year
    assert blank_problem("In May {answer} the G-7 leaders met in Hiroshima.", "2023") is None
    text = ("In May 2021 French and Japanese troops took part in ARC21 in Kyushu. "
            "In June 2019 President Macron visited Tokyo and agreed a roadmap with Abe.")
    years = [c for c in extract(text) if c.kind == "year"]
    assert {c.answer: bool(c.needs) for c in years} == {"2021": True, "2019": False}
