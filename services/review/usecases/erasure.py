"""Anonymising review's copies: an application's personal data when intake announces it
anonymised (`ApplicationAnonymised`: erasure or retention) or its applicant erased
(`AccountErased`), and an erased evaluator's own data. Scores, comments on the application,
consensus, moderation and decisions stay: they are the programme's record of its choice."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.models import ApplicationCopy, EvaluatorRow, KnownCall, OutboxEvent
from shared.api.registry import Form
from shared.contracts import accounts, intake, review
from shared.erasure import ERASED, erased_file_name, erased_snapshot, forget_published_events
from shared.events import Envelope

# What review publishes that names an application's title (an answer).
PERSONAL_SUBJECTS = [
    review.AssignmentMade.subject,
    review.AssignmentMovedAway.subject,
    review.EvaluationSubmitted.subject,
]
ERASED_EVALUATOR = "Erased evaluator"


async def anonymise_copy(session: AsyncSession, row: ApplicationCopy) -> None:
    """Applying it twice gives the same row: a redelivered event changes nothing."""
    call = await session.get(KnownCall, row.call_id)
    form = msgspec.convert(call.form if call else {"questions": []}, Form)
    row.applicant_email = None
    row.content = erased_snapshot(form, row.content)
    row.attachments = [
        {**attachment, "file_name": erased_file_name(attachment.get("question_key", "file"), i)}
        for i, attachment in enumerate(row.attachments, start=1)
    ]
    await forget_published_events(session, OutboxEvent, [row.application_id], PERSONAL_SUBJECTS)


async def on_application_anonymised(
    session: AsyncSession, _: Envelope, event: intake.ApplicationAnonymised
) -> None:
    row = await session.get(
        ApplicationCopy, event.application_id, with_for_update=True, populate_existing=True
    )
    if row is not None:  # never submitted: review holds nothing of it
        await anonymise_copy(session, row)


async def on_account_erased(
    session: AsyncSession, _: Envelope, event: accounts.AccountErased
) -> None:
    for row in await queries.copies_of_applicant(session, event.account_id, lock=True):
        await anonymise_copy(session, row)
    evaluator = await session.get(EvaluatorRow, event.account_id, with_for_update=True)
    if evaluator is not None:
        # Out of every pool's future work; their submitted evaluations stay, unnamed.
        evaluator.name, evaluator.organisation = ERASED_EVALUATOR, ""
        evaluator.email = f"erased-{event.account_id}@erased.invalid"
        evaluator.active = False
        await queries.erase_conflict_reasons(session, event.account_id, ERASED)
