"""Notify's mutation: a failed mail sent again (the programme team)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.errors import Forbidden, NotAuthenticated, NotFound, attempt
from gateway.schema.notify.types import Mail
from gateway.schema.permissions import Admin, SignedIn, allow
from shared.paths import uuid_id

RetryMailResult = Annotated[Mail | NotFound | Forbidden | NotAuthenticated,
                            strawberry.union("RetryMailResult")]  # fmt: skip


@strawberry.type
class NotifyMutation:
    @strawberry.mutation(
        description="Send a failed mail again (the programme team).",
        extensions=[allow(SignedIn, Admin)],
    )
    async def retry_mail(self, info: Info, id: strawberry.ID) -> RetryMailResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.notify.retry_mail(ctx.identity, uuid_id(id, "mail")),
            lambda mail: from_contract(Mail, mail),
        )
