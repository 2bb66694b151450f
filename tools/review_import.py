#!/usr/bin/env python3
"""Import a commentary through the app as an instructor would, approve every candidate
unedited, and lay out a blind-review folder for what it generates.

    .venv/bin/python tools/review_import.py TEXT_FILE "Title" OUT_DIR [--seed N] [--rubric P]

The text goes through the app's own import path (``teach.create_commentary``, then
``teach.set_fact_status(..., "approved")`` for every candidate, which regenerates the
commentary's questions), in a throw-away SQLite database inside OUT_DIR/.work (deleted at
the end). OUT_DIR then holds what ``../shared/tools/review-sample`` gives a reviewer:

- commentary.txt (the text as imported), rubric.md (../shared/QUESTION-RUBRIC.md if found),
- sample.json: every generated question (an imported bank is small; at most 40, drawn with
  the seed), as ``quizapp questions --json`` prints them (keys, accepted spellings, source),
- quiz1.json .. quiz3.json: three 10-question quizzes drawn as a practice quiz draws them
  (seeds SEED*10, SEED*10+1, SEED*10+2), when the bank has more than 10 questions,
- README.txt: what the reviewer is to do.

OUT_DIR/../<name>-proposed.json (outside the folder the reviewer gets) lists what the rules
proposed to the instructor instead of generating, with the reason: it is not for the reviewer.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: ../shared/QUESTION-RUBRIC.md from the main checkout (or from a worktree one level down).
RUBRICS = (ROOT.parent / "shared" / "QUESTION-RUBRIC.md",
           ROOT.parent.parent / "shared" / "QUESTION-RUBRIC.md")
README = (
    "Judge these quiz questions against commentary.txt alone, by the standard in rubric.md.\n"
    "sample.json: the questions generated from the commentary{sample}. quiz1-3.json (if present):\n"
    "three quizzes as a student would get them; judge each question, then each quiz as a whole\n"
    "(one fact twice? one question answering another?).\n"
    "For each question: verdict, one-line reason quoting the problem. Then totals, the acceptable\n"
    "percentage, and the patterns behind what failed. Look at no other file.\n")


def _shown(question: dict) -> dict:
    """What a reviewer needs: the question as a student sees it, then the key and feedback
    (the ``quizapp questions --json`` record without fact ids and topic)."""
    return {k: v for k, v in question["view"].items() if k not in ("fact_ids", "topic")}


def import_and_approve(text: str, title: str, workdir: Path) -> tuple[list[dict], list[dict]]:
    """(the generated bank: stored payloads, each with its ``quizapp questions --json``
    record under "view"; the candidates proposed to the instructor instead)."""
    from sqlalchemy import select

    from quizapp import create_app
    from quizapp.domain.generator import contract_view
    from quizapp.extensions import db
    from quizapp.models import Fact, FactStatus, Question, QuestionStatus, Role
    from quizapp.services import accounts, teach
    from quizapp.services.setup import init_db
    from quizapp.transactions import transaction

    workdir.mkdir(parents=True, exist_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{workdir / 'review.db'}",
                      "SECRET_KEY": secrets.token_hex(16)})
    with app.app_context():
        init_db()
        user = accounts.create_user("review-instructor", secrets.token_urlsafe(24),
                                    Role.INSTRUCTOR)
        db.session.commit()
        with transaction():
            doc = teach.create_commentary(user, title, text)
        ids = list(db.session.scalars(select(Fact.id).where(Fact.document_id == doc.id)
                                      .order_by(Fact.position)))
        with transaction():
            teach.set_fact_status(user, doc.id, ids, "approved")  # every one, unedited
        rows = db.session.scalars(select(Question).where(
            Question.document_id == doc.id, Question.status == QuestionStatus.ACTIVE)
            .order_by(Question.id))
        bank = [{**row.payload, "id": row.uid, "view": contract_view(
            {**row.payload, "id": row.uid})} for row in rows]
        proposed = [{"kind": f.kind, "rule": f.data.get("rule"), "quote": f.quote,
                     "answer": f.data.get("answer"),
                     "why": f.data.get("needs") or "; ".join(teach.fact_problems(doc, f))}
                    for f in db.session.scalars(select(Fact).where(
                        Fact.document_id == doc.id, Fact.status != FactStatus.APPROVED)
                        .order_by(Fact.position))]
        db.session.remove()
        db.engine.dispose()
    return bank, proposed


def draw_quiz(bank: list[dict], count: int, seed: int) -> list[dict]:
    """A quiz drawn as a practice quiz draws it (``quizapp questions --count``)."""
    from quizapp.domain.selection import Candidate, draw

    candidates = [Candidate(i, q["type"], q.get("topic", ""), tuple(q["fact_ids"]),
                            q.get("importance", "supporting"), tuple(q.get("cues", ())),
                            tuple(q.get("near", ())))
                  for i, q in enumerate(bank, start=1)]
    return [bank[c.id - 1] for c in draw(candidates, count, random.Random(seed))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("text_file", type=Path)
    parser.add_argument("title")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0,
                        help="draws the sample and the quizzes (choose it after the last change)")
    parser.add_argument("--rubric", type=Path, default=None,
                        help="the rubric to copy (default: ../shared/QUESTION-RUBRIC.md)")
    args = parser.parse_args(argv)
    text = args.text_file.read_text(encoding="utf-8")
    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    workdir = out / ".work"
    try:
        full, proposed = import_and_approve(text, args.title, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    bank = full  # payloads: drawing reads importance, cues and paragraph mates
    sample = bank if len(bank) <= 40 else random.Random(args.seed).sample(bank, 40)
    (out / "sample.json").write_text(json.dumps([_shown(q) for q in sample], indent=1,
                                                ensure_ascii=False), encoding="utf-8")
    quizzes = 0
    if len(bank) > 10:
        for i in range(3):
            quiz = draw_quiz(bank, 10, args.seed * 10 + i)
            (out / f"quiz{i + 1}.json").write_text(json.dumps(
                [_shown(q) for q in quiz], indent=1, ensure_ascii=False), encoding="utf-8")
            quizzes += 1
    (out / "commentary.txt").write_text(text, encoding="utf-8")
    rubric = next((r for r in ([args.rubric] if args.rubric else RUBRICS) if r.is_file()), None)
    if rubric is None:
        print("warning: no rubric found; pass --rubric PATH", file=sys.stderr)
    else:
        shutil.copy(rubric, out / "rubric.md")
    note = "" if len(bank) <= 40 else " (40 drawn at random)"
    (out / "README.txt").write_text(README.format(sample=note), encoding="utf-8")
    side = out.parent / f"{out.name}-proposed.json"
    side.write_text(json.dumps(proposed, indent=1, ensure_ascii=False), encoding="utf-8")
    forms: dict[str, int] = {}
    for q in bank:
        forms[q["type"]] = forms.get(q["type"], 0) + 1
    print(f"review folder: {out} ({len(bank)} questions: "
          + ", ".join(f"{k} {v}" for k, v in sorted(forms.items()))
          + f"; {quizzes} quizzes; {len(proposed)} candidates proposed to the instructor, "
          f"listed in {side})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
