"""The typed client of notify: one method per route of shared.api.notify, named as its
handler in services/notify/routes. Ids are checked (shared.paths.uuid_id) by the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

from gateway.clients.base import ServiceClient
from shared.api import notify as api
from shared.identity import Identity


class NotifyClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("notify", base_url, secret)

    async def list_mail(
        self, identity: Identity, *, state: api.MailState | None = None, to: str | None = None,
        first: int = 50, offset: int = 0,
    ) -> api.MailPage:  # fmt: skip
        params = {"state": state.value if state else None, "to": to, "first": first,
                  "offset": offset}  # fmt: skip
        return await self.send(api.LIST_MAIL, identity, params=params)

    async def retry_mail(self, identity: Identity, mail_id: str) -> api.Mail:
        return await self.send(api.RETRY_MAIL, identity, mail_id=mail_id)

    async def person_mail(
        self, identity: Identity, account_id: str, *, first: int = 20, offset: int = 0
    ) -> list[api.Notification]:
        params = {"first": first, "offset": offset}
        return await self.send(api.PERSON_MAIL, identity, params=params, account_id=account_id)

    async def person_export(self, identity: Identity, account_id: str) -> api.NotifyPersonExport:
        return await self.send(api.PERSON_EXPORT, identity, account_id=account_id)

    def person_export_attachment(
        self, identity: Identity, account_id: str, attachment_id: str
    ) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """The file's bytes as they arrive: `async with client.person_export_attachment(...)
        as chunks`."""
        return self.stream(
            api.PERSON_EXPORT_ATTACHMENT, identity, account_id=account_id,
            attachment_id=attachment_id,
        )  # fmt: skip
