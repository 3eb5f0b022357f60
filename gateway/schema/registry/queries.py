from __future__ import annotations

import strawberry

from gateway.schema.context import Info
from gateway.schema.registry.types import (
    CallPhase,
    Challenge,
    Country,
    Hub,
    Mission,
    OpenCall,
    OrganisationType,
    Strategy,
    ValueChain,
)
from shared.api import registry as api
from shared.errors import NotFound
from shared.paths import path_of, uuid_id


async def registry_get(info: Info, path: str, result: type, **params: object) -> object:
    ctx = info.context
    return await ctx.services.registry.call("GET", path, ctx.identity, result, params=params)


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="The seven regional hubs and the countries they cover.")
    async def hubs(self, info: Info) -> list[Hub]:
        found: list[api.Hub] = await registry_get(info, api.HUBS, list[api.Hub])  # type: ignore[assignment]
        for hub in found:
            info.context.loaders.hub.prime(hub.code, hub)
        return [Hub.of(h) for h in found]

    @strawberry.field
    async def hub(self, info: Info, code: str) -> Hub | None:
        found = await info.context.loaders.hub.load(code)
        return Hub.of(found) if found else None

    @strawberry.field(description="Hubs that still have no mission (each hub needs at least one).")
    async def hubs_without_mission(self, info: Info) -> list[Hub]:
        codes: list[str] = await registry_get(info, api.HUBS_WITHOUT_MISSION, list[str])  # type: ignore[assignment]
        found = await info.context.loaders.hub.load_many(codes)
        return [Hub.of(h) for h in found if h is not None]

    @strawberry.field
    async def value_chains(self, info: Info) -> list[ValueChain]:
        found: list[api.ValueChain] = await registry_get(
            info, api.VALUE_CHAINS, list[api.ValueChain]
        )  # type: ignore[assignment]
        return [ValueChain(code=v.code, name=v.name) for v in found]

    @strawberry.field
    async def strategies(self, info: Info) -> list[Strategy]:
        found: list[api.Strategy] = await registry_get(info, api.STRATEGIES, list[api.Strategy])  # type: ignore[assignment]
        return [Strategy(code=s.code, name=s.name, targeted=s.targeted) for s in found]

    @strawberry.field
    async def countries(self, info: Info) -> list[Country]:
        found: list[api.Country] = await registry_get(info, api.COUNTRIES, list[api.Country])  # type: ignore[assignment]
        return [Country(code=c.code, name=c.name) for c in found]

    @strawberry.field
    async def organisation_types(self, info: Info) -> list[OrganisationType]:
        found: list[api.OrganisationType] = await registry_get(
            info, api.ORGANISATION_TYPES, list[api.OrganisationType]
        )  # type: ignore[assignment]
        return [OrganisationType(code=o.code, name=o.name) for o in found]

    @strawberry.field
    async def missions(self, info: Info, hub: str | None = None) -> list[Mission]:
        found: list[api.Mission] = await registry_get(
            info, api.MISSIONS, list[api.Mission], hub=hub
        )  # type: ignore[assignment]
        for mission in found:
            info.context.loaders.mission.prime(mission.id, mission)
        return [Mission.of(m) for m in found]

    @strawberry.field
    async def mission(self, info: Info, id: strawberry.ID) -> Mission | None:
        found = await info.context.loaders.mission.load(str(id))
        return Mission.of(found) if found else None

    @strawberry.field
    async def challenge(self, info: Info, id: strawberry.ID) -> Challenge | None:
        found = await info.context.loaders.challenge.load(str(id))
        return Challenge.of(found) if found else None

    @strawberry.field(description="Open calls you may see: published ones, and drafts you manage.")
    async def calls(
        self, info: Info, status: CallPhase | None = None, hub: str | None = None
    ) -> list[OpenCall]:
        found: list[api.Call] = await registry_get(info, api.CALLS, list[api.Call], hub=hub)  # type: ignore[assignment]
        return [OpenCall.of(c) for c in found if status is None or c.phase == status]

    @strawberry.field
    async def call(self, info: Info, id: strawberry.ID) -> OpenCall | None:
        try:
            path = path_of(api.CALL, call_id=uuid_id(id, "call"))
            found: api.Call = await registry_get(info, path, api.Call)  # type: ignore[assignment]
        except NotFound:
            return None
        return OpenCall.of(found)
