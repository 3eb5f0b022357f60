"""Reminders and digests that no event causes, only time: draft reminders 72 h and 24 h before a
call closes, evaluation reminders before the evaluation deadline, the team's daily digest.

Every replica may look at the same moment: each mail's cause key (`draft_reminder_72h:<id>`,
`evaluation_reminder:<call>:<evaluator>`, `daily_digest:<call>:<date>`) is unique per
recipient, so whoever inserts second inserts nothing."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notify.domain.messages import Instant
from services.notify.domain.schedule import (
    digest_date,
    draft_reminder_due,
    evaluation_reminder_due,
)
from services.notify.mail import MailWriter, Recipient, receives
from services.notify.models import ApplicationCopy, AssignmentCopy, CallCopy, Person
from shared.api.registry import CallStatus

log = logging.getLogger(__name__)

DRAFT_WINDOW = timedelta(hours=72)
EVALUATION_WINDOW = timedelta(hours=48)
OPEN = CallStatus.PUBLISHED.value


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
    rows = await session.execute(
        select(ApplicationCopy, CallCopy, Person)
        .join(CallCopy, CallCopy.call_id == ApplicationCopy.call_id)
        .join(Person, Person.account_id == ApplicationCopy.applicant_id)
        .where(
            ~ApplicationCopy.submitted,
            ~ApplicationCopy.withdrawn,
            CallCopy.terms_known,
            CallCopy.status == OPEN,
            CallCopy.closes_at > now,
            CallCopy.closes_at <= now + DRAFT_WINDOW,
        )
        .order_by(ApplicationCopy.application_id)
    )
    queued = 0
    for app, call, person in rows:
        assert call.closes_at is not None
        kind = draft_reminder_due(call.closes_at, now)
        if kind is None or not receives(person, kind):
            continue
        context = {
            "call_title": call.title, "closes_at": Instant(call.closes_at, call.timezone),
            "link": writer.link(f"apply/{call.call_id}"),
        }  # fmt: skip
        cause = f"{kind}:{app.application_id}"
        queued += await writer.queue(session, Recipient.of(person), kind, cause, context)
    return queued


async def evaluation_reminders(session: AsyncSession, writer: MailWriter, now: datetime) -> int:
    """One reminder per evaluator and call, counting the work not submitted."""
    rows = await session.execute(
        select(AssignmentCopy.evaluator_id, CallCopy, func.count())
        .join(CallCopy, CallCopy.call_id == AssignmentCopy.call_id)
        .where(
            AssignmentCopy.active,
            ~AssignmentCopy.submitted,
            CallCopy.terms_known,
            CallCopy.evaluation_deadline > now,
            CallCopy.evaluation_deadline <= now + EVALUATION_WINDOW,
        )
        .group_by(AssignmentCopy.evaluator_id, CallCopy.call_id)
        .order_by(CallCopy.call_id, AssignmentCopy.evaluator_id)
    )
    queued = 0
    for evaluator_id, call, count in rows:
        assert call.evaluation_deadline is not None
        person = await session.get(Person, evaluator_id)
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
    calls = (
        await session.scalars(
            select(CallCopy)
            .where(
                CallCopy.terms_known,
                CallCopy.status == OPEN,
                CallCopy.opens_at <= now,
                CallCopy.closes_at > now,
            )
            .order_by(CallCopy.call_id)
        )
    ).all()
    queued = 0
    for call in calls:
        date = digest_date(now, call.timezone)
        if date is None:
            continue
        team = await digest_readers(session, call)
        if not team:
            continue
        counts = await application_counts(session, call.call_id)
        assert call.closes_at is not None
        context = {
            "call_title": call.title, "date": date, "submitted": counts["submitted"],
            "drafts": counts["drafts"], "closes_at": Instant(call.closes_at, call.timezone),
            "link": writer.link(f"team/{call.call_id}"),
        }  # fmt: skip
        cause = f"daily_digest:{call.call_id}:{date}"
        for person in team:
            queued += await writer.queue(
                session, Recipient.of(person), "daily_digest", cause, context
            )
    return queued


async def digest_readers(session: AsyncSession, call: CallCopy) -> list[Person]:
    people = await session.scalars(
        select(Person)
        .where(
            Person.active,
            Person.daily_digest,
            or_(
                Person.role == "admin",
                (Person.role == "hub_manager") & Person.hub.in_(call.hubs or [call.hub]),
            ),
        )
        .order_by(Person.account_id)
    )
    return list(people)


async def application_counts(session: AsyncSession, call_id: str) -> dict[str, int]:
    rows = await session.execute(
        select(ApplicationCopy.submitted, func.count())
        .where(ApplicationCopy.call_id == call_id, ~ApplicationCopy.withdrawn)
        .group_by(ApplicationCopy.submitted)
    )
    counts: dict[str, int] = defaultdict(int)
    for submitted, count in rows:
        counts["submitted" if submitted else "drafts"] += count
    return counts
