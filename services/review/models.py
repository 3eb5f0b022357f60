"""Tables the review service owns, and its read model of calls and applications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.api.intake import Eligibility
from shared.api.review import EvaluationStatus
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
    """A call as its events tell it. A status may arrive before the call's publication: the
    row then stands as a stub (`terms_known` false) that nothing but the status reads."""

    __tablename__ = "known_call"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    hub: Mapped[str | None] = mapped_column(String(8))
    hubs: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    budget: Mapped[float] = mapped_column(Float)
    rubric: Mapped[dict[str, Any]] = mapped_column(JSONB)
    evaluators_per_application: Mapped[int] = mapped_column(Integer)
    blind: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus))
    results_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terms_known: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    timezone: Mapped[str] = mapped_column(
        String(64), default="Europe/Brussels", server_default="Europe/Brussels"
    )
    evaluation_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The call's form (shared.api.registry.Form): an application's title comes from it.
    form: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=lambda: {"questions": []}, server_default='{"questions": []}'
    )


class ApplicationCopy(Base):
    """Review's copy of a submitted application, built from intake's events. Events may come
    twice or out of order: the highest version wins, a withdrawal is final, and an
    eligibility verdict may arrive before the snapshot it concerns. `content` holds what the
    applicant filled in (shared.api.intake.ApplicationContent); the columns beside it are the
    facts review filters and keys by."""

    __tablename__ = "application"

    application_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    applicant_id: Mapped[str | None] = mapped_column(String(64))
    applicant_email: Mapped[str | None] = mapped_column(String(254))
    content: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    country: Mapped[str | None] = mapped_column(String(2))
    hub: Mapped[str | None] = mapped_column(String(8))
    value_chains: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    eligibility: Mapped[Eligibility] = mapped_column(
        enum_column(Eligibility), default=Eligibility.PENDING
    )


class EvaluatorRow(Base):
    __tablename__ = "evaluator"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    expertise: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    hubs: Mapped[list[str]] = mapped_column(ARRAY(String(8)), default=list)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(8)), default=list)
    capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PoolMemberRow(Base):
    """An evaluator picked into a call's pool, with a capacity for that call only."""

    __tablename__ = "call_pool"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("evaluator.account_id"), primary_key=True, index=True
    )
    capacity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ConflictRow(Base):
    __tablename__ = "conflict"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    evaluator_id: Mapped[str] = mapped_column(ForeignKey("evaluator.account_id"), index=True)
    application_id: Mapped[str | None] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AssignmentRow(Base):
    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("application_id", "evaluator_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    application_id: Mapped[str] = mapped_column(String(64), index=True)
    evaluator_id: Mapped[str] = mapped_column(ForeignKey("evaluator.account_id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EvaluationRow(Base):
    __tablename__ = "evaluation"

    assignment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assignment.id"), primary_key=True)
    scores: Mapped[dict[str, float]] = mapped_column(JSONB, default=dict)
    comments: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    status: Mapped[EvaluationStatus] = mapped_column(
        enum_column(EvaluationStatus), default=EvaluationStatus.DRAFT
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ModerationRow(Base):
    """A moderator's consensus score for one criterion, with the reason."""

    __tablename__ = "moderation"

    application_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    criterion: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    justification: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# ---- the read model of consensus and ranking (migration 0005) ------------------------------
# Triggers on the tables above delete an application's consensus row and mark its call's
# ranking stale whenever a row that feeds them changes, whoever writes it.


class ConsensusRow(Base):
    """An application's consensus (services.review.domain.scoring.Consensus, msgspec-encoded)
    as of every input it was computed from; missing when not computed since a change."""

    __tablename__ = "consensus"

    application_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    consensus: Mapped[dict[str, Any]] = mapped_column(JSONB)


class CallRankingRow(Base):
    """A call's ranking as the team reads it (a list of shared.api.review.RankingEntry, in
    rank order); a stale one has no lines. The row is also the lock that orders whoever
    writes the call's inputs before or after whoever computes its read model."""

    __tablename__ = "call_ranking"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    stale: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # JSON text as msgspec wrote it (json, not jsonb: written and read whole, never queried
    # inside); decoded only for the lines a read wants.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    ranked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
