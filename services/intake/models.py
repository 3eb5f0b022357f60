"""Tables the intake service owns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Sequence,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.api.intake import ApplicationStatus, Eligibility
from shared.call_status import CallStatus
from shared.db import enum_column, new_metadata
from shared.outbox import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = new_metadata()


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class KnownCall(Base):
    """A published call as the registry announced it: its window and terms, kept here so
    saving, the deadline and eligibility never wait on the registry."""

    __tablename__ = "known_call"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    hub: Mapped[str | None] = mapped_column(String(8))
    hubs: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64))
    # Its copy of the registry's status: only ever moves forward (shared.call_status.later_of).
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus))
    value_chains: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    max_grant: Mapped[float] = mapped_column(Float)
    eligible_countries: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    organisation_types: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    form: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # Unfunded applications are anonymised this many days after the results (the registry's
    # last word on it comes with the results' status change).
    retention_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    results_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


receipt_number_seq = Sequence("receipt_number_seq", metadata=Base.metadata)


class ApplicationRow(Base):
    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("call_id", "applicant_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[str] = mapped_column(ForeignKey("known_call.call_id"), index=True)
    applicant_id: Mapped[str] = mapped_column(String(64), index=True)
    applicant_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus), index=True)
    organisation: Mapped[dict[str, Any]] = mapped_column(JSONB)
    contact: Mapped[dict[str, Any]] = mapped_column(JSONB)
    team: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    requested_amount: Mapped[float | None] = mapped_column(Float)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # Denormalised for the team's filters and statistics.
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    hub: Mapped[str | None] = mapped_column(String(8), index=True)
    organisation_type: Mapped[str | None] = mapped_column(String(40))
    value_chains: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    eligibility: Mapped[Eligibility] = mapped_column(
        enum_column(Eligibility), default=Eligibility.PENDING
    )
    eligibility_reasons: Mapped[list[str]] = mapped_column(ARRAY(String(500)), default=list)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Its personal data was removed (erasure or retention); the facts the programme keeps stay.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    # A write reads updated_at back with its own UPDATE (RETURNING): the reply is built from
    # what was written, with no refresh after the commit.
    __mapper_args__ = {"eager_defaults": True}


class SubmissionRow(Base):
    """Every submitted version is kept; the application's latest one counts."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("application_id", "version"),
        UniqueConstraint("application_id", "idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("application.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fingerprint: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)


class AttachmentRow(Base):
    __tablename__ = "attachment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("application.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    object_key: Mapped[str] = mapped_column(String(300), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Removed from the application; the object stays while a submitted version names it.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
