"""Two typed years dating one event (held-out Italy–Japan review: the Cavour carrier
group's deployment "In ___" beside its arrival "In August ___", both 2024): a cue pair,
never in one quiz. The pattern on a text of its own."""

from __future__ import annotations

import random

from quizapp.domain.commentary_bank import commentary_bank
from quizapp.domain.extraction import extract, pools
from quizapp.domain.facts import Fact, FactBase, Topic
from quizapp.domain.quality import lint_quiz
from quizapp.domain.selection import Candidate, draw, letter_of, number_of, truth_of

# 2024 is named more than COMMON times: the year alone is no cue between its items.
TEXT = ("Italy and Japan were distant partners for most of the Cold War. "
        "For decades Italy looked to the Mediterranean, and Japan to its alliance. "
        "Today Italy and Japan share worries about China and Russia. "
        "The partnership gives Italy a foothold in Asia. "
        "In 2024 the Italian Navy sent a carrier strike group led by the aircraft carrier "
        "Cavour on a five-month deployment to the Indo-Pacific. "
        "In August 2024 the Cavour reached Yokosuka, the first port call in Japan by an "
        "Italian aircraft carrier. "
        "In June 2024 Italy hosted the G7 summit in Apulia, where Japan pressed for a common "
        "line on China. "
        "In July 2024 Japanese and Italian fighter pilots deployed together over Komatsu. "
        "Trade between the two countries reached 20 billion dollars in 2024. "
        "Both governments called 2024 a turning point for the partnership. "
        "In 2019 Japan and Italy held their first meeting of foreign and defence ministers.")


def _imported():
    """Every year candidate approved unedited, as an instructor importing the text would."""
    asked = [c for c in extract(TEXT) if c.kind == "year" and not c.needs]
    facts = [Fact.from_dict(c.to_record(f"doc-{i}", "doc"), "doc")
             for i, c in enumerate(asked)]
    base = FactBase("doc", "doc", TEXT, [Topic("doc", "doc")], pools(), facts)
    return base, commentary_bank(base)


def _typed(bank, words):
    return next(q for q in bank if q["type"] == "short" and words in q["prompt"])


def test_two_typed_years_of_one_event_are_never_in_one_quiz():
    base, bank = _imported()
    deployed = _typed(bank, "Cavour on a five-month deployment")
    arrived = _typed(bank, "the Cavour reached Yokosuka")
    assert deployed["answer"] == arrived["answer"] == "2024"
    assert set(arrived["fact_ids"]) <= set(deployed["cues"])
    assert set(deployed["fact_ids"]) <= set(arrived["cues"])
    assert "date one event" in " ".join(lint_quiz([deployed, arrived], base))
    pool = [Candidate(i, q["type"], q["topic"], tuple(q["fact_ids"]), q["importance"],
                      tuple(q["cues"]), tuple(q["near"]), truth_of(q["type"], q["answer"]),
                      letter_of(q["type"], q["answer"]), number_of(q["type"], q["answer"]))
            for i, q in enumerate(bank)]
    both = {bank.index(deployed), bank.index(arrived)}
    for seed in range(40):  # a quiz of all but one: room to leave either out
        drawn = {c.id for c in draw(pool, len(bank) - 1, random.Random(seed))}
        assert not both <= drawn, seed


def test_same_year_items_on_different_events_stay_free_to_share_a_quiz():
    base, bank = _imported()
    summit = _typed(bank, "G7 summit in Apulia")
    pilots = _typed(bank, "deployed together over Komatsu")
    deployed = _typed(bank, "Cavour on a five-month deployment")
    assert summit["answer"] == pilots["answer"] == "2024"
    for a, b in ((summit, pilots), (summit, deployed), (pilots, deployed)):
        assert not set(a["fact_ids"]) & set(b["cues"])
        assert not [p for p in lint_quiz([a, b], base) if "one event" in p]
