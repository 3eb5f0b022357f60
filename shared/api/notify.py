"""Notify bodies: the mail outbox the team reads, and the mail a person was sent."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from shared.routes import Route

# Kinds a person may turn off, by the preference that controls them (AccountChanged's fields).
OPTIONAL_KINDS: dict[str, str] = {
    "draft_reminder_72h": "draft_reminders",
    "draft_reminder_24h": "draft_reminders",
    "evaluation_reminder": "evaluation_reminders",
    "daily_digest": "daily_digest",
}


class MailState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class MailAttachment(msgspec.Struct, frozen=True, kw_only=True):
    file_name: str
    content_type: str
    size: int


class Mail(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    recipient_id: str | None
    to: str
    kind: str
    language: str
    subject: str
    text: str
    html: str
    state: MailState
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    attachments: list[MailAttachment] = []


class MailPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Mail]
    total: int


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """A mail as its recipient lists it in the pages."""

    id: str
    kind: str
    subject: str
    text: str
    created_at: datetime
    state: MailState


# ---- a person's data archive (GDPR access and portability) -------------------------------


class ExportedMailAttachment(msgspec.Struct, frozen=True, kw_only=True):
    """A file sent with a mail (a receipt's PDF); its bytes come from PERSON_EXPORT_ATTACHMENT."""

    id: str
    file_name: str
    content_type: str
    size: int


class ExportedMail(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    kind: str
    to: str
    language: str
    subject: str
    # Withheld when the reader is not the recipient and it carries a personal link.
    text: str
    state: MailState
    created_at: datetime
    sent_at: datetime | None
    attachments: list[ExportedMailAttachment] = []


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """The person as notify keeps them to write to them (from the gateway's account events)."""

    email: str
    display_name: str
    language: str
    draft_reminders: bool
    evaluation_reminders: bool
    daily_digest: bool


class NotifyPersonExport(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    recipient: Recipient | None
    mails: list[ExportedMail]


# ---- the routes of the notify service: its handlers and the gateway's NotifyClient --------

LIST_MAIL = Route("GET", "/mail", MailPage)
READ_MAIL = Route("GET", "/mail/{mail_id:str}", Mail)
RETRY_MAIL = Route("POST", "/mail/{mail_id:str}/retry", Mail)
PERSON_MAIL = Route("GET", "/people/{account_id:str}/mail", list[Notification])
PERSON_EXPORT = Route("GET", "/people/{account_id:str}/export", NotifyPersonExport)
# The answer is the file's bytes, read as a stream.
PERSON_EXPORT_ATTACHMENT = Route(
    "GET", "/people/{account_id:str}/export/attachments/{attachment_id:str}", bytes
)
