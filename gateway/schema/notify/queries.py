"""Notify's queries: the team's mail outbox and the mail a signed-in person was sent."""

from __future__ import annotations

import strawberry

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.notify.types import MailPage, MailState, Notification
from gateway.schema.permissions import SignedIn, refuse


@strawberry.type
class NotifyQuery:
    # The service refuses anyone but the team (a top-level error, as every read's refusal).
    @strawberry.field(description="The mail outbox, newest first (the programme team).")
    async def mail_outbox(
        self, info: Info, state: MailState | None = None, to: str | None = None,
        first: int = 50, offset: int = 0,
    ) -> MailPage:  # fmt: skip
        ctx = info.context
        page = await ctx.services.notify.list_mail(
            ctx.identity, state=state, to=to, first=first, offset=offset
        )
        return from_contract(MailPage, page, total_count=page.total)

    # A list answers an anonymous caller with an error, not [] (so refuse, not quiet).
    @strawberry.field(
        description="The e-mails sent to you, newest first.", extensions=[refuse(SignedIn)]
    )
    async def my_notifications(
        self, info: Info, first: int = 20, offset: int = 0
    ) -> list[Notification]:
        ctx = info.context
        account = ctx.identity.require_signed_in()  # its id: refuse(SignedIn) let it through
        found = await ctx.services.notify.person_mail(
            ctx.identity, account, first=first, offset=offset
        )
        return [from_contract(Notification, n) for n in found]
