"""Keeps the portal's processes running: a process that exits is started again after a pause
that doubles with each crash in a row; one that keeps crashing stops the portal, naming the
process and its log. A process that stays up long enough has its earlier crashes forgiven."""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from infra.embedded import ManagedProcess


@dataclass(frozen=True)
class RestartPolicy:
    first_delay: float = 1.0
    max_delay: float = 30.0
    max_restarts: int = 5  # crashes in a row, each before the process ran `stable_after`
    stable_after: float = 60.0

    @classmethod
    def from_env(cls) -> RestartPolicy:
        """PORTAL_RESTART_DELAY_SECONDS, PORTAL_RESTART_LIMIT, PORTAL_RESTART_STABLE_SECONDS."""
        return cls(
            first_delay=float(os.environ.get("PORTAL_RESTART_DELAY_SECONDS", cls.first_delay)),
            max_restarts=int(os.environ.get("PORTAL_RESTART_LIMIT", cls.max_restarts)),
            stable_after=float(os.environ.get("PORTAL_RESTART_STABLE_SECONDS", cls.stable_after)),
        )

    def delay(self, restart: int) -> float:
        """The pause before restart number `restart` (1, 2, …) of a crash series."""
        return float(min(self.first_delay * 2 ** (restart - 1), self.max_delay))


@dataclass
class Child:
    """One supervised process: `start` runs it (again) without waiting for it to be ready."""

    name: str
    start: Callable[[], ManagedProcess]
    log: Path
    process: ManagedProcess
    started_at: float = field(default_factory=time.monotonic)
    restarts: int = 0  # in the current crash series
    restart_at: float | None = None  # set while a crashed process waits for its restart


class Supervisor:
    def __init__(
        self, children: list[Child], policy: RestartPolicy, stopping: threading.Event,
        say: Callable[[str], None] = functools.partial(print, flush=True), tick: float = 0.2,
    ) -> None:  # fmt: skip
        self.children = children
        self.policy = policy
        self.stopping = stopping
        self.say = say
        self.tick = tick

    def run(self) -> str | None:
        """Watch until `stopping` is set (None) or a process crashes too often (why, as a
        sentence for the operator)."""
        # Polled, never waited on: a signal handler sets `stopping` on this thread, and would
        # deadlock on the Event's lock if it came while this thread held it inside wait().
        while not self.stopping.is_set():
            time.sleep(self.tick)
            if self.stopping.is_set():
                break
            now = time.monotonic()
            for child in self.children:
                verdict = self.check(child, now)
                if verdict is not None:
                    return verdict
        return None

    def check(self, child: Child, now: float) -> str | None:
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.restart_at, child.started_at = None, now
                child.process = child.start()
            return None
        if child.process.alive():
            if child.restarts and now - child.started_at >= self.policy.stable_after:
                child.restarts = 0
            return None
        ended = how_it_ended(child.process.popen.returncode)
        if child.restarts >= self.policy.max_restarts:
            return (
                f"{child.name} {ended} again after {child.restarts} restarts;"
                f" stopping the portal. Its log: {child.log}"
            )
        child.restarts += 1
        delay = self.policy.delay(child.restarts)
        child.restart_at = now + delay
        self.say(
            f"{child.name} {ended}; restarting in {delay:g} s"
            f" (restart {child.restarts} of {self.policy.max_restarts}), log: {child.log}"
        )
        return None


def how_it_ended(returncode: int) -> str:
    """`exited with code 1`, or `was killed by SIGKILL` for a process ended by a signal."""
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"
