"""Many sign-ins at once hash one password per core at a time: the same time in all, and the
gateway's peak memory grows by a couple of hashes' 19 MiB, not by one per worker thread."""

from __future__ import annotations

import subprocess
import sys

from gateway.auth import HASHES_AT_ONCE

HASH_MIB = 19  # the gateway's argon2 memory cost

PROBE = """
import asyncio, re, sys
from shared.serve import return_large_blocks
return_large_blocks()  # as every served process
import gateway.auth as auth
if sys.argv[1] == "unbounded":
    auth._in_turn = lambda work, *args: work(*args)
def status_kib(field):
    return int(re.search(rf"{field}:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
async def main():
    await auth.hash_password("warm-up password")
    before = status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak (VmHWM) starts again from here
    hashes = [auth.hash_password(f"password {i}") for i in range(24)]
    stored = await asyncio.gather(*hashes)
    matched = await asyncio.gather(*(auth.password_matches(h, f"password {i}")
                                     for i, h in enumerate(stored)))
    assert all(matched)
    print((status_kib("VmHWM") - before) / 1024)
asyncio.run(main())
"""


def peak_growth_mib(mode: str) -> float:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return float(run.stdout)


def test_hashes_in_turn_keep_the_peak_low() -> None:
    bounded = peak_growth_mib("bounded")
    assert bounded < HASHES_AT_ONCE * HASH_MIB + 7
    # What the bound changes: the worker threads (more than the cores) would each hold a
    # hash's memory at once.
    assert peak_growth_mib("unbounded") > bounded + 2 * HASH_MIB
