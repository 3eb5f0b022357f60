"""A call's evaluator pool and the team's hand on its assignments: who may join a pool, why
an application is short, which moves are refused, what an application is called and how
evaluators are named where they must stay anonymous.

A manual move obeys the same hard rules as the automatic assignment (domain/assignments.py):
never a conflicted evaluator or one from the applicant's organisation, never over the call's
capacity, never one outside the pool; and a submitted evaluation stays where it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from services.review.domain.assignments import Applicant, Candidate, organisation_tie
from shared.api.registry import Form
from shared.call_status import CallStatus
from shared.errors import Conflict, DomainError, FieldError, ValidationFailed

MAX_CAPACITY = 1000


def pool_member_errors(*, known: bool, active: bool, capacity: int, load: int) -> list[FieldError]:
    """`load`: the assignments the evaluator already holds in this call."""
    errors = []
    if not known:
        errors.append(FieldError("accountId", "is not an invited evaluator"))
    elif not active:
        errors.append(FieldError("accountId", "was removed from the programme; invite them again"))
    if not 1 <= capacity <= MAX_CAPACITY:
        errors.append(FieldError("capacity", f"must be between 1 and {MAX_CAPACITY}"))
    elif capacity < load:
        errors.append(FieldError("capacity", f"must be at least {load}: the assignments they "
                                             "already hold in this call"))  # fmt: skip
    return errors


def conflict_reason(
    evaluator: Candidate, app: Applicant, declared: dict[tuple[str, str], str]
) -> str | None:
    """Why `evaluator` may not evaluate `app`, or None. `declared` maps (application,
    evaluator) to the reason the evaluator gave."""
    if (app.id, evaluator.id) in declared:
        return declared_reason(declared[app.id, evaluator.id])
    return organisation_tie(evaluator, app)


def declared_reason(given: str) -> str:
    given = given.strip()
    return f"declared a conflict: {given}" if given else "declared a conflict"


class MoveTarget(msgspec.Struct, frozen=True, kw_only=True):
    """The evaluator an assignment would move to, as the call sees them."""

    name: str
    candidate: Candidate | None  # None: not in the call's pool (or removed from the programme)
    load: int  # their active assignments in this call


def move_refusal(
    *, submitted: bool, target: MoveTarget, app: Applicant, holders: Iterable[str],
    declared: dict[tuple[str, str], str],
) -> DomainError | None:  # fmt: skip
    """Why the move is refused (to raise), or None. `holders`: the evaluators the application
    has now (the one it moves from among them)."""
    if submitted:
        return Conflict("This evaluation is submitted and locked: it stays with its evaluator.")
    who = target.name
    candidate = target.candidate
    if candidate is None:
        return refused(f"{who} is not in this call's pool.")
    if candidate.id in set(holders):
        return refused(f"{who} is already assigned to this application.")
    why = conflict_reason(candidate, app, declared)
    if why is not None:
        return refused(f"{who} may not evaluate this application: {why}.")
    if target.load >= candidate.capacity:
        return refused(f"{who} is at capacity for this call ({target.load} of "
                       f"{candidate.capacity}).")  # fmt: skip
    return None


def refused(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("toEvaluator", message)], message)


def application_title(form: Form, answers: Mapping[str, object], application_id: str) -> str:
    """The form's title answer, else a name made of the id (never empty)."""
    return form.title_of(answers) or f"Application {application_id[:8]}"


def anonymous_labels(count: int) -> list[str]:
    """How evaluators are named where they must not be known: by their place in a stable order."""
    return [f"Evaluator {i + 1}" for i in range(count)]


def published_refusal(published: bool) -> str | None:
    """Once a call's results are out, nothing about its evaluation changes."""
    return (
        "The results of this call are published: its evaluation is closed." if published else None
    )


def assign_refusal(status: CallStatus) -> str | None:
    if status in (CallStatus.CLOSED, CallStatus.IN_EVALUATION):
        return None
    if status is CallStatus.RESULTS_PUBLISHED:  # found probing: it said "once ... closed"
        return published_refusal(True)
    return "Evaluators are assigned once the call has closed."


def repair_refusal(status: CallStatus) -> str | None:
    if status is CallStatus.IN_EVALUATION:
        return None
    return "Nothing is assigned yet: assign evaluators once the call has closed."


def dropped_reason(*, conflicted: bool) -> str:
    """Why an active, unsubmitted assignment is dropped before assignment runs again."""
    return "conflict declared" if conflicted else "evaluator removed"
