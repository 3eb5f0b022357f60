"""The typed per-request context: who is asking, the service clients, per-request dataloaders."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from gateway.auth import claims_from_header, current_claims
from gateway.clients import Services
from gateway.config import GatewaySettings
from gateway.feeds import SubmissionFeeds
from shared.api import registry as api
from shared.errors import Forbidden
from shared.identity import ANONYMOUS, Identity
from shared.paths import is_uuid


def _by_key(items: Sequence[Any], keys: Sequence[str], key: str) -> list[Any]:
    found = {getattr(item, key): item for item in items}
    return [found.get(k) for k in keys]


ID_BATCH = 500  # ids per internal request of a loader


class Loaders:
    """Batch and cache the internal calls of one GraphQL request."""

    def __init__(self, services: Services, identity: Identity) -> None:
        self.services = services
        self.identity = identity
        self.hub = DataLoader(self._hubs)
        self.value_chain = DataLoader(self._value_chains)
        self.country_name = DataLoader(self._country_names)
        self.mission = DataLoader(self._missions)
        self.missions_by_hub = DataLoader(self._missions_by_hub)
        self.challenge = DataLoader(self._challenges)
        self.challenges_by_mission = DataLoader(self._challenges_by_mission)
        self.call = DataLoader(self._calls)

    async def _get(self, path: str, result: type[Any], **params: Any) -> Any:
        return await self.services.registry.call("GET", path, self.identity, result, params=params)

    async def _hubs(self, codes: list[str]) -> list[api.Hub | None]:
        return _by_key(await self._get(api.HUBS, list[api.Hub]), codes, "code")

    async def _value_chains(self, codes: list[str]) -> list[api.ValueChain | None]:
        return _by_key(await self._get(api.VALUE_CHAINS, list[api.ValueChain]), codes, "code")

    async def _country_names(self, codes: list[str]) -> list[str]:
        countries = await self._get(api.COUNTRIES, list[api.Country])
        names = {c.code: c.name for c in countries}
        return [names.get(code, code) for code in codes]

    async def _get_by_ids(self, path: str, result: type[Any], param: str, ids: list[str]) -> Any:
        """Ids travel in the query string: a batch goes in parts, so no URL outgrows what
        HTTP clients and servers accept (httpx: 64 KB; 500 UUIDs take 18 KB). A malformed id
        (e.g. "a,b", which would split in two) names nothing and is not sent."""
        wanted = [i for i in ids if is_uuid(i)]
        parts = [wanted[i : i + ID_BATCH] for i in range(0, len(wanted), ID_BATCH)]
        found = await asyncio.gather(
            *(self._get(path, result, **{param: ",".join(part)}) for part in parts)
        )
        return [item for part in found for item in part]

    async def _missions(self, ids: list[str]) -> list[api.Mission | None]:
        found = await self._get_by_ids(api.MISSIONS, list[api.Mission], "ids", ids)
        return _by_key(found, ids, "id")

    async def _missions_by_hub(self, hubs: list[str]) -> list[list[api.Mission]]:
        grouped: dict[str, list[api.Mission]] = defaultdict(list)
        for mission in await self._get(api.MISSIONS, list[api.Mission]):
            grouped[mission.hub].append(mission)
        return [grouped[h] for h in hubs]

    async def _challenges(self, ids: list[str]) -> list[api.Challenge | None]:
        found = await self._get_by_ids(api.CHALLENGES, list[api.Challenge], "ids", ids)
        return _by_key(found, ids, "id")

    async def _challenges_by_mission(self, ids: list[str]) -> list[list[api.Challenge]]:
        found = await self._get_by_ids(api.CHALLENGES, list[api.Challenge], "mission_ids", ids)
        grouped: dict[str, list[api.Challenge]] = defaultdict(list)
        for challenge in found:
            grouped[challenge.mission_id].append(challenge)
        return [grouped[i] for i in ids]

    async def _calls(self, ids: list[str]) -> list[api.Call | None]:
        found = await self._get_by_ids(api.CALLS, list[api.Call], "ids", ids)
        return _by_key(found, ids, "id")


class Context(BaseContext, kw_only=True):
    identity: Identity
    services: Services
    loaders: Loaders
    settings: GatewaySettings
    db: async_sessionmaker[AsyncSession]
    feeds: SubmissionFeeds
    # The client's address (throttling keys): the peer, or what a trusted proxy forwarded.
    client: str = "unknown"
    # A token that may only set up a second factor (staff outside dev mode without one).
    setup_only: bool = False
    # The request's own Authorization header (a WebSocket upgrade may carry one).
    authorization: str | None = None
    # Set by the graphql-transport-ws handshake: a browser's WebSocket carries its token here.
    connection_params: dict[str, Any] | None = None

    @property
    def socket_token(self) -> str | None:
        """The token a subscription runs under: connection_init's, else the upgrade's header."""
        params = self.connection_params or {}
        return params.get("Authorization") or self.authorization

    async def identity_from_token(self, authorization: str | None) -> Identity:
        """The identity of a token sent outside the headers (a WebSocket's connection_init),
        checked against the account as every request is (version, disabled, deleted)."""
        claims = claims_from_header(authorization, self.settings.jwt_secret)
        if claims is None:
            return ANONYMOUS
        async with self.db() as session:
            current = await current_claims(session, claims)
        if current.setup_only:
            raise Forbidden("Set up two-factor sign-in first.")
        return current.identity


Info = StrawberryInfo[Context, None]
