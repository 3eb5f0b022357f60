"""GraphQL types of review: evaluators, assignments, evaluations, ranking."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.errors import Forbidden, NotAuthenticated, NotFound
from gateway.schema.intake.types import Organisation, Person
from gateway.schema.registry.types import Rubric, rubric_of
from shared.api import review as api

# What a refused or missing lookup answers, in most of review's result unions.
Denied = Forbidden | NotAuthenticated | NotFound


@strawberry.type
class Evaluator:
    account_id: strawberry.ID
    name: str
    email: str
    organisation: str
    expertise: list[str]
    hubs: list[str]
    languages: list[str]
    capacity: int
    active: bool


@strawberry.type
class EvaluatorInvitation:
    evaluator: Evaluator
    invitation_sent_to: str = strawberry.field(
        description="The address the set-a-password link was e-mailed to."
    )


@strawberry.type
class SnapshotAttachment:
    id: strawberry.ID
    question_key: str
    file_name: str
    content_type: str
    size: float
    application_id: strawberry.Private[str]
    grant: strawberry.Private[str]

    @strawberry.field(description="A short-lived link to the file.")
    async def download_url(self, info: Info) -> str:
        ctx = info.context
        link = await ctx.services.intake.evaluator_link(
            ctx.identity, self.application_id, str(self.id), self.grant
        )
        return link.url


@strawberry.type(description="What an evaluator sees; blind calls leave out who applied.")
class ApplicationSnapshot:
    application_id: strawberry.ID
    blind: bool
    organisation: Organisation | None
    contact: Person | None
    team: list[Person]
    answers: JSON
    requested_amount: float | None
    country: str | None
    hub: str | None
    value_chains: list[str]
    attachments: list[SnapshotAttachment]
    submitted_at: datetime | None


@strawberry.type
class Evaluation:
    scores: JSON = strawberry.field(description="0-5 in half points, by criterion key.")
    comments: JSON
    status: str = strawberry.field(description="not_started, draft or submitted (locked).")
    submitted_at: datetime | None


@strawberry.type
class Assignment:
    id: strawberry.ID
    call_id: strawberry.ID
    call_title: str
    application_id: strawberry.ID
    rubric: Rubric
    evaluation: Evaluation
    application: ApplicationSnapshot | None = strawberry.field(
        description="Only when one assignment is asked for."
    )
    application_title: str = strawberry.field(
        description="The application's answer to the form's title question, else its id's start."
    )
    due_at: datetime | None = strawberry.field(description="The call's evaluation deadline.")
    call_timezone: str = strawberry.field(description="Show instants in this time zone.")


@strawberry.type
class Shortfall:
    application_id: strawberry.ID
    needed: int
    assigned: int
    reason: str


@strawberry.type(description="What assignment did; `shortfalls` names applications left short.")
class AssignmentReport:
    applications: int
    assigned: int
    evaluators: int
    min_load: int
    max_load: int
    shortfalls: list[Shortfall]


@strawberry.type
class EvaluationProgress:
    applications: int = strawberry.field(
        description="Submitted, not withdrawn applications (eligible or not) you may see: a hub "
        "manager, in a programme-wide call, their hub's. callStatistics.submitted counts the same."
    )
    in_evaluation: int = strawberry.field(
        description="Of those, the eligible ones: only they are assigned to evaluators."
    )
    assignments: int
    submitted: int
    complete_applications: int = strawberry.field(
        description="Eligible applications whose consensus is complete."
    )
    flagged_applications: int = strawberry.field(
        description="Eligible applications waiting for a moderator."
    )


@strawberry.type(description="One line of the ranking, with why it stands where it stands.")
class RankingEntry:
    application_id: strawberry.ID
    organisation: str
    rank: int | None
    decision: str
    weighted_total: float | None
    total: float | None
    scores: JSON
    thresholds_failed: list[str]
    tie_break: str | None
    explanation: str
    requested_amount: float | None


@strawberry.type
class Ranking:
    call_id: strawberry.ID
    budget: float
    total: int
    results_published: bool
    entries: list[RankingEntry]


@strawberry.type(description="One submitted evaluation; its evaluator is named by place only.")
class DisagreementEvaluation:
    evaluator: str = strawberry.field(description='"Evaluator 1", "Evaluator 2"... never a name.')
    scores: JSON
    comments: JSON


@strawberry.type
class Disagreement:
    application_id: strawberry.ID
    criteria: list[str]
    scores: JSON
    title: str
    evaluations: list[DisagreementEvaluation]


@strawberry.type
class EvaluatorStatistics:
    account_id: strawberry.ID
    name: str
    evaluations: int
    mean_deviation: float | None = strawberry.field(
        description="Mean absolute distance of their scores from the consensus."
    )


@strawberry.type(description="An evaluator in a call's pool; counts are for this call only.")
class PoolMember:
    evaluator: Evaluator
    capacity: int = strawberry.field(description="The most assignments they take in this call.")
    assigned: int
    submitted: int


@strawberry.type
class MatrixEvaluator:
    account_id: strawberry.ID
    name: str
    capacity: int
    load: int = strawberry.field(description="Their active assignments in this call.")


@strawberry.type
class MatrixCell:
    assignment_id: strawberry.ID
    evaluator_id: strawberry.ID
    evaluator_name: str
    status: str = strawberry.field(description="not_started, draft or submitted (locked).")


@strawberry.type
class MatrixConflict:
    evaluator_id: strawberry.ID
    evaluator_name: str
    reason: str


@strawberry.type
class MatrixApplication:
    application_id: strawberry.ID
    title: str
    organisation: str | None
    country: str | None
    hub: str | None
    assignments: list[MatrixCell]
    conflicts: list[MatrixConflict] = strawberry.field(
        description="Evaluators who may not evaluate it, and why."
    )
    shortfall: str | None = strawberry.field(
        description="Why it has fewer evaluators than the call asks for; null when it has them."
    )


@strawberry.type(description="Who evaluates what in a call: the pool and every application.")
class AssignmentMatrix:
    evaluators: list[MatrixEvaluator]
    applications: list[MatrixApplication]


def application_of(s: api.ApplicationForReview) -> ApplicationSnapshot:
    """Each attachment knows its application: its download link is asked for by both ids."""
    attachments = [
        from_contract(SnapshotAttachment, a, application_id=s.application_id) for a in s.attachments
    ]
    return from_contract(ApplicationSnapshot, s, attachments=attachments)


def assignment_of(a: api.Assignment) -> Assignment:
    application = application_of(a.application) if a.application else None
    return from_contract(Assignment, a, rubric=rubric_of(a.rubric), application=application)
