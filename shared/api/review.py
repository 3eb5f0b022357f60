"""Review bodies: evaluators, conflicts, assignments, evaluations, consensus, ranking."""

from __future__ import annotations

from datetime import datetime

import msgspec

from shared.api.intake import Answer, Organisation, Person
from shared.api.registry import Rubric

# Routes of review (fill them with shared.paths.path_of).
EVALUATORS = "/evaluators"
EVALUATOR = "/evaluators/{account_id:str}"
EVALUATOR_STATISTICS = "/evaluators/statistics"
CONFLICTS = "/conflicts"
MY_ASSIGNMENTS = "/assignments/mine"
ASSIGNMENT = "/assignments/{assignment_id:str}"
ASSIGNMENT_MOVE = "/assignments/{assignment_id:str}/move"
EVALUATION = "/assignments/{assignment_id:str}/evaluation"
EVALUATION_SUBMIT = "/assignments/{assignment_id:str}/evaluation/submit"
CALL_PROGRESS = "/calls/{call_id:str}/progress"
CALL_RANKING = "/calls/{call_id:str}/ranking"
CALL_RANKING_CSV = "/calls/{call_id:str}/ranking.csv"
CALL_DISAGREEMENTS = "/calls/{call_id:str}/disagreements"
CALL_POOL = "/calls/{call_id:str}/pool"
POOL_MEMBER = "/calls/{call_id:str}/pool/{account_id:str}"
CALL_MATRIX = "/calls/{call_id:str}/matrix"
CALL_ASSIGN = "/calls/{call_id:str}/assign"
CALL_REPAIR = "/calls/{call_id:str}/repair"
CALL_PUBLISH_RESULTS = "/calls/{call_id:str}/publish-results"
CONSENSUS = "/calls/{call_id:str}/applications/{application_id:str}/consensus/{criterion:str}"


class Evaluator(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    name: str
    email: str
    organisation: str
    expertise: list[str]
    hubs: list[str]
    languages: list[str]
    capacity: int
    active: bool


class EvaluatorCreate(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    name: str
    email: str
    organisation: str = ""
    expertise: list[str] = []
    hubs: list[str] = []
    languages: list[str] = msgspec.field(default_factory=lambda: ["en"])
    capacity: int = 30


class ConflictCreate(msgspec.Struct, frozen=True, kw_only=True):
    """For one application, or for every application of an organisation."""

    application_id: str | None = None
    organisation: str | None = None
    reason: str = ""


class SnapshotAttachment(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    question_key: str
    file_name: str
    content_type: str
    size: int
    grant: str  # lets intake hand this evaluator a download link, briefly


class ApplicationSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """What an evaluator sees; in a blind call the identity fields are left out."""

    application_id: str
    call_id: str
    blind: bool
    organisation: Organisation | None
    contact: Person | None
    team: list[Person]
    answers: dict[str, Answer]
    requested_amount: float | None
    country: str | None
    hub: str | None
    value_chains: list[str]
    attachments: list[SnapshotAttachment]
    submitted_at: datetime | None


class Evaluation(msgspec.Struct, frozen=True, kw_only=True):
    scores: dict[str, float]
    comments: dict[str, str]
    status: str
    submitted_at: datetime | None


class EvaluationDraft(msgspec.Struct, frozen=True, kw_only=True):
    scores: dict[str, float] = {}
    comments: dict[str, str] = {}


class Assignment(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    call_id: str
    call_title: str
    application_id: str
    rubric: Rubric
    evaluation: Evaluation
    application: ApplicationSnapshot | None = None
    application_title: str = ""
    due_at: datetime | None = None  # the call's evaluation deadline, when it has one
    call_timezone: str = "Europe/Brussels"


class Shortfall(msgspec.Struct, frozen=True):
    application_id: str
    needed: int
    assigned: int
    reason: str


class AssignmentReport(msgspec.Struct, frozen=True, kw_only=True):
    call_id: str
    applications: int
    assigned: int
    evaluators: int
    min_load: int
    max_load: int
    shortfalls: list[Shortfall]


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    call_id: str
    applications: int
    assignments: int
    submitted: int
    complete_applications: int
    flagged_applications: int


class RankingEntry(msgspec.Struct, frozen=True, kw_only=True):
    application_id: str
    organisation: str
    rank: int | None
    decision: str
    weighted_total: float | None
    total: float | None
    scores: dict[str, float]
    thresholds_failed: list[str]
    tie_break: str | None
    explanation: str
    requested_amount: float | None


class Ranking(msgspec.Struct, frozen=True, kw_only=True):
    call_id: str
    budget: float
    total: int
    entries: list[RankingEntry]
    results_published: bool


class DisagreementEvaluation(msgspec.Struct, frozen=True, kw_only=True):
    """One submitted evaluation, its evaluator named only by place ("Evaluator 1")."""

    evaluator: str
    scores: dict[str, float]
    comments: dict[str, str]


class Disagreement(msgspec.Struct, frozen=True, kw_only=True):
    application_id: str
    criteria: list[str]
    scores: dict[str, list[float]]
    title: str = ""
    evaluations: list[DisagreementEvaluation] = []


class ConsensusSet(msgspec.Struct, frozen=True, kw_only=True):
    score: float
    justification: str


class EvaluatorStatistics(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    name: str
    evaluations: int
    mean_deviation: float | None


class PoolMember(msgspec.Struct, frozen=True, kw_only=True):
    """An evaluator in a call's pool: the capacity is for this call; `assigned` and `submitted`
    count this call's active assignments and their submitted evaluations."""

    evaluator: Evaluator
    capacity: int
    assigned: int
    submitted: int


class PoolMemberSet(msgspec.Struct, frozen=True, kw_only=True):
    capacity: int


class AssignmentMove(msgspec.Struct, frozen=True, kw_only=True):
    to_evaluator: str


class MatrixEvaluator(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    name: str
    capacity: int
    load: int


class MatrixCell(msgspec.Struct, frozen=True, kw_only=True):
    assignment_id: str
    evaluator_id: str
    evaluator_name: str
    status: str  # not_started, draft or submitted


class MatrixConflict(msgspec.Struct, frozen=True, kw_only=True):
    evaluator_id: str
    evaluator_name: str
    reason: str


class MatrixApplication(msgspec.Struct, frozen=True, kw_only=True):
    application_id: str
    title: str
    organisation: str | None
    country: str | None
    hub: str | None
    assignments: list[MatrixCell]
    conflicts: list[MatrixConflict]
    shortfall: str | None  # why it has fewer evaluators than the call asks for


class AssignmentMatrix(msgspec.Struct, frozen=True, kw_only=True):
    call_id: str
    evaluators: list[MatrixEvaluator]
    applications: list[MatrixApplication]


# ---- a person's data archive (GDPR access and portability) -------------------------------

PERSON_EXPORT = "/people/{account_id:str}/export"


class ReviewedApplication(msgspec.Struct, frozen=True, kw_only=True):
    """Review's copy of a submitted application of the person: the personal data evaluators
    and the team work from (the answers are in intake's part). Scores stay out: the applicant
    sees only the published outcome."""

    application_id: str
    call_id: str
    call_title: str
    version: int
    submitted_at: datetime | None
    organisation: Organisation
    contact: Person
    team: list[Person]
    requested_amount: float | None
    country: str | None
    hub: str | None
    eligibility: str
    withdrawn: bool


class DeclaredConflict(msgspec.Struct, frozen=True, kw_only=True):
    application_id: str | None
    organisation: str | None
    reason: str
    declared_at: datetime


class ReviewPersonExport(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    applications: list[ReviewedApplication]
    # Set when the person is an evaluator: their profile and the conflicts they declared.
    evaluator: Evaluator | None = None
    conflicts: list[DeclaredConflict] = []
