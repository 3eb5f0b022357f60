"""The one builder of intake's answers from its rows: an application as its viewer may see
it, its attachments and receipts, and the facts its events carry."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import queries
from services.intake.domain.answers import answer_errors
from services.intake.domain.applicant import applicant_errors
from services.intake.domain.eligibility import CallTerms, eligibility_reasons
from services.intake.domain.fingerprint import fingerprint
from services.intake.models import ApplicationRow, AttachmentRow, KnownCall, SubmissionRow
from shared.api.intake import (
    Application,
    ApplicationContent,
    ApplicationStatus,
    Attachment,
    Eligibility,
    Outcome,
    Receipt,
)
from shared.api.registry import Coverage, Form
from shared.call_status import CallStatus
from shared.contracts.intake import AttachmentFacts
from shared.errors import FieldError
from shared.identity import Identity
from shared.programme import COUNTRY_CODES, ORGANISATION_TYPE_CODES, SPLIT_COUNTRIES


def form_of(call: KnownCall) -> Form:
    return msgspec.convert(call.form, Form)


def terms_of(call: KnownCall) -> CallTerms:
    return CallTerms(
        eligible_countries=msgspec.convert(call.eligible_countries, list[Coverage]),
        organisation_types=list(call.organisation_types),
        max_grant=call.max_grant,
        form=form_of(call),
    )


def content_of(app: ApplicationRow) -> ApplicationContent:
    """The live draft (a submission's snapshot converts the same way: its own copy of it)."""
    return msgspec.convert(app, ApplicationContent, from_attributes=True)


def attachment_of(row: AttachmentRow) -> Attachment:
    return Attachment(id=str(row.id), **_file_fields(row), uploaded_at=row.uploaded_at)


def facts_of(row: AttachmentRow) -> AttachmentFacts:
    return AttachmentFacts(id=str(row.id), **_file_fields(row))


def _file_fields(row: AttachmentRow) -> dict[str, Any]:
    return {
        "question_key": row.question_key, "file_name": row.file_name,
        "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
    }  # fmt: skip


def receipt_of(row: SubmissionRow) -> Receipt:
    return msgspec.convert(row, Receipt, from_attributes=True)


def shown_files(
    attachments: list[AttachmentRow], submission: SubmissionRow | None
) -> list[AttachmentRow]:
    """The live files, or (a submission given) the files it names, removed since or not."""
    if submission is None:
        return [a for a in attachments if a.removed_at is None]
    keys = set(submission.snapshot["attachment_keys"])
    return [a for a in attachments if a.object_key in keys]


def content_errors(
    content: ApplicationContent, form: Form, attachments: list[AttachmentRow], *, strict: bool
) -> list[FieldError]:
    """What is wrong in the content (strict: and what is missing, as submit refuses)."""
    counts: dict[str, int] = {}
    for a in attachments:
        counts[a.question_key] = counts.get(a.question_key, 0) + 1
    errors = answer_errors(
        form, content.answers, counts, strict=strict, country_codes=COUNTRY_CODES
    )
    errors += applicant_errors(
        content.organisation, content.contact, content.team, strict=strict,
        organisation_types=ORGANISATION_TYPE_CODES, country_codes=COUNTRY_CODES,
        split_countries=SPLIT_COUNTRIES,
    )  # fmt: skip
    return errors


def fingerprint_of(content: ApplicationContent, attachments: list[AttachmentRow]) -> str:
    return fingerprint(
        answers=content.answers, organisation=content.organisation, contact=content.contact,
        team=content.team, requested_amount=content.requested_amount,
        attachments=[(a.question_key, a.sha256) for a in attachments],
    )  # fmt: skip


def view_of(
    app: ApplicationRow, call: KnownCall, attachments: list[AttachmentRow],
    history: list[SubmissionRow], identity: Identity,
) -> Application:  # fmt: skip
    """`history`: the application's submissions, newest first."""
    owner = app.applicant_id == identity.account_id
    submission = next((s for s in history if s.version == app.version), None)
    # The owner sees the live draft while the call is open; others, and the owner once it
    # has closed, what was last submitted (what counts: a UI audit's applicant read changes
    # made too late as their application). Of one never submitted others see only that it
    # is there: a draft is the applicant's own until they submit it.
    shown = (
        None if owner and (call.status == CallStatus.PUBLISHED or not submission) else submission
    )
    if shown is not None:
        content = msgspec.convert(shown.snapshot, ApplicationContent)
    else:
        content = content_of(app) if owner else ApplicationContent()
    files = shown_files(attachments, shown) if owner or shown else []
    reasons = list(app.eligibility_reasons)
    if app.eligibility == Eligibility.PENDING and (owner or shown):
        # Before the deadline the pre-check's verdict.
        reasons = eligibility_reasons(
            terms_of(call), content.organisation, content.requested_amount, content.answers
        )
    unsubmitted = (
        owner
        and app.status == ApplicationStatus.SUBMITTED
        and submission is not None
        and fingerprint_of(content, files) != submission.fingerprint
    )
    form = form_of(call)
    return Application(
        **msgspec.structs.asdict(content), id=str(app.id), call_id=app.call_id,
        applicant_id=app.applicant_id, status=app.status,
        # An anonymised application's files are gone from the store: no entry, no dead link.
        attachments=[attachment_of(a) for a in files] if app.anonymised_at is None else [],
        warnings=content_errors(content, form, files, strict=False),
        receipt=receipt_of(submission) if submission else None,
        eligibility=app.eligibility, eligibility_reasons=reasons,
        outcome=msgspec.convert(app.outcome, Outcome) if app.outcome else None, hub=app.hub,
        created_at=app.created_at, updated_at=app.updated_at,
        has_unsubmitted_changes=unsubmitted, title=form.title_of(content.answers),
        versions=[receipt_of(s) for s in history],
    )  # fmt: skip


async def application_views(
    session: AsyncSession, identity: Identity, pairs: list[tuple[ApplicationRow, KnownCall]]
) -> list[Application]:
    """Views of many applications in two more queries, whatever their number."""
    history = await queries.submissions_of(session, [app.id for app, _ in pairs if app.version])
    # Removed files too: the last submission may still name them.
    attachments = await queries.attachments_of(session, [app.id for app, _ in pairs])
    return [
        view_of(app, call, attachments[app.id], history.get(app.id, []), identity)
        for app, call in pairs
    ]


async def application_view(
    session: AsyncSession, identity: Identity, app: ApplicationRow, call: KnownCall
) -> Application:
    [view] = await application_views(session, identity, [(app, call)])
    return view
