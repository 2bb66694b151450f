"""tools/review_import.py: a commentary imported through the app, every candidate approved
unedited, laid out for a blind review like ../shared/tools/review-sample."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from test_extraction import approve_all

from quizapp.domain.extraction import commentary_bank

ROOT = Path(__file__).resolve().parents[2]
TEXT = ROOT / "tests" / "commentaries" / "eu-japan.txt"


def _tool():
    spec = importlib.util.spec_from_file_location("review_import",
                                                  ROOT / "tools" / "review_import.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_review_import_lays_out_the_folder_a_reviewer_gets(tmp_path, capsys):
    rubric = tmp_path / "rubric-source.md"
    rubric.write_text("# What makes a question acceptable\n", encoding="utf-8")
    out = tmp_path / "review"
    assert _tool().main([str(TEXT), "The EU and Japan", str(out), "--seed", "5",
                         "--rubric", str(rubric)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "commentary.txt",
                                                     "rubric.md", "sample.json"]
    assert (out / "commentary.txt").read_text(encoding="utf-8") == TEXT.read_text(
        encoding="utf-8")
    sample = json.loads((out / "sample.json").read_text(encoding="utf-8"))
    # Every candidate approved unedited: the app's bank is the rules' bank for the text.
    base, proposed = approve_all(TEXT.read_text(encoding="utf-8"), "doc")
    expected = commentary_bank(base)
    # (A true/false item states the true or the false version by its fact's own seed,
    # and the app's fact ids are not the test's: compared by what it asks about.)
    def asked(q):
        return q["source"]["quote"] if q["type"] == "true_false" else q["prompt"]

    assert sorted(map(asked, sample)) == sorted(map(asked, expected))
    for question in sample:
        assert {"id", "type", "prompt", "answer", "answer_text", "source"} <= set(question)
        assert "fact_ids" not in question and "topic" not in question
        # (a matching or ordering item quotes each of its sentences, joined by " … ")
        assert all(part in TEXT.read_text(encoding="utf-8")
                   for part in question["source"]["quote"].split(" … "))
    # What the rules proposed to the instructor is listed beside the folder, not in it.
    side = json.loads((tmp_path / "review-proposed.json").read_text(encoding="utf-8"))
    assert len(side) == len(proposed) and all(p["why"] for p in side)
    assert "questions" in capsys.readouterr().out
