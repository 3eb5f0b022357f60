"""The launcher's supervisor on real (tiny) processes: restarts with doubling pauses, forgives a
process that stayed up, gives up on one that keeps crashing, and stops when asked."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from infra.embedded import ManagedProcess
from infra.supervisor import Child, RestartPolicy, Supervisor, how_it_ended

LOG = Path("/data/logs/worker.log")


class Worker:
    """Starts `sh -c <script>` and counts how often it was started."""

    def __init__(self, script: str) -> None:
        self.script = script
        self.starts = 0

    def __call__(self) -> ManagedProcess:
        self.starts += 1
        return ManagedProcess("worker", subprocess.Popen(["sh", "-c", self.script]))

    def child(self) -> Child:
        return Child("worker", self, LOG, self())


def supervise(
    worker: Worker, policy: RestartPolicy, stop_after_lines: int | None = None
) -> tuple[str | None, list[str]]:
    said: list[str] = []
    stopping = threading.Event()

    def say(line: str) -> None:
        said.append(line)
        if stop_after_lines is not None and len(said) >= stop_after_lines:
            stopping.set()

    child = worker.child()
    try:
        verdict = Supervisor([child], policy, stopping, say, tick=0.01).run()
    finally:
        child.process.stop()
    return verdict, said


def test_the_pause_doubles_up_to_its_cap() -> None:
    policy = RestartPolicy(first_delay=1, max_delay=30)
    assert [policy.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_process_that_keeps_crashing_is_restarted_then_given_up_on_naming_its_log() -> None:
    worker = Worker("exit 3")
    verdict, said = supervise(worker, RestartPolicy(first_delay=0.01, max_restarts=3))
    assert said == [
        f"worker exited with code 3; restarting in {delay:g} s (restart {n} of 3), log: {LOG}"
        for n, delay in ((1, 0.01), (2, 0.02), (3, 0.04))
    ]
    assert verdict == (
        f"worker exited with code 3 again after 3 restarts; stopping the portal. Its log: {LOG}"
    )
    assert worker.starts == 4


def test_a_process_that_stayed_up_has_its_earlier_crashes_forgiven() -> None:
    worker = Worker("sleep 0.3")  # exits on its own, each time after running "stably"
    policy = RestartPolicy(first_delay=0.01, max_restarts=1, stable_after=0.1)
    verdict, said = supervise(worker, policy, stop_after_lines=3)
    assert verdict is None
    assert len(said) == 3 and all("(restart 1 of 1)" in line for line in said), said


def test_a_stop_during_the_pause_restarts_nothing() -> None:
    worker = Worker("exit 1")
    verdict, said = supervise(worker, RestartPolicy(first_delay=30), stop_after_lines=1)
    assert verdict is None
    assert said == [f"worker exited with code 1; restarting in 30 s (restart 1 of 5), log: {LOG}"]
    assert worker.starts == 1


def test_a_signal_is_named() -> None:
    assert how_it_ended(-9) == "was killed by SIGKILL"
    assert how_it_ended(-15) == "was killed by SIGTERM"
    assert how_it_ended(1) == "exited with code 1"
    assert how_it_ended(0) == "exited with code 0"
