"""Accounts: sign up (applicants), sign in, the programme team creates staff accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from gateway import auth
from gateway.models import Account as AccountRow
from gateway.schema.context import Info
from gateway.schema.errors import Forbidden, NotAuthenticated, ValidationErrors, typed_error
from shared.errors import DomainError
from shared.errors import Forbidden as ForbiddenError
from shared.identity import Role as DomainRole

strawberry.enum(DomainRole, name="Role")


@strawberry.type
class Account:
    id: strawberry.ID
    email: str
    display_name: str
    role: DomainRole
    hub: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: AccountRow) -> Account:
        return cls(
            id=strawberry.ID(str(row.id)), email=row.email, display_name=row.display_name,
            role=DomainRole(row.role), hub=row.hub, created_at=row.created_at,
        )  # fmt: skip


@strawberry.type(description="Send `token` as `Authorization: Bearer <token>`.")
class AuthPayload:
    token: str
    account: Account


@strawberry.input
class SignUpInput:
    email: str
    password: str
    display_name: str


@strawberry.input
class AccountInput:
    email: str
    password: str
    display_name: str
    role: DomainRole
    hub: str | None = None


AuthResult = Annotated[
    AuthPayload | ValidationErrors | NotAuthenticated, strawberry.union("AuthResult")
]
AccountResult = Annotated[
    Account | ValidationErrors | Forbidden | NotAuthenticated, strawberry.union("AccountResult")
]


def payload(info: Info, row: AccountRow) -> AuthPayload:
    settings = info.context.settings
    token = auth.issue_access_token(
        auth.identity_of(row), settings.jwt_secret, settings.access_token_minutes
    )
    return AuthPayload(token=token, account=Account.of(row))


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in account, or null.")
    async def me(self, info: Info) -> Account | None:
        account_id = info.context.identity.account_id
        if account_id is None:
            return None
        async with info.context.db() as session:
            row = await session.get(AccountRow, uuid.UUID(account_id))
        return Account.of(row) if row else None


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Anyone can sign up; new accounts are applicants.")
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthResult:
        try:
            async with info.context.db() as session:
                row = await auth.create_account(
                    session, email=input.email, password=input.password,
                    display_name=input.display_name, role=DomainRole.APPLICANT,
                )  # fmt: skip
                await session.commit()
        except DomainError as exc:
            return typed_error(exc)  # type: ignore[return-value]
        return payload(info, row)

    @strawberry.mutation
    async def sign_in(self, info: Info, email: str, password: str) -> AuthResult:
        try:
            async with info.context.db() as session:
                row = await auth.authenticate(session, email, password)
        except DomainError as exc:
            return typed_error(exc)  # type: ignore[return-value]
        return payload(info, row)

    @strawberry.mutation(
        description="The programme team creates evaluator, hub manager and admin accounts."
    )
    async def create_account(self, info: Info, input: AccountInput) -> AccountResult:
        try:
            identity = info.context.identity
            identity.require_signed_in()
            if not identity.is_admin:
                raise ForbiddenError("Only the programme team may create accounts.")
            async with info.context.db() as session:
                row = await auth.create_account(
                    session, email=input.email, password=input.password,
                    display_name=input.display_name, role=input.role,
                    hub=input.hub,
                )  # fmt: skip
                await session.commit()
        except DomainError as exc:
            return typed_error(exc)  # type: ignore[return-value]
        return Account.of(row)
