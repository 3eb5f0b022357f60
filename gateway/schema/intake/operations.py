"""Intake's queries, mutations and the live submission counter."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import msgspec
import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from gateway.schema.context import Info
from gateway.schema.errors import (
    Conflict,
    EmailNotConfirmed,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationErrors,
    attempt,
    to_api,
)
from gateway.schema.intake.types import (
    Application,
    ApplicationConnection,
    Attachment,
    CallStatistics,
    Receipt,
    SubmissionReceipt,
)
from gateway.uploads import StreamedUpload
from shared.api import intake as api
from shared.api.registry import CountryPart
from shared.errors import NotFound as DomainNotFound
from shared.errors import PayloadTooLarge
from shared.paths import key_id, path_of, uuid_id


@strawberry.type(description="The file is larger than its question allows.")
class FileTooLarge:
    message: str


ApplicationResult = Annotated[
    Application | ValidationErrors | Forbidden | NotAuthenticated | NotFound | Conflict,
    strawberry.union("ApplicationResult"),
]
AttachmentResult = Annotated[
    Attachment | ValidationErrors | FileTooLarge | NotAuthenticated | NotFound | Conflict,
    strawberry.union("AttachmentResult"),
]
SubmitResult = Annotated[
    SubmissionReceipt
    | ValidationErrors
    | EmailNotConfirmed
    | NotAuthenticated
    | NotFound
    | Conflict,
    strawberry.union("SubmitResult"),
]
ConnectionResult = Annotated[
    ApplicationConnection | ValidationErrors | Forbidden | NotAuthenticated | NotFound,
    strawberry.union("ApplicationConnectionResult"),
]
StatisticsResult = Annotated[
    CallStatistics | Forbidden | NotAuthenticated | NotFound,
    strawberry.union("CallStatisticsResult"),
]


@strawberry.input(description="What is left out keeps its value; `countryPart: null` clears it.")
class OrganisationInput:
    name: str | None = None
    type: str | None = None
    country: str | None = None
    country_part: CountryPart | None = strawberry.UNSET
    website: str | None = None


@strawberry.input(description="As the contact, what is left out keeps its value.")
class PersonInput:
    name: str | None = None
    email: str | None = None
    role: str | None = None


@strawberry.input(description="A partial save: what is left out keeps its value.")
class ApplicationInput:
    organisation: OrganisationInput | None = None
    contact: PersonInput | None = None
    team: list[PersonInput] | None = None
    requested_amount: float | None = None
    answers: JSON | None = strawberry.field(
        default=None, description="Answers by question key; null clears one."
    )


@strawberry.input
class ApplicationFilter:
    status: api.ApplicationStatus | None = None
    country: str | None = None
    hub: str | None = None
    value_chain: str | None = None
    organisation_type: str | None = None
    eligibility: api.Eligibility | None = None
    search: str | None = strawberry.field(
        default=None, description="In the title, the organisation's name or the receipt number."
    )


def application_update(input: ApplicationInput) -> api.ApplicationUpdate:
    update = to_api(input, api.ApplicationUpdate)
    given = input.organisation
    if given is not None and given.country_part is None and update.organisation is not None:
        # An explicit null clears the part; to_api drops nulls like fields left out.
        organisation = msgspec.structs.replace(update.organisation, country_part=None)
        update = msgspec.structs.replace(update, organisation=organisation)
    return update


def intake_call(info: Info, method: str, path: str, result: type, **kwargs: Any) -> Any:
    ctx = info.context
    return ctx.services.intake.call(method, path, ctx.identity, result, **kwargs)


def application_path(route: str, id: object) -> str:
    return path_of(route, application_id=uuid_id(id, "application"))


def call_path(route: str, id: object) -> str:
    return path_of(route, call_id=uuid_id(id, "call"))


async def upload_result(info: Info, application_id: str, question_key: str, file: Any) -> Any:
    if not isinstance(file, StreamedUpload):
        raise TypeError("uploads arrive through the streaming multipart endpoint")
    await file.started.wait()

    def upload() -> Any:
        path = path_of(
            api.ATTACHMENT_UPLOAD, application_id=uuid_id(application_id, "application"),
            question_key=key_id(question_key, "questionKey", "is not a file question of this form"),
        )  # fmt: skip
        return intake_call(
            info, "PUT", path, api.Attachment, params={"filename": file.filename},
            stream=file.chunks(),
        )  # fmt: skip

    try:
        return await attempt(
            upload,
            lambda a: Attachment.of(a, application_id),
        )  # fmt: skip
    except PayloadTooLarge as exc:
        return FileTooLarge(message=exc.message)


@strawberry.type
class IntakeQuery:
    @strawberry.field(description="The signed-in applicant's applications.")
    async def my_applications(self, info: Info) -> list[Application]:
        if info.context.identity.account_id is None:
            return []
        found = await intake_call(info, "GET", api.MY_APPLICATIONS, list[api.Application])
        return [Application.of(a) for a in found]

    @strawberry.field(description="Null when it does not exist or is not yours to see.")
    async def application(self, info: Info, id: strawberry.ID) -> Application | None:
        if info.context.identity.account_id is None:
            return None
        try:
            path = application_path(api.APPLICATION, id)
            found = await intake_call(info, "GET", path, api.Application)
        except DomainNotFound:
            return None
        return Application.of(found)

    @strawberry.field(
        description="A call's applications: programme team and the call's hub managers."
    )
    async def call_applications(
        self, info: Info, call_id: strawberry.ID, filter: ApplicationFilter | None = None,
        after: str | None = None,
        first: Annotated[int, strawberry.argument(description="At most 200 a page.")] = 50,
    ) -> ConnectionResult:  # fmt: skip
        params: dict[str, Any] = {"after": after, "limit": first}
        if filter is not None:
            params.update(
                {k: (v.value if hasattr(v, "value") else v) for k, v in vars(filter).items()}
            )
        page = lambda: intake_call(  # noqa: E731
            info,
            "GET",
            call_path(api.CALL_APPLICATIONS, call_id),
            api.ApplicationPage,
            params=params,
        )
        return await attempt(
            page,
            lambda p: ApplicationConnection(
                items=[Application.of(a) for a in p.items], total=p.total, next_cursor=p.next_cursor
            ),
        )

    @strawberry.field(
        description="Counts by status, country, hub, value chain, organisation type; the deadline curve."
    )
    async def call_statistics(self, info: Info, call_id: strawberry.ID) -> StatisticsResult:
        return await attempt(
            lambda: intake_call(
                info, "GET", call_path(api.CALL_STATISTICS, call_id), api.CallStatistics
            ),
            CallStatistics.of,
        )


@strawberry.type
class IntakeMutation:
    @strawberry.mutation(description="Start (or continue) your application to an open call.")
    async def start_application(self, info: Info, call_id: strawberry.ID) -> ApplicationResult:
        body = api.ApplicationStart(call_id=str(call_id))
        return await attempt(
            lambda: intake_call(info, "POST", api.APPLICATIONS, api.Application, body=body),
            Application.of,
        )

    @strawberry.mutation(
        description="Autosave: always kept; `warnings` names what is wrong in what is given so far (what is still missing, submit names)."
    )
    async def save_application(
        self, info: Info, id: strawberry.ID, input: ApplicationInput
    ) -> ApplicationResult:
        return await attempt(
            lambda: intake_call(
                info, "PATCH", application_path(api.APPLICATION, id), api.Application,
                body=application_update(input),
            ),
            Application.of,
        )  # fmt: skip

    @strawberry.mutation(
        description="Attach a file to a file question (GraphQL multipart request)."
    )
    async def upload_attachment(
        self, info: Info, application_id: strawberry.ID, question_key: str, file: Upload
    ) -> AttachmentResult:
        return await upload_result(info, str(application_id), question_key, file)

    @strawberry.mutation
    async def remove_attachment(
        self, info: Info, application_id: strawberry.ID, attachment_id: strawberry.ID
    ) -> ApplicationResult:
        def remove() -> Any:
            path = path_of(
                api.ATTACHMENT, application_id=uuid_id(application_id, "application"),
                attachment_id=uuid_id(attachment_id, "attachment"),
            )  # fmt: skip
            return intake_call(info, "DELETE", path, api.Application)

        return await attempt(remove, Application.of)

    @strawberry.mutation(
        description="Submit or resubmit; needs a confirmed e-mail address (`EmailNotConfirmed` until then). Retrying with the same `idempotencyKey` returns the same receipt."
    )
    async def submit_application(
        self, info: Info, id: strawberry.ID, idempotency_key: str | None = None
    ) -> SubmitResult:
        body = api.SubmitRequest(idempotency_key=idempotency_key or uuid.uuid4().hex)
        return await attempt(
            lambda: intake_call(
                info,
                "POST",
                application_path(api.APPLICATION_SUBMIT, id),
                api.SubmitResult,
                body=body,
            ),
            lambda r: SubmissionReceipt(
                receipt=Receipt.of(r.receipt), application=Application.of(r.application)
            ),
        )

    @strawberry.mutation(description="Withdraw, possible until results are published.")
    async def withdraw_application(self, info: Info, id: strawberry.ID) -> ApplicationResult:
        return await attempt(
            lambda: intake_call(
                info, "POST", application_path(api.APPLICATION_WITHDRAW, id), api.Application
            ),
            Application.of,
        )


@strawberry.type
class IntakeSubscription:
    @strawberry.subscription(
        description="The live number of submitted applications of a call (team and hub managers)."
    )
    async def submission_count(
        self, info: Info, call_id: strawberry.ID
    ) -> AsyncGenerator[int, None]:
        ctx = info.context
        path = call_path(api.CALL_SUBMISSION_COUNT, call_id)

        async def current() -> int:
            # Checked again for every figure: a socket outlives neither a revoked or expired
            # token nor a disabled account, and a setup-only token never starts one.
            identity = await ctx.identity_from_token(ctx.socket_token)
            count = await ctx.services.intake.call("GET", path, identity, api.SubmissionCount)
            return count.submitted

        async with ctx.feeds.watch(str(call_id)) as changes:
            yield await current()  # also the authorization check: a refusal ends it here
            async for _ in changes:
                yield await current()
