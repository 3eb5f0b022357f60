"""Accounts changed: sign-up with a confirmation mail, throttled sign-in with a second factor,
reset and invitation links, revocation, preferences; the programme team manages staff
accounts. Signed-in and team-only mutations are guarded by permission classes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import auth, twofactor
from gateway.accounts import creation, credentials, rules, signin, signup, team
from gateway.accounts.rows import account_for_update, announce_account
from gateway.models import Account as AccountRow
from gateway.schema.accounts.inputs import AccountInput, PreferencesInput, SignUpInput
from gateway.schema.accounts.types import (
    Account,
    AccountResult,
    AuthPayload,
    AuthResult,
    ConfirmEmailResult,
    EmailConfirmed,
    MailQueued,
    MailResult,
    PasswordResetDone,
    PasswordResetResult,
    RecoveryCodes,
    RecoveryCodesResult,
    SignedOut,
    SignOutResult,
    SignUpAccepted,
    SignUpResult,
    TwoFactorSetup,
    TwoFactorSetupResult,
    account_of,
)
from gateway.schema.context import Info
from gateway.schema.errors import typed_error
from gateway.schema.permissions import Admin, SignedIn, allow
from shared.errors import DomainError, FieldError, Forbidden, ValidationFailed, require


async def answer(action: Callable[[], Awaitable[Any]]) -> Any:
    """Expected failures become typed results."""
    try:
        return await action()
    except DomainError as exc:
        return typed_error(exc)


def payload(info: Info, row: AccountRow, *, setup_only: bool = False) -> AuthPayload:
    settings = info.context.settings
    token = auth.issue_access_token(
        auth.identity_of(row), settings.jwt_secret, settings.access_token_minutes,
        version=row.token_version, setup_only=setup_only,
    )  # fmt: skip
    return AuthPayload(token=token, account=account_of(row, settings))


def signed_in_payload(info: Info, row: AccountRow) -> AuthPayload:
    """A full token, or a setup-only one for staff still without a second factor."""
    setup = rules.two_factor_required(row, info.context.settings) and not row.totp_enabled_at
    return payload(info, row, setup_only=setup)


async def my_account(info: Info, session: AsyncSession) -> AccountRow:
    """The signed-in person's row (the field's SignedIn permission let them in)."""
    return await account_for_update(session, info.context.identity.require_signed_in())


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Anyone can sign up (as an applicant). The answer is the same whether or not "
        "the address has an account; the mailbox gets the next step. Then sign in."
    )
    async def sign_up(self, info: Info, input: SignUpInput) -> SignUpResult:
        ctx = info.context

        async def run() -> SignUpAccepted:
            async with ctx.db() as session:
                await signup.sign_up(
                    session, ctx.settings, email=input.email, password=input.password,
                    display_name=input.display_name, language=input.language, client=ctx.client,
                )  # fmt: skip
                await session.commit()
            email = auth.normalise_email(input.email)
            return SignUpAccepted(message=signup.CHECK_MAILBOX, email=email)

        return await answer(run)

    @strawberry.mutation(
        description="`code`: the authenticator's code or a recovery code, when the account has "
        "a second factor. Repeated failures slow down and then lock (TooManyAttempts)."
    )
    async def sign_in(
        self, info: Info, email: str, password: str, code: str | None = None
    ) -> AuthResult:
        ctx = info.context

        async def run() -> AuthPayload:
            done = await signin.sign_in(
                ctx.db, ctx.settings, email=email, password=password, code=code, client=ctx.client
            )
            return payload(info, done.account, setup_only=done.setup_only)

        return await answer(run)

    @strawberry.mutation(description="Uses up the e-mailed confirmation link.")
    async def confirm_email(self, info: Info, token: str) -> ConfirmEmailResult:
        async def run() -> EmailConfirmed:
            async with info.context.db() as session:
                row = await signup.confirm_email(session, token)
                await session.commit()
            return EmailConfirmed(message="Your e-mail address is confirmed.", email=row.email)

        return await answer(run)

    @strawberry.mutation(
        description="A new confirmation link for the signed-in account.",
        extensions=[allow(SignedIn)],
    )
    async def resend_confirmation(self, info: Info) -> MailResult:
        ctx = info.context

        async def run() -> MailQueued:
            async with ctx.db() as session:
                row = await my_account(info, session)
                await signup.resend_confirmation(session, ctx.settings, row, ctx.client)
                await session.commit()
            return MailQueued(message=signup.CHECK_MAILBOX)

        return await answer(run)

    @strawberry.mutation(description="The same answer whether or not the address has an account.")
    async def request_password_reset(self, info: Info, email: str) -> MailResult:
        ctx = info.context

        async def run() -> MailQueued:
            async with ctx.db() as session:
                await signup.request_password_reset(session, ctx.settings, email, ctx.client)
                await session.commit()
            return MailQueued(message=signup.CHECK_MAILBOX)

        return await answer(run)

    @strawberry.mutation(description="Sets a new password and ends every earlier sign-in.")
    async def reset_password(self, info: Info, token: str, password: str) -> PasswordResetResult:
        async def run() -> PasswordResetDone:
            async with info.context.db() as session:
                row = await credentials.reset_password(session, token, password)
                await session.commit()
            return PasswordResetDone(
                message="Your password is changed; sign in with it.", email=row.email
            )

        return await answer(run)

    @strawberry.mutation(description="Sets the invited person's password and signs them in.")
    async def accept_invitation(self, info: Info, token: str, password: str) -> AuthResult:
        async def run() -> AuthPayload:
            async with info.context.db() as session:
                row = await credentials.accept_invitation(session, token, password)
                await session.commit()
            return signed_in_payload(info, row)

        return await answer(run)

    @strawberry.mutation(
        description="A new token; every earlier token is refused from now on.",
        extensions=[allow(SignedIn)],
    )
    async def change_password(
        self, info: Info, current_password: str, new_password: str
    ) -> AuthResult:
        async def run() -> AuthPayload:
            async with info.context.db() as session:
                row = await my_account(info, session)
                await credentials.change_password(
                    info.context.db, info.context.settings, session, row, current_password,
                    new_password, info.context.client,
                )  # fmt: skip
                await session.commit()
            return signed_in_payload(info, row)

        return await answer(run)

    @strawberry.mutation(
        description="Every token of this account is refused from now on.",
        extensions=[allow(SignedIn)],
    )
    async def sign_out_everywhere(self, info: Info) -> SignOutResult:
        async def run() -> SignedOut:
            async with info.context.db() as session:
                rules.end_every_session(await my_account(info, session))
                await session.commit()
            return SignedOut(message="You are signed out on every device.")

        return await answer(run)

    @strawberry.mutation(
        description="The signed-in person's language and optional mails.",
        extensions=[allow(SignedIn)],
    )
    async def update_preferences(self, info: Info, input: PreferencesInput) -> AccountResult:
        async def run() -> Account:
            async with info.context.db() as session:
                row = await my_account(info, session)
                if input.language is not None:
                    require(rules.language_errors(input.language))
                    row.language = input.language
                for name in ("draft_reminders", "evaluation_reminders", "daily_digest"):
                    if getattr(input, name) is not None:
                        setattr(row, name, getattr(input, name))
                await announce_account(session, row)
                await session.commit()
            return account_of(row, info.context.settings)

        return await answer(run)

    @strawberry.mutation(
        description="A new secret for an authenticator app; enableTwoFactor turns it on.",
        extensions=[allow(SignedIn)],
    )
    async def set_up_two_factor(self, info: Info) -> TwoFactorSetupResult:
        async def run() -> TwoFactorSetup:
            async with info.context.db() as session:
                row = await my_account(info, session)
                if row.totp_enabled_at is not None:
                    raise Forbidden("Two-factor sign-in is on already; turn it off first.")
                row.totp_secret = twofactor.new_secret()
                await session.commit()
            uri = twofactor.otpauth_uri(row.totp_secret, row.email)
            return TwoFactorSetup(secret=row.totp_secret, otpauth_uri=uri,
                                  qr_svg=twofactor.qr_svg(uri))  # fmt: skip

        return await answer(run)

    @strawberry.mutation(
        description="Turns the second factor on with a code from the app; returns the recovery "
        "codes (shown once) and a new token: every earlier one is refused from now on.",
        extensions=[allow(SignedIn)],
    )
    async def enable_two_factor(self, info: Info, code: str) -> RecoveryCodesResult:
        async def run() -> RecoveryCodes:
            async with info.context.db() as session:
                row = await my_account(info, session)
                if row.totp_enabled_at is not None:
                    raise Forbidden("Two-factor sign-in is on already.")
                if not await twofactor.take_totp_step(session, row, code):
                    raise ValidationFailed([FieldError("code", "the code is not valid; "
                                                       "enter the app's current code")])  # fmt: skip
                row.totp_enabled_at = datetime.now(UTC)
                rules.end_every_session(row)
                codes = await twofactor.replace_recovery_codes(session, row)
                await session.commit()
            signed = signed_in_payload(info, row)  # a full one: the second factor is shown
            return RecoveryCodes(codes=codes, token=signed.token, account=signed.account)

        return await answer(run)

    @strawberry.mutation(
        description="Turns the second factor off (not where it is required).",
        extensions=[allow(SignedIn)],
    )
    async def disable_two_factor(self, info: Info, code: str) -> AccountResult:
        async def run() -> Account:
            async with info.context.db() as session:
                row = await my_account(info, session)
                if rules.two_factor_required(row, info.context.settings):
                    raise Forbidden("Your role needs two-factor sign-in; it stays on.")
                if row.totp_enabled_at is not None:
                    settings, client = info.context.settings, info.context.client

                    async def code_matches(checking: AsyncSession) -> bool:
                        return await twofactor.second_factor_matches(checking, row, code)

                    if not await signin.throttled_check(
                        info.context.db, settings, row.email, client, code_matches
                    ):
                        raise ValidationFailed([FieldError("code", "the code is not valid")])
                    row.totp_enabled_at = None
                    row.totp_secret = None
                    await session.commit()
            return account_of(row, info.context.settings)

        return await answer(run)

    @strawberry.mutation(
        description="The programme team creates evaluator, hub manager and admin accounts; "
        "the person gets an invitation e-mail to set a password.",
        extensions=[allow(SignedIn, Admin)],
    )
    async def create_account(self, info: Info, input: AccountInput) -> AccountResult:
        async def run() -> Account:
            require(rules.team_made_errors(input.role, input.hub))
            async with info.context.db() as session:
                row = await creation.create_account(
                    session, info.context.settings, email=input.email,
                    display_name=input.display_name, role=input.role, hub=input.hub,
                    language=input.language,
                )  # fmt: skip
                await session.commit()
            return account_of(row, info.context.settings)

        return await answer(run)

    @strawberry.mutation(
        description="Its tokens stop working at once (programme team).",
        extensions=[allow(SignedIn, Admin)],
    )
    async def disable_account(self, info: Info, id: strawberry.ID) -> AccountResult:
        return await admin_change(info, id, lambda s, row, actor: team.disable(s, row, actor))

    @strawberry.mutation(
        description="The person may sign in again (programme team).",
        extensions=[allow(SignedIn, Admin)],
    )
    async def enable_account(self, info: Info, id: strawberry.ID) -> AccountResult:
        return await admin_change(info, id, lambda s, row, _actor: team.enable(s, row))

    @strawberry.mutation(
        description="Erases the person on their written request: their data goes from every "
        "service as with eraseMyAccount (the id stays for the records); their tokens end.",
        extensions=[allow(SignedIn, Admin)],
    )
    async def delete_account(self, info: Info, id: strawberry.ID) -> AccountResult:
        return await admin_change(info, id, lambda s, row, actor: team.delete(s, row, actor))


async def admin_change(
    info: Info, account_id: str,
    change: Callable[[AsyncSession, AccountRow, str], Awaitable[None]],
) -> Any:  # fmt: skip
    async def run() -> Account:
        async with info.context.db() as session:
            row = await account_for_update(session, account_id)
            await change(session, row, info.context.identity.account_id or "")
            await session.commit()
        return account_of(row, info.context.settings)

    return await answer(run)
