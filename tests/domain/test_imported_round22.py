"""Round 22: the tuning reviews of the Japan–Ukraine, Japan–Romania and Korea–Türkiye
texts, and a general test for lifted sentences that point back at an earlier one."""

from __future__ import annotations

import pytest

from quizapp.domain.extraction import extract
from quizapp.domain.references import same_head_anaphor

#: A first sentence whose year is always asked: what follows it is judged alone.
TREATY = "Peru and Chile signed a treaty on fisheries in 1990. "


def _years(text):
    return {c.answer: c for c in extract(text) if c.kind == "year"}


def _asked_as(text, year, start):
    """The candidate of ``year`` in ``text``, asked (not proposed) with a stem beginning so."""
    candidate = _years(text)[year]
    assert candidate.needs == ""
    assert candidate.statement.startswith(start), candidate.statement
    return candidate


def test_a_definite_phrase_whose_noun_an_earlier_sentence_used_leans_on_it():
    # Which smelter? The one the sentence before introduced, which the student never sees.
    text = (TREATY + "Chile then financed a copper smelter near Arequipa. In 1994 Peruvian "
            "workers opened the smelter ahead of schedule.")
    assert _years(text)["1994"].needs
    assert _years(text)["1990"].needs == ""


def test_a_definite_phrase_is_no_reference_when_nothing_before_names_its_noun():
    text = (TREATY + "In 1994 Peruvian workers opened the smelter at Ilo ahead of "
            "schedule.")
    assert _years(text)["1994"].needs == ""


@pytest.mark.parametrize("statement", [
    "In {answer} Peruvian workers completed the smelter at Ilo.",  # a name after it
    "In {answer} the smelter of Southern Copper reopened.",  # says which
    "In {answer} Lima ordered the first smelter built by a foreign firm.",  # one of a kind
    "In {answer} the world's largest smelter opened.",  # "the world" is no reference
    "Chile financed a smelter, and in {answer} the smelter opened.",  # named before it
])
def test_phrases_that_say_which_thing_they_mean_do_not_lean(statement):
    earlier = "Chile financed a copper smelter near Arequipa in the region."
    assert same_head_anaphor(statement, earlier) is None


def test_a_possessive_definite_phrase_leans_too():
    earlier = "The Dutch frigate sailed for Asia."
    assert same_head_anaphor("In {answer} jets circled the frigate's helicopter.", earlier)


def test_the_printed_clause_must_name_someone_not_only_the_whole_sentence():
    # Round 22 (Korea–Türkiye): "Diplomatic relations were formally established in ___."
    # The sentence's cut-off second clause named the two countries; the question did not.
    text = ("South Korea and Turkey: old friends\n\n" + TREATY + "Diplomatic relations were "
            "formally established in 1957, but for most of the Cold War the two countries "
            "dealt with each other mainly as fellow clients of Washington and as partners "
            "in nothing much else.")
    assert _years(text)["1957"].needs


def test_a_visit_with_nothing_done_at_it_is_not_asked():
    # Round 22 (Japan–Ukraine): "Petro Poroshenko came to Tokyo in April ___" (trivia).
    text = TREATY + "Petro Poroshenko came to Tokyo in April 2016."
    assert "visit" in _years(text)["2016"].needs


@pytest.mark.parametrize("sentence", [
    "Shinzo Abe made the first visit by a Japanese prime minister to Kyiv in June 2015.",
    "Petro Poroshenko came to Tokyo in April 2016 and signed a pact on energy.",
])
def test_a_first_visit_or_one_that_produced_something_is_asked(sentence):
    assert _years(TREATY + sentence)[sentence[-5:-1] if sentence.endswith("2015.") else
                                      "2016"].needs == ""


def test_the_korean_wars_start_beside_a_blank_gives_its_year_away():
    # Round 22 (Korea–Türkiye): "In July ___, weeks after North Korean forces crossed the
    # 38th parallel, ... offered a combat brigade".
    text = (TREATY + "In July 1950, weeks after North Korean forces crossed the 38th "
            "parallel, Adnan Menderes's government offered a combat brigade to the UN effort.")
    assert "famous event" in _years(text)["1950"].needs


# Round 23's tuning texts (Japan–Taiwan, Korea–UK, Japan–New Zealand).

def test_a_definite_phrase_leans_on_another_form_of_its_noun():
    # "Negotiating rounds on the upgrade began in ___" after "... agreed to upgrade ...".
    earlier = "In 2023 the two governments upgraded their trade agreement."
    assert same_head_anaphor("Officials held rounds on the upgrade in {answer}.", earlier)


def test_an_opening_verb_form_names_nothing():
    text = TREATY + "Negotiating rounds on fisheries began in 1994."
    assert "names nothing" in _years(text)["1994"].needs


@pytest.mark.parametrize("sentence", [
    "Diplomatic relations were established in 1952.",  # between whom?
    "In February 2005 the allies' joint statement listed Taiwan among its objectives.",
    "Jacinda Ardern and Fumio Kishida agreed in April 2022 to negotiate it.",
])
def test_sentences_that_leave_out_whom_or_what_they_mean_are_not_asked(sentence):
    year = next(w for w in sentence.replace(".", " ").replace("'", " ").split()
                if w.isdigit() and len(w) == 4)
    assert _years(TREATY + sentence)[year].needs


@pytest.mark.parametrize("sentence", [
    "Diplomatic relations between Peru and Japan were established in 1952.",
    "Peru established diplomatic relations with Japan in 1952.",
    "The Peru-Chile Border Treaty entered into force in 1952, after both parliaments had "
    "approved it.",
])
def test_sentences_that_name_whom_or_what_they_mean_are_asked(sentence):
    assert _years(TREATY + sentence)["1952"].needs == ""


def test_the_san_francisco_peace_treaty_beside_a_blank_gives_its_year_away():
    text = (TREATY + "Peru and Japan established diplomatic relations in 1952, once the San "
            "Francisco Peace Treaty came into force.")
    assert "famous event" in _years(text)["1952"].needs


@pytest.mark.parametrize("sentence", [
    # Round 23 (Korea–UK): a list of clauses cut after its first.
    "The 27th Brigade arrived from Hong Kong in August 1994, the 29th Brigade followed that "
    "autumn.",
    # Round 23 (Japan–Taiwan): the "who" item kept the list's next clause.
    "Alan Garcia wrote a message of encouragement after the earthquake in 1994, Chile sent "
    "tents early in the winter.",
])
def test_a_clause_run_into_another_with_a_bare_comma_is_not_asked(sentence):
    assert "bare comma" in _years(TREATY + sentence)["1994"].needs


@pytest.mark.parametrize("sentence", [
    "In 1994, Chile signed a second treaty with Peru.",  # the comma ends an opening phrase
    "Chile signed a second treaty with Peru in 1994, and Lima ratified it at once.",
    "Chile signed a second treaty with Peru in 1994, a step Lima had long sought.",
])
def test_a_comma_before_a_joining_word_or_after_an_opening_phrase_is_no_splice(sentence):
    assert "bare comma" not in _years(TREATY + sentence)["1994"].needs


def test_a_change_of_name_is_not_asked():
    # Round 23 (Japan–Taiwan): "Taipei's Tokyo office became the Taipei Economic and
    # Cultural Representative Office (TECRO) in ___" (trivia).
    text = TREATY + "Lima's Santiago office became the Peruvian Trade Office in 1994."
    assert "name" in _years(text)["1994"].needs


# Round 24's held-out texts (Japan–Greece, Korea–Sweden, Australia–France), judged and then
# tuned on.

def test_a_bare_relation_leans_on_the_sentences_before_even_in_other_words():
    # "In September ___ the connection acquired a Pacific dimension" (which connection?
    # the text had called it "the relationship").
    text = (TREATY + "The bond between the two navies is older than the treaty. In "
            "September 1994 the connection acquired an Antarctic dimension when Chilean "
            "ships carried Peruvian scientists south.")
    assert _years(text)["1994"].needs


def test_a_relation_the_sentence_itself_names_is_no_reference():
    text = (TREATY + "The connection between Lima and Santiago was formalised in 1994.")
    assert _years(text)["1994"].needs == ""


def test_it_as_subject_of_any_past_verb_leans():
    # "It came as Greece regained investment-grade ratings in ___".
    text = TREATY + "It came as Chile regained investment-grade ratings in 1994."
    assert _years(text)["1994"].needs


# Round 25's held-out texts (Japan–Israel, Korea–Vietnam, NATO–New Zealand), judged and then
# tuned on: every failure since round 14 but the leaning ones was an event no instructor
# would date (a visit, a death, an acquisition, a meeting), each worded anew.

@pytest.mark.parametrize("sentence", [
    # (a bare "reciprocated" leans too, round 47: test_imported_round46)
    "Alan Garcia paid a state visit to Santiago in June 1994.",
    "Lieutenant Juan Perez was killed in Arica in August 1994.",
    "Codelco acquired the smelter operator Minera Sur in 1994.",
    "Chilean and Peruvian ministers met in Lima in January 1994.",
])
def test_a_year_is_asked_only_for_a_milestone(sentence):
    assert "milestone" in _years(TREATY + sentence)["1994"].needs


@pytest.mark.parametrize("sentence", [
    "Chile and Peru signed a second treaty on fisheries in 1994.",
    "Lima opened a consulate in Arica in 1994.",
    "Codelco won a contract for the Ilo smelter in 1994.",
    "Peru became the first Andean state to ratify the Lima Convention in 1994.",
    "Chile cancelled the Arica pipeline in 1994.",
    # a subject that names someone (round 28)
    "Negotiations between Peru and Japan began in 1994 and stalled for years.",
    "In 1994 the Peruvian Navy commissioned the frigate Aguirre.",
])
def test_milestones_whose_subject_names_someone_are_asked(sentence):
    assert _years(TREATY + sentence)["1994"].needs == ""


def test_a_clause_whose_subject_was_cut_off_is_not_asked():
    # "In ___, under Junichiro Koizumi, launched the 'Corridor for Peace and Prosperity'".
    text = (TREATY + "Lima became a large donor to Bolivia, sent engineers to La Paz from "
            "1991 to 1993, and in 1996, under Alberto Fujimori, launched the Andean "
            "Corridor.")
    assert "no subject" in _years(text)["1996"].needs


def test_a_pluperfect_at_the_start_is_asked_in_the_past_and_a_second_claim_is_cut():
    # "Abe had created a National Security Council ... in December ___, ..., and he wanted
    # growth from ...": a true/false of four claims, its tense leaning on the paragraph.
    text = (TREATY + "Fujimori had created a National Fisheries Council and published "
            "Peru's first National Maritime Strategy in December 1994, framed around a "
            "\"proactive contribution to the ocean\", and he wanted growth from "
            "outward-looking economic diplomacy with the whole of the Pacific.")
    year = _years(text)["1994"]
    assert year.needs == ""
    assert year.statement.startswith("Fujimori created")
    assert "he wanted" not in year.statement


def test_a_later_act_leans_on_the_time_before():
    text = TREATY + "Santiago later allowed Peru to open a consulate in Arica in 1994."
    assert _years(text)["1994"].needs


def test_taking_a_state_to_court_is_a_milestone():
    # "Australia and New Zealand took France to the International Court of Justice in ___".
    text = TREATY + "Peru took Chile to the International Court of Justice in 2008."
    assert _years(text)["2008"].needs == ""


def test_the_east_german_collapse_beside_a_blank_gives_its_year_away():
    # Round 26: "Kohl spoke in Dresden in December ___ as East German authority collapsed".
    text = (TREATY + "Helmut Kohl announced a ten-point plan in Dresden in December 1989 as "
            "East German authority collapsed.")
    assert "famous event" in _years(text)["1989"].needs


# Round 27's held-out texts (Japan–Finland, India–Korea, UK–Japan), judged and then tuned on.

def test_a_war_named_beside_a_blank_of_its_years_is_not_asked():
    # "During the First World War Japan ... sent destroyers to the Mediterranean in ___".
    text = (TREATY + "During the First World War Peru seized German merchant ships in "
            "Callao and sent a cruiser to the Atlantic in 1917.")
    assert "war named" in _years(text)["1917"].needs


def test_a_war_is_no_clue_to_a_year_outside_it():
    text = TREATY + "Peru signed an accord on the war graves of the Second World War in 1985."
    assert _years(text)["1985"].needs == ""


def test_a_typed_year_says_a_year_is_wanted():
    # "Tokyo opened a dedicated mission to NATO in ___" (a place fits too).
    from test_extraction import approve_all

    from quizapp.domain.extraction import commentary_bank

    base, _ = approve_all(TREATY + "Lima opened a dedicated mission to the OAS in 1994.",
                          "doc")
    typed = [q for q in commentary_bank(base) if q["type"] == "short"]
    assert typed and all(q["prompt"].startswith("Fill in the year: ") for q in typed)


def test_a_pair_after_a_preposition_is_not_the_two_countries_of_the_next_sentence():
    # "Today Italy and Japan share worries about China and Russia. ... Trade between the two
    # countries reached ...": the two countries were read as China and Russia.
    text = ("Today Italy and Japan share worries about China and Russia. Trade between the two "
            "countries reached 20 billion dollars in 2024.")
    trade = next(c for c in extract(text) if c.kind == "year")
    assert "Italy and Japan" in trade.statement and "China and Russia" not in trade.statement


# Round 28's held-out texts (Japan–Kazakhstan, Indonesia, EU–Australia, Japan–Bangladesh,
# Korea–New Zealand), judged and then tuned on.

@pytest.mark.parametrize("sentence", [
    # "Negotiations launched in ___ stalled for years" (which negotiations?)
    "Negotiations launched in 1994 stalled for years over Japanese rice.",
    "Defence ministers signed a convention on the Lima Naval School in 1994.",
    # Round 30: "the first Australian prime minister to visit the unified country in ___"
    # (which?), "The offshore patrol vessel Francesco Morosini deployed to the region in
    # ___", "The Harper government concluded negotiations in March ___" (on what?)
    "Alan Garcia became the first Peruvian president to visit the unified country in 1994.",
    "The patrol vessel BAP Guise deployed to the region in 1994.",
    "The Fujimori government concluded negotiations in March 1994.",
])
def test_a_stem_that_does_not_name_whom_or_what_it_means_is_not_asked(sentence):
    assert _years(TREATY + sentence)["1994"].needs


def test_a_fragment_without_a_main_verb_is_not_asked():
    # "A Defence Cooperation Agreement signed in Paris in ___ by Prabowo Subianto, then
    # defence minister." (the clause holding the verb was cut off)
    text = (TREATY + "A Defence Cooperation Agreement signed in Lima in 1994 by Alberto "
            "Fujimori, then president, and his counterpart Eduardo Frei prepared the ground "
            "for a contract announced in Santiago on 10 February 1995 for 42 Dassault Mirage "
            "fighters, activated in three tranches through early 1997.")
    assert _years(text)["1994"].needs


def test_a_demonstrative_object_leans():
    # "The Framework Agreement signed in Manila in August ___ ... placed this on a treaty
    # footing" (placed what?)
    text = (TREATY + "The Framework Agreement signed in Lima in August 1994 placed this on a "
            "treaty footing.")
    assert _years(text)["1994"].needs


def test_an_early_sign_that_came_when_is_asked_as_its_event():
    # "An early sign of something more structured came in ___, when ADNOC agreed to store
    # crude at Kiire" is asked as its when-clause.
    _asked_as(TREATY + "An early sign of something more structured came in 1994, when "
              "Codelco agreed to store copper at Ilo.", "1994", "In {answer} Codelco agreed")


def test_an_event_in_a_clause_cut_from_its_sentence_leans_on_the_clause_before():
    # Round 29: "Its framework agreement entered into force in December 2017, and Macron
    # co-hosted the founding conference in New Delhi in March ___" (whose conference?).
    text = (TREATY + "The Pacific Fisheries Agreement entered into force in December 1993, "
            "and Fujimori co-hosted the founding conference in Lima in March 1994.")
    assert _years(text)["1994"].needs
    # The first visit by someone says whose; so does "the conference of the ...".
    assert same_head_anaphor("Fujimori made the first visit by a Peruvian president to "
                             "Santiago in June {answer}.", "", cut=True) is None


# Round 30's held-out texts (NATO–Colombia, Australia–Vietnam, Italy–Korea, Japan–Chile,
# Canada–Korea), judged and then tuned on.

def test_a_person_called_by_last_name_is_given_the_full_name_the_text_uses():
    # "In ___ Dung and Tony Abbott announced an Enhanced Comprehensive Partnership" (who is
    # Dung?): the text had named Prime Minister Nguyen Tan Dung before.
    year = _asked_as(TREATY + "Prime Minister Nguyen Tan Dung visited Lima in 1991. In 1994 "
                     "Dung and Alberto Fujimori announced an Enhanced Comprehensive "
                     "Partnership.", "1994", "In {answer} Nguyen Tan Dung and Alberto Fujimori")
    assert year.quote.startswith("In 1994 Dung and")  # the quote stays verbatim


def test_a_month_is_never_taken_for_a_last_name():
    text = (TREATY + "Prime Minister Theresa May visited Lima in 1991. In May 1994 Peru "
            "signed a fisheries accord with the United Kingdom.")
    assert "Theresa" not in _years(text)["1994"].statement


def test_an_opening_phrase_cut_from_its_sentence_is_a_fragment():
    # Round 32: "Under a memorandum of understanding on military training and training area
    # development signed in ___." (", and a treaty that followed in 2020, Singapore
    # committed ..." was cut off as the other dated event).
    text = (TREATY + "Under a memorandum of understanding on naval training signed in 1994, "
            "and a treaty that followed in 1998, Chile committed up to 2.25 billion dollars "
            "to Peruvian ports.")
    assert _years(text)["1994"].needs


# An independent review of rounds 22-32's rules: rewrites that could write a false statement.

@pytest.mark.parametrize("text, kept", [
    # another person of that surname ("Taro Kono" is not the Kono of the Kono Statement)
    ("Foreign Minister Taro Kono met his counterpart in 2018. The Kono Statement on comfort "
     "women was issued in 1993 by the government of Japan.", "The Kono Statement"),
    # inside another person's full name
    ("Prime Minister Justin Trudeau visited Beijing in 2016. Canada established diplomatic "
     "relations with China in 1970 after Pierre Trudeau pressed for them.", "Pierre Trudeau"),
    # a role regex's "person" that is a document ("General Assembly Resolution")
    ("China took its seat under General Assembly Resolution 2758. The Security Council "
     "adopted Resolution 1718 in 2006, condemning a test.", "adopted Resolution 1718"),
])
def test_a_last_name_is_never_expanded_where_it_may_be_someone_or_something_else(text, kept):
    stems = [c.statement for c in extract(text) if c.kind == "year"]
    assert any(kept in s for s in stems), stems


#: "the leaders of Japan and India met ... the two countries signed": not the older
#: "Australia and Japan" (the preposition rule had skipped "of Japan and India").
OBJECT_PAIR = ("Australia and Japan signed a Joint Declaration on Security Cooperation in "
               "March 2007. A year later the leaders of Japan and India met in Tokyo. In "
               "October 2008 the two countries signed a joint declaration of their own.")


def test_a_pair_named_only_after_a_preposition_leaves_the_two_countries_unresolved():
    assert "Australia" not in _years(OBJECT_PAIR)["2008"].statement
    assert _years(OBJECT_PAIR)["2008"].needs
