"""GraphQL types of intake: applications, attachments, receipts, statistics."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.schema.context import Info
from gateway.schema.errors import FieldError
from gateway.schema.registry.types import OpenCall
from shared.api import intake as api
from shared.api.registry import CountryPart
from shared.paths import path_of

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


def person(p: api.Person) -> Person:
    return Person(name=p.name, email=p.email, role=p.role)


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

    @classmethod
    def of(cls, a: api.Attachment, application_id: str) -> Attachment:
        return cls(
            id=strawberry.ID(a.id), question_key=a.question_key, file_name=a.file_name,
            content_type=a.content_type, size=a.size, sha256=a.sha256,
            uploaded_at=a.uploaded_at, application_id=application_id,
        )  # fmt: skip

    @strawberry.field(description="A short-lived link to download the file.")
    async def download_url(self, info: Info) -> str:
        ctx = info.context
        path = path_of(
            api.ATTACHMENT_LINK, application_id=self.application_id, attachment_id=str(self.id)
        )
        link = await ctx.services.intake.call("GET", path, ctx.identity, api.DownloadLink)
        return link.url


@strawberry.type(description="Proof of submission: keep the number and the fingerprint.")
class Receipt:
    number: str
    version: int
    submitted_at: datetime
    fingerprint: str = strawberry.field(
        description="sha256 over the canonical answers and the attachments' hashes."
    )

    @classmethod
    def of(cls, r: api.Receipt) -> Receipt:
        return cls(
            number=r.number, version=r.version, submitted_at=r.submitted_at,
            fingerprint=r.fingerprint,
        )  # fmt: skip


@strawberry.type(description="The result and the evaluation summary, once results are published.")
class Outcome:
    decision: str
    rank: int | None
    summary: str
    scores: JSON
    comments: list[str]


@strawberry.type(
    description="The applicant sees their live draft; the team its last submitted version "
    "(or the draft, when never submitted), as the team's filters and statistics count it."
)
class Application:
    id: strawberry.ID
    status: api.ApplicationStatus
    organisation: Organisation
    contact: Person
    team: list[Person]
    requested_amount: float | None
    answers: JSON = strawberry.field(description="Answers by question key.")
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

    @classmethod
    def of(cls, a: api.Application) -> Application:
        o = a.organisation
        return cls(
            id=strawberry.ID(a.id), status=a.status,
            organisation=Organisation(name=o.name, type=o.type, country=o.country,
                                      country_part=o.country_part, website=o.website),
            contact=person(a.contact), team=[person(p) for p in a.team],
            requested_amount=a.requested_amount, answers=JSON(a.answers),
            attachments=[Attachment.of(x, a.id) for x in a.attachments],
            warnings=[FieldError(field=w.field, message=w.message) for w in a.warnings],
            receipt=Receipt.of(a.receipt) if a.receipt else None, eligibility=a.eligibility,
            eligibility_reasons=a.eligibility_reasons,
            outcome=Outcome(decision=a.outcome.decision, rank=a.outcome.rank,
                            summary=a.outcome.summary, scores=JSON(a.outcome.scores),
                            comments=a.outcome.comments) if a.outcome else None,
            hub=a.hub, created_at=a.created_at, updated_at=a.updated_at, call_id=a.call_id,
            has_unsubmitted_changes=a.has_unsubmitted_changes, title=a.title,
            versions=[Receipt.of(r) for r in a.versions],
        )  # fmt: skip

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


def buckets(items: list[api.Bucket]) -> list[Bucket]:
    return [Bucket(key=b.key, count=b.count) for b in items]


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
    by_country: list[Bucket]
    by_hub: list[Bucket]
    by_value_chain: list[Bucket]
    by_organisation_type: list[Bucket]
    submissions_per_hour: list[Bucket] = strawberry.field(
        description="First submissions per hour (UTC): the deadline curve."
    )

    @classmethod
    def of(cls, s: api.CallStatistics) -> CallStatistics:
        return cls(
            call_id=strawberry.ID(s.call_id), total=s.total, submitted=s.submitted,
            by_status=buckets(s.by_status),
            by_eligibility=buckets(s.by_eligibility), by_country=buckets(s.by_country),
            by_hub=buckets(s.by_hub), by_value_chain=buckets(s.by_value_chain),
            by_organisation_type=buckets(s.by_organisation_type),
            submissions_per_hour=buckets(s.submissions_per_hour),
        )  # fmt: skip
