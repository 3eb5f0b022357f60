"""New accounts: an applicant's at sign-up, a staff member's by invitation (the programme
team's createAccount), and the confirmed ones the portal starts with (demo, first admin)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gateway import links
from gateway.accounts.rows import account_by_email, announce_account, email_taken, insert_account
from gateway.accounts.rules import hub_errors, password_errors, person_errors
from gateway.auth import DEMO_ACCOUNTS, DEMO_PASSWORD, hash_password, normalise_email
from gateway.config import GatewaySettings
from gateway.models import Account
from shared.contracts.accounts import LinkPurpose
from shared.errors import ValidationFailed, require
from shared.identity import Role


async def create_account(
    session: AsyncSession, settings: GatewaySettings, *, email: str, display_name: str,
    role: Role, hub: str | None = None, language: str = "en", password: str | None = None,
    confirmed: bool = False,
) -> Account:  # fmt: skip
    """An account. Without a password it is an invitation: the person sets one through the
    e-mailed link, and until then no password signs in."""
    errors = person_errors(email, display_name, language) + hub_errors(role, hub)
    if password is not None:
        errors += password_errors(password, email=email, display_name=display_name)
    require(errors)
    if await account_by_email(session, email) is not None:
        raise email_taken()
    account = Account(
        email=normalise_email(email), display_name=display_name.strip(),
        password_hash=await hash_password(password) if password is not None else "",
        role=role, hub=hub if role is Role.HUB_MANAGER else None, language=language,
        email_confirmed_at=datetime.now(UTC) if confirmed else None,
        password_changed_at=datetime.now(UTC) if password is not None else None,
        token_version=1, draft_reminders=True, evaluation_reminders=True, daily_digest=False,
    )  # fmt: skip
    await insert_account(session, account)
    await announce_account(session, account)
    if password is None:
        await links.issue_link(session, account, LinkPurpose.INVITATION, settings)
    return account


async def ensure_account(
    session: AsyncSession, settings: GatewaySettings, *, email: str, password: str,
    display_name: str, role: Role, hub: str | None = None,
) -> Account:  # fmt: skip
    """The account with this e-mail, created (confirmed) if missing; an existing one is left as
    it is but announced again, so a fresh reader of the events knows it. Gateway replicas
    starting together may both try: the one that loses takes the winner's."""
    existing = await account_by_email(session, email)
    if existing is None:
        try:
            return await create_account(
                session, settings, email=email, password=password, display_name=display_name,
                role=role, hub=hub, confirmed=True,
            )  # fmt: skip
        except ValidationFailed:
            existing = await account_by_email(session, email)
            if existing is None:
                raise  # a real problem with the account, not a race
    await announce_account(session, existing)
    return existing


async def seed_demo_accounts(session: AsyncSession, settings: GatewaySettings) -> list[Account]:
    """The demo accounts (confirmed, no second factor), created once; returns them all."""
    accounts = [
        await ensure_account(
            session,
            settings,
            email=email,
            password=DEMO_PASSWORD,
            display_name=name,
            role=role,
            hub=hub,
        )
        for email, name, role, hub in DEMO_ACCOUNTS
    ]
    await session.commit()
    return accounts
