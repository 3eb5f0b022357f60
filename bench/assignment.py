"""Assignment of 5,000 applications to 150 evaluators with k = 3 (goal < 2 s), and the load
spread; the baseline in the same run is a random assignment with no rules at all.

    uv run python -m bench.assignment [--applications 5000] [--evaluators 150]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter

from services.review.domain.assignments import Applicant, Candidate, plan_assignments

CHAINS = ["electronics_ict", "batteries_vehicles", "packaging", "plastics",
          "construction_buildings", "textiles", "food_water_nutrients"]  # fmt: skip
HUBS = ["NL", "PT", "IT", "RO", "HU", "DE", "TR"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--evaluators", type=int, default=150)
    parser.add_argument("--k", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(42)
    apps = [Applicant(id=f"a{i:05d}", value_chains=frozenset({rng.choice(CHAINS)}),
                      hub=rng.choice(HUBS), organisation=f"Org {i}") for i in range(args.applications)]  # fmt: skip
    pool = [Candidate(id=f"e{i:03d}", capacity=10**6, hubs=frozenset({rng.choice(HUBS)}),
                      expertise=frozenset(rng.sample(CHAINS, 2))) for i in range(args.evaluators)]  # fmt: skip
    conflicts = frozenset((rng.choice(apps).id, rng.choice(pool).id) for _ in range(200))

    started = time.perf_counter()
    random_pairs = [(a.id, e.id) for a in apps for e in rng.sample(pool, args.k)]
    baseline = time.perf_counter() - started

    runs = []
    for _ in range(3):
        started = time.perf_counter()
        plan = plan_assignments(apps, pool, args.k, conflicts=conflicts)
        runs.append(time.perf_counter() - started)
    loads = list(plan.loads.values())
    matched = sum(1 for a_id, e_id in plan.pairs
                  if next(e for e in pool if e.id == e_id).expertise & apps[int(a_id[1:])].value_chains)  # fmt: skip
    random_loads = list(Counter(e for _, e in random_pairs).values())
    print(f"{args.applications} applications x {args.evaluators} evaluators, k = {args.k}, "
          f"{len(conflicts)} declared conflicts")  # fmt: skip
    print(f"  wall time: best {min(runs):.3f} s, median {statistics.median(runs):.3f} s (goal < 2 s);"
          f" random assignment without rules {baseline:.3f} s (ratio {min(runs) / baseline:.1f})")  # fmt: skip
    print(f"  load: min {min(loads)}, max {max(loads)} (spread {max(loads) - min(loads)});"
          f" random: min {min(random_loads)}, max {max(random_loads)}")  # fmt: skip
    print(f"  expertise match: {matched / len(plan.pairs):.0%} of assignments;"
          f" shortfalls: {len(plan.shortfalls)}; conflicts assigned: {len(set(plan.pairs) & conflicts)}")  # fmt: skip


if __name__ == "__main__":
    main()
