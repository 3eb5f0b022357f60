"""Reminders and digests that no event causes, only time: draft reminders 72 h and 24 h before a
call closes, evaluation reminders before the evaluation deadline, the team's daily digest.

Every replica may look at the same moment: each mail's cause key (`draft_reminder_72h:<id>`,
`evaluation_reminder:<call>:<evaluator>`, `daily_digest:<call>:<date>`) is unique per
recipient, so whoever inserts second inserts nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notify import queries
from services.notify.domain.messages import Instant
from services.notify.domain.preferences import receives
from services.notify.domain.schedule import (
    digest_date,
    draft_reminder_due,
    evaluation_reminder_due,
)
from services.notify.writer import MailWriter, Recipient

DRAFT_WINDOW = timedelta(hours=72)
EVALUATION_WINDOW = timedelta(hours=48)


async def send_due_reminders(
    session_factory: async_sessionmaker[AsyncSession], writer: MailWriter, now: datetime
) -> int:
    """Queue every reminder and digest due at `now`; returns how many mails are new."""
    queued = 0
    for step in (draft_reminders, evaluation_reminders, daily_digests):
        async with session_factory() as session, session.begin():
            queued += await step(session, writer, now)
    return queued


async def draft_reminders(session: AsyncSession, writer: MailWriter, now: datetime) -> int:
    queued = 0
    for call in await queries.open_calls(session, now, DRAFT_WINDOW):
        assert call.closes_at is not None
        kind = draft_reminder_due(call.closes_at, now)
        if kind is None:
            continue
        context = {
            "call_title": call.title, "closes_at": Instant(call.closes_at, call.timezone),
            "link": writer.link(f"apply/{call.call_id}"),
        }  # fmt: skip
        for application_id, person in await queries.drafts_not_reminded(
            session, call.call_id, kind
        ):
            if receives(person, kind):
                cause = f"{kind}:{application_id}"
                queued += await writer.queue(session, Recipient.of(person), kind, cause, context)
    return queued


async def evaluation_reminders(session: AsyncSession, writer: MailWriter, now: datetime) -> int:
    """One reminder per evaluator and call, counting the work not submitted."""
    queued = 0
    for evaluator_id, call, count in await queries.evaluations_due(session, now, EVALUATION_WINDOW):
        assert call.evaluation_deadline is not None
        person = await queries.person(session, evaluator_id)
        due = evaluation_reminder_due(call.evaluation_deadline, now)
        if not due or person is None or not receives(person, "evaluation_reminder"):
            continue
        context = {
            "call_title": call.title, "count": count,
            "due_at": Instant(call.evaluation_deadline, call.timezone),
            "link": writer.link("evaluate"),
        }  # fmt: skip
        cause = f"evaluation_reminder:{call.call_id}:{evaluator_id}"
        queued += await writer.queue(
            session, Recipient.of(person), "evaluation_reminder", cause, context
        )
    return queued


async def daily_digests(session: AsyncSession, writer: MailWriter, now: datetime) -> int:
    """Per open call, once a call-local day: its opted-in admins and hub managers."""
    queued = 0
    for call in await queries.open_calls(session, now):
        date = digest_date(now, call.timezone)
        if date is None:
            continue
        team = await queries.digest_readers(session, call)
        if not team:
            continue
        submitted, drafts = await queries.application_counts(session, call.call_id)
        assert call.closes_at is not None
        # The layout's words for the counts, as keywords: neither is a status.
        context = dict(
            call_title=call.title, date=date, submitted=submitted, drafts=drafts,
            closes_at=Instant(call.closes_at, call.timezone), link=writer.link(f"team/{call.call_id}"),
        )  # fmt: skip
        cause = f"daily_digest:{call.call_id}:{date}"
        for person in team:
            queued += await writer.queue(
                session, Recipient.of(person), "daily_digest", cause, context
            )
    return queued
