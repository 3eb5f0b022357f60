"""GraphQL types of notify: the mail outbox the team reads and a person's notifications, each
built from its shared.api.notify contract by gateway.schema.convert.from_contract."""

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


@strawberry.type
class MailPage:
    total_count: int  # the contract's `total`
    items: list[Mail]


@strawberry.type(description="An e-mail the portal sent you.")
class Notification:
    id: strawberry.ID
    kind: str
    subject: str
    text: str
    created_at: datetime
    state: MailState
