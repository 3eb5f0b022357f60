"""The loaders' helpers: answers in the order of the keys, ids sent in parts of ID_BATCH, a
malformed id never sent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gateway.schema.dataloaders import ID_BATCH, by_key, in_batches


@dataclass
class Item:
    id: str


def test_by_key_answers_in_the_keys_order_with_none_for_missing() -> None:
    items = [Item("b"), Item("a")]
    assert by_key(items, ["a", "x", "b", "a"], "id") == [Item("a"), None, Item("b"), Item("a")]


async def test_in_batches_splits_and_keeps_the_order() -> None:
    ids = [str(uuid.UUID(int=n)) for n in range(ID_BATCH * 2 + 3)]
    sent: list[list[str]] = []

    async def fetch(part: list[str]) -> list[str]:
        sent.append(part)
        return [f"found {i}" for i in part]

    found = await in_batches(fetch, ids)
    assert [len(part) for part in sent] == [ID_BATCH, ID_BATCH, 3]
    assert found == [f"found {i}" for i in ids]


async def test_in_batches_never_sends_a_malformed_id() -> None:
    good = str(uuid.uuid4())
    sent: list[list[str]] = []

    async def fetch(part: list[str]) -> list[str]:
        sent.append(part)
        return part

    assert await in_batches(fetch, ["a,b", good, "", "not-a-uuid"]) == [good]
    assert sent == [[good]]
    assert await in_batches(fetch, ["a,b"]) == []
    assert sent == [[good]]  # nothing left to ask: no request at all
