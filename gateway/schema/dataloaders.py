"""The dataloaders of one GraphQL request: the registry's lookups batched and cached, so a
list of N applications asks for its calls, missions and hubs once, not N times."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from gateway.clients import Services
from shared.api import registry as api
from shared.identity import Identity
from shared.paths import is_uuid

T = TypeVar("T")

ID_BATCH = 500  # ids per internal request of a loader


def by_key(items: Sequence[Any], keys: Sequence[str], key: str) -> list[Any]:
    """`items` in the order of `keys` (matched on the attribute `key`), None where missing."""
    found = {getattr(item, key): item for item in items}
    return [found.get(k) for k in keys]


async def in_batches(fetch: Callable[[list[str]], Awaitable[list[T]]], ids: list[str]) -> list[T]:
    """Ids travel in the query string: a batch goes in parts, so no URL outgrows what HTTP
    clients and servers accept (httpx: 64 KB; 500 UUIDs take 18 KB). A malformed id (e.g.
    "a,b", which would split in two) names nothing and is not sent."""
    wanted = [i for i in ids if is_uuid(i)]
    parts = [wanted[i : i + ID_BATCH] for i in range(0, len(wanted), ID_BATCH)]
    found = await asyncio.gather(*(fetch(part) for part in parts))
    return [item for part in found for item in part]


class Loaders:
    """Batch and cache the internal calls of one GraphQL request."""

    def __init__(self, services: Services, identity: Identity) -> None:
        self.registry = services.registry
        self.identity = identity
        self.hub = DataLoader(self._hubs)
        self.value_chain = DataLoader(self._value_chains)
        self.country_name = DataLoader(self._country_names)
        self.mission = DataLoader(self._missions)
        self.missions_by_hub = DataLoader(self._missions_by_hub)
        self.challenge = DataLoader(self._challenges)
        self.challenges_by_mission = DataLoader(self._challenges_by_mission)
        self.call = DataLoader(self._calls)

    async def _hubs(self, codes: list[str]) -> list[api.Hub | None]:
        return by_key(await self.registry.hubs(self.identity), codes, "code")

    async def _value_chains(self, codes: list[str]) -> list[api.ValueChain | None]:
        return by_key(await self.registry.value_chains(self.identity), codes, "code")

    async def _country_names(self, codes: list[str]) -> list[str]:
        names = {c.code: c.name for c in await self.registry.countries(self.identity)}
        return [names.get(code, code) for code in codes]

    async def _missions(self, ids: list[str]) -> list[api.Mission | None]:
        async def fetch(part: list[str]) -> list[api.Mission]:
            return await self.registry.missions(self.identity, ids=part)

        return by_key(await in_batches(fetch, ids), ids, "id")

    async def _missions_by_hub(self, hubs: list[str]) -> list[list[api.Mission]]:
        grouped: dict[str, list[api.Mission]] = defaultdict(list)
        for mission in await self.registry.missions(self.identity):
            grouped[mission.hub].append(mission)
        return [grouped[h] for h in hubs]

    async def _challenges(self, ids: list[str]) -> list[api.Challenge | None]:
        async def fetch(part: list[str]) -> list[api.Challenge]:
            return await self.registry.challenges(self.identity, ids=part)

        return by_key(await in_batches(fetch, ids), ids, "id")

    async def _challenges_by_mission(self, ids: list[str]) -> list[list[api.Challenge]]:
        async def fetch(part: list[str]) -> list[api.Challenge]:
            return await self.registry.challenges(self.identity, mission_ids=part)

        grouped: dict[str, list[api.Challenge]] = defaultdict(list)
        for challenge in await in_batches(fetch, ids):
            grouped[challenge.mission_id].append(challenge)
        return [grouped[i] for i in ids]

    async def _calls(self, ids: list[str]) -> list[api.Call | None]:
        async def fetch(part: list[str]) -> list[api.Call]:
            return await self.registry.calls(self.identity, ids=part)

        return by_key(await in_batches(fetch, ids), ids, "id")
