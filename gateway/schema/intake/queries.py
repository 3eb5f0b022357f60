"""Intake's queries: an applicant's applications, a call's applications and statistics."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.errors import Forbidden, NotAuthenticated, NotFound, ValidationErrors, attempt
from gateway.schema.intake.inputs import ApplicationFilter, filters_of
from gateway.schema.intake.types import (
    Application,
    ApplicationConnection,
    CallStatistics,
    application_of,
)
from gateway.schema.permissions import SignedIn, quiet
from shared.errors import NotFound as DomainNotFound

ConnectionResult = Annotated[
    ApplicationConnection | ValidationErrors | Forbidden | NotAuthenticated | NotFound,
    strawberry.union("ApplicationConnectionResult"),
]
StatisticsResult = Annotated[
    CallStatistics | Forbidden | NotAuthenticated | NotFound,
    strawberry.union("CallStatisticsResult"),
]


@strawberry.type
class IntakeQuery:
    @strawberry.field(
        description="The signed-in applicant's applications.", extensions=[quiet(SignedIn)]
    )
    async def my_applications(self, info: Info) -> list[Application]:
        ctx = info.context
        return [application_of(a) for a in await ctx.services.intake.mine(ctx.identity)]

    @strawberry.field(
        description="Null when it does not exist or is not yours to see.",
        extensions=[quiet(SignedIn)],
    )
    async def application(self, info: Info, id: strawberry.ID) -> Application | None:
        ctx = info.context
        try:
            return application_of(await ctx.services.intake.read(ctx.identity, str(id)))
        except DomainNotFound:
            return None

    @strawberry.field(
        description="A call's applications: programme team and the call's hub managers."
    )
    async def call_applications(
        self, info: Info, call_id: strawberry.ID, filter: ApplicationFilter | None = None,
        after: str | None = None,
        first: Annotated[int, strawberry.argument(description="At most 200 a page.")] = 50,
    ) -> ConnectionResult:  # fmt: skip
        ctx = info.context
        return await attempt(
            lambda: ctx.services.intake.call_applications(
                ctx.identity, str(call_id), filters_of(filter), after=after, limit=first
            ),
            lambda page: from_contract(
                ApplicationConnection, page, items=[application_of(a) for a in page.items]
            ),
        )

    @strawberry.field(
        description="Counts by status, country, hub, value chain, organisation type; the deadline curve."
    )
    async def call_statistics(self, info: Info, call_id: strawberry.ID) -> StatisticsResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.intake.statistics(ctx.identity, str(call_id)),
            lambda found: from_contract(CallStatistics, found),
        )
