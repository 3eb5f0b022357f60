"""Applications, from intake's events and review's outcomes: who started one and how far it
got (flags only move forward, whatever order the events come in), the submission receipt
with its PDF, and the outcome mail."""

from __future__ import annotations

import asyncio

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import queries
from services.notify.domain.messages import rendered_language
from services.notify.domain.preferences import receives
from services.notify.domain.receipts import files_context, receipt_facts, receipt_pdf
from services.notify.usecases.calls import known_call
from services.notify.writer import Attachment, MailWriter, Recipient
from shared.api.registry import Form
from shared.api.review import Decision
from shared.clock import format_instant
from shared.consumer import NotReadyYet
from shared.contracts import intake, review
from shared.events import Envelope

LONG_RECEIPT_CHARACTERS = 20_000  # of answers: some five pages


async def drafted(session: AsyncSession, _: Envelope, event: intake.ApplicationDrafted) -> None:
    row = await queries.locked_application(session, event.application_id, event.call_id)
    row.applicant_id = event.applicant_id
    row.applicant_email = event.applicant_email


async def withdrawn(session: AsyncSession, _: Envelope, event: intake.ApplicationWithdrawn) -> None:
    row = await queries.locked_application(session, event.application_id, event.call_id)
    row.withdrawn = True


async def applicant(
    session: AsyncSession, account_id: str, address: str | None
) -> Recipient | None:
    """The applicant as notify knows them; before their account's event arrives, the address
    the event carries. None: an inactive account, which gets nothing."""
    person = await queries.person(session, account_id)
    if person is None:
        if address is None:
            raise NotReadyYet(f"person {account_id}")
        return Recipient(address=address, account_id=account_id)
    return Recipient.of(person) if receives(person, "submission_receipt") else None


async def submitted(
    writer: MailWriter, session: AsyncSession, envelope: Envelope,
    event: intake.ApplicationSnapshot,
) -> None:  # fmt: skip
    """A submission (or resubmission) marks the copy and sends its receipt, PDF attached."""
    call = await known_call(session, event.call_id)
    form = msgspec.convert(call.form, Form)
    title = form.title_of(event.answers)
    await queries.record_submission(
        session, application_id=event.application_id, call_id=event.call_id,
        applicant_id=event.applicant_id, applicant_email=event.applicant_email or None,
        version=event.version, title=title,
    )  # fmt: skip
    recipient = await applicant(session, event.applicant_id, event.applicant_email)
    if recipient is None:
        return
    # The PDF shows the instant as the mail does, in the language the mail is written in.
    language = rendered_language(recipient.language)
    submitted_at = format_instant(event.submitted_at, call.timezone, language)
    facts = receipt_facts(
        call_title=call.title, title=title or "", form=form,
        submitted_at=submitted_at, event=event, language=language,
    )  # fmt: skip
    context = {
        "call_title": call.title, "title": facts.title, "receipt_number": facts.receipt_number,
        "version": event.version, "resubmission": event.version > 1,
        "submitted_at": submitted_at, "fingerprint": event.fingerprint,
        "files": files_context(facts.files),
        "link": writer.link(f"receipt/{event.application_id}/{event.version}"),
    }  # fmt: skip
    # A receipt takes ~2 ms, drawn here: in a thread, the hand-offs of the GIL cost more
    # than that (bench/notify_receipts). A long one (26 pages: ~75 ms) is drawn off the loop
    # that relays mail.
    if sum(len(answer) for _, answer in facts.answers) < LONG_RECEIPT_CHARACTERS:
        content = receipt_pdf(facts)
    else:
        content = await asyncio.to_thread(receipt_pdf, facts)
    pdf = Attachment(f"receipt-{event.receipt_number}.pdf", "application/pdf", content)
    await writer.queue(session, recipient, "submission_receipt", envelope.id, context, [pdf])


async def outcome(
    writer: MailWriter, session: AsyncSession, envelope: Envelope,
    event: review.OutcomePublished,
) -> None:  # fmt: skip
    app = await queries.application(session, event.application_id)
    if app is None or app.applicant_id is None:
        raise NotReadyYet(f"application {event.application_id}")
    call = await known_call(session, event.call_id)
    recipient = await applicant(session, app.applicant_id, app.applicant_email)
    if recipient is None:
        return
    context = {
        "call_title": call.title, "title": app.title or "", "decision": event.decision,
        "rank": event.rank, "link": writer.link(f"mine/{event.application_id}"),
        # An ineligible application has no evaluators' summary to read, only its reasons.
        "evaluated": event.decision is not Decision.INELIGIBLE,
    }  # fmt: skip
    await writer.queue(session, recipient, "outcome", envelope.id, context)
