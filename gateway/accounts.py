"""What happens to a person's account: sign-up, confirmation, sign-in (throttled, with a second
factor), reset, invitations, revocation, preferences, disabling and deletion. Each change is
announced (AccountChanged, LinkIssued, PasswordChanged) in the transaction that makes it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import links, throttle
from gateway.auth import (
    CONTROL_CHARACTERS,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    HUB_CODES,
    email_errors,
    entry_errors,
    hash_password,
    normalise_email,
    password_matches,
)
from gateway.config import GatewaySettings
from gateway.models import Account, AccountLink, OutboxEvent, RecoveryCode, SignInThrottle
from gateway.passwords import password_problem
from gateway.twofactor import second_factor_matches
from shared.contracts.accounts import (
    AccountChanged,
    AccountErased,
    LinkIssued,
    LinkPurpose,
    PasswordChanged,
)
from shared.erasure import forget_published_events
from shared.errors import (
    FieldError,
    Forbidden,
    NotAuthenticated,
    SecondFactorRequired,
    ValidationFailed,
    require,
)
from shared.identity import Role
from shared.outbox import record_event
from shared.programme import LANGUAGES

WRONG_CREDENTIALS = "The e-mail or the password is wrong."
CHECK_MAILBOX = "Check your mailbox: we have sent you a message with the next step."


def password_errors(
    password: str, *, email: str, display_name: str, field: str = "password"
) -> list[FieldError]:
    problem = password_problem(password, email=email, display_name=display_name)
    return [FieldError(field, problem)] if problem else []


MAX_NAME_LENGTH = 200  # the column's size


def language_errors(language: str) -> list[FieldError]:
    if language in LANGUAGES:
        return []
    return [FieldError("language", f"choose one of {', '.join(LANGUAGES)}")]


def person_errors(email: str, display_name: str, language: str) -> list[FieldError]:
    errors = email_errors(email) + language_errors(language)
    if not display_name.strip():
        errors.append(FieldError("displayName", "must not be empty"))
    elif len(display_name) > MAX_NAME_LENGTH:
        errors.append(FieldError("displayName", f"use at most {MAX_NAME_LENGTH} characters"))
    elif CONTROL_CHARACTERS.search(display_name):
        errors.append(FieldError("displayName", "must not contain control characters"))
    return errors


def hub_errors(role: Role, hub: str | None) -> list[FieldError]:
    if role is Role.HUB_MANAGER and not hub:
        return [FieldError("hub", "a hub manager needs a hub")]
    if role is Role.HUB_MANAGER and hub not in HUB_CODES:
        return [FieldError("hub", f"there is no hub {hub}; hubs are {', '.join(HUB_CODES)}")]
    return []


def two_factor_required(account: Account, settings: GatewaySettings) -> bool:
    return not settings.is_dev and account.role in (Role.ADMIN.value, Role.HUB_MANAGER.value)


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
        role=role.value, hub=hub if role is Role.HUB_MANAGER else None, language=language,
        email_confirmed_at=datetime.now(UTC) if confirmed else None,
        password_changed_at=datetime.now(UTC) if password is not None else None,
        token_version=1, draft_reminders=True, evaluation_reminders=True, daily_digest=False,
    )  # fmt: skip
    await insert_account(session, account)
    await announce_account(session, account)
    if password is None:
        await links.issue_link(session, account, LinkPurpose.INVITATION, settings)
    return account


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
        verdict = throttle.count_verdict(sent, limit=limit, lock_seconds=3600)
        if verdict.lock_seconds:
            await throttle.lock(session, key, now + timedelta(seconds=verdict.lock_seconds))


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
    async with db() as session:
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


async def set_password(
    session: AsyncSession, account: Account, password: str, *, field: str = "password"
) -> None:
    """A new password ends every earlier sign-in (the token version goes up)."""
    require(password_errors(password, email=account.email, display_name=account.display_name,
                            field=field))  # fmt: skip
    account.password_hash = await hash_password(password)
    account.password_changed_at = datetime.now(UTC)
    account.token_version += 1
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
    await set_password(session, account, password)
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


async def throttled_check(
    db: async_sessionmaker[AsyncSession], settings: GatewaySettings, email: str, client: str,
    check: Callable[[AsyncSession], Awaitable[bool]],
) -> bool:  # fmt: skip
    """A secret a signed-in person enters again (the current password, a code) counts against
    the limits of signing in, so a stolen token cannot guess it: failures slow down, then
    lock. Failures are committed in their own transaction, whatever the caller does next."""
    keys = [f"account:{normalise_email(email)}", f"client:{client}"]
    async with db() as session:
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


def end_every_session(account: Account) -> None:
    account.token_version += 1


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


async def erase_own(
    db: async_sessionmaker[AsyncSession], settings: GatewaySettings, session: AsyncSession,
    account: Account, password: str, client: str,
) -> None:  # fmt: skip
    """The person's own erasure: the password again, counted like a sign-in. Staff accounts
    are closed by another member of the team (deleteAccount), so no one erases the last
    admin, or a hub's manager, by mistake."""
    if account.role in (Role.ADMIN.value, Role.HUB_MANAGER.value):
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
