"""Notify's queries and mutation: the team's mail outbox, a failed mail sent again, and the
mail a signed-in person was sent."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.schema.context import Info
from gateway.schema.errors import Forbidden, NotAuthenticated, NotFound, attempt
from gateway.schema.notify.types import Mail, MailPage, MailState, Notification
from shared.api import notify as api
from shared.paths import path_of, uuid_id

RetryMailResult = Annotated[Mail | NotFound | Forbidden | NotAuthenticated,
                            strawberry.union("RetryMailResult")]  # fmt: skip


def notify_call(info: Info, method: str, path: str, result: type, **kwargs: Any) -> Any:
    ctx = info.context
    return ctx.services.notify.call(method, path, ctx.identity, result, **kwargs)


@strawberry.type
class NotifyQuery:
    @strawberry.field(description="The mail outbox, newest first (the programme team).")
    async def mail_outbox(
        self, info: Info, state: MailState | None = None, to: str | None = None,
        first: int = 50, offset: int = 0,
    ) -> MailPage:  # fmt: skip
        params = {"state": state.value if state else None, "to": to, "first": first,
                  "offset": offset}  # fmt: skip
        page = await notify_call(info, "GET", api.MAIL, api.MailPage, params=params)
        return MailPage(total_count=page.total, items=[Mail.of(m) for m in page.items])

    @strawberry.field(description="The e-mails sent to you, newest first.")
    async def my_notifications(
        self, info: Info, first: int = 20, offset: int = 0
    ) -> list[Notification]:
        account = info.context.identity.require_signed_in()
        path = path_of(api.PERSON_MAIL, account_id=account)
        found = await notify_call(
            info, "GET", path, list[api.Notification], params={"first": first, "offset": offset}
        )
        return [Notification.of(n) for n in found]


@strawberry.type
class NotifyMutation:
    @strawberry.mutation(description="Send a failed mail again (the programme team).")
    async def retry_mail(self, info: Info, id: strawberry.ID) -> RetryMailResult:
        return await attempt(
            lambda: notify_call(
                info, "POST", path_of(api.MAIL_RETRY, mail_id=uuid_id(id, "mail")), api.Mail
            ),
            Mail.of,
        )
