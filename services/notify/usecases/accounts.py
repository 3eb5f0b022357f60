"""People, from the gateway's account events: notify's copy of each person, and the mail
their account causes (single-use links, the password-changed notice). Link mails go to the
address the gateway names: a new account may not be known here yet, and a repeated sign-up
goes to the existing owner."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import queries
from services.notify.domain.messages import Instant
from services.notify.writer import MailWriter, Recipient
from shared.contracts import accounts
from shared.events import Envelope


async def account_changed(
    session: AsyncSession, envelope: Envelope, event: accounts.AccountChanged
) -> None:
    """The person's whole current state; an older change arriving late changes nothing."""
    await queries.upsert_person(session, event.account_id, {
        "email": event.email, "display_name": event.display_name, "role": event.role,
        "hub": event.hub, "language": event.language, "confirmed": event.email_confirmed,
        "active": event.active, "draft_reminders": event.draft_reminders,
        "evaluation_reminders": event.evaluation_reminders, "daily_digest": event.daily_digest,
        "changed_at": envelope.occurred_at,
    })  # fmt: skip


def addressed(event: accounts.LinkIssued | accounts.PasswordChanged) -> Recipient:
    return Recipient(
        address=event.email, language=event.language, name=event.display_name,
        account_id=event.account_id,
    )  # fmt: skip


async def link_issued(
    writer: MailWriter, session: AsyncSession, envelope: Envelope, event: accounts.LinkIssued
) -> None:
    context: dict[str, Any] = {
        "link": event.link, "expires_at": Instant(event.expires_at), "role": event.role,
        "signin_link": writer.link("signin"),
    }  # fmt: skip
    await writer.queue(session, addressed(event), event.purpose.value, envelope.id, context)


async def password_changed(
    writer: MailWriter, session: AsyncSession, envelope: Envelope,
    event: accounts.PasswordChanged,
) -> None:  # fmt: skip
    context = {"changed_at": Instant(event.changed_at)}
    await writer.queue(session, addressed(event), "password_changed", envelope.id, context)
