"""GraphQL types of intake: applications, attachments, receipts, statistics."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.errors import FieldError
from gateway.schema.registry.types import OpenCall
from shared.api import intake as api
from shared.api.registry import CountryPart

strawberry.enum(api.ApplicationStatus, name="ApplicationStatus")
strawberry.enum(api.Eligibility, name="Eligibility")


@strawberry.type
class Organisation:
    name: str
    type: str
    country: str
    country_part: CountryPart | None
    website: str


@strawberry.type
class Person:
    name: str
    email: str
    role: str


@strawberry.type
class Attachment:
    id: strawberry.ID
    question_key: str
    file_name: str
    content_type: str
    size: float = strawberry.field(description="Bytes (a Float: files may exceed 2 GiB).")
    sha256: str
    uploaded_at: datetime
    application_id: strawberry.Private[str]

    @strawberry.field(description="A short-lived link to download the file.")
    async def download_url(self, info: Info) -> str:
        ctx = info.context
        link = await ctx.services.intake.download_link(
            ctx.identity, self.application_id, str(self.id)
        )
        return link.url


@strawberry.type(description="Proof of submission: keep the number and the fingerprint.")
class Receipt:
    number: str
    version: int
    submitted_at: datetime
    fingerprint: str = strawberry.field(
        description="sha256 over the canonical answers and the attachments' hashes."
    )


@strawberry.type(description="The result and the evaluation summary, once results are published.")
class Outcome:
    decision: str
    rank: int | None
    summary: str
    scores: JSON
    comments: list[str]


@strawberry.type
class ApplicationContent:
    """What an applicant fills in (shared.api.intake.ApplicationContent): the fields every
    view of an application's content shares (the submitted snapshot review shows, too)."""

    organisation: Organisation
    contact: Person
    team: list[Person]
    requested_amount: float | None
    answers: JSON = strawberry.field(description="Answers by question key.")


@strawberry.type
class ApplicationHead:
    """An application's id and status, listed before its content (as the schema always did:
    Strawberry lists the fields of the bases in their order)."""

    id: strawberry.ID
    status: api.ApplicationStatus


@strawberry.type(
    description="The applicant sees their live draft; the team its last submitted version "
    "(or the draft, when never submitted), as the team's filters and statistics count it."
)
class Application(ApplicationHead, ApplicationContent):
    attachments: list[Attachment]
    warnings: list[FieldError] = strawberry.field(
        description="What submitting would refuse today (saving never refuses)."
    )
    receipt: Receipt | None
    eligibility: api.Eligibility
    eligibility_reasons: list[str] = strawberry.field(
        description="Before the deadline, the pre-check's findings; after it, the decision's."
    )
    outcome: Outcome | None
    hub: str | None
    created_at: datetime
    updated_at: datetime
    has_unsubmitted_changes: bool = strawberry.field(
        description="Your own application: it has changes since its last submission, which "
        "count only if submitted again before the deadline. False in others' views: they "
        "see the last submission."
    )
    title: str | None = strawberry.field(
        description="The answer to the form's first short-text question (the project title)."
    )
    versions: list[Receipt] = strawberry.field(description="Every submission, newest first.")
    call_id: strawberry.Private[str]

    @strawberry.field
    async def call(self, info: Info) -> OpenCall | None:
        found = await info.context.loaders.call.load(self.call_id)
        return OpenCall.of(found) if found else None


@strawberry.type
class SubmissionReceipt:
    receipt: Receipt
    application: Application


@strawberry.type
class ApplicationConnection:
    items: list[Application]
    total: int = strawberry.field(description="The same as totalCount.")
    next_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")

    @strawberry.field(description="How many applications match the filter, on every page.")
    def total_count(self) -> int:
        return self.total


@strawberry.type
class Bucket:
    key: str
    count: int


SUBMITTED_CONTENT = (
    "Of the applications submitted (and those withdrawn since): what a draft says is its "
    "applicant's own until they submit it."
)


@strawberry.type(
    description="Counts of the applications you may see: a hub manager, in a programme-wide "
    "call, sees their hub's."
)
class CallStatistics:
    call_id: strawberry.ID
    total: int = strawberry.field(
        description="Every application started: drafts, submitted and withdrawn ones (the sum "
        "of byStatus)."
    )
    submitted: int = strawberry.field(
        description="Submitted and not withdrawn: the applications evaluation counts "
        "(evaluationProgress.applications for the same call and viewer)."
    )
    by_status: list[Bucket]
    by_eligibility: list[Bucket]
    by_country: list[Bucket] = strawberry.field(description=SUBMITTED_CONTENT)
    by_hub: list[Bucket]
    by_value_chain: list[Bucket] = strawberry.field(description=SUBMITTED_CONTENT)
    by_organisation_type: list[Bucket] = strawberry.field(description=SUBMITTED_CONTENT)
    submissions_per_hour: list[Bucket] = strawberry.field(
        description="First submissions per hour (UTC): the deadline curve."
    )


def application_of(found: api.Application) -> Application:
    """The GraphQL view of intake's; its attachments and calls are looked up by its ids."""
    attachments = [from_contract(Attachment, a, application_id=found.id) for a in found.attachments]
    return from_contract(Application, found, attachments=attachments, call_id=found.call_id)


def submission_of(result: api.SubmitResult) -> SubmissionReceipt:
    return from_contract(SubmissionReceipt, result, application=application_of(result.application))
