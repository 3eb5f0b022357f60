"""An account's row: found by address, inserted (the unique address decides a race) and
announced (AccountChanged) in the transaction that changes it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import normalise_email
from gateway.models import Account, OutboxEvent
from shared.contracts.accounts import AccountChanged
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.outbox import record_event


async def announce_account(session: AsyncSession, account: Account) -> None:
    event = AccountChanged(
        account_id=str(account.id), email=account.email, display_name=account.display_name,
        role=account.role, hub=account.hub, language=account.language,
        email_confirmed=account.email_confirmed_at is not None, active=account.active,
        draft_reminders=account.draft_reminders, evaluation_reminders=account.evaluation_reminders,
        daily_digest=account.daily_digest,
    )  # fmt: skip
    await record_event(session, OutboxEvent, event)


async def account_by_email(session: AsyncSession, email: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.email == normalise_email(email)))


def email_taken() -> ValidationFailed:
    return ValidationFailed([FieldError("email", "an account with this e-mail exists")])


async def insert_account(session: AsyncSession, account: Account) -> None:
    """The unique index decides between two creations of one address (a savepoint keeps the
    rest of the caller's transaction); the loser gets the taken-address error."""
    try:
        async with session.begin_nested():
            session.add(account)
    except IntegrityError:
        raise email_taken() from None


async def account_for_update(session: AsyncSession, account_id: str) -> Account:
    """The account, locked for the change about to be made; a malformed id names none."""
    try:
        row = await session.get(Account, uuid.UUID(account_id), with_for_update=True)
    except ValueError:
        row = None
    if row is None:
        raise NotFound("There is no such account.")
    return row
