"""Throttling of guesses and mails, in the gateway's database so every replica sees the same
counts. The rules are pure functions; the table only counts."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, null, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import SignInThrottle
from shared.errors import TooManyAttempts

DELAY_FROM = 5  # failures in a row before answers slow down
LOCK_AT = 10  # the failure that locks the address
MAX_DELAY_FACTOR = 4  # the delay stops growing at 4 x its base (ten failures: 7.5 s at 0.5 s)


@dataclass(frozen=True)
class Verdict:
    delay_seconds: float = 0.0
    lock_seconds: int = 0


def sign_in_verdict(failures: int, *, delay_base: float, lock_seconds: int) -> Verdict:
    """What the n-th failed sign-in in a row of one address costs."""
    if failures >= LOCK_AT:
        return Verdict(lock_seconds=lock_seconds)
    if failures >= DELAY_FROM:
        return Verdict(delay_seconds=min(delay_base * 2 ** (failures - DELAY_FROM),
                                         delay_base * MAX_DELAY_FACTOR))  # fmt: skip
    return Verdict()


def count_verdict(count: int, *, limit: int, lock_seconds: int) -> Verdict:
    """A plain limit (a client's failures, mails sent): locked once `limit` is reached."""
    return Verdict(lock_seconds=lock_seconds) if count >= limit else Verdict()


def client_address(peer: str | None, forwarded_for: str | None, trusted: frozenset[str]) -> str:
    """The ASGI peer, or the last address a trusted proxy appended to X-Forwarded-For."""
    if peer in trusted and forwarded_for:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        # Walk back past our own proxies; the first other hop is the client.
        for hop in reversed(hops):
            if hop not in trusted:
                return hop
    return peer or "unknown"


def too_many(seconds: float) -> TooManyAttempts:
    wait = max(1, math.ceil(seconds))
    return TooManyAttempts(f"Too many attempts; try again in {wait} seconds.", wait)


async def refuse_if_locked(session: AsyncSession, keys: list[str], now: datetime) -> None:
    locked = await session.scalar(
        select(SignInThrottle.locked_until)
        .where(SignInThrottle.key.in_(keys), SignInThrottle.locked_until > now)
        .order_by(SignInThrottle.locked_until.desc())
        .limit(1)
    )
    if locked is not None:
        raise too_many((locked - now).total_seconds())


async def count(session: AsyncSession, key: str, now: datetime, forget_after: timedelta) -> int:
    """One more failure (or mail) for `key`; a count whose last entry is older than
    `forget_after`, or whose lock has ended, starts again. Atomic under concurrent requests."""
    table = SignInThrottle.__table__
    stale = (table.c.last_failure_at < now - forget_after) | (table.c.locked_until <= now)
    statement = (
        insert(SignInThrottle)
        .values(key=key, failures=1, last_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "last_failure_at": now,
                "locked_until": case((stale, null()), else_=table.c.locked_until),
            },
        )
        .returning(table.c.failures)
    )
    return int((await session.execute(statement)).scalar_one())


async def lock(session: AsyncSession, key: str, until: datetime) -> None:
    await session.execute(
        update(SignInThrottle).where(SignInThrottle.key == key).values(locked_until=until)
    )


async def forget(session: AsyncSession, key: str) -> None:
    await session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


class OneAtATime:
    """The checks of one key's secret, one after another in this process: guesses sent in
    parallel each passed the lock check before any failure was counted, so a burst had every
    guess checked, however many past the limit. In turn, each sees the failures before it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: Counter[str] = Counter()

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:  # nobody waits: the key is forgotten
                del self._holders[key], self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)
