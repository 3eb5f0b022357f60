"""A served process's startup objects (modules, classes, the app) are out of the cyclic
collector's sight: a full collection later goes over what requests made, not over them."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import gc, sys
import litestar, sqlalchemy, strawberry  # what every process imports, and more
from shared.serve import freeze_startup_objects
before = len(gc.get_objects())
if sys.argv[1] == "frozen":
    freeze_startup_objects()
print(before, len(gc.get_objects()))
"""


def tracked(mode: str) -> tuple[int, int]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    before, after = run.stdout.split()
    return int(before), int(after)


def test_a_full_collection_leaves_the_startup_objects_alone() -> None:
    before, after = tracked("frozen")
    assert before > 50_000
    assert after < before / 20
    # Without it, the collector keeps going over every one of them.
    before, after = tracked("default")
    assert after >= before
