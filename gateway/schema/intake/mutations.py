"""Intake's mutations: start, save, submit and withdraw an application; its attachments."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.errors import (
    Conflict,
    EmailNotConfirmed,
    FieldError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationErrors,
    attempt,
)
from gateway.schema.intake.inputs import ApplicationInput, application_update
from gateway.schema.intake.types import (
    Application,
    Attachment,
    SubmissionReceipt,
    application_of,
    submission_of,
)
from gateway.uploads import StreamedUpload
from shared.api import intake as api
from shared.errors import PayloadTooLarge


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


async def upload_result(info: Info, application_id: str, question_key: str, file: Any) -> Any:
    if not isinstance(file, StreamedUpload):
        raise TypeError("uploads arrive through the streaming multipart endpoint")
    await file.started.wait()
    ctx = info.context

    def upload() -> Any:
        return ctx.services.intake.upload(
            ctx.identity, application_id, question_key, file.filename, file.claim()
        )

    try:
        return await attempt(
            upload, lambda a: from_contract(Attachment, a, application_id=application_id)
        )
    except PayloadTooLarge as exc:
        return FileTooLarge(message=exc.message)


@strawberry.type
class IntakeMutation:
    @strawberry.mutation(description="Start (or continue) your application to an open call.")
    async def start_application(self, info: Info, call_id: strawberry.ID) -> ApplicationResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.intake.start(ctx.identity, str(call_id)), application_of
        )

    @strawberry.mutation(
        description="Autosave: always kept; `warnings` names what is wrong in what is given so far (what is still missing, submit names)."
    )
    async def save_application(
        self, info: Info, id: strawberry.ID, input: ApplicationInput
    ) -> ApplicationResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.intake.save(ctx.identity, str(id), application_update(input)),
            application_of,
        )

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
        ctx = info.context
        return await attempt(
            lambda: ctx.services.intake.remove_attachment(
                ctx.identity, str(application_id), str(attachment_id)
            ),
            application_of,
        )

    @strawberry.mutation(
        description="Submit or resubmit; needs a confirmed e-mail address (`EmailNotConfirmed` until then). Retrying with the same `idempotencyKey` returns the same receipt."
    )
    async def submit_application(
        self, info: Info, id: strawberry.ID, idempotency_key: str | None = None
    ) -> SubmitResult:
        ctx = info.context
        key = idempotency_key or uuid.uuid4().hex
        if len(key) > api.IDEMPOTENCY_KEY_MOST:  # refused here, in the argument's own name
            message = f"must be at most {api.IDEMPOTENCY_KEY_MOST} characters"
            return ValidationErrors(
                message="The input is not valid.",
                errors=[FieldError(field="idempotencyKey", message=message)],
            )
        request = api.SubmitRequest(idempotency_key=key)
        return await attempt(
            lambda: ctx.services.intake.submit(ctx.identity, str(id), request), submission_of
        )

    @strawberry.mutation(description="Withdraw, possible until results are published.")
    async def withdraw_application(self, info: Info, id: strawberry.ID) -> ApplicationResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.intake.withdraw(ctx.identity, str(id)), application_of
        )
