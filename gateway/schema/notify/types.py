"""GraphQL types of notify: the mail outbox the team reads and a person's notifications."""

from __future__ import annotations

from datetime import datetime

import strawberry

from shared.api import notify as api

# The domain's enum, registered with its GraphQL name (strawberry.enum marks the class itself).
strawberry.enum(api.MailState, name="MailState")
MailState = api.MailState


@strawberry.type
class MailAttachment:
    file_name: str
    content_type: str
    size: int


@strawberry.type(description="One e-mail of the outbox: to whom, what, and how its sending went.")
class Mail:
    id: strawberry.ID
    to: str
    subject: str
    kind: str
    language: str
    state: MailState
    attempts: int
    last_error: str | None = strawberry.field(description="Why the last try failed, if it did.")
    created_at: datetime
    sent_at: datetime | None
    text: str
    html: str
    attachments: list[MailAttachment]

    @classmethod
    def of(cls, m: api.Mail) -> Mail:
        return cls(
            id=strawberry.ID(m.id), to=m.to, subject=m.subject, kind=m.kind, language=m.language,
            state=m.state, attempts=m.attempts, last_error=m.last_error,
            created_at=m.created_at, sent_at=m.sent_at, text=m.text, html=m.html,
            attachments=[
                MailAttachment(file_name=a.file_name, content_type=a.content_type, size=a.size)
                for a in m.attachments
            ],
        )  # fmt: skip


@strawberry.type
class MailPage:
    total_count: int
    items: list[Mail]


@strawberry.type(description="An e-mail the portal sent you.")
class Notification:
    id: strawberry.ID
    kind: str
    subject: str
    text: str
    created_at: datetime
    state: MailState

    @classmethod
    def of(cls, n: api.Notification) -> Notification:
        return cls(
            id=strawberry.ID(n.id), kind=n.kind, subject=n.subject, text=n.text,
            created_at=n.created_at, state=n.state,
        )  # fmt: skip
