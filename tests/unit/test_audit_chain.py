"""The audit log's hash chain: any change of history is found at the entry it touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest

from gateway.audit.chain import GENESIS, Entry, Facts, canonical, check, sealed

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def facts(n: int) -> Facts:
    return Facts(
        actor_id=f"account-{n}", actor_role="admin", action="updateCall", target_type="call",
        target_id=f"call-{n}", source="203.0.113.7", detail={"status": "closed", "b": "1"},
    )  # fmt: skip


def chain(length: int) -> list[Entry]:
    entries: list[Entry] = []
    sequence, previous = 0, GENESIS
    for n in range(length):
        entry = sealed(sequence, previous, START + timedelta(seconds=n), facts(n))
        entries.append(entry)
        sequence, previous = entry.sequence, entry.hash
    return entries


def test_an_untouched_chain_is_intact() -> None:
    entries = chain(5)
    result = check(entries)
    assert (result.intact, result.entries, result.first_broken) == (True, 5, None)
    assert result.head_hash == entries[-1].hash
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].previous_hash == GENESIS


def test_an_empty_log_is_intact() -> None:
    result = check([])
    assert (result.intact, result.entries, result.head_hash) == (True, 0, GENESIS)


@pytest.mark.parametrize(
    "change",
    [
        {"actor_id": "someone-else"},
        {"actor_role": "applicant"},
        {"action": "withdrawApplication"},
        {"target_type": "application"},
        {"target_id": "call-x"},
        {"outcome": "Forbidden"},
        {"source": "198.51.100.1"},
        {"detail": {"status": "draft", "b": "1"}},
    ],
)
def test_a_changed_field_breaks_the_chain_at_that_entry(change: dict[str, object]) -> None:
    entries = chain(5)
    entries[2] = msgspec.structs.replace(
        entries[2], facts=msgspec.structs.replace(entries[2].facts, **change)
    )
    assert check(entries).first_broken == 3


def test_a_changed_instant_breaks_the_chain() -> None:
    entries = chain(4)
    entries[1] = msgspec.structs.replace(entries[1], at=entries[1].at + timedelta(microseconds=1))
    assert check(entries).first_broken == 2


def test_a_rehashed_entry_still_breaks_at_the_next() -> None:
    """Who recomputes a changed entry's own hash breaks the link to the entry after it."""
    entries = chain(4)
    changed = msgspec.structs.replace(entries[1].facts, target_id="call-x")
    entries[1] = sealed(1, entries[0].hash, entries[1].at, changed)
    assert check(entries).first_broken == 3


def test_a_deleted_entry_is_found_at_the_one_after_it() -> None:
    entries = chain(5)
    del entries[1]
    result = check(entries)
    assert (result.first_broken, result.entries) == (3, 4)


def test_reordered_entries_are_found() -> None:
    entries = chain(5)
    second, third = entries[1], entries[2]
    # Their sequence numbers swapped, as an UPDATE would leave them: read in sequence order.
    entries[1] = msgspec.structs.replace(third, sequence=2)
    entries[2] = msgspec.structs.replace(second, sequence=3)
    assert check(entries).first_broken == 2


def test_renumbering_after_a_deletion_is_found() -> None:
    entries = chain(4)
    del entries[1]
    entries = [msgspec.structs.replace(e, sequence=i + 1) for i, e in enumerate(entries)]
    assert check(entries).first_broken == 2


def test_the_encoding_does_not_depend_on_the_time_zone_or_key_order() -> None:
    """An instant read back in the server's zone, or a detail in another key order, hashes
    the same as when it was written."""
    amsterdam = START.astimezone(timezone(timedelta(hours=1)))
    one = facts(1)
    reordered = msgspec.structs.replace(one, detail=dict(reversed(one.detail.items())))
    assert canonical(7, START, one) == canonical(7, amsterdam, reordered)


def test_the_encoding_tells_fields_apart() -> None:
    """Moving text from one field to the next is a different entry, not the same bytes."""
    a = msgspec.structs.replace(facts(1), target_type="call", target_id="x")
    b = msgspec.structs.replace(facts(1), target_type="callx", target_id="")
    assert canonical(1, START, a) != canonical(1, START, b)
