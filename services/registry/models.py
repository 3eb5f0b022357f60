"""Tables the registry owns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.call_status import CallStatus
from shared.db import enum_column, new_metadata
from shared.outbox import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = new_metadata()


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class HubRow(Base):
    __tablename__ = "hub"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    host_organisation: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    countries: Mapped[list[HubCountryRow]] = relationship(
        lazy="raise", order_by="HubCountryRow.position"
    )


class HubCountryRow(Base):
    __tablename__ = "hub_country"

    hub_code: Mapped[str] = mapped_column(ForeignKey("hub.code"), primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    part: Mapped[str | None] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)


class ValueChainRow(Base):
    __tablename__ = "value_chain"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)


class MissionRow(Base):
    __tablename__ = "mission"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    hub_code: Mapped[str] = mapped_column(ForeignKey("hub.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    value_chains: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    strategies: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ChallengeRow(Base):
    __tablename__ = "challenge"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mission.id"), index=True)
    hub_code: Mapped[str] = mapped_column(ForeignKey("hub.code"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    strategies: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CallRow(Base):
    __tablename__ = "open_call"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Other languages than English, as [{lang, text}] in the author's order.
    title_translations: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    description_translations: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    hub_code: Mapped[str | None] = mapped_column(ForeignKey("hub.code"), index=True)
    challenge_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()))
    budget: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    max_grant: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    evaluation_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64))
    eligible_countries: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    organisation_types: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    form: Mapped[dict[str, Any]] = mapped_column(JSONB)
    rubric: Mapped[dict[str, Any]] = mapped_column(JSONB)
    evaluators_per_application: Mapped[int] = mapped_column(Integer, default=3)
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days after the results until unfunded applications are anonymised.
    retention_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus), index=True)
    # Set when the scheduler announced the opening, so it is announced exactly once.
    opened_announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
