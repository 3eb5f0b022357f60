"""Accounts read: the signed-in person, an invitation's addressee, the team's account list."""

from __future__ import annotations

import uuid

import strawberry

from gateway import auth, links
from gateway.accounts.rows import team_page
from gateway.models import Account as AccountRow
from gateway.schema.accounts.mutations import answer
from gateway.schema.accounts.types import (
    Account,
    InvitationDetails,
    InvitationLinkResult,
    PasswordResetLink,
    PasswordResetLinkResult,
    account_of,
)
from gateway.schema.context import Info
from gateway.schema.permissions import Admin, SignedIn, quiet, refuse
from shared.contracts.accounts import LinkPurpose
from shared.errors import page_errors, require
from shared.identity import Role


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in account, or null.", extensions=[quiet(SignedIn)])
    async def me(self, info: Info) -> Account | None:
        account_id = info.context.identity.require_signed_in()
        async with info.context.db() as session:
            row = await session.get(AccountRow, uuid.UUID(account_id))
        return account_of(row, info.context.settings) if row else None

    @strawberry.field(description="Whom an invitation link is for; the link stays unused.")
    async def invitation(self, info: Info, token: str) -> InvitationLinkResult:
        async def details() -> InvitationDetails:
            async with info.context.db() as session:
                row = await links.peek_link(session, token, LinkPurpose.INVITATION)
            return InvitationDetails(email=row.email, display_name=row.display_name, role=row.role)

        return await answer(details)

    @strawberry.field(
        description="Whose password a reset link changes; the link stays unused (a used or"
        " expired one is refused before its page asks for a password)."
    )
    async def password_reset_link(self, info: Info, token: str) -> PasswordResetLinkResult:
        async def details() -> PasswordResetLink:
            async with info.context.db() as session:
                row = await links.peek_link(session, token, LinkPurpose.RESET_PASSWORD)
            return PasswordResetLink(email=row.email)

        return await answer(details)

    # Refused with an error (forbidden), not []: an empty list would read as "no accounts".
    @strawberry.field(
        description="Every account, newest first (programme team).",
        extensions=[refuse(SignedIn, Admin)],
    )
    async def accounts(
        self, info: Info, role: Role | None = None, search: str | None = None,
        first: int = 50, offset: int = 0,
    ) -> list[Account]:  # fmt: skip
        require(page_errors(first, offset))
        require(auth.entry_errors(search, "search"))
        async with info.context.db() as session:
            rows = await team_page(session, role, search, first, offset)
        return [account_of(row, info.context.settings) for row in rows]
