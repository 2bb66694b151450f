"""How long the seed commentary's question bank takes to generate (the work behind a first
run, a commentary import and the suite's bank property tests).

    python3 benchmarks/bank_generation.py [--seeds 7]

Prints the median over seeds 0..N-1, in one process (as the app and the tests generate
banks, with warm caches after the first).
"""

from __future__ import annotations

import argparse
import statistics
import time

from quizapp import resource_dir
from quizapp.domain.facts import load_factbase
from quizapp.domain.generator import generate_bank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=7)
    seeds = parser.parse_args().seeds
    base = load_factbase(resource_dir("seeds") / "nato-japan.yaml")
    times = []
    for seed in range(seeds):
        start = time.perf_counter()
        generate_bank(base, seed)
        times.append(time.perf_counter() - start)
    print(f"bank generation: median {statistics.median(times):.3f} s over {seeds} seeds")


if __name__ == "__main__":
    main()
