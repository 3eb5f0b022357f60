"""Anonymising notify's copies: an erased person (`AccountErased`: their row, every mail to
them) and an anonymised application (`ApplicationAnonymised`: its title, and the mails about
it, which carry its answers and receipt PDF; its title in its evaluators' mails). A mail keeps
its subject (it names the call and the receipt number only), kind, instants and state, so the
outbox still tells what was sent when; its address, body and attachments go, and one not sent
yet never will be."""

from __future__ import annotations

import html

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import mail_queries, queries
from services.notify.models import ApplicationCopy, MailRow
from shared.api.notify import MailState
from shared.contracts import accounts, intake
from shared.erasure import ERASED, ERASED_NAME
from shared.events import Envelope

NOT_SENT = "the recipient's data was erased; not sent"


async def redact_mails(session: AsyncSession, *where: ColumnElement[bool]) -> None:
    mails = await mail_queries.locked_mails(session, *where)
    for mail in mails:
        mail.to_address = f"erased-{mail.id}@erased.invalid"
        mail.text = mail.html = ERASED
        if mail.state is MailState.QUEUED:
            mail.state, mail.last_error = MailState.FAILED, NOT_SENT
    if mails:
        await mail_queries.delete_attachments(session, [m.id for m in mails])


async def forget_title(session: AsyncSession, evaluator_id: str, title: str) -> None:
    """An evaluator's mails name the application by its title (an answer): it goes from
    them; the rest of the mail is the evaluator's own and stays."""
    mails = await mail_queries.locked_mails(
        session,
        MailRow.recipient_id == evaluator_id,
        MailRow.text.contains(title, autoescape=True),
    )
    for mail in mails:
        mail.text = mail.text.replace(title, ERASED)
        mail.html = mail.html.replace(html.escape(title), ERASED).replace(title, ERASED)


async def account_erased(
    session: AsyncSession, envelope: Envelope, event: accounts.AccountErased
) -> None:
    person = await queries.locked_person(session, event.account_id)
    addressed = [MailRow.recipient_id == event.account_id]
    if person is not None:
        addressed.append(MailRow.to_address == person.email)
        person.email = f"erased-{event.account_id}@erased.invalid"
        person.display_name, person.active = ERASED_NAME, False
        person.draft_reminders = person.evaluation_reminders = person.daily_digest = False
        # A change of the account announced before the erasure, arriving late, changes nothing.
        person.changed_at = max(person.changed_at, envelope.occurred_at)
    await redact_mails(session, or_(*addressed))
    await queries.forget_applications(session, ApplicationCopy.applicant_id == event.account_id)


async def application_anonymised(
    session: AsyncSession, _: Envelope, event: intake.ApplicationAnonymised
) -> None:
    await queries.forget_applications(
        session, ApplicationCopy.application_id == event.application_id
    )
    for assignment in await queries.locked_assignments_of(session, event.application_id):
        if assignment.application_title:
            await forget_title(session, assignment.evaluator_id, assignment.application_title)
        assignment.application_title = ""
    # The receipt's and the outcome's links name the application.
    await redact_mails(
        session,
        MailRow.recipient_id == event.applicant_id,
        MailRow.text.contains(event.application_id, autoescape=True),
    )
