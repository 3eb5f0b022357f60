"""An account's row: found by address, inserted (the unique address decides a race) and
announced (AccountChanged) in the transaction that changes it; the team's account list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import normalise_email
from gateway.models import Account, OutboxEvent
from shared.contracts.accounts import AccountChanged
from shared.db import contains_pattern
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.identity import Role
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


async def team_page(
    session: AsyncSession, role: Role | None, search: str | None, first: int, offset: int
) -> Sequence[Account]:
    """Accounts newest first, of one role and/or whose address or name contains `search`."""
    query = select(Account).order_by(Account.created_at.desc(), Account.id)
    if role is not None:
        query = query.where(Account.role == role)
    if search and search.strip():
        pattern = contains_pattern(search.strip())
        query = query.where(or_(Account.email.ilike(pattern, escape="\\"),
                                Account.display_name.ilike(pattern, escape="\\")))  # fmt: skip
    return (await session.scalars(query.limit(first).offset(offset))).all()
