"""What notify consumes: people from the gateway, calls from the registry, applications from
intake, assignments and outcomes from review. Each use case keeps its copy up to date and
writes its mail in the consumer's transaction, once per recipient per event (the event id is
the cause), so a redelivered event sends nothing twice. An event that names someone or
something whose own event has not arrived yet raises `NotReadyYet`: the consumer offers it
again later. Notify publishes nothing."""

from __future__ import annotations

from functools import partial

from services.notify.usecases import accounts as people
from services.notify.usecases import applications, assignments, calls, erasure
from services.notify.writer import MailWriter
from shared.consumer import Handler
from shared.contracts import accounts, intake, registry, review
from shared.events import EventContract


def consumer_handlers(writer: MailWriter) -> dict[type[EventContract], Handler]:
    """What notify consumes; shared.web runs them as one durable consumer named "notify"."""
    return {
        accounts.AccountChanged: people.account_changed,
        accounts.LinkIssued: partial(people.link_issued, writer),
        accounts.PasswordChanged: partial(people.password_changed, writer),
        registry.CallPublished: calls.call_published,
        registry.CallClosed: calls.call_closed,
        registry.CallStatusChanged: calls.call_status_changed,
        intake.ApplicationDrafted: applications.drafted,
        intake.ApplicationSubmitted: partial(applications.submitted, writer),
        intake.ApplicationResubmitted: partial(applications.submitted, writer),
        intake.ApplicationWithdrawn: applications.withdrawn,
        review.AssignmentMade: partial(assignments.assignment_made, writer),
        review.AssignmentMovedAway: partial(assignments.moved_away, writer),
        review.EvaluationSubmitted: assignments.evaluation_submitted,
        review.OutcomePublished: partial(applications.outcome, writer),
        accounts.AccountErased: erasure.account_erased,
        intake.ApplicationAnonymised: erasure.application_anonymised,
    }
