"""GraphQL types of review: evaluators, assignments, evaluations, ranking."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.schema.context import Info
from gateway.schema.intake.types import Organisation, Person, person
from gateway.schema.registry.types import Rubric, rubric_of
from shared.api import intake as intake_api
from shared.api import review as api
from shared.paths import path_of


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

    @classmethod
    def of(cls, e: api.Evaluator) -> Evaluator:
        return cls(
            account_id=strawberry.ID(e.account_id), name=e.name, email=e.email,
            organisation=e.organisation, expertise=e.expertise, hubs=e.hubs,
            languages=e.languages, capacity=e.capacity, active=e.active,
        )  # fmt: skip


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
        path = path_of(
            intake_api.ATTACHMENT_EVALUATOR_LINK, application_id=self.application_id,
            attachment_id=str(self.id),
        )  # fmt: skip
        link = await ctx.services.intake.call(
            "GET", path, ctx.identity, intake_api.DownloadLink, params={"grant": self.grant}
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

    @classmethod
    def of(cls, s: api.ApplicationSnapshot) -> ApplicationSnapshot:
        o = s.organisation
        return cls(
            application_id=strawberry.ID(s.application_id), blind=s.blind,
            organisation=Organisation(name=o.name, type=o.type, country=o.country,
                                      country_part=o.country_part, website=o.website)
            if o else None,
            contact=person(s.contact) if s.contact else None, team=[person(p) for p in s.team],
            answers=JSON(s.answers), requested_amount=s.requested_amount, country=s.country,
            hub=s.hub, value_chains=s.value_chains,
            attachments=[SnapshotAttachment(id=strawberry.ID(a.id), question_key=a.question_key,
                                            file_name=a.file_name, content_type=a.content_type,
                                            size=a.size, application_id=s.application_id,
                                            grant=a.grant) for a in s.attachments],
            submitted_at=s.submitted_at,
        )  # fmt: skip


@strawberry.type
class Evaluation:
    scores: JSON = strawberry.field(description="0-5 in half points, by criterion key.")
    comments: JSON
    status: str = strawberry.field(description="not_started, draft or submitted (locked).")
    submitted_at: datetime | None

    @classmethod
    def of(cls, e: api.Evaluation) -> Evaluation:
        return cls(scores=JSON(e.scores), comments=JSON(e.comments), status=e.status,
                   submitted_at=e.submitted_at)  # fmt: skip


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

    @classmethod
    def of(cls, a: api.Assignment) -> Assignment:
        return cls(
            id=strawberry.ID(a.id), call_id=strawberry.ID(a.call_id), call_title=a.call_title,
            application_id=strawberry.ID(a.application_id), rubric=rubric_of(a.rubric),
            evaluation=Evaluation.of(a.evaluation),
            application=ApplicationSnapshot.of(a.application) if a.application else None,
            application_title=a.application_title, due_at=a.due_at,
            call_timezone=a.call_timezone,
        )  # fmt: skip


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

    @classmethod
    def of(cls, r: api.AssignmentReport) -> AssignmentReport:
        return cls(
            applications=r.applications, assigned=r.assigned, evaluators=r.evaluators,
            min_load=r.min_load, max_load=r.max_load,
            shortfalls=[Shortfall(application_id=strawberry.ID(s.application_id), needed=s.needed,
                                  assigned=s.assigned, reason=s.reason) for s in r.shortfalls],
        )  # fmt: skip


@strawberry.type
class EvaluationProgress:
    applications: int = strawberry.field(
        description="Submitted, not withdrawn applications (eligible or not) you may see: a hub "
        "manager, in a programme-wide call, their hub's. callStatistics.submitted counts the same."
    )
    assignments: int
    submitted: int
    complete_applications: int
    flagged_applications: int


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

    @classmethod
    def of(cls, e: api.RankingEntry) -> RankingEntry:
        return cls(
            application_id=strawberry.ID(e.application_id), organisation=e.organisation,
            rank=e.rank, decision=e.decision, weighted_total=e.weighted_total, total=e.total,
            scores=JSON(e.scores), thresholds_failed=e.thresholds_failed, tie_break=e.tie_break,
            explanation=e.explanation, requested_amount=e.requested_amount,
        )  # fmt: skip


@strawberry.type
class Ranking:
    call_id: strawberry.ID
    budget: float
    total: int
    results_published: bool
    entries: list[RankingEntry]

    @classmethod
    def of(cls, r: api.Ranking) -> Ranking:
        return cls(call_id=strawberry.ID(r.call_id), budget=r.budget, total=r.total,
                   results_published=r.results_published,
                   entries=[RankingEntry.of(e) for e in r.entries])  # fmt: skip


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

    @classmethod
    def of(cls, d: api.Disagreement) -> Disagreement:
        return cls(
            application_id=strawberry.ID(d.application_id), criteria=d.criteria,
            scores=JSON(d.scores), title=d.title,
            evaluations=[DisagreementEvaluation(evaluator=e.evaluator, scores=JSON(e.scores),
                                                comments=JSON(e.comments))
                         for e in d.evaluations],
        )  # fmt: skip


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

    @classmethod
    def of(cls, m: api.PoolMember) -> PoolMember:
        return cls(evaluator=Evaluator.of(m.evaluator), capacity=m.capacity,
                   assigned=m.assigned, submitted=m.submitted)  # fmt: skip


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

    @classmethod
    def of(cls, c: api.MatrixCell) -> MatrixCell:
        return cls(assignment_id=strawberry.ID(c.assignment_id),
                   evaluator_id=strawberry.ID(c.evaluator_id), evaluator_name=c.evaluator_name,
                   status=c.status)  # fmt: skip


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

    @classmethod
    def of(cls, m: api.AssignmentMatrix) -> AssignmentMatrix:
        return cls(
            evaluators=[MatrixEvaluator(account_id=strawberry.ID(e.account_id), name=e.name,
                                        capacity=e.capacity, load=e.load) for e in m.evaluators],
            applications=[
                MatrixApplication(
                    application_id=strawberry.ID(a.application_id), title=a.title,
                    organisation=a.organisation, country=a.country, hub=a.hub,
                    assignments=[MatrixCell.of(c) for c in a.assignments],
                    conflicts=[MatrixConflict(evaluator_id=strawberry.ID(c.evaluator_id),
                                              evaluator_name=c.evaluator_name, reason=c.reason)
                               for c in a.conflicts],
                    shortfall=a.shortfall,
                )
                for a in m.applications
            ],
        )  # fmt: skip
