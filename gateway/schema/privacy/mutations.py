"""Erasure on request: the applicant erases their own account and data, with their password
(counted like a sign-in). The team's `deleteAccount` does the same for a written request.
The data archive is `GET /me/archive.zip` (gateway/archive.py): files stream, not one string."""

from __future__ import annotations

import strawberry

from gateway.accounts import erasure
from gateway.schema.accounts.mutations import answer, my_account
from gateway.schema.context import Info
from gateway.schema.permissions import SignedIn, allow
from gateway.schema.privacy.types import AccountErased, EraseResult

ERASED_MESSAGE = (
    "Your account and personal data are erased: your name, e-mail address, organisation, "
    "answers and files are gone from the portal. Kept without your name: the scores and "
    "decisions of applications already decided, and the audit record of what was done. "
    "You are signed out."
)


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description="Erases the signed-in person's account and personal data in every service "
        "(applications whose results are not published yet are withdrawn first); scores, "
        "decisions and audit facts stay, without the name. Needs the password; failures "
        "count like sign-in failures (TooManyAttempts).",
        extensions=[allow(SignedIn)],
    )
    async def erase_my_account(self, info: Info, password: str) -> EraseResult:
        ctx = info.context

        async def run() -> AccountErased:
            async with ctx.db() as session:
                row = await my_account(info, session)
                await erasure.erase_own(ctx.db, ctx.settings, session, row, password, ctx.client)
                await session.commit()
            return AccountErased(message=ERASED_MESSAGE)

        return await answer(run)
