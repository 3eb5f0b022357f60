"""The typed client of intake: one method per route of shared.api.intake, named as the route's
use case (and as the service's handler). Ids a person typed are checked here, before any
call: a malformed one answers NotFound, as a missing one does (shared.paths)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager

from gateway.clients.base import ServiceClient
from shared.api import intake as api
from shared.identity import Identity
from shared.paths import key_id, uuid_id


def _application(application_id: str) -> str:
    return uuid_id(application_id, "application")


def _attachment(attachment_id: str) -> str:
    return uuid_id(attachment_id, "attachment")


def _call(call_id: str) -> str:
    return uuid_id(call_id, "call")


class IntakeClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("intake", base_url, secret)

    # ---- an applicant's applications ----

    async def start(self, identity: Identity, call_id: str) -> api.Application:
        body = api.ApplicationStart(call_id=call_id)
        return await self.send(api.START, identity, body=body)

    async def mine(self, identity: Identity) -> list[api.Application]:
        return await self.send(api.MINE, identity)

    async def read(self, identity: Identity, application_id: str) -> api.Application:
        return await self.send(api.READ, identity, application_id=_application(application_id))

    async def save(
        self, identity: Identity, application_id: str, update: api.ApplicationUpdate
    ) -> api.Application:
        return await self.send(
            api.SAVE, identity, body=update, application_id=_application(application_id)
        )

    async def submit(
        self, identity: Identity, application_id: str, request: api.SubmitRequest
    ) -> api.SubmitResult:
        return await self.send(
            api.SUBMIT, identity, body=request, application_id=_application(application_id)
        )

    async def withdraw(self, identity: Identity, application_id: str) -> api.Application:
        return await self.send(api.WITHDRAW, identity, application_id=_application(application_id))

    # ---- attachments ----

    async def upload(
        self, identity: Identity, application_id: str, question_key: str, filename: str,
        chunks: AsyncIterator[bytes],
    ) -> api.Attachment:  # fmt: skip
        """The file is streamed to intake as it arrives, never whole in memory."""
        return await self.send(
            api.UPLOAD, identity, params={"filename": filename}, stream=chunks,
            application_id=_application(application_id),
            question_key=key_id(question_key, "questionKey", "is not a file question of this form"),
        )  # fmt: skip

    async def remove_attachment(
        self, identity: Identity, application_id: str, attachment_id: str
    ) -> api.Application:
        return await self.send(
            api.REMOVE_ATTACHMENT, identity, application_id=_application(application_id),
            attachment_id=_attachment(attachment_id),
        )  # fmt: skip

    async def download_link(
        self, identity: Identity, application_id: str, attachment_id: str
    ) -> api.DownloadLink:
        return await self.send(
            api.DOWNLOAD_LINK, identity, application_id=_application(application_id),
            attachment_id=_attachment(attachment_id),
        )  # fmt: skip

    async def evaluator_link(
        self, identity: Identity, application_id: str, attachment_id: str, grant: str
    ) -> api.DownloadLink:
        """`grant`: review's signature that this file is part of an assigned application."""
        return await self.send(
            api.EVALUATOR_LINK, identity, params={"grant": grant},
            application_id=_application(application_id), attachment_id=_attachment(attachment_id),
        )  # fmt: skip

    # ---- a call's applications (the programme team, hub managers) ----

    async def call_applications(
        self, identity: Identity, call_id: str, filters: Mapping[str, str | None],
        after: str | None = None, limit: int = 50,
    ) -> api.ApplicationPage:  # fmt: skip
        """`filters`: status, country, hub, value_chain, organisation_type, eligibility,
        search (None: not filtered)."""
        params = {**filters, "after": after, "limit": limit}
        return await self.send(
            api.CALL_APPLICATIONS, identity, params=params, call_id=_call(call_id)
        )

    async def statistics(self, identity: Identity, call_id: str) -> api.CallStatistics:
        return await self.send(api.STATISTICS, identity, call_id=_call(call_id))

    async def submission_count(self, identity: Identity, call_id: str) -> api.SubmissionCount:
        return await self.send(api.SUBMISSION_COUNT, identity, call_id=_call(call_id))

    # ---- a person's data archive ----

    async def person_export(
        self, identity: Identity, account_id: str, language: str
    ) -> api.IntakePersonExport:
        return await self.send(
            api.PERSON_EXPORT, identity, params={"language": language}, account_id=account_id
        )

    def person_export_file(
        self, identity: Identity, account_id: str, attachment_id: str
    ) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """`async with intake.person_export_file(...) as chunks`: the file, streamed."""
        return self.stream(
            api.PERSON_EXPORT_FILE, identity, account_id=account_id, attachment_id=attachment_id
        )
