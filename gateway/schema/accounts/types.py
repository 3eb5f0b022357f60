"""GraphQL types of accounts: the person, sign-in results, links, preferences, two-factor
(the inputs are in inputs.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway.accounts.rules import two_factor_required
from gateway.config import GatewaySettings
from gateway.models import Account as AccountRow
from gateway.schema.convert import from_contract
from gateway.schema.errors import (
    Forbidden,
    InvalidLink,
    NotAuthenticated,
    NotFound,
    SecondFactorRequired,
    TooManyAttempts,
    ValidationErrors,
)
from shared.identity import Role as DomainRole

strawberry.enum(DomainRole, name="Role")


@strawberry.type(description="Optional notifications; every other mail always goes out.")
class NotificationPreferences:
    draft_reminders: bool = strawberry.field(
        description="Reminders 72 h and 24 h before a call closes, for an unsubmitted draft."
    )
    evaluation_reminders: bool = strawberry.field(
        description="A reminder before the evaluation deadline for work not submitted."
    )
    daily_digest: bool = strawberry.field(
        description="The team's daily digest of each open call (off unless chosen)."
    )


@strawberry.type
class Account:
    id: strawberry.ID
    email: str
    display_name: str
    role: DomainRole
    hub: str | None
    created_at: datetime
    email_confirmed: bool
    language: str
    two_factor_enabled: bool
    two_factor_required: bool = strawberry.field(
        description="Admins and hub managers outside dev mode must sign in with a second factor."
    )
    notifications: NotificationPreferences
    active: bool = strawberry.field(description="False once disabled or deleted.")


def account_of(row: AccountRow, settings: GatewaySettings) -> Account:
    """The row's fields by name; what the row holds as timestamps is told as yes or no."""
    return from_contract(
        Account, row, id=strawberry.ID(str(row.id)),
        email_confirmed=row.email_confirmed_at is not None,
        two_factor_enabled=row.totp_enabled_at is not None,
        two_factor_required=two_factor_required(row, settings),
        notifications=from_contract(NotificationPreferences, row),
    )  # fmt: skip


@strawberry.type(
    description="Send `token` as `Authorization: Bearer <token>`. Staff who must set up a "
    "second factor first get a token that only reads `me` and sets it up."
)
class AuthPayload:
    token: str
    account: Account


@strawberry.type(description="Signed up, or the address has an account: the answer is the same.")
class SignUpAccepted:
    message: str
    email: str


@strawberry.type
class EmailConfirmed:
    message: str
    email: str


@strawberry.type
class MailQueued:
    message: str


@strawberry.type
class PasswordResetDone:
    message: str
    email: str


@strawberry.type(description="Whom an invitation link is for (the link is not used up).")
class InvitationDetails:
    email: str
    display_name: str
    role: DomainRole


@strawberry.type
class PasswordResetLink:
    email: str


@strawberry.type
class SignedOut:
    message: str


@strawberry.type(description="Add the secret to an authenticator app (or scan the QR code).")
class TwoFactorSetup:
    secret: str
    otpauth_uri: str
    qr_svg: str = strawberry.field(description="The otpauth URI as a QR code, an SVG document.")


@strawberry.type(
    description="Two-factor sign-in is on. The codes are shown once: each signs in once instead "
    "of the app's code."
)
class RecoveryCodes:
    codes: list[str]
    token: str = strawberry.field(
        description="The access token from now on: turning the second factor on ends every "
        "earlier sign-in, this one's too (a stolen token must not outlive it)."
    )
    account: Account


AuthResult = Annotated[
    AuthPayload | ValidationErrors | NotAuthenticated | TooManyAttempts | SecondFactorRequired
    | InvalidLink,
    strawberry.union("AuthResult"),
]  # fmt: skip
AccountResult = Annotated[
    Account | ValidationErrors | Forbidden | NotAuthenticated | NotFound | TooManyAttempts,
    strawberry.union("AccountResult"),
]
SignUpResult = Annotated[
    SignUpAccepted | ValidationErrors | TooManyAttempts, strawberry.union("SignUpResult")
]
ConfirmEmailResult = Annotated[EmailConfirmed | InvalidLink, strawberry.union("ConfirmEmailResult")]
MailResult = Annotated[
    MailQueued | ValidationErrors | NotAuthenticated | TooManyAttempts,
    strawberry.union("MailResult"),
]
PasswordResetResult = Annotated[
    PasswordResetDone | InvalidLink | ValidationErrors, strawberry.union("PasswordResetResult")
]
InvitationLinkResult = Annotated[
    InvitationDetails | InvalidLink, strawberry.union("InvitationLinkResult")
]
PasswordResetLinkResult = Annotated[
    PasswordResetLink | InvalidLink, strawberry.union("PasswordResetLinkResult")
]
SignOutResult = Annotated[SignedOut | NotAuthenticated, strawberry.union("SignOutResult")]
TwoFactorSetupResult = Annotated[
    TwoFactorSetup | NotAuthenticated | Forbidden, strawberry.union("TwoFactorSetupResult")
]
RecoveryCodesResult = Annotated[
    RecoveryCodes | ValidationErrors | NotAuthenticated | Forbidden,
    strawberry.union("RecoveryCodesResult"),
]
