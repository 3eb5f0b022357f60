"""Signing up and the e-mailed links that prove a mailbox: confirmation and password reset
requests, throttled per address and per client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from gateway import links, throttle
from gateway.accounts.creation import create_account
from gateway.accounts.rows import account_by_email, announce_account
from gateway.accounts.rules import password_errors, person_errors
from gateway.auth import email_errors, hash_password, normalise_email
from gateway.config import GatewaySettings
from gateway.models import Account
from shared.contracts.accounts import LinkPurpose
from shared.errors import ValidationFailed, require
from shared.identity import Role

CHECK_MAILBOX = "Check your mailbox: we have sent you a message with the next step."


async def sign_up(
    session: AsyncSession, settings: GatewaySettings, *, email: str, password: str,
    display_name: str, language: str, client: str,
) -> None:  # fmt: skip
    """The same answer, in about the same time, whether or not the address has an account:
    a new one gets a confirmation link, an existing owner a notice."""
    require(
        person_errors(email, display_name, language)
        + password_errors(password, email=email, display_name=display_name)
    )
    await throttle_mail(session, settings, email, client)
    existing = await account_by_email(session, email)
    if existing is None:
        try:
            account = await create_account(
                session, settings, email=email, display_name=display_name,
                role=Role.APPLICANT, language=language, password=password,
            )  # fmt: skip
        except ValidationFailed:  # another sign-up of this address won the race
            existing = await account_by_email(session, email)
        else:
            await links.issue_link(session, account, LinkPurpose.CONFIRM_EMAIL, settings)
            return
    await hash_password(password)  # the time a new account takes
    if existing is not None and existing.active:
        await links.announce_sign_up_repeated(session, existing, settings)


async def throttle_mail(
    session: AsyncSession, settings: GatewaySettings, email: str, client: str
) -> None:
    """At most a few mails per address and per client an hour (a mailbox is not a target)."""
    now = datetime.now(UTC)
    limits = {
        f"mail:{normalise_email(email)}": settings.mails_per_address_per_hour,
        f"mail-client:{client}": settings.client_mails_per_hour,
    }
    await throttle.refuse_if_locked(session, list(limits), now)
    for key, limit in limits.items():
        sent = await throttle.count(session, key, now, timedelta(hours=1))
        if sent > limit:  # sent in parallel with the one that reached the limit and locked
            raise throttle.too_many(3600)
        verdict = throttle.count_verdict(sent, limit=limit, lock_seconds=3600)
        if verdict.lock_seconds:
            await throttle.lock(session, key, now + timedelta(seconds=verdict.lock_seconds))


async def confirm_email(session: AsyncSession, token: str) -> Account:
    account = await links.use_link(session, token, LinkPurpose.CONFIRM_EMAIL)
    await mark_confirmed(session, account)
    return account


async def mark_confirmed(session: AsyncSession, account: Account) -> None:
    if account.email_confirmed_at is None:
        account.email_confirmed_at = datetime.now(UTC)
        await announce_account(session, account)


async def resend_confirmation(
    session: AsyncSession, settings: GatewaySettings, account: Account, client: str
) -> None:
    await throttle_mail(session, settings, account.email, client)
    if account.email_confirmed_at is None:
        await links.issue_link(session, account, LinkPurpose.CONFIRM_EMAIL, settings)


async def request_password_reset(
    session: AsyncSession, settings: GatewaySettings, email: str, client: str
) -> None:
    """The same answer whether or not the address has an account."""
    require(email_errors(email))
    await throttle_mail(session, settings, email, client)
    account = await account_by_email(session, email)
    if account is not None and account.active:
        await links.issue_link(session, account, LinkPurpose.RESET_PASSWORD, settings)
