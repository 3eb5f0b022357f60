"""Single-use e-mailed links: a random token goes to the person's mailbox, only its sha256 is
kept; using one is a single conditional UPDATE, so two clicks at once cannot both succeed."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.config import GatewaySettings
from gateway.models import Account, AccountLink, OutboxEvent
from shared.contracts.accounts import LinkIssued, LinkPurpose
from shared.errors import InvalidLink
from shared.outbox import record_event

ROUTES = {
    LinkPurpose.CONFIRM_EMAIL: "confirm",
    LinkPurpose.RESET_PASSWORD: "reset",
    LinkPurpose.INVITATION: "invitation",
}
INVALID = "This link is unknown, was used already or has expired; ask for a new one."


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(purpose: LinkPurpose, settings: GatewaySettings) -> timedelta:
    if purpose is LinkPurpose.RESET_PASSWORD:
        return timedelta(minutes=settings.reset_link_minutes)
    if purpose is LinkPurpose.INVITATION:
        return timedelta(days=settings.invitation_link_days)
    return timedelta(days=settings.confirm_link_days)


async def issue_link(
    session: AsyncSession, account: Account, purpose: LinkPurpose, settings: GatewaySettings
) -> None:
    """A new link for `account`, announced as LinkIssued in the same transaction. Earlier
    unused links of the same purpose are voided: only the newest mail works."""
    now = datetime.now(UTC)
    await session.execute(
        update(AccountLink)
        .where(
            AccountLink.account_id == account.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + lifetime(purpose, settings)
    session.add(
        AccountLink(
            token_sha256=token_sha256(token),
            account_id=account.id,
            purpose=purpose,
            expires_at=expires_at,
        )
    )
    link = f"{settings.public_url.rstrip('/')}/#/{ROUTES[purpose]}/{token}"
    await announce(session, account, purpose, link, expires_at)


async def announce_sign_up_repeated(
    session: AsyncSession, account: Account, settings: GatewaySettings
) -> None:
    """Someone signed up with this address: its owner is told (and pointed at the reset)."""
    link = f"{settings.public_url.rstrip('/')}/#/forgot"
    expires_at = datetime.now(UTC) + timedelta(minutes=settings.reset_link_minutes)
    await announce(session, account, LinkPurpose.SIGN_UP_REPEATED, link, expires_at)


async def announce(
    session: AsyncSession, account: Account, purpose: LinkPurpose, link: str, expires_at: datetime
) -> None:
    event = LinkIssued(
        account_id=str(account.id), email=account.email, display_name=account.display_name,
        language=account.language, purpose=purpose, link=link, expires_at=expires_at,
        role=account.role,
    )  # fmt: skip
    await record_event(session, OutboxEvent, event)


async def use_link(session: AsyncSession, token: str, purpose: LinkPurpose) -> Account:
    """The link's account; the link is used up. Unknown, used or expired: InvalidLink."""
    used = await session.scalar(
        update(AccountLink)
        .where(
            AccountLink.token_sha256 == token_sha256(token),
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > datetime.now(UTC),
        )
        .values(used_at=datetime.now(UTC))
        .returning(AccountLink.account_id)
    )
    return await _active_account(session, used)


async def peek_link(session: AsyncSession, token: str, purpose: LinkPurpose) -> Account:
    """The link's account, the link left as it is (the page shows whom it is for)."""
    account_id = await session.scalar(
        select(AccountLink.account_id).where(
            AccountLink.token_sha256 == token_sha256(token),
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > datetime.now(UTC),
        )
    )
    return await _active_account(session, account_id)


async def _active_account(session: AsyncSession, account_id: uuid.UUID | None) -> Account:
    account = None if account_id is None else await session.get(Account, account_id)
    if account is None or not account.active:
        raise InvalidLink(INVALID)
    return account
