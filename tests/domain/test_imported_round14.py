"""Round 14: the held-out Japan–Netherlands, NATO–Australia and Japan–Vietnam reviews, as
patterns on texts of their own."""

from __future__ import annotations

import pytest

from quizapp.domain.extraction import extract

NORWAY_BODY = (
    "Norway sits about as far from the Pacific as any democracy can, and yet its navy has "
    "sailed east more often in this decade than in the whole of the last century.\n\n"
    "That experience gave Norway standing in Brussels. In May 2012 Prime Minister Jens "
    "Stoltenberg and the NATO Secretary General signed a declaration in Oslo, and in 2013 the "
    "two sides agreed a programme of training and exercises for the coming years.\n\n"
    "The second phase was driven by Russia and China, whose conduct made distance matter "
    "less than it once had for a small country on the edge of the Arctic.\n")


#: A first sentence whose year is always asked: what follows it is judged alone.
TREATY = "Peru and Chile signed a treaty on fisheries in 1990. "


def _years(text):
    return {c.answer: c for c in extract(text) if c.kind == "year"}


def test_the_two_sides_are_never_a_pair_the_text_names_later():
    # Round 14 (wrong key): "In ___ Russia and China agreed an Individual Partnership and
    # Cooperation Programme": the only "A and B" of the text, named two paragraphs later.
    year = _years(NORWAY_BODY)["2013"]
    assert "Russia and China" not in year.statement
    assert year.needs  # "the two sides" unresolved: proposed to the instructor


def test_the_two_sides_are_the_titles_pair_when_the_sentence_names_only_its_parties():
    text = "Far Apart: Taking Stock of the NATO–Norway Relationship\n\n" + NORWAY_BODY
    year = _years(text)["2013"]
    assert not year.needs
    assert "NATO and Norway agreed a programme" in year.statement


def test_a_pair_without_a_party_the_sentence_names_is_refused():
    # "Sweden" is named before "the two sides": the title's pair does not hold it.
    text = ("Far Apart: Taking Stock of the NATO–Norway Relationship\n\n" + NORWAY_BODY
            ).replace("the NATO Secretary General", "the Swedish Prime Minister of Sweden")
    year = _years(text)["2013"]
    assert "NATO and Norway" not in year.statement and year.needs


# Round 14 (weak distractors): "Prime Minister _____ chose Vietnam for his first overseas
# trip" offered the Vietnamese prime minister the text names beside three Japanese ones.
_TWO_OFFICES = ("Prime Minister Shinzo Abe, Prime Minister Fumio Kishida and Prime Minister "
                "Shigeru Ishiba each visited Hanoi, and Prime Minister Le Van Hai and Prime "
                "Minister Tran Quoc Bao each visited Tokyo. ")


def _who(text):
    return [c for c in extract(text) if c.rule == "person of a dated event"]


def test_a_who_items_options_share_the_keys_country():
    text = _TWO_OFFICES + ("Prime Minister Yoshihide Suga chose Hanoi for his first trip "
                           "abroad in October 2020.")
    (who,) = _who(text)
    assert who.answer == "Yoshihide Suga"
    assert set(who.distractors) == {"Shinzo Abe", "Fumio Kishida", "Shigeru Ishiba"}


def test_no_who_item_where_the_keys_country_is_unknown_beside_a_known_one():
    text = _TWO_OFFICES + ("Prime Minister Nguyen Van Minh chose Tokyo for his first trip "
                           "abroad in October 2020.")
    assert not _who(text)


def test_a_country_the_text_writes_before_the_office_counts():
    from quizapp.domain.people import countries_of

    text = ("Vietnamese Prime Minister Tran Quoc Bao met Japan's Prime Minister Taro Yamada; "
            "Prime Minister Le Van Hai did not.")
    assert countries_of(text, ["Tran Quoc Bao", "Taro Yamada", "Le Van Hai"]) == {
        "Bao": "Vietnam", "Yamada": "Japan"}


def _typed_years(text):
    return {c.answer for c in extract(text) if c.kind == "year" and not c.needs}


def test_a_famous_event_of_the_year_beside_its_blank_is_proposed():
    # Round 14: "In March ___, days after Russia's annexation of Crimea, ..." (2014).
    text = ("In March 2014, days after Russia's annexation of Crimea, the Dutch Prime Minister "
            "hosted a summit in The Hague. In 2016 the Netherlands opened a naval liaison "
            "office in Tokyo.")
    assert _typed_years(text) == {"2016"}
    # The same event beside a year it does not give away is no clue.
    assert "2019" in _typed_years("In 2019 the Netherlands, still mindful of the annexation "
                                  "of Crimea, sent a frigate to Japan.")


def test_a_clause_comparing_itself_with_an_earlier_sentence_is_proposed():
    # Round 14: "A yen loan signed in July ___ went further, financing six new patrol ships".
    text = ("In 2014 Japan offered Vietnam six used fishing vessels. A yen loan signed in July "
            "2020 went further, financing six new patrol ships for the Vietnam Coast Guard.")
    assert _typed_years(text) == {"2014"}


def test_a_ship_named_only_in_an_earlier_sentence_is_proposed_and_an_apposition_is_not():
    # Round 14: "In June ___ Chinese fighter jets circled the frigate's NH90 helicopter".
    text = ("In 2021 the frigate HNLMS Evertsen deployed with a British carrier group to Japan. "
            "In June 2024 Chinese fighter jets circled the frigate's helicopter over the East "
            "China Sea.")
    assert _typed_years(text) == {"2021"}


def test_both_with_an_adjective_is_a_pair_reference_and_leans_where_unresolved():
    # Round 14 (ambiguous): "... the European Union, of which both Nordic states are members"
    # (Norway and Iceland are not), lifted without the sentence naming Sweden and Finland.
    text = ("Finland's membership changed the map of the north. In November 2024 Tokyo signed "
            "a defence partnership with the European Union, of which both Nordic states are "
            "members.")
    assert "2024" not in _typed_years(text)


def test_a_noun_pair_joined_by_and_with_an_ed_adjective_is_not_cut():
    # Round 14: "committing to reach defence and related spending of 2 per cent ..." was cut
    # after "defence" (read as a second verb, "and related ...").
    from quizapp.domain.yearblanks import one_event

    statement = ("In December {answer} Japan adopted a new strategy, committing to reach "
                 "defence and related spending of 2 per cent of GDP, and in 2023 it set up a "
                 "new command.")
    assert one_event(statement) == ("In December {answer} Japan adopted a new strategy, "
                                    "committing to reach defence and related spending of 2 "
                                    "per cent of GDP.")


def test_a_turning_point_that_came_when_is_asked_as_its_event():
    # Round 14: "The turning point came in May ___, when China's deployment ..." (of what?).
    text = ("The turning point came in May 2014, when China's deployment of an oil rig into "
            "waters claimed by Vietnam triggered a months-long standoff.")
    (year,) = [c for c in extract(text) if c.kind == "year"]
    assert year.statement == ("In May {answer} China's deployment of an oil rig into waters "
                              "claimed by Vietnam triggered a months-long standoff.")


# Round 16's tuning texts (Australia–Indonesia, India–France, Japan–Mongolia): words of a
# lifted clause that point at an earlier sentence.
@pytest.mark.parametrize("sentence", [
    "In August 2024 that web gained a treaty-level Defence Cooperation Agreement (DCA).",
    "Chilean and Bolivian officials met there in November 2012 to discuss water rights.",
    "In January 2024 President Ana Torres returned the gesture as chief guest at the parade.",
    "The first jets reached the air base at Ambala in July 2020, amid a border standoff.",
    "The partnership was launched during the president's visit to Lima in January 1998.",
])
def test_a_clause_pointing_at_an_earlier_sentence_is_proposed(sentence):
    text = TREATY + sentence
    assert _typed_years(text) == {"1990"}


@pytest.mark.parametrize("sentence", [
    "In 2012 Chile opened a consulate in Tacna, where there is a large Chilean community.",
    "The partnership between Chile and Peru was launched in Lima in January 1998.",
    "The first time Peru hosted the Chilean navy was in a joint exercise in 2003.",
])
def test_the_same_words_naming_their_own_thing_are_no_reference(sentence):
    text = TREATY + sentence
    assert len(_typed_years(text)) == 2


# Round 17's held-out texts (Japan–Indonesia, Korea–Australia).
def test_a_subject_of_the_and_a_common_noun_leans_on_an_earlier_sentence():
    # "The line opened in October ___ after delays ..." (which line?)
    text = ("China won the contract for the Jakarta–Bandung railway in 2015. The line opened "
            "in October 2023 after delays that made Japan's cautious proposal look wiser.")
    assert _typed_years(text) == {"2015"}
    # A subject that says which thing it is stays.
    named = text.replace("The line opened", "The Jakarta–Bandung railway opened")
    assert _typed_years(named) == {"2015", "2023"}


def test_a_later_clause_naming_what_the_first_introduced_is_not_asked_alone():
    # "... shortlisted Japan's Mogami class ...; Canberra chose an upgraded Mogami in August
    # ___" (which Mogami? a true/false of that clause alone lost it).
    text = ("In November 2024 two Korean yards were dropped from the frigate programme, which "
            "shortlisted Japan's Mogami class and Germany's MEKO A-200; Canberra chose an "
            "upgraded Mogami in August 2025.")
    years = {c.answer: c for c in extract(text) if c.kind == "year"}
    assert years["2025"].needs
    assert "Mogami" not in (years["2024"].statement or "").split(";")[-1] or years["2024"].needs
    # Countries and offices named in both clauses are no such thing.
    text = ("In 2016 Japan agreed to transfer training aircraft to the Philippine Navy, and in "
            "2020 Japan and the Philippines signed a radar deal worth $100 million.")
    years = {c.answer: c for c in extract(text) if c.kind == "year"}
    assert not years["2020"].needs, years["2020"].needs


@pytest.mark.parametrize("sentence", [
    "In June 2025 Lima signed for 12 more, an upgraded variant with a new radar.",
    "In June 2025 Lima bought another six patrol boats from the Chilean shipyard ASMAR.",
])
def test_a_count_added_to_one_named_before_is_proposed(sentence):
    # Round 18: "In June ___ Manila signed for 12 more, an upgraded Block 20 variant" (the
    # aircraft named only in the sentence before).
    text = TREATY + sentence
    assert _typed_years(text) == {"1990"}


def test_more_than_and_one_another_are_no_reference():
    text = ("Peru and Chile signed a treaty on fisheries in 1990. In 2004 Peru and Chile "
            "promised to consult one another on fishing quotas set by the Pacific Commission.")
    assert _typed_years(text) == {"1990", "2004"}


# Round 19's held-out texts (Japan–Malaysia, Japan–Singapore).
def test_the_resulting_thing_and_a_bare_both_lean_on_an_earlier_sentence():
    # "The resulting CPTPP entered into force in December ___, with both among the first
    # six ratifiers" (resulting from what? both of whom?)
    text = TREATY + "The resulting Pacific Fisheries Commission met in Lima in 1992."
    assert _typed_years(text) == {"1990"}
    text = ("Peru and Chile signed a treaty on fisheries in 1990. The Pacific Fisheries "
            "Commission opened in Lima in 1992, with both among its first members.")
    assert _typed_years(text) == {"1990"}


def test_an_acronym_role_is_no_shared_predicate_and_no_comparison():
    from quizapp.domain.acronyms import acronym_role

    # "the JCG and the Japan International Cooperation Agency (JICA) became key sources of
    # training and advice": the predicate is both bodies'.
    assert acronym_role("The coast guard and the Pacific Training Agency (PTA) became key "
                        "sources of training and advice.", "PTA", "Pacific Training Agency") \
        is None
    # "the Look East Policy (LEP) offered an alternative model" (to what?)
    assert acronym_role("The Look East Policy (LEP) offered an alternative model for "
                        "growth.", "LEP", "Look East Policy") is None
    # A body alone with a plain predicate keeps its role.
    assert acronym_role("The Pacific Training Agency (PTA) trained two hundred officers of "
                        "the Peruvian navy.", "PTA", "Pacific Training Agency") == \
        "trained two hundred officers of the Peruvian navy"


# Round 20's held-out texts (Japan–Czechia, Korea–Canada).
@pytest.mark.parametrize("sentence", [
    "Lima held its first defence talks with the NATO staff in June 2022, and Peru agreed a "
    "partnership programme with the Alliance in July 2023.",
    "In May 2023, after new subsidies in Chile, construction was paused until Lima agreed "
    "that July to match the incentives.",
])
def test_an_unnamed_alliance_and_a_bare_activity_lean_on_an_earlier_sentence(sentence):
    text = TREATY + sentence
    typed = _typed_years(text)
    assert "1990" in typed and "2023" not in typed


def test_a_named_union_and_construction_of_a_named_thing_are_no_reference():
    text = ("Peru and Chile signed a treaty on fisheries in 1990. In 2012 Peru signed a trade "
            "agreement with the Union of South American Nations in Lima.")
    assert _typed_years(text) == {"1990", "2012"}


def test_a_bare_it_as_the_object_leans_on_an_earlier_clause():
    # Round 21: "In March 2019 Japan signed a loan agreement for a light rail line in
    # Colombo; in September ___ the government ... scrapped it" (the line, in the first
    # clause).
    text = ("In March 2019 Peru signed a loan agreement for a light rail line in Lima; in "
            "September 2020 the government of President Ana Torres scrapped it, saying it "
            "was too expensive.")
    assert "2020" not in _typed_years(text)
    # "it" after its own subject, in one clause, is no reference.
    text = ("The Peru-Chile Reciprocal Access Agreement entered into force in August 2023, "
            "after both parliaments had approved it.")
    assert _typed_years(text) == {"2023"}


# An independent review of this session's rules.
def test_a_pair_reference_with_its_own_adjective_is_never_replaced_by_an_earlier_pair():
    # "both Nordic states" says which two: "Japan and Australia applied to join NATO" was a
    # false statement.
    text = ("Japan and Australia watched the northern enlargement of the alliance closely from "
            "the far side of the world. In May 2022 both Nordic states applied to join NATO "
            "after decades of neutrality.")
    year = _years(text)["2022"]
    assert "Japan and Australia applied" not in year.statement and year.needs


@pytest.mark.parametrize("sentence", [
    "Another six patrol boats arrived in Callao in May 2023.",
    "Both became members of the Pacific Commission in 2023.",
    "Construction was paused in May 2023 until Lima matched the subsidies.",
    "The Alliance adopted a new strategic concept with Peru in 2023.",
])
def test_the_leaning_words_lean_at_the_start_of_a_sentence_too(sentence):
    text = TREATY + sentence
    assert "2023" not in _typed_years(text)


def test_an_opening_phrase_does_not_take_an_acronyms_role_away():
    from quizapp.domain.acronyms import acronym_role

    assert acronym_role("Since then, the Pacific Training Agency (PTA) trained two hundred "
                        "officers of the Peruvian navy.", "PTA", "Pacific Training Agency") \
        == "trained two hundred officers of the Peruvian navy"


def test_a_possessive_before_an_office_is_a_country_only_when_it_is_one():
    from quizapp.domain.people import countries_of

    text = ("When Japan's Prime Minister Taro Yamada spoke, Britain's Prime Minister Ann Grey "
            "listened and Yamada's Foreign Minister Jiro Sato took notes.")
    assert countries_of(text, ["Taro Yamada", "Ann Grey", "Jiro Sato"]) == {
        "Yamada": "Japan", "Grey": "United Kingdom"}
