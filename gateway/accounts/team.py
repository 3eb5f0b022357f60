"""The programme team's changes to someone else's account: disable, enable, delete (an
erasure on the person's written request). No one does these to their own account."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.erasure import erase
from gateway.accounts.rows import announce_account
from gateway.accounts.rules import end_every_session
from gateway.models import Account
from shared.errors import Forbidden


async def disable(session: AsyncSession, account: Account, actor_id: str) -> None:
    if str(account.id) == actor_id:
        raise Forbidden("You may not disable your own account.")
    if account.disabled_at is None:
        account.disabled_at = datetime.now(UTC)
        end_every_session(account)
        await announce_account(session, account)


async def enable(session: AsyncSession, account: Account) -> None:
    if account.deleted_at is not None:
        raise Forbidden("A deleted account cannot be enabled again.")
    if account.disabled_at is not None:
        account.disabled_at = None
        await announce_account(session, account)


async def delete(session: AsyncSession, account: Account, actor_id: str) -> None:
    """The team's erasure of a person (on their written request); not of oneself, which is
    `erase_own` with the password."""
    if str(account.id) == actor_id:
        raise Forbidden("You may not delete your own account.")
    await erase(session, account)
