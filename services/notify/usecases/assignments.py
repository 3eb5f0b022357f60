"""Assignments, from review's events: which evaluator holds which application and whether
their work is in, and the mail that tells an evaluator of a new or a moved assignment."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import queries
from services.notify.domain.messages import Instant
from services.notify.domain.preferences import receives
from services.notify.models import AssignmentCopy
from services.notify.usecases.calls import known_call
from services.notify.writer import MailWriter, Recipient
from shared.consumer import NotReadyYet
from shared.contracts import review
from shared.events import Envelope


async def assignment_copy(session: AsyncSession, event: review.AssignmentFacts) -> AssignmentCopy:
    return await queries.locked_assignment(session, event.assignment_id, {
        "application_id": event.application_id, "call_id": event.call_id,
        "evaluator_id": event.evaluator_id, "application_title": event.application_title,
    })  # fmt: skip


async def evaluation_submitted(
    session: AsyncSession, _: Envelope, event: review.EvaluationSubmitted
) -> None:
    row = await assignment_copy(session, event)
    row.submitted = True


async def tell_evaluator(
    writer: MailWriter, session: AsyncSession, envelope: Envelope,
    event: review.AssignmentFacts, kind: str, context: dict[str, Any],
) -> None:  # fmt: skip
    call = await known_call(session, event.call_id)
    person = await queries.person(session, event.evaluator_id)
    if person is None:
        raise NotReadyYet(f"person {event.evaluator_id}")
    if not receives(person, kind):
        return
    await writer.queue(session, Recipient.of(person), kind, envelope.id, {
        "call_title": call.title, "application_title": event.application_title, **context,
    })  # fmt: skip


async def assignment_made(
    writer: MailWriter, session: AsyncSession, envelope: Envelope, event: review.AssignmentMade
) -> None:
    row = await assignment_copy(session, event)
    row.active, row.due_at, row.application_title = True, event.due_at, event.application_title
    await tell_evaluator(writer, session, envelope, event, "evaluation_assigned", {
        "due_at": Instant(event.due_at, event.call_timezone) if event.due_at else None,
        "link": writer.link("evaluate"),
    })  # fmt: skip


async def moved_away(
    writer: MailWriter, session: AsyncSession, envelope: Envelope,
    event: review.AssignmentMovedAway,
) -> None:  # fmt: skip
    row = await assignment_copy(session, event)
    row.active = False
    await tell_evaluator(writer, session, envelope, event, "assignment_moved_away", {})
