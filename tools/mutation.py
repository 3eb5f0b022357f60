"""`make mutation`: mutmut over every services/*/domain, scored per domain.

mutmut (configured in pyproject.toml's [tool.mutmut]) mutates the domain rules in a copy of
the tree (mutants/) and runs the fast unit tests against each mutant. This prints, per domain,
the mutants, how many the tests killed and how many survived, and fails below the bar.
Usage: python tools/mutation.py [--fresh] [--max-children N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

BAR = 0.95
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
# A mutant the tests reject by failing or by never finishing is caught.
CAUGHT = {"killed", "timeout"}


def run_mutmut(max_children: int) -> None:
    # mutmut exits 0 with survivors; only a broken run (failing clean tests) is an error.
    subprocess.run([MUTMUT, "run", "--max-children", str(max_children)], check=True)


def statuses_by_domain() -> dict[str, Counter[str]]:
    """`mutmut results --all true` lists `    services.<name>.domain.<module>.<fn>: <status>`."""
    listing = subprocess.run(
        [MUTMUT, "results", "--all", "true"], check=True, capture_output=True, text=True
    ).stdout
    by_domain: dict[str, Counter[str]] = defaultdict(Counter)
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name.startswith("services."):
            by_domain[name.split(".")[1]][status] += 1
    return dict(by_domain)


def report(by_domain: dict[str, Counter[str]]) -> bool:
    """Prints the table; True when every domain reaches the bar."""
    print(
        f"\n{'domain':<10} {'mutants':>8} {'killed':>7} {'survived':>9} {'other':>6} {'ratio':>7}"
    )
    passed = True
    for domain, counts in sorted(by_domain.items()):
        total = sum(counts.values())
        caught = sum(counts[s] for s in CAUGHT)
        survived = counts["survived"]
        ratio = caught / total if total else 1.0
        passed &= ratio >= BAR
        print(
            f"{domain:<10} {total:>8} {caught:>7} {survived:>9} {total - caught - survived:>6} "
            f"{ratio:>7.1%}{'' if ratio >= BAR else '  below ' + format(BAR, '.0%')}"
        )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="forget mutmut's cached results")
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree("mutants", ignore_errors=True)
    run_mutmut(args.max_children)
    by_domain = statuses_by_domain()
    if not by_domain:
        print("mutmut reported no mutants")
        return 1
    return 0 if report(by_domain) else 1


if __name__ == "__main__":
    sys.exit(main())
