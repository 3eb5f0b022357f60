"""Tables the intake service owns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata
from shared.outbox import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = new_metadata()


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class CallWindow(Base):
    """What intake knows of each published call, mirrored from the registry's events:
    enough to enforce the deadline without asking the registry on every save."""

    __tablename__ = "call_window"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    hubs: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
