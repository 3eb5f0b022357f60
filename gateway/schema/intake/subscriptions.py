"""Intake's subscription: the live number of a call's submitted applications."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError

from gateway.schema.context import Info
from shared.errors import DomainError


@strawberry.type
class IntakeSubscription:
    @strawberry.subscription(
        description="The live number of submitted applications of a call (team and hub managers)."
    )
    async def submission_count(
        self, info: Info, call_id: strawberry.ID
    ) -> AsyncGenerator[int, None]:
        ctx = info.context

        async def current() -> int:
            # Checked again for every figure: a socket outlives neither a revoked or expired
            # token nor a disabled account, and a setup-only token never starts one.
            try:
                identity = await ctx.identity_from_token(ctx.socket_token)
                count = await ctx.services.intake.submission_count(identity, str(call_id))
            except DomainError as refused:  # coded as every request's error is
                raise GraphQLError(refused.message, extensions={"code": refused.code}) from None
            return count.submitted

        async with ctx.feeds.watch(str(call_id)) as changes:
            shown = await current()  # also the authorization check: a refusal ends it here
            yield shown
            async for _ in changes:
                # Only a new figure: another hub's submission, which a hub manager's count
                # leaves out, must not show even as the moment it came.
                if (figure := await current()) != shown:
                    shown = figure
                    yield shown
