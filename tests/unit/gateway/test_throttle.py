"""The sign-in throttle's rules: four quick failures, then growing delays, the tenth locks; ten
failures in a row stay under ~15 s of waiting with the default base; the client's address."""

from __future__ import annotations

import asyncio

import pytest

from gateway.throttle import (
    OneAtATime,
    Verdict,
    client_address,
    count_verdict,
    sign_in_verdict,
    too_many,
)


def verdicts(base: float = 0.5, lock: int = 900) -> list[Verdict]:
    return [sign_in_verdict(n, delay_base=base, lock_seconds=lock) for n in range(1, 11)]


def test_the_first_four_failures_answer_at_once() -> None:
    assert verdicts()[:4] == [Verdict()] * 4


def test_failures_five_to_nine_wait_longer_and_longer_up_to_a_cap() -> None:
    delays = [v.delay_seconds for v in verdicts()[4:9]]
    assert delays == [0.5, 1.0, 2.0, 2.0, 2.0]
    assert all(v.lock_seconds == 0 for v in verdicts()[:9])


def test_the_tenth_failure_locks() -> None:
    assert verdicts(lock=30)[9] == Verdict(lock_seconds=30)
    assert sign_in_verdict(12, delay_base=0.5, lock_seconds=30).lock_seconds == 30


def test_ten_failures_in_a_row_wait_less_than_fifteen_seconds() -> None:
    assert sum(v.delay_seconds for v in verdicts()) < 15


def test_a_plain_limit_locks_when_reached() -> None:
    assert count_verdict(99, limit=100, lock_seconds=60) == Verdict()
    assert count_verdict(100, limit=100, lock_seconds=60) == Verdict(lock_seconds=60)


def test_the_error_says_when_to_retry_in_whole_seconds() -> None:
    error = too_many(12.2)
    assert error.retry_after_seconds == 13 and "13 seconds" in error.message
    assert too_many(0.01).retry_after_seconds == 1


PROXY = frozenset({"10.0.0.1"})


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.7", "203.0.113.5"),  # not a trusted proxy: ignored
        ("10.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # a forged first hop is skipped
        ("10.0.0.1", "198.51.100.7, 10.0.0.1", "198.51.100.7"),
        ("10.0.0.1", None, "10.0.0.1"),
        (None, None, "unknown"),
    ],
)
def test_the_client_is_the_peer_unless_a_trusted_proxy_forwards(
    peer: str | None, forwarded: str | None, client: str
) -> None:
    assert client_address(peer, forwarded, PROXY) == client


async def test_one_keys_checks_take_turns_in_arrival_order_and_other_keys_do_not_wait() -> None:
    """Guesses sent at once each passed the lock check before any failure was counted."""
    turns = OneAtATime()
    order: list[str] = []
    inside = {"a": 0, "b": 0}
    most = {"a": 0, "b": 0}

    async def check(key: str, name: str) -> None:
        async with turns.turn(key):
            inside[key] += 1
            most[key] = max(most[key], inside[key])
            order.append(name)
            await asyncio.sleep(0.01)
            inside[key] -= 1

    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(check("a", f"a{n}") for n in range(5)), check("b", "b0"))
    assert most == {"a": 1, "b": 1}
    assert [n for n in order if n.startswith("a")] == [f"a{n}" for n in range(5)]
    assert order.index("b0") < order.index("a1")  # b did not wait behind a's queue
    assert asyncio.get_running_loop().time() - started < 0.2
    assert len(turns) == 0  # nobody waits: nothing is kept


async def test_a_failed_check_gives_the_next_its_turn() -> None:
    turns = OneAtATime()

    async def failing() -> None:
        async with turns.turn("a"):
            raise ValueError("wrong password")

    with pytest.raises(ValueError):
        await failing()
    async with turns.turn("a"):
        assert len(turns) == 1
    assert len(turns) == 0
