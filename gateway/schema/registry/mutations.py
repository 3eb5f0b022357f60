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
from gateway.schema.registry.types import CallStatus, Challenge, Mission, OpenCall
from shared.api import registry as api

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


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(description="Hub managers for their own hub; the programme team for any.")
    async def create_mission(self, info: Info, input: MissionInput) -> MissionResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.create_mission(
                ctx.identity, to_api(input, api.MissionCreate)
            ),
            Mission.of,
        )

    @strawberry.mutation
    async def update_mission(
        self, info: Info, id: strawberry.ID, input: MissionUpdateInput
    ) -> MissionResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.update_mission(
                ctx.identity, id, to_api(input, api.MissionUpdate)
            ),
            Mission.of,
        )

    @strawberry.mutation
    async def create_challenge(self, info: Info, input: ChallengeInput) -> ChallengeResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.create_challenge(
                ctx.identity, to_api(input, api.ChallengeCreate)
            ),
            Challenge.of,
        )

    @strawberry.mutation
    async def update_challenge(
        self, info: Info, id: strawberry.ID, input: ChallengeUpdateInput
    ) -> ChallengeResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.update_challenge(
                ctx.identity, id, to_api(input, api.ChallengeUpdate)
            ),
            Challenge.of,
        )

    @strawberry.mutation(description="Creates a draft call; publish it with publishCall.")
    async def create_call(self, info: Info, input: CallInput) -> CallResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.create_call(ctx.identity, to_api(input, api.CallCreate)),
            OpenCall.of,
        )

    @strawberry.mutation(description="Only draft calls can be changed.")
    async def update_call(
        self, info: Info, id: strawberry.ID, input: CallUpdateInput
    ) -> CallResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.update_call(
                ctx.identity, id, to_api(input, api.CallUpdate)
            ),
            OpenCall.of,
        )

    @strawberry.mutation(
        description='A new draft copying every setting of the call (title prefixed "Copy of"), '
        "for whoever may create a call for its hub. Its instants are kept: move them before "
        "publishing."
    )
    async def clone_call(self, info: Info, id: strawberry.ID) -> CallResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.clone_call(ctx.identity, id), OpenCall.of
        )

    @strawberry.mutation
    async def publish_call(self, info: Info, id: strawberry.ID) -> CallResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.publish_call(ctx.identity, id), OpenCall.of
        )

    @strawberry.mutation(
        description="After the deadline: to IN_EVALUATION, then RESULTS_PUBLISHED."
    )
    async def transition_call(
        self, info: Info, id: strawberry.ID, status: CallStatus
    ) -> CallResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.registry.transition_call(ctx.identity, id, status), OpenCall.of
        )
