"""Events the review service publishes."""

from __future__ import annotations

from datetime import datetime

from shared.api.review import Decision
from shared.events import EventContract


class OutcomePublished(EventContract, frozen=True, kw_only=True):
    """One application's result, sent when the team publishes a call's results.
    Carries consensus scores and comments, never who the evaluators were."""

    subject = "portal.review.outcome.published.v1"
    application_id: str
    call_id: str
    decision: Decision
    rank: int | None = None
    weighted_total: float | None = None
    scores: dict[str, float] = {}
    comments: list[str] = []
    summary: str = ""


class EvaluationStarted(EventContract, frozen=True, kw_only=True):
    """Evaluators were assigned for the first time: the call is in evaluation."""

    subject = "portal.review.evaluation.started.v1"
    call_id: str


class ResultsPublished(EventContract, frozen=True, kw_only=True):
    subject = "portal.review.results.published.v1"
    call_id: str
    selected: int
    reserve: int
    not_selected: int


class AssignmentFacts(EventContract, frozen=True, kw_only=True):
    """One evaluator's work on one application. `application_title` is what the evaluator's
    own page shows (already neutral in a blind call)."""

    assignment_id: str
    application_id: str
    call_id: str
    evaluator_id: str
    application_title: str = ""


class AssignmentMade(AssignmentFacts, frozen=True, kw_only=True):
    subject = "portal.review.assignment.made.v1"
    due_at: datetime | None = None
    call_timezone: str = "Europe/Brussels"


class AssignmentMovedAway(AssignmentFacts, frozen=True, kw_only=True):
    """The work was taken from this evaluator (moved to another, or a conflict repaired)."""

    subject = "portal.review.assignment.moved_away.v1"


class EvaluationSubmitted(AssignmentFacts, frozen=True, kw_only=True):
    subject = "portal.review.evaluation.submitted.v1"
