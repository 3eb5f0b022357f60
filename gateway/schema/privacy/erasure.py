"""Erasure on request: the applicant erases their own account and data, with their password
(counted like a sign-in). The team's `deleteAccount` does the same for a written request."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway import accounts
from gateway.schema.accounts.schema import answer, my_account
from gateway.schema.context import Info
from gateway.schema.errors import (
    Forbidden,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
    ValidationErrors,
)

ERASED_MESSAGE = (
    "Your account and personal data are erased: your name, e-mail address, organisation, "
    "answers and files are gone from the portal. Kept without your name: the scores and "
    "decisions of applications already decided, and the audit record of what was done. "
    "You are signed out."
)


@strawberry.type(description="The account is erased and every token of it refused.")
class AccountErased:
    message: str


EraseResult = Annotated[
    AccountErased | ValidationErrors | Forbidden | NotAuthenticated | NotFound | TooManyAttempts,
    strawberry.union("EraseResult"),
]


@strawberry.type
class ErasureMutation:
    @strawberry.mutation(
        description="Erases the signed-in person's account and personal data in every service "
        "(applications whose results are not published yet are withdrawn first); scores, "
        "decisions and audit facts stay, without the name. Needs the password; failures "
        "count like sign-in failures (TooManyAttempts)."
    )
    async def erase_my_account(self, info: Info, password: str) -> EraseResult:
        ctx = info.context

        async def run() -> AccountErased:
            async with ctx.db() as session:
                row = await my_account(info, session)
                await accounts.erase_own(ctx.db, ctx.settings, session, row, password, ctx.client)
                await session.commit()
            return AccountErased(message=ERASED_MESSAGE)

        return await answer(run)
