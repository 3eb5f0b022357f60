"""Writing a mail into the outbox: rendered in the recipient's language, once per recipient
per cause (a second insert of the same cause changes nothing), in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import mail_queries
from services.notify.domain.messages import render, rendered_language
from services.notify.models import Person
from shared.api.notify import MailState
from shared.clock import Clock

# Set on a session whose transaction queued mail: its commit wakes the relay.
MAIL_WRITTEN = "mail_written"


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    address: str
    language: str = "en"
    name: str = ""
    account_id: str | None = None

    @classmethod
    def of(cls, person: Person) -> Recipient:
        return cls(
            address=person.email, language=person.language, name=person.display_name,
            account_id=person.account_id,
        )  # fmt: skip


class Attachment(msgspec.Struct, frozen=True):
    file_name: str
    content_type: str
    content: bytes


class MailWriter:
    def __init__(self, public_url: str, clock: Clock) -> None:
        self.public_url = public_url.rstrip("/")
        self.clock = clock

    def link(self, route: str) -> str:
        """A page of the portal: `link("evaluate")` -> `<public_url>/#/evaluate`."""
        return f"{self.public_url}/#/{route}"

    async def queue(
        self,
        session: AsyncSession,
        recipient: Recipient,
        kind: str,
        cause_key: str,
        context: Mapping[str, Any],
        attachments: Sequence[Attachment] = (),
    ) -> bool:
        """True when the mail is new; False when this cause already wrote to this address."""
        rendered = render(
            kind,
            recipient.language,
            {"name": recipient.name, "portal_url": f"{self.public_url}/", **context},
        )
        now = self.clock()
        mail_id = await mail_queries.insert_mail(session, {
            "recipient_id": recipient.account_id, "to_address": recipient.address, "kind": kind,
            "language": rendered_language(recipient.language),  # what it is written in
            "cause_key": cause_key, "subject": rendered.subject, "text": rendered.text,
            "html": rendered.html, "state": MailState.QUEUED, "attempts": 0,
            "next_attempt_at": now, "created_at": now,
        }, [msgspec.structs.asdict(attachment) for attachment in attachments])  # fmt: skip
        if mail_id is None:
            return False
        session.info[MAIL_WRITTEN] = True
        return True
