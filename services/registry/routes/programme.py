"""The programme's fixed data: hubs, value chains, strategies, countries, organisation types.
Public."""

from __future__ import annotations

from litestar import get
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import queries
from services.registry.views import hub_view
from shared.api import registry as api
from shared.identity import Identity
from shared.programme import COUNTRIES, ORGANISATION_TYPES, STRATEGIES
from shared.web import READS_ONLY


@get(api.HUBS.path, opt=READS_ONLY)
async def hubs(session: AsyncSession, identity: Identity) -> list[api.Hub]:
    return [hub_view(r) for r in await queries.hubs(session)]


@get(api.HUBS_WITHOUT_MISSION.path, opt=READS_ONLY)
async def hubs_without_mission(session: AsyncSession, identity: Identity) -> list[str]:
    return await queries.hubs_without_mission(session)


@get(api.VALUE_CHAINS.path, opt=READS_ONLY)
async def value_chains(session: AsyncSession, identity: Identity) -> list[api.ValueChain]:
    return [api.ValueChain(r.code, r.name) for r in await queries.value_chains(session)]


@get(api.STRATEGIES.path, sync_to_thread=False)
def strategies(identity: Identity) -> list[api.Strategy]:
    return STRATEGIES


@get(api.COUNTRIES.path, sync_to_thread=False)
def countries(identity: Identity) -> list[api.Country]:
    return COUNTRIES


@get(api.ORGANISATION_TYPES.path, sync_to_thread=False)
def organisation_types(identity: Identity) -> list[api.OrganisationType]:
    return ORGANISATION_TYPES
