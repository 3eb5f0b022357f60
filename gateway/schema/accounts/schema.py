"""Accounts: sign-up with a confirmation mail, throttled sign-in with a second factor, reset and
invitation links, revocation, preferences; the programme team manages staff accounts."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import strawberry
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import accounts, auth, links, twofactor
from gateway.models import Account as AccountRow
from gateway.schema.accounts.types import (
    Account,
    AccountInput,
    AccountResult,
    AuthPayload,
    AuthResult,
    ConfirmEmailResult,
    EmailConfirmed,
    InvitationDetails,
    InvitationLinkResult,
    MailQueued,
    MailResult,
    PasswordResetDone,
    PasswordResetResult,
    PreferencesInput,
    RecoveryCodes,
    RecoveryCodesResult,
    SignedOut,
    SignOutResult,
    SignUpAccepted,
    SignUpInput,
    SignUpResult,
    TwoFactorSetup,
    TwoFactorSetupResult,
)
from gateway.schema.context import Info
from gateway.schema.errors import typed_error
from shared.contracts.accounts import LinkPurpose
from shared.errors import (
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    page_errors,
    require,
)
from shared.identity import Role


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
    return AuthPayload(token=token, account=Account.of(row, info))


def signed_in_payload(info: Info, row: AccountRow) -> AuthPayload:
    """A full token, or a setup-only one for staff still without a second factor."""
    setup = accounts.two_factor_required(row, info.context.settings) and not row.totp_enabled_at
    return payload(info, row, setup_only=setup)


async def my_account(info: Info, session: AsyncSession) -> AccountRow:
    account_id = info.context.identity.require_signed_in()
    row = await session.get(AccountRow, uuid.UUID(account_id), with_for_update=True)
    if row is None:
        raise NotFound("There is no such account.")
    return row


async def account_by_id(info: Info, session: AsyncSession, account_id: str) -> AccountRow:
    info.context.identity.require_admin()
    try:
        row = await session.get(AccountRow, uuid.UUID(account_id), with_for_update=True)
    except ValueError:
        row = None
    if row is None:
        raise NotFound("There is no such account.")
    return row


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in account, or null.")
    async def me(self, info: Info) -> Account | None:
        account_id = info.context.identity.account_id
        if account_id is None:
            return None
        async with info.context.db() as session:
            row = await session.get(AccountRow, uuid.UUID(account_id))
        return Account.of(row, info) if row else None

    @strawberry.field(description="Whom an invitation link is for; the link stays unused.")
    async def invitation(self, info: Info, token: str) -> InvitationLinkResult:
        async def details() -> InvitationDetails:
            async with info.context.db() as session:
                row = await links.peek_link(session, token, LinkPurpose.INVITATION)
            return InvitationDetails(
                email=row.email, display_name=row.display_name, role=Role(row.role)
            )

        return await answer(details)

    @strawberry.field(description="Every account, newest first (programme team).")
    async def accounts(
        self, info: Info, role: Role | None = None, search: str | None = None,
        first: int = 50, offset: int = 0,
    ) -> list[Account]:  # fmt: skip
        info.context.identity.require_admin()
        require(page_errors(first, offset))
        query = select(AccountRow).order_by(AccountRow.created_at.desc(), AccountRow.id)
        if role is not None:
            query = query.where(AccountRow.role == role.value)
        require(auth.entry_errors(search, "search"))
        if search:
            pattern = f"%{escape_like(search.strip())}%"
            query = query.where(or_(AccountRow.email.ilike(pattern, escape="\\"),
                                    AccountRow.display_name.ilike(pattern, escape="\\")))  # fmt: skip
        async with info.context.db() as session:
            rows = (await session.scalars(query.limit(first).offset(offset))).all()
        return [Account.of(row, info) for row in rows]


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
                await accounts.sign_up(
                    session, ctx.settings, email=input.email, password=input.password,
                    display_name=input.display_name, language=input.language, client=ctx.client,
                )  # fmt: skip
                await session.commit()
            email = auth.normalise_email(input.email)
            return SignUpAccepted(message=accounts.CHECK_MAILBOX, email=email)

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
            done = await accounts.sign_in(
                ctx.db, ctx.settings, email=email, password=password, code=code, client=ctx.client
            )
            return payload(info, done.account, setup_only=done.setup_only)

        return await answer(run)

    @strawberry.mutation(description="Uses up the e-mailed confirmation link.")
    async def confirm_email(self, info: Info, token: str) -> ConfirmEmailResult:
        async def run() -> EmailConfirmed:
            async with info.context.db() as session:
                row = await accounts.confirm_email(session, token)
                await session.commit()
            return EmailConfirmed(message="Your e-mail address is confirmed.", email=row.email)

        return await answer(run)

    @strawberry.mutation(description="A new confirmation link for the signed-in account.")
    async def resend_confirmation(self, info: Info) -> MailResult:
        ctx = info.context

        async def run() -> MailQueued:
            async with ctx.db() as session:
                row = await my_account(info, session)
                await accounts.resend_confirmation(session, ctx.settings, row, ctx.client)
                await session.commit()
            return MailQueued(message=accounts.CHECK_MAILBOX)

        return await answer(run)

    @strawberry.mutation(description="The same answer whether or not the address has an account.")
    async def request_password_reset(self, info: Info, email: str) -> MailResult:
        ctx = info.context

        async def run() -> MailQueued:
            async with ctx.db() as session:
                await accounts.request_password_reset(session, ctx.settings, email, ctx.client)
                await session.commit()
            return MailQueued(message=accounts.CHECK_MAILBOX)

        return await answer(run)

    @strawberry.mutation(description="Sets a new password and ends every earlier sign-in.")
    async def reset_password(self, info: Info, token: str, password: str) -> PasswordResetResult:
        async def run() -> PasswordResetDone:
            async with info.context.db() as session:
                row = await accounts.reset_password(session, token, password)
                await session.commit()
            return PasswordResetDone(
                message="Your password is changed; sign in with it.", email=row.email
            )

        return await answer(run)

    @strawberry.mutation(description="Sets the invited person's password and signs them in.")
    async def accept_invitation(self, info: Info, token: str, password: str) -> AuthResult:
        async def run() -> AuthPayload:
            async with info.context.db() as session:
                row = await accounts.accept_invitation(session, token, password)
                await session.commit()
            return signed_in_payload(info, row)

        return await answer(run)

    @strawberry.mutation(description="A new token; every earlier token is refused from now on.")
    async def change_password(
        self, info: Info, current_password: str, new_password: str
    ) -> AuthResult:
        async def run() -> AuthPayload:
            async with info.context.db() as session:
                row = await my_account(info, session)
                await accounts.change_password(
                    info.context.db, info.context.settings, session, row, current_password,
                    new_password, info.context.client,
                )  # fmt: skip
                await session.commit()
            return signed_in_payload(info, row)

        return await answer(run)

    @strawberry.mutation(description="Every token of this account is refused from now on.")
    async def sign_out_everywhere(self, info: Info) -> SignOutResult:
        async def run() -> SignedOut:
            async with info.context.db() as session:
                accounts.end_every_session(await my_account(info, session))
                await session.commit()
            return SignedOut(message="You are signed out on every device.")

        return await answer(run)

    @strawberry.mutation(description="The signed-in person's language and optional mails.")
    async def update_preferences(self, info: Info, input: PreferencesInput) -> AccountResult:
        async def run() -> Account:
            async with info.context.db() as session:
                row = await my_account(info, session)
                if input.language is not None:
                    require(accounts.language_errors(input.language))
                    row.language = input.language
                for name in ("draft_reminders", "evaluation_reminders", "daily_digest"):
                    if getattr(input, name) is not None:
                        setattr(row, name, getattr(input, name))
                await accounts.announce_account(session, row)
                await session.commit()
            return Account.of(row, info)

        return await answer(run)

    @strawberry.mutation(
        description="A new secret for an authenticator app; enableTwoFactor turns it on."
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
        "codes (shown once). Sign in again afterwards."
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
                codes = await twofactor.replace_recovery_codes(session, row)
                await session.commit()
            return RecoveryCodes(codes=codes)

        return await answer(run)

    @strawberry.mutation(description="Turns the second factor off (not where it is required).")
    async def disable_two_factor(self, info: Info, code: str) -> AccountResult:
        async def run() -> Account:
            async with info.context.db() as session:
                row = await my_account(info, session)
                if accounts.two_factor_required(row, info.context.settings):
                    raise Forbidden("Your role needs two-factor sign-in; it stays on.")
                if row.totp_enabled_at is not None:
                    settings, client = info.context.settings, info.context.client

                    async def code_matches(checking: AsyncSession) -> bool:
                        return await twofactor.second_factor_matches(checking, row, code)

                    if not await accounts.throttled_check(
                        info.context.db, settings, row.email, client, code_matches
                    ):
                        raise ValidationFailed([FieldError("code", "the code is not valid")])
                    row.totp_enabled_at = None
                    row.totp_secret = None
                    await session.commit()
            return Account.of(row, info)

        return await answer(run)

    @strawberry.mutation(
        description="The programme team creates evaluator, hub manager and admin accounts; "
        "the person gets an invitation e-mail to set a password."
    )
    async def create_account(self, info: Info, input: AccountInput) -> AccountResult:
        async def run() -> Account:
            identity = info.context.identity
            identity.require_signed_in()
            if not identity.is_admin:
                raise Forbidden("Only the programme team may create accounts.")
            async with info.context.db() as session:
                row = await accounts.create_account(
                    session, info.context.settings, email=input.email,
                    display_name=input.display_name, role=input.role, hub=input.hub,
                    language=input.language,
                )  # fmt: skip
                await session.commit()
            return Account.of(row, info)

        return await answer(run)

    @strawberry.mutation(description="Its tokens stop working at once (programme team).")
    async def disable_account(self, info: Info, id: strawberry.ID) -> AccountResult:
        return await admin_change(info, id, lambda s, row, actor: accounts.disable(s, row, actor))

    @strawberry.mutation(description="The person may sign in again (programme team).")
    async def enable_account(self, info: Info, id: strawberry.ID) -> AccountResult:
        return await admin_change(info, id, lambda s, row, _actor: accounts.enable(s, row))

    @strawberry.mutation(
        description="Erases the person on their written request: their data goes from every "
        "service as with eraseMyAccount (the id stays for the records); their tokens end."
    )
    async def delete_account(self, info: Info, id: strawberry.ID) -> AccountResult:
        return await admin_change(info, id, lambda s, row, actor: accounts.delete(s, row, actor))


async def admin_change(
    info: Info, account_id: str,
    change: Callable[[AsyncSession, AccountRow, str], Awaitable[None]],
) -> Any:  # fmt: skip
    async def run() -> Account:
        async with info.context.db() as session:
            row = await account_by_id(info, session, account_id)
            await change(session, row, info.context.identity.account_id or "")
            await session.commit()
        return Account.of(row, info)

    return await answer(run)
