"""Intake bodies: applications, attachments, receipts, eligibility."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import msgspec

from shared.api.registry import CountryPart
from shared.errors import FieldError
from shared.routes import Route

# One answer: text, a number, a yes/no, or the picks of a multiple choice.
Answer = str | float | bool | list[str] | None


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Eligibility(enum.StrEnum):
    PENDING = "pending"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    name: str = ""
    type: str = ""
    country: str = ""
    country_part: CountryPart | None = None
    website: str = ""


class Person(msgspec.Struct, frozen=True, kw_only=True):
    name: str = ""
    email: str = ""
    role: str = ""


class ApplicationContent(msgspec.Struct, frozen=True, kw_only=True):
    """What an applicant fills in: the one definition of an application's content. The draft,
    intake's view, the submitted snapshot on the stream and review's copy all build on it."""

    # Factories rather than instances: an OpenAPI document cannot show a Struct as a default.
    organisation: Organisation = msgspec.field(default_factory=Organisation)
    contact: Person = msgspec.field(default_factory=Person)
    team: list[Person] = []
    requested_amount: float | None = None
    answers: dict[str, Answer] = {}


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    question_key: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    number: str
    version: int
    submitted_at: datetime
    fingerprint: str


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    decision: str
    rank: int | None = None
    summary: str = ""
    scores: dict[str, float] = {}
    comments: list[str] = []


class Application(ApplicationContent, frozen=True, kw_only=True):
    """An application as its viewer may see it: the content of the version shown."""

    id: str
    call_id: str
    applicant_id: str
    status: ApplicationStatus
    attachments: list[Attachment]
    warnings: list[FieldError]
    receipt: Receipt | None
    eligibility: Eligibility
    eligibility_reasons: list[str]
    outcome: Outcome | None
    hub: str | None
    created_at: datetime
    updated_at: datetime
    # The owner's live draft differs from the last submission (others see the submission).
    has_unsubmitted_changes: bool = False
    # The answer to the form's first short-text question (Form.title_of) in the version shown.
    title: str | None = None
    # Every submission, newest first.
    versions: list[Receipt] = []


class ApplicationStart(msgspec.Struct, frozen=True):
    call_id: str


class OrganisationUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """Only what is given changes: None (a string) or left out (the part) keeps the value;
    a null part clears it."""

    name: str | None = None
    type: str | None = None
    country: str | None = None
    country_part: CountryPart | msgspec.UnsetType | None = msgspec.UNSET
    website: str | None = None


class PersonUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """Only what is given changes; None keeps the value."""

    name: str | None = None
    email: str | None = None
    role: str | None = None


class ApplicationUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """A partial save: fields left out keep their value (field by field in the organisation
    and the contact); answers merge by question key; a team given replaces the team."""

    organisation: OrganisationUpdate | None = None
    contact: PersonUpdate | None = None
    team: list[Person] | None = None
    requested_amount: float | None = None
    answers: dict[str, Answer] | None = None


IDEMPOTENCY_KEY_MOST = 100


class SubmitRequest(msgspec.Struct, frozen=True):
    """`idempotency_key`: a retried submit with the same key returns the same receipt."""

    idempotency_key: Annotated[str, msgspec.Meta(min_length=1, max_length=IDEMPOTENCY_KEY_MOST)]


class DownloadLink(msgspec.Struct, frozen=True):
    url: str
    expires_at: datetime


class SubmitResult(msgspec.Struct, frozen=True):
    receipt: Receipt
    application: Application


class ApplicationPage(msgspec.Struct, frozen=True):
    items: list[Application]
    total: int
    next_cursor: str | None


class SubmissionCount(msgspec.Struct, frozen=True):
    call_id: str
    submitted: int


class Bucket(msgspec.Struct, frozen=True):
    key: str
    count: int


class CallStatistics(msgspec.Struct, frozen=True):
    """Counts of the applications the viewer may see (a hub manager in a programme-wide call:
    their hub's). `total`: every one started, drafts and withdrawn ones too (the sum of
    `by_status`); `submitted`: submitted and not withdrawn, the ones evaluation counts."""

    call_id: str
    total: int
    submitted: int
    by_status: list[Bucket]
    by_eligibility: list[Bucket]
    by_country: list[Bucket]
    by_hub: list[Bucket]
    by_value_chain: list[Bucket]
    by_organisation_type: list[Bucket]
    submissions_per_hour: list[Bucket]


# ---- a person's data archive (GDPR access and portability) -------------------------------


class LabelledAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """An answer under its question's label (and key); file questions list their files."""

    key: str
    label: str
    answer: Answer
    # A choice or country answer as the form names it (the answer keeps the codes): None for
    # a free answer.
    answer_label: str | None = None


class ExportedFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file still held in the store (live, or named by a submitted version); its bytes come
    from PERSON_EXPORT_FILE."""

    id: str
    question_key: str
    question_label: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    removed_at: datetime | None = None


class ExportedVersion(msgspec.Struct, frozen=True, kw_only=True):
    """One submitted version as it was submitted."""

    receipt: Receipt
    organisation: Organisation
    contact: Person
    team: list[Person]
    requested_amount: float | None
    answers: list[LabelledAnswer]
    file_ids: list[str]


class ExportedApplication(msgspec.Struct, frozen=True, kw_only=True):
    """An application as its applicant may see it: the live draft, every version, the
    published outcome (never an evaluator's identity or an unpublished score)."""

    id: str
    call_id: str
    call_title: str
    receipt_number: str | None
    status: ApplicationStatus
    eligibility: Eligibility
    eligibility_reasons: list[str]
    organisation: Organisation
    contact: Person
    team: list[Person]
    requested_amount: float | None
    answers: list[LabelledAnswer]
    files: list[ExportedFile]
    versions: list[ExportedVersion]
    outcome: Outcome | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    anonymised_at: datetime | None


class IntakePersonExport(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    applications: list[ExportedApplication]


# ---- routes: one per use case, named as the service's handler and the gateway's method -----

START = Route("POST", "/applications", Application, ApplicationStart)
MINE = Route("GET", "/applications/mine", list[Application])
READ = Route("GET", "/applications/{application_id:str}", Application)
SAVE = Route("PATCH", "/applications/{application_id:str}", Application, ApplicationUpdate)
SUBMIT = Route("POST", "/applications/{application_id:str}/submit", SubmitResult, SubmitRequest)
WITHDRAW = Route("POST", "/applications/{application_id:str}/withdraw", Application)
# The body is the file itself, streamed; `?filename=` names it.
UPLOAD = Route(
    "PUT", "/applications/{application_id:str}/attachments/{question_key:str}", Attachment, bytes
)
REMOVE_ATTACHMENT = Route(
    "DELETE", "/applications/{application_id:str}/attachments/{attachment_id:str}", Application
)
DOWNLOAD_LINK = Route(
    "GET", "/applications/{application_id:str}/attachments/{attachment_id:str}/link", DownloadLink
)
# `?grant=`: review's signed grant for this file to this evaluator.
EVALUATOR_LINK = Route(
    "GET",
    "/applications/{application_id:str}/attachments/{attachment_id:str}/evaluator-link",
    DownloadLink,
)
CALL_APPLICATIONS = Route("GET", "/calls/{call_id:str}/applications", ApplicationPage)
STATISTICS = Route("GET", "/calls/{call_id:str}/statistics", CallStatistics)
SUBMISSION_COUNT = Route("GET", "/calls/{call_id:str}/submission-count", SubmissionCount)
# `?language=`: the language of the question labels.
PERSON_EXPORT = Route("GET", "/people/{account_id:str}/export", IntakePersonExport)
# The file's bytes, streamed.
PERSON_EXPORT_FILE = Route(
    "GET", "/people/{account_id:str}/export/files/{attachment_id:str}", bytes
)
# The filesystem store's signed links (shared.objectstore) point under FILES; with S3 the link
# is a presigned URL and never reaches intake.
FILES = "/files"
DOWNLOAD = Route("GET", FILES + "/{object_key:path}", bytes)
