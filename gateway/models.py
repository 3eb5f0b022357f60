"""The gateway's own tables: accounts, their e-mailed links, recovery codes, sign-in throttling
and the outbox of account events (it holds no domain data)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, false, func, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.contracts.accounts import LinkPurpose
from shared.db import enum_column, new_metadata
from shared.identity import Role
from shared.outbox import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = new_metadata()


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class Account(Base):
    __tablename__ = "account"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Empty for an invitation not accepted yet: no password verifies against it.
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    hub: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Every access token carries the version it was issued under; raising it ends them all.
    token_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    draft_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    evaluation_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last TOTP step used: a code is accepted once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def active(self) -> bool:
        return self.disabled_at is None and self.deleted_at is None


class AccountLink(Base):
    """A single-use e-mailed link; only the sha256 of its token is kept."""

    __tablename__ = "account_link"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, 32))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecoveryCode(Base):
    """One of an account's second-factor recovery codes (hashed, each used once)."""

    __tablename__ = "recovery_code"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    code_sha256: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignInThrottle(Base):
    """Failed attempts per key (`account:<email>`, `client:<ip>`, `mail:…`), shared by replicas."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
