"""Signing in, throttled per address and per client (failures slow down, then lock), with a
second factor; a secret entered again while signed in counts the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import throttle
from gateway.accounts.rows import account_by_email
from gateway.accounts.rules import two_factor_required
from gateway.auth import email_errors, entry_errors, normalise_email, password_matches
from gateway.config import GatewaySettings
from gateway.models import Account
from gateway.twofactor import second_factor_matches
from shared.errors import NotAuthenticated, SecondFactorRequired, require

WRONG_CREDENTIALS = "The e-mail or the password is wrong."
# One account's secrets are checked in turn (per account, not per client: people behind one
# NAT must not wait on each other).
CHECKS = throttle.OneAtATime()


@dataclass
class SignedIn:
    account: Account
    setup_only: bool  # staff who must set up a second factor before anything else


async def sign_in(
    db: async_sessionmaker[AsyncSession], settings: GatewaySettings, *, email: str,
    password: str, code: str | None, client: str,
) -> SignedIn:  # fmt: skip
    """Throttled per address and per client: failures slow down, then lock (see throttle)."""
    require(email_errors(email) + entry_errors(password, "password") + entry_errors(code, "code"))
    account_key, client_key = f"account:{normalise_email(email)}", f"client:{client}"
    async with CHECKS.turn(account_key), db() as session:
        await throttle.refuse_if_locked(session, [account_key, client_key], datetime.now(UTC))
        account = await account_by_email(session, email)
        matches = await password_matches(account.password_hash if account else "", password)
        if account is not None and matches:
            if account.totp_enabled_at is not None and not code:
                raise SecondFactorRequired("Enter the code from your authenticator app.")
            if account.totp_enabled_at is None or await second_factor_matches(
                session, account, code or ""
            ):
                if not account.active:
                    raise NotAuthenticated("This account is not active; ask the programme team.")
                await throttle.forget(session, account_key)
                await session.commit()
                setup = two_factor_required(account, settings) and account.totp_enabled_at is None
                return SignedIn(account, setup_only=setup)
        wait = await record_sign_in_failure(session, settings, account_key, client_key)
        await session.commit()
    if wait.lock_seconds:
        raise throttle.too_many(wait.lock_seconds)
    await asyncio.sleep(wait.delay_seconds)
    if matches:  # the password was right, the second factor was not
        raise SecondFactorRequired("The code is not valid; try the next one or a recovery code.")
    raise NotAuthenticated(WRONG_CREDENTIALS)


async def record_sign_in_failure(
    session: AsyncSession, settings: GatewaySettings, account_key: str, client_key: str
) -> throttle.Verdict:
    now = datetime.now(UTC)
    window = timedelta(seconds=settings.signin_window_seconds)
    failures = await throttle.count(session, account_key, now, window)
    verdict = throttle.sign_in_verdict(
        failures, delay_base=settings.signin_delay_seconds, lock_seconds=settings.lock_seconds
    )
    client_failures = await throttle.count(session, client_key, now, window)
    client = throttle.count_verdict(
        client_failures, limit=settings.client_lock_failures, lock_seconds=settings.lock_seconds
    )
    for key, each in ((account_key, verdict), (client_key, client)):
        if each.lock_seconds:
            await throttle.lock(session, key, now + timedelta(seconds=each.lock_seconds))
    return verdict if verdict.lock_seconds or not client.lock_seconds else client


async def throttled_check(
    db: async_sessionmaker[AsyncSession], settings: GatewaySettings, email: str, client: str,
    check: Callable[[AsyncSession], Awaitable[bool]],
) -> bool:  # fmt: skip
    """A secret a signed-in person enters again (the current password, a code) counts against
    the limits of signing in, so a stolen token cannot guess it: failures slow down, then
    lock. Failures are committed in their own transaction, whatever the caller does next."""
    keys = [f"account:{normalise_email(email)}", f"client:{client}"]
    async with CHECKS.turn(keys[0]), db() as session:
        await throttle.refuse_if_locked(session, keys, datetime.now(UTC))
        if await check(session):
            await session.commit()
            return True
        wait = await record_sign_in_failure(session, settings, *keys)
        await session.commit()
    if wait.lock_seconds:
        raise throttle.too_many(wait.lock_seconds)
    await asyncio.sleep(wait.delay_seconds)
    return False
