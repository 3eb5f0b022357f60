"""Setting a password: by a reset link, by accepting an invitation, or changing it while
signed in. A new password ends every earlier sign-in (PasswordChanged is announced)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import links
from gateway.accounts.rules import password_errors
from gateway.accounts.signin import throttled_check
from gateway.accounts.signup import mark_confirmed
from gateway.auth import hash_password, password_matches
from gateway.config import GatewaySettings
from gateway.models import Account, OutboxEvent
from shared.contracts.accounts import LinkPurpose, PasswordChanged
from shared.errors import FieldError, ValidationFailed, require
from shared.outbox import record_event


async def set_password(
    session: AsyncSession, account: Account, password: str, *, field: str = "password",
    first: bool = False,
) -> None:  # fmt: skip
    """A new password ends every earlier sign-in (the token version goes up). `first`: the
    invited person's own first password, which no "your password was changed" mail warns of
    (found probing: it told a new evaluator to reset it straight away)."""
    require(password_errors(password, email=account.email, display_name=account.display_name,
                            field=field))  # fmt: skip
    account.password_hash = await hash_password(password)
    account.password_changed_at = datetime.now(UTC)
    account.token_version += 1
    if first:
        return
    event = PasswordChanged(
        account_id=str(account.id), email=account.email, display_name=account.display_name,
        language=account.language, changed_at=account.password_changed_at,
    )  # fmt: skip
    await record_event(session, OutboxEvent, event)


async def reset_password(session: AsyncSession, token: str, password: str) -> Account:
    """A reset link's mailbox is proven: the address counts as confirmed."""
    account = await links.use_link(session, token, LinkPurpose.RESET_PASSWORD)
    await set_password(session, account, password)
    await mark_confirmed(session, account)
    return account


async def accept_invitation(session: AsyncSession, token: str, password: str) -> Account:
    account = await links.peek_link(session, token, LinkPurpose.INVITATION)
    require(password_errors(password, email=account.email, display_name=account.display_name))
    account = await links.use_link(session, token, LinkPurpose.INVITATION)
    await set_password(session, account, password, first=True)
    await mark_confirmed(session, account)
    return account


async def change_password(
    db: async_sessionmaker[AsyncSession], settings: GatewaySettings, session: AsyncSession,
    account: Account, current: str, new: str, client: str,
) -> None:  # fmt: skip
    async def current_matches(_: AsyncSession) -> bool:
        return await password_matches(account.password_hash, current)

    if not await throttled_check(db, settings, account.email, client, current_matches):
        raise ValidationFailed([FieldError("currentPassword", "the current password is wrong")])
    await set_password(session, account, new, field="newPassword")
