"""How long drawing a practice quiz from the seed commentary's bank takes, and how many
drawn quizzes break a rule (a fact twice, one question printing another's key).

    python3 benchmarks/quiz_draw.py [--draws 100] [--lengths 10 15 20]

Builds the candidates as a practice quiz does (``quizapp questions --count``), then for each
length prints the median and 95th percentile of ``selection.draw`` over seeds 0..N-1 and how
many of those quizzes the quiz lints refuse.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from quizapp import resource_dir
from quizapp.domain.facts import load_factbase
from quizapp.domain.generator import generate_bank
from quizapp.domain.quality import lint_quiz
from quizapp.domain.selection import Candidate, draw, letter_of, number_of, truth_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 15, 20])
    args = parser.parse_args()
    base = load_factbase(resource_dir("seeds") / "nato-japan.yaml")
    bank = generate_bank(base, 1)
    candidates = [Candidate(i, q["type"], q["topic"], tuple(q["fact_ids"]), q["importance"],
                            tuple(q["cues"]), tuple(q["near"]), truth_of(q["type"], q["answer"]),
                            letter_of(q["type"], q["answer"]),
                            number_of(q["type"], q["answer"]))
                  for i, q in enumerate(bank, start=1)]
    for length in args.lengths:
        draw(candidates, length, random.Random(-1))  # warm the calibration cache
        times, refused = [], 0
        for seed in range(args.draws):
            start = time.perf_counter()
            picked = draw(candidates, length, random.Random(seed))
            times.append(time.perf_counter() - start)
            refused += bool(lint_quiz([bank[c.id - 1] for c in picked], base))
        times.sort()
        print(f"{length} questions: median {statistics.median(times) * 1e3:.1f} ms, "
              f"p95 {times[int(len(times) * 0.95)] * 1e3:.1f} ms, "
              f"{refused} of {args.draws} quizzes refused by the lints")


if __name__ == "__main__":
    main()
