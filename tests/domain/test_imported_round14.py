"""Round 14: the held-out Japan–Netherlands, NATO–Australia and Japan–Vietnam reviews, as
patterns on texts of their own."""

from __future__ import annotations

from quizapp.domain.extraction import extract

NORWAY_BODY = (
    "Norway sits about as far from the Pacific as any democracy can, and yet its navy has "
    "sailed east more often in this decade than in the whole of the last century.\n\n"
    "That experience gave Norway standing in Brussels. In May 2012 Prime Minister Jens "
    "Stoltenberg and the NATO Secretary General signed a declaration in Oslo, and in 2013 the "
    "two sides agreed a programme of training and exercises for the coming years.\n\n"
    "The second phase was driven by Russia and China, whose conduct made distance matter "
    "less than it once had for a small country on the edge of the Arctic.\n")


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
