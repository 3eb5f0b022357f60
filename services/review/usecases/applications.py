"""Review's copies of submitted applications, from intake's events, and an application as
an evaluator and the assignment see it. The copy keeps the content as the applicant wrote
it (one ApplicationContent) beside the facts review filters and keys by."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.domain.assignments import Applicant
from services.review.domain.pools import application_title
from services.review.models import ApplicationCopy, KnownCall
from services.review.usecases.calls import form_of
from shared.api.intake import ApplicationContent, Eligibility
from shared.api.review import ApplicationForReview, SnapshotAttachment
from shared.contracts import intake as intake_events
from shared.events import Envelope
from shared.identity import sign_attachment_grant


def content_of(app: ApplicationCopy) -> ApplicationContent:
    return msgspec.convert(app.content, ApplicationContent)


def email_domain(email: str | None) -> str:
    return (email or "").rpartition("@")[2].lower()


def applicant_of(app: ApplicationCopy) -> Applicant:
    content = content_of(app)
    domains = (email_domain(app.applicant_email), email_domain(content.contact.email))
    return Applicant(
        id=app.application_id, value_chains=frozenset(app.value_chains), hub=app.hub,
        organisation=content.organisation.name, email_domains=frozenset(d for d in domains if d),
    )  # fmt: skip


def title_of(call: KnownCall, answers: Mapping[str, object], application_id: str) -> str:
    return application_title(form_of(call), answers, application_id)


def titles_of(call: KnownCall, applications: list[ApplicationCopy]) -> Callable[[str], str]:
    """Each application's title as its evaluators' pages show it, by application id."""
    form = form_of(call)
    answers = {a.application_id: a.content.get("answers", {}) for a in applications}
    return lambda app_id: application_title(form, answers.get(app_id, {}), app_id)


def for_review(
    app: ApplicationCopy, call: KnownCall, evaluator_id: str, secret: str
) -> ApplicationForReview:
    """In a blind call who applied is left out, and files are named by their question."""
    blind = call.blind
    content = content_of(app)
    attachments = [
        SnapshotAttachment(
            id=a["id"], question_key=a["question_key"],
            file_name=f"{a['question_key']}-{i + 1}" if blind else a["file_name"],
            content_type=a["content_type"], size=a["size"],
            grant=sign_attachment_grant(evaluator_id, app.application_id, a["id"], secret),
        )
        for i, a in enumerate(app.attachments)
    ]  # fmt: skip
    return ApplicationForReview(
        organisation=None if blind else content.organisation,
        contact=None if blind else content.contact, team=[] if blind else content.team,
        answers=content.answers, requested_amount=content.requested_amount,
        application_id=app.application_id, call_id=app.call_id, blind=blind,
        country=app.country, hub=app.hub, value_chains=list(app.value_chains),
        attachments=attachments, submitted_at=app.submitted_at,
    )  # fmt: skip


async def on_snapshot(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationSnapshot
) -> None:
    content = msgspec.convert(event, ApplicationContent, from_attributes=True)
    # What this batch's earlier events changed is written first, as the events came (a Core
    # statement does not flush the session).
    await session.flush()
    await session.execute(queries.STORE_SNAPSHOT, {
        "application_id": event.application_id, "call_id": event.call_id,
        "version": event.version, "submitted_at": event.submitted_at,
        "applicant_id": event.applicant_id, "applicant_email": event.applicant_email,
        "content": msgspec.to_builtins(content),
        "attachments": msgspec.to_builtins(event.attachments),
        "country": event.country, "hub": event.hub, "value_chains": event.value_chains,
    })  # fmt: skip


async def on_withdrawn(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationWithdrawn
) -> None:
    row = await queries.locked_copy(session, event.application_id, event.call_id)
    row.withdrawn = True
    # Nobody scores it any more and progress stops counting it; evaluations already
    # submitted stay stored, for the record.
    await queries.deactivate_assignments(session, event.application_id, "application withdrawn")


async def on_eligible(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationEligible
) -> None:
    row = await queries.locked_copy(session, event.application_id, event.call_id)
    row.eligibility = Eligibility.ELIGIBLE


async def on_ineligible(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationIneligible
) -> None:
    row = await queries.locked_copy(session, event.application_id, event.call_id)
    row.eligibility = Eligibility.INELIGIBLE
