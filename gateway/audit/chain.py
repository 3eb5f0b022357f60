"""The audit log's hash chain, pure: each entry's hash covers the previous entry's hash and a
canonical encoding of the entry itself (its sequence number included), so changing, deleting
or reordering any entry breaks the chain at that entry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec

GENESIS = "0" * 64  # the "previous hash" of the first entry


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What one entry says: who did what to which thing, how it ended, from where.
    Never a secret or personal data: ids, roles, action names and outcomes only."""

    actor_id: str | None
    actor_role: str
    action: str
    target_type: str
    target_id: str
    outcome: str = "ok"
    source: str | None = None
    detail: dict[str, str] = {}


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    sequence: int
    at: datetime
    facts: Facts
    previous_hash: str
    hash: str


def canonical(sequence: int, at: datetime, facts: Facts) -> bytes:
    """One byte string per entry, independent of how it was stored and read back: the instant
    in UTC to the microsecond (what PostgreSQL keeps), the detail's keys sorted."""
    f = facts
    fields = [
        sequence, at.astimezone(UTC).isoformat(timespec="microseconds"), f.actor_id,
        f.actor_role, f.action, f.target_type, f.target_id, f.outcome, f.source,
        sorted(f.detail.items()),
    ]  # fmt: skip
    return msgspec.json.encode(fields)


def entry_hash(previous_hash: str, sequence: int, at: datetime, facts: Facts) -> str:
    digest = hashlib.sha256(previous_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(sequence, at, facts))
    return digest.hexdigest()


def sealed(previous_sequence: int, previous_hash: str, at: datetime, facts: Facts) -> Entry:
    """The entry that follows the one numbered `previous_sequence` (0 and GENESIS: the first)."""
    sequence = previous_sequence + 1
    return Entry(
        sequence=sequence, at=at, facts=facts, previous_hash=previous_hash,
        hash=entry_hash(previous_hash, sequence, at, facts),
    )  # fmt: skip


class ChainCheck:
    """Feed the entries in sequence order; `first_broken` is the sequence number of the first
    entry that is not what the chain says it must be (changed, or after a removed one)."""

    def __init__(self) -> None:
        self.entries = 0
        self.first_broken: int | None = None
        self.head_hash = GENESIS
        self._expected_sequence = 1

    def feed(self, entry: Entry) -> None:
        self.entries += 1
        if self.first_broken is not None:
            return
        recomputed = entry_hash(entry.previous_hash, entry.sequence, entry.at, entry.facts)
        if (
            entry.sequence != self._expected_sequence
            or entry.previous_hash != self.head_hash
            or entry.hash != recomputed
        ):
            self.first_broken = entry.sequence
            return
        self.head_hash = entry.hash
        self._expected_sequence += 1

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def check(entries: Iterable[Entry]) -> ChainCheck:
    result = ChainCheck()
    for entry in entries:
        result.feed(entry)
    return result
