from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.schema.context import Info
from gateway.schema.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationErrors,
    attempt,
    to_api,
)
from gateway.schema.registry.inputs import (
    CallInput,
    CallUpdateInput,
    ChallengeInput,
    ChallengeUpdateInput,
    MissionInput,
    MissionUpdateInput,
)
from gateway.schema.registry.types import Challenge, Mission, OpenCall
from shared.api import registry as api
from shared.paths import path_of, uuid_id

MissionResult = Annotated[
    Mission | ValidationErrors | Forbidden | NotAuthenticated | NotFound,
    strawberry.union("MissionResult"),
]
ChallengeResult = Annotated[
    Challenge | ValidationErrors | Forbidden | NotAuthenticated | NotFound,
    strawberry.union("ChallengeResult"),
]
CallResult = Annotated[
    OpenCall | ValidationErrors | Forbidden | NotAuthenticated | NotFound | Conflict,
    strawberry.union("CallResult"),
]


def registry_call(info: Info, method: str, path: str, result: type, body: object = None):  # type: ignore[no-untyped-def]
    ctx = info.context
    return ctx.services.registry.call(method, path, ctx.identity, result, body=body)  # type: ignore[arg-type]


def mission_path(id: object) -> str:
    return path_of(api.MISSION, mission_id=uuid_id(id, "mission"))


def challenge_path(id: object) -> str:
    return path_of(api.CHALLENGE, challenge_id=uuid_id(id, "challenge"))


def call_path(route: str, id: object) -> str:
    return path_of(route, call_id=uuid_id(id, "call"))


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(description="Hub managers for their own hub; the programme team for any.")
    async def create_mission(self, info: Info, input: MissionInput) -> MissionResult:
        return await attempt(
            lambda: registry_call(
                info, "POST", api.MISSIONS, api.Mission, to_api(input, api.MissionCreate)
            ),
            Mission.of,
        )

    @strawberry.mutation
    async def update_mission(
        self, info: Info, id: strawberry.ID, input: MissionUpdateInput
    ) -> MissionResult:
        return await attempt(
            lambda: registry_call(
                info, "PATCH", mission_path(id), api.Mission, to_api(input, api.MissionUpdate)
            ),
            Mission.of,
        )

    @strawberry.mutation
    async def create_challenge(self, info: Info, input: ChallengeInput) -> ChallengeResult:
        return await attempt(
            lambda: registry_call(
                info, "POST", api.CHALLENGES, api.Challenge, to_api(input, api.ChallengeCreate)
            ),
            Challenge.of,
        )

    @strawberry.mutation
    async def update_challenge(
        self, info: Info, id: strawberry.ID, input: ChallengeUpdateInput
    ) -> ChallengeResult:
        return await attempt(
            lambda: registry_call(
                info,
                "PATCH",
                challenge_path(id),
                api.Challenge,
                to_api(input, api.ChallengeUpdate),
            ),
            Challenge.of,
        )

    @strawberry.mutation(description="Creates a draft call; publish it with publishCall.")
    async def create_call(self, info: Info, input: CallInput) -> CallResult:
        return await attempt(
            lambda: registry_call(info, "POST", api.CALLS, api.Call, to_api(input, api.CallCreate)),
            OpenCall.of,
        )

    @strawberry.mutation(description="Only draft calls can be changed.")
    async def update_call(
        self, info: Info, id: strawberry.ID, input: CallUpdateInput
    ) -> CallResult:
        return await attempt(
            lambda: registry_call(
                info, "PATCH", call_path(api.CALL, id), api.Call, to_api(input, api.CallUpdate)
            ),
            OpenCall.of,
        )

    @strawberry.mutation(
        description='A new draft copying every setting of the call (title prefixed "Copy of"), '
        "for whoever may create a call for its hub. Its instants are kept: move them before "
        "publishing."
    )
    async def clone_call(self, info: Info, id: strawberry.ID) -> CallResult:
        return await attempt(
            lambda: registry_call(info, "POST", call_path(api.CALL_CLONE, id), api.Call),
            OpenCall.of,
        )

    @strawberry.mutation
    async def publish_call(self, info: Info, id: strawberry.ID) -> CallResult:
        return await attempt(
            lambda: registry_call(info, "POST", call_path(api.CALL_PUBLISH, id), api.Call),
            OpenCall.of,
        )

    @strawberry.mutation(
        description="After the deadline: to IN_EVALUATION, then RESULTS_PUBLISHED."
    )
    async def transition_call(
        self, info: Info, id: strawberry.ID, status: api.CallStatus
    ) -> CallResult:
        body = api.CallTransition(status=status)
        return await attempt(
            lambda: registry_call(info, "POST", call_path(api.CALL_TRANSITION, id), api.Call, body),
            OpenCall.of,
        )
