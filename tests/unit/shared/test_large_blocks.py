"""A served process gives large freed blocks back to the system: password hashes in worker
threads (19 MiB each) leave the resident size where it was, not ~20 MB higher per thread."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import concurrent.futures, sys, psutil
from shared.serve import return_large_blocks
if sys.argv[1] == "returned":
    return_large_blocks()
from argon2 import PasswordHasher
hasher = PasswordHasher(time_cost=1, memory_cost=19 * 1024, parallelism=1)  # the gateway's memory
process = psutil.Process()
before = process.memory_info().rss
with concurrent.futures.ThreadPoolExecutor(6) as pool:
    list(pool.map(lambda i: hasher.hash(f"password {i}"), range(12)))
print((process.memory_info().rss - before) / 1e6)
"""


def kept_mb(mode: str) -> float:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return float(run.stdout)


def test_password_hashes_in_threads_leave_no_memory_behind() -> None:
    assert kept_mb("returned") < 15
    # What the setting changes: glibc's own behaviour keeps the threads' blocks.
    assert kept_mb("default") > 40
