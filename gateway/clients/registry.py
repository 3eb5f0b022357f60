"""The typed client of registry: one method per route of shared.api.registry, named as the
service's handler. Ids are checked here (shared.paths) before they reach a path."""

from __future__ import annotations

from gateway.clients.base import ServiceClient
from shared.api import registry as api
from shared.call_status import CallStatus
from shared.identity import Identity
from shared.paths import uuid_id


def _joined(ids: list[str] | None) -> str | None:
    """A list of ids as the service reads it (`?ids=a,b`); None leaves the filter out."""
    return None if ids is None else ",".join(ids)


class RegistryClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("registry", base_url, secret)

    # The programme's fixed data.
    async def hubs(self, identity: Identity) -> list[api.Hub]:
        return await self.send(api.HUBS, identity)

    async def hubs_without_mission(self, identity: Identity) -> list[str]:
        return await self.send(api.HUBS_WITHOUT_MISSION, identity)

    async def value_chains(self, identity: Identity) -> list[api.ValueChain]:
        return await self.send(api.VALUE_CHAINS, identity)

    async def strategies(self, identity: Identity) -> list[api.Strategy]:
        return await self.send(api.STRATEGIES, identity)

    async def countries(self, identity: Identity) -> list[api.Country]:
        return await self.send(api.COUNTRIES, identity)

    async def organisation_types(self, identity: Identity) -> list[api.OrganisationType]:
        return await self.send(api.ORGANISATION_TYPES, identity)

    # Missions and challenges.
    async def missions(
        self, identity: Identity, *, hub: str | None = None, ids: list[str] | None = None
    ) -> list[api.Mission]:
        params = {"hub": hub, "ids": _joined(ids)}
        return await self.send(api.MISSIONS, identity, params=params)

    async def create_mission(self, identity: Identity, request: api.MissionCreate) -> api.Mission:
        return await self.send(api.CREATE_MISSION, identity, body=request)

    async def update_mission(
        self, identity: Identity, mission_id: object, request: api.MissionUpdate
    ) -> api.Mission:
        mission = uuid_id(mission_id, "mission")
        return await self.send(api.UPDATE_MISSION, identity, body=request, mission_id=mission)

    async def challenges(
        self, identity: Identity, *, ids: list[str] | None = None,
        mission_ids: list[str] | None = None,
    ) -> list[api.Challenge]:  # fmt: skip
        params = {"ids": _joined(ids), "mission_ids": _joined(mission_ids)}
        return await self.send(api.CHALLENGES, identity, params=params)

    async def create_challenge(
        self, identity: Identity, request: api.ChallengeCreate
    ) -> api.Challenge:
        return await self.send(api.CREATE_CHALLENGE, identity, body=request)

    async def update_challenge(
        self, identity: Identity, challenge_id: object, request: api.ChallengeUpdate
    ) -> api.Challenge:
        challenge = uuid_id(challenge_id, "challenge")
        return await self.send(api.UPDATE_CHALLENGE, identity, body=request, challenge_id=challenge)

    # Open calls.
    async def calls(
        self, identity: Identity, *, ids: list[str] | None = None,
        status: CallStatus | None = None, hub: str | None = None,
    ) -> list[api.Call]:  # fmt: skip
        params = {"ids": _joined(ids), "status": status, "hub": hub}
        return await self.send(api.CALLS, identity, params=params)

    # Not `call`: that is ServiceClient's generic request.
    async def get_call(self, identity: Identity, call_id: object) -> api.Call:
        return await self.send(api.GET_CALL, identity, call_id=uuid_id(call_id, "call"))

    async def create_call(self, identity: Identity, request: api.CallCreate) -> api.Call:
        return await self.send(api.CREATE_CALL, identity, body=request)

    async def update_call(
        self, identity: Identity, call_id: object, request: api.CallUpdate
    ) -> api.Call:
        call = uuid_id(call_id, "call")
        return await self.send(api.UPDATE_CALL, identity, body=request, call_id=call)

    async def clone_call(self, identity: Identity, call_id: object) -> api.Call:
        return await self.send(api.CLONE_CALL, identity, call_id=uuid_id(call_id, "call"))

    async def publish_call(self, identity: Identity, call_id: object) -> api.Call:
        return await self.send(api.PUBLISH_CALL, identity, call_id=uuid_id(call_id, "call"))

    async def transition_call(
        self, identity: Identity, call_id: object, status: CallStatus
    ) -> api.Call:
        body = api.CallTransition(status=status)
        call = uuid_id(call_id, "call")
        return await self.send(api.TRANSITION_CALL, identity, body=body, call_id=call)
