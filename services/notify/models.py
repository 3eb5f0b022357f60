"""Tables notify owns: the people, calls, applications and assignments it writes about (copies
built from the other services' events) and its mail outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.api.notify import MailState
from shared.call_status import CallStatus
from shared.db import enum_column, new_metadata
from shared.outbox import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = new_metadata()


class OutboxEvent(OutboxMixin, Base):
    """Notify publishes nothing yet; the shared service runtime relays this (empty) table."""


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class Person(Base):
    """A person as the gateway's last `AccountChanged` tells it."""

    __tablename__ = "person"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    hub: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    confirmed: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    draft_reminders: Mapped[bool] = mapped_column(Boolean)
    evaluation_reminders: Mapped[bool] = mapped_column(Boolean)
    daily_digest: Mapped[bool] = mapped_column(Boolean)
    # The instant of the event this row holds: an older one arriving late changes nothing.
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CallCopy(Base):
    """A call as its events tell it; a status may come before the publication (a stub row,
    `terms_known` false)."""

    __tablename__ = "call"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    hub: Mapped[str | None] = mapped_column(String(8))
    hubs: Mapped[list[str]] = mapped_column(ARRAY(String(8)), default=list)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    evaluation_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus))
    # shared.api.registry.Form: answers are named by their labels, the title found by its key.
    form: Mapped[dict[str, Any]] = mapped_column(JSONB, default=lambda: {"questions": []})
    terms_known: Mapped[bool] = mapped_column(Boolean, default=False)


class ApplicationCopy(Base):
    """Who started an application and how far it got; flags only move forward, whatever order
    the events come in."""

    __tablename__ = "application"

    application_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    applicant_id: Mapped[str | None] = mapped_column(String(64))
    applicant_email: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str | None] = mapped_column(Text)  # the first short-text answer: any length
    version: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)


class AssignmentCopy(Base):
    __tablename__ = "assignment"

    assignment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    evaluator_id: Mapped[str] = mapped_column(String(64), index=True)
    application_title: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)


class MailRow(Base):
    """The mail outbox: one row per recipient per cause (an event id, or a scheduled key such
    as `draft_reminder_72h:<application id>`), sent by the relay."""

    __tablename__ = "mail"
    __table_args__ = (
        UniqueConstraint("cause_key", "to_address"),
        Index(
            "ix_mail_due",
            "next_attempt_at",
            postgresql_where=text(f"state = '{MailState.QUEUED.value}'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    recipient_id: Mapped[str | None] = mapped_column(String(64), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    cause_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    state: Mapped[MailState] = mapped_column(enum_column(MailState, 10), default=MailState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MailAttachmentRow(Base):
    __tablename__ = "mail_attachment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    mail_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mail.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
