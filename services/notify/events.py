"""What notify consumes: people from the gateway, calls from the registry, applications from
intake, assignments and outcomes from review. Each handler keeps its copy up to date and writes
its mail in the consumer's transaction, once per recipient per event (the event id is the
cause), so a redelivered event sends nothing twice. An event that names someone or something
whose own event has not arrived yet raises `NotReadyYet`: the consumer offers it again later."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import erasure
from services.notify.domain.messages import Instant, rendered_language
from services.notify.domain.receipt import receipt_pdf
from services.notify.mail import Attachment, MailWriter, Recipient, receives
from services.notify.models import ApplicationCopy, AssignmentCopy, CallCopy, Person
from services.notify.receipts import files_context, receipt_facts
from shared.api.registry import CallStatus, Form
from shared.clock import format_instant
from shared.consumer import Handler, NotReadyYet
from shared.contracts import accounts, intake, registry, review
from shared.events import Envelope, EventContract

STATUS_ORDER = {status.value: rank for rank, status in enumerate(CallStatus)}


# ---- the copies ---------------------------------------------------------------------------


async def person_for(session: AsyncSession, account_id: str) -> Person:
    person = await session.get(Person, account_id)
    if person is None:
        raise NotReadyYet(f"person {account_id}")
    return person


async def known_call(session: AsyncSession, call_id: str) -> CallCopy:
    call = await session.get(CallCopy, call_id)
    if call is None or not call.terms_known:
        raise NotReadyYet(f"call {call_id}")
    return call


async def application_copy(
    session: AsyncSession, application_id: str, call_id: str
) -> ApplicationCopy:
    """The row to update, created empty when this is the first thing heard of it."""
    await session.execute(
        insert(ApplicationCopy)
        .values(application_id=application_id, call_id=call_id, version=0, submitted=False,
                withdrawn=False)
        .on_conflict_do_nothing()
    )  # fmt: skip
    row = await session.get(ApplicationCopy, application_id, with_for_update=True)
    assert row is not None
    return row


async def assignment_copy(session: AsyncSession, event: review.AssignmentFacts) -> AssignmentCopy:
    await session.execute(
        insert(AssignmentCopy)
        .values(assignment_id=event.assignment_id, application_id=event.application_id,
                call_id=event.call_id, evaluator_id=event.evaluator_id,
                application_title=event.application_title, active=True, submitted=False)
        .on_conflict_do_nothing()
    )  # fmt: skip
    row = await session.get(AssignmentCopy, event.assignment_id, with_for_update=True)
    assert row is not None
    return row


async def on_account_changed(
    session: AsyncSession, envelope: Envelope, event: accounts.AccountChanged
) -> None:
    values: dict[str, Any] = {
        "email": event.email, "display_name": event.display_name, "role": event.role,
        "hub": event.hub, "language": event.language, "confirmed": event.email_confirmed,
        "active": event.active, "draft_reminders": event.draft_reminders,
        "evaluation_reminders": event.evaluation_reminders, "daily_digest": event.daily_digest,
        "changed_at": envelope.occurred_at,
    }  # fmt: skip
    statement = insert(Person).values(account_id=event.account_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Person.account_id],
            set_=values,
            where=Person.changed_at <= statement.excluded.changed_at,
        )
    )


async def on_call_published(
    session: AsyncSession, _: Envelope, event: registry.CallPublished
) -> None:
    values: dict[str, Any] = {
        "title": event.title, "hub": event.hub, "hubs": event.hubs, "opens_at": event.opens_at,
        "closes_at": event.closes_at, "timezone": event.timezone,
        "evaluation_deadline": event.evaluation_deadline,
        "form": msgspec.to_builtins(event.form), "terms_known": True,
    }  # fmt: skip
    # The status stays as it is: a later one (closed ...) may have overtaken this event.
    await session.execute(
        insert(CallCopy)
        .values(call_id=event.call_id, status=CallStatus.PUBLISHED.value, **values)
        .on_conflict_do_update(index_elements=[CallCopy.call_id], set_=values)
    )


async def move_call_status(session: AsyncSession, call_id: str, status: str) -> None:
    """A call's status only moves forward, whatever order its events come in."""
    if status not in STATUS_ORDER:
        return
    await session.execute(
        insert(CallCopy)
        .values(call_id=call_id, status=status, title="", hubs=[], terms_known=False,
                timezone="Europe/Brussels", form={"questions": []})
        .on_conflict_do_nothing()
    )  # fmt: skip
    call = await session.get(CallCopy, call_id, with_for_update=True, populate_existing=True)
    assert call is not None
    if STATUS_ORDER[status] > STATUS_ORDER.get(call.status, -1):
        call.status = status


async def on_call_closed(session: AsyncSession, _: Envelope, event: registry.CallClosed) -> None:
    await move_call_status(session, event.call_id, CallStatus.CLOSED.value)


async def on_call_status_changed(
    session: AsyncSession, _: Envelope, event: registry.CallStatusChanged
) -> None:
    await move_call_status(session, event.call_id, event.status)


async def on_drafted(session: AsyncSession, _: Envelope, event: intake.ApplicationDrafted) -> None:
    row = await application_copy(session, event.application_id, event.call_id)
    row.applicant_id = event.applicant_id
    row.applicant_email = event.applicant_email


async def on_withdrawn(
    session: AsyncSession, _: Envelope, event: intake.ApplicationWithdrawn
) -> None:
    row = await application_copy(session, event.application_id, event.call_id)
    row.withdrawn = True


async def on_evaluation_submitted(
    session: AsyncSession, _: Envelope, event: review.EvaluationSubmitted
) -> None:
    row = await assignment_copy(session, event)
    row.submitted = True


# ---- the copies that also write mail ------------------------------------------------------


class MailingHandlers:
    def __init__(self, writer: MailWriter) -> None:
        self.writer = writer

    async def on_link_issued(
        self, session: AsyncSession, envelope: Envelope, event: accounts.LinkIssued
    ) -> None:
        """Link mails go to the address the gateway names (a new account may not be known
        here yet, and a repeated sign-up goes to the existing owner)."""
        context: dict[str, Any] = {
            "link": event.link, "expires_at": Instant(event.expires_at), "role": event.role,
            "signin_link": self.writer.link("signin"),
        }  # fmt: skip
        recipient = Recipient(
            address=event.email, language=event.language, name=event.display_name,
            account_id=event.account_id,
        )  # fmt: skip
        await self.writer.queue(session, recipient, event.purpose.value, envelope.id, context)

    async def on_password_changed(
        self, session: AsyncSession, envelope: Envelope, event: accounts.PasswordChanged
    ) -> None:
        recipient = Recipient(
            address=event.email, language=event.language, name=event.display_name,
            account_id=event.account_id,
        )  # fmt: skip
        context = {"changed_at": Instant(event.changed_at)}
        await self.writer.queue(session, recipient, "password_changed", envelope.id, context)

    async def on_submitted(
        self, session: AsyncSession, envelope: Envelope, event: intake.ApplicationSnapshot
    ) -> None:
        call = await known_call(session, event.call_id)
        form = msgspec.convert(call.form, Form)
        row = await application_copy(session, event.application_id, event.call_id)
        row.applicant_id = event.applicant_id
        row.applicant_email = event.applicant_email or row.applicant_email
        row.submitted = True
        if event.version >= row.version:  # an older version arriving late keeps the title
            row.version = event.version
            row.title = form.title_of(event.answers)
        recipient = await self.applicant(session, event.applicant_id, event.applicant_email)
        if recipient is None:
            return
        # The PDF shows the instant as the mail does, in the language the mail is written in.
        language = rendered_language(recipient.language)
        submitted_at = format_instant(event.submitted_at, call.timezone, language)
        facts = receipt_facts(
            call_title=call.title, title=form.title_of(event.answers) or "", form=form,
            submitted_at=submitted_at, event=event, language=language,
        )  # fmt: skip
        context = {
            "call_title": call.title, "title": facts.title, "receipt_number": facts.receipt_number,
            "version": event.version, "resubmission": event.version > 1,
            "submitted_at": submitted_at, "fingerprint": event.fingerprint,
            "files": files_context(facts.files),
            "link": self.writer.link(f"receipt/{event.application_id}"),
        }  # fmt: skip
        # Laying out a long application takes a while: off the loop that relays mail.
        content = await asyncio.to_thread(receipt_pdf, facts)
        pdf = Attachment(f"receipt-{event.receipt_number}.pdf", "application/pdf", content)
        await self.writer.queue(
            session, recipient, "submission_receipt", envelope.id, context, [pdf]
        )

    async def applicant(
        self, session: AsyncSession, account_id: str, address: str | None
    ) -> Recipient | None:
        """The applicant as notify knows them; before their account's event arrives, the
        address the event carries. None: an inactive account, which gets nothing."""
        person = await session.get(Person, account_id)
        if person is None:
            if address is None:
                raise NotReadyYet(f"person {account_id}")
            return Recipient(address=address, account_id=account_id)
        return Recipient.of(person) if receives(person, "submission_receipt") else None

    async def on_outcome(
        self, session: AsyncSession, envelope: Envelope, event: review.OutcomePublished
    ) -> None:
        app = await session.get(ApplicationCopy, event.application_id)
        if app is None or app.applicant_id is None:
            raise NotReadyYet(f"application {event.application_id}")
        call = await known_call(session, event.call_id)
        recipient = await self.applicant(session, app.applicant_id, app.applicant_email)
        if recipient is None:
            return
        context = {
            "call_title": call.title, "title": app.title or "",
            "decision": event.decision,
            "rank": event.rank, "link": self.writer.link(f"mine/{event.application_id}"),
        }  # fmt: skip
        await self.writer.queue(session, recipient, "outcome", envelope.id, context)

    async def on_assignment_made(
        self, session: AsyncSession, envelope: Envelope, event: review.AssignmentMade
    ) -> None:
        row = await assignment_copy(session, event)
        row.active, row.due_at, row.application_title = True, event.due_at, event.application_title
        await self.tell_evaluator(session, envelope, event, "evaluation_assigned", {
            "due_at": Instant(event.due_at, event.call_timezone) if event.due_at else None,
            "link": self.writer.link("evaluate"),
        })  # fmt: skip

    async def on_moved_away(
        self, session: AsyncSession, envelope: Envelope, event: review.AssignmentMovedAway
    ) -> None:
        row = await assignment_copy(session, event)
        row.active = False
        await self.tell_evaluator(session, envelope, event, "assignment_moved_away", {})

    async def tell_evaluator(
        self, session: AsyncSession, envelope: Envelope, event: review.AssignmentFacts,
        kind: str, context: dict[str, Any],
    ) -> None:  # fmt: skip
        call = await known_call(session, event.call_id)
        person = await person_for(session, event.evaluator_id)
        if not receives(person, kind):
            return
        await self.writer.queue(session, Recipient.of(person), kind, envelope.id, {
            "call_title": call.title, "application_title": event.application_title, **context,
        })  # fmt: skip


def consumer_handlers(writer: MailWriter) -> dict[type[EventContract], Handler]:
    """What notify consumes; shared.web runs them as one durable consumer named "notify"."""
    mailing = MailingHandlers(writer)
    return {
        accounts.AccountChanged: on_account_changed,
        accounts.LinkIssued: mailing.on_link_issued,
        accounts.PasswordChanged: mailing.on_password_changed,
        registry.CallPublished: on_call_published,
        registry.CallClosed: on_call_closed,
        registry.CallStatusChanged: on_call_status_changed,
        intake.ApplicationDrafted: on_drafted,
        intake.ApplicationSubmitted: mailing.on_submitted,
        intake.ApplicationResubmitted: mailing.on_submitted,
        intake.ApplicationWithdrawn: on_withdrawn,
        review.AssignmentMade: mailing.on_assignment_made,
        review.AssignmentMovedAway: mailing.on_moved_away,
        review.EvaluationSubmitted: on_evaluation_submitted,
        review.OutcomePublished: mailing.on_outcome,
        accounts.AccountErased: erasure.on_account_erased,
        intake.ApplicationAnonymised: erasure.on_application_anonymised,
    }
