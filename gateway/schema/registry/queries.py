from __future__ import annotations

import strawberry

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
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
from shared.errors import NotFound


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="The seven regional hubs and the countries they cover.")
    async def hubs(self, info: Info) -> list[Hub]:
        found = await info.context.services.registry.hubs(info.context.identity)
        for hub in found:
            info.context.loaders.hub.prime(hub.code, hub)
        return [Hub.of(h) for h in found]

    @strawberry.field
    async def hub(self, info: Info, code: str) -> Hub | None:
        found = await info.context.loaders.hub.load(code)
        return Hub.of(found) if found else None

    @strawberry.field(description="Hubs that still have no mission (each hub needs at least one).")
    async def hubs_without_mission(self, info: Info) -> list[Hub]:
        codes = await info.context.services.registry.hubs_without_mission(info.context.identity)
        found = await info.context.loaders.hub.load_many(codes)
        return [Hub.of(h) for h in found if h is not None]

    @strawberry.field
    async def value_chains(self, info: Info) -> list[ValueChain]:
        found = await info.context.services.registry.value_chains(info.context.identity)
        return [from_contract(ValueChain, v) for v in found]

    @strawberry.field
    async def strategies(self, info: Info) -> list[Strategy]:
        found = await info.context.services.registry.strategies(info.context.identity)
        return [from_contract(Strategy, s) for s in found]

    @strawberry.field(description="By name, as a person looks for one in a list.")
    async def countries(self, info: Info) -> list[Country]:
        found = await info.context.services.registry.countries(info.context.identity)
        return [from_contract(Country, c) for c in sorted(found, key=lambda c: c.name)]

    @strawberry.field
    async def organisation_types(self, info: Info) -> list[OrganisationType]:
        found = await info.context.services.registry.organisation_types(info.context.identity)
        return [from_contract(OrganisationType, o) for o in found]

    @strawberry.field
    async def missions(self, info: Info, hub: str | None = None) -> list[Mission]:
        found = await info.context.services.registry.missions(info.context.identity, hub=hub)
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
        found = await info.context.services.registry.calls(info.context.identity, hub=hub)
        return [OpenCall.of(c) for c in found if status is None or c.phase == status]

    @strawberry.field
    async def call(self, info: Info, id: strawberry.ID) -> OpenCall | None:
        try:
            found = await info.context.services.registry.get_call(info.context.identity, id)
        except NotFound:
            return None
        return OpenCall.of(found)
