"""Erasing a person: the row and its id stay, their data goes here and (AccountErased) from
every service. The person erases their own account with their password."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.accounts.rows import announce_account
from gateway.accounts.rules import end_every_session
from gateway.accounts.signin import throttled_check
from gateway.auth import entry_errors, normalise_email, password_matches
from gateway.config import GatewaySettings
from gateway.models import Account, AccountLink, OutboxEvent, RecoveryCode, SignInThrottle
from shared.contracts.accounts import AccountChanged, AccountErased, LinkIssued, PasswordChanged
from shared.erasure import forget_published_events
from shared.errors import FieldError, Forbidden, ValidationFailed, require
from shared.identity import Role
from shared.outbox import record_event


async def erase_own(
    db: async_sessionmaker[AsyncSession], settings: GatewaySettings, session: AsyncSession,
    account: Account, password: str, client: str,
) -> None:  # fmt: skip
    """The person's own erasure: the password again, counted like a sign-in. Staff accounts
    are closed by another member of the team (deleteAccount), so no one erases the last
    admin, or a hub's manager, by mistake."""
    if account.role in (Role.ADMIN, Role.HUB_MANAGER):
        raise Forbidden("Staff accounts are closed by the programme team (deleteAccount).")
    require(entry_errors(password, "password"))

    async def password_right(_: AsyncSession) -> bool:
        return await password_matches(account.password_hash, password)

    if not await throttled_check(db, settings, account.email, client, password_right):
        raise ValidationFailed([FieldError("password", "the password is wrong")])
    await erase(session, account)


async def erase(session: AsyncSession, account: Account) -> None:
    """The row and its id stay (other services refer to it); the person's data goes here and,
    through `AccountErased`, from every service (each anonymises its copies; scores,
    decisions and audit facts stay)."""
    if account.deleted_at is not None:
        return
    now = datetime.now(UTC)
    former = normalise_email(account.email)
    account.disabled_at = account.disabled_at or now
    account.deleted_at = now
    account.email = f"deleted-{account.id}@deleted.invalid"
    account.display_name = "Deleted account"
    account.password_hash = ""
    account.totp_secret = None
    account.totp_enabled_at = None
    end_every_session(account)
    await forget_traces(session, account, former)
    # First, so notify still knows the address its mails went to when it redacts them.
    await record_event(
        session, OutboxEvent, AccountErased(account_id=str(account.id), erased_at=now)
    )
    await announce_account(session, account)


async def forget_traces(session: AsyncSession, account: Account, email: str) -> None:
    """What else names the person: sign-in counters keyed by the address, recovery codes,
    links, and published events (kept a while for replay) with the address or name."""
    await session.execute(
        sa.delete(SignInThrottle).where(
            SignInThrottle.key.in_([f"account:{email}", f"mail:{email}"])
        )
    )
    await session.execute(sa.delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    await session.execute(sa.delete(AccountLink).where(AccountLink.account_id == account.id))
    subjects = [AccountChanged.subject, LinkIssued.subject, PasswordChanged.subject]
    await forget_published_events(session, OutboxEvent, [str(account.id), email], subjects)
