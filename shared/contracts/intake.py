"""Events the intake service publishes."""

from __future__ import annotations

from datetime import datetime

import msgspec

from shared.api.intake import ApplicationContent, Organisation, Person
from shared.events import EventContract


class AttachmentFacts(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    question_key: str
    file_name: str
    content_type: str
    size: int
    sha256: str


class ApplicationSnapshot(EventContract, ApplicationContent, frozen=True, kw_only=True):
    """Everything review needs about a submitted version, so it never reads intake's tables:
    its content (ApplicationContent) and the facts around it."""

    application_id: str
    call_id: str
    applicant_id: str
    applicant_email: str | None = None
    version: int
    receipt_number: str
    submitted_at: datetime
    fingerprint: str
    # Required in the event, as they always were (the content's own have defaults).
    organisation: Organisation
    contact: Person
    country: str | None = None
    hub: str | None = None
    organisation_type: str | None = None
    value_chains: list[str] = []
    attachments: list[AttachmentFacts] = []


class ApplicationSubmitted(ApplicationSnapshot, frozen=True, kw_only=True):
    subject = "portal.intake.application.submitted.v1"


class ApplicationResubmitted(ApplicationSnapshot, frozen=True, kw_only=True):
    subject = "portal.intake.application.resubmitted.v1"


class ApplicationWithdrawn(EventContract, frozen=True, kw_only=True):
    subject = "portal.intake.application.withdrawn.v1"
    application_id: str
    call_id: str
    withdrawn_at: datetime


class AttachmentStored(EventContract, frozen=True, kw_only=True):
    subject = "portal.intake.attachment.stored.v1"
    application_id: str
    call_id: str
    attachment: AttachmentFacts


class ApplicationEligible(EventContract, frozen=True, kw_only=True):
    subject = "portal.intake.application.eligible.v1"
    application_id: str
    call_id: str


class ApplicationIneligible(EventContract, frozen=True, kw_only=True):
    subject = "portal.intake.application.ineligible.v1"
    application_id: str
    call_id: str
    reasons: list[str]


class ApplicationDrafted(EventContract, frozen=True, kw_only=True):
    """A draft was started: notify reminds its applicant before the call closes unless it is
    submitted (`ApplicationSubmitted`) or withdrawn first."""

    subject = "portal.intake.application.drafted.v1"
    application_id: str
    call_id: str
    applicant_id: str
    applicant_email: str | None = None
    created_at: datetime


class ApplicationAnonymised(EventContract, frozen=True, kw_only=True):
    """Intake removed the personal data of this application (its applicant's erasure, or the
    call's retention period ran out): review and notify remove it from their copies.
    `reason`: "erasure" or "retention"."""

    subject = "portal.intake.application.anonymised.v1"
    application_id: str
    call_id: str
    applicant_id: str
    reason: str
