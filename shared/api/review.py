"""Review bodies: evaluators, conflicts, assignments, evaluations, consensus, ranking."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from shared.api.intake import ApplicationContent, Eligibility, Organisation, Person
from shared.api.registry import Rubric
from shared.routes import Route


class EvaluationStatus(enum.StrEnum):
    """An evaluation's state; NOT_STARTED is never stored: it is an assignment without one."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Decision(enum.StrEnum):
    """An application's outcome in a call's ranking (PENDING: not decided yet)."""

    SELECTED = "selected"
    RESERVE = "reserve"
    NOT_SELECTED = "not_selected"
    INELIGIBLE = "ineligible"
    PENDING = "pending"


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


class ConflictDeclared(msgspec.Struct, frozen=True, kw_only=True):
    """What the evaluator is told: how many of their assignments were taken off their list.
    The calls' repaired reports are the team's to read (the assignment matrix), not theirs."""

    reassigned: int


class SnapshotAttachment(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    question_key: str
    file_name: str
    content_type: str
    size: int
    grant: str  # lets intake hand this evaluator a download link, briefly


class ApplicationForReview(ApplicationContent, frozen=True, kw_only=True):
    """What an evaluator sees: the application's content and the facts review keeps beside
    it. In a blind call who applied is left out: organisation and contact null, team empty."""

    organisation: Organisation | None  # type: ignore[assignment]
    contact: Person | None  # type: ignore[assignment]
    application_id: str
    call_id: str
    blind: bool
    country: str | None
    hub: str | None
    value_chains: list[str]
    attachments: list[SnapshotAttachment]
    submitted_at: datetime | None


class Evaluation(msgspec.Struct, frozen=True, kw_only=True):
    scores: dict[str, float]
    comments: dict[str, str]
    status: EvaluationStatus
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
    application: ApplicationForReview | None = None
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
    in_evaluation: int
    assignments: int
    submitted: int
    complete_applications: int
    flagged_applications: int


class RankingEntry(msgspec.Struct, frozen=True, kw_only=True):
    application_id: str
    organisation: str
    rank: int | None
    decision: Decision
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
    status: EvaluationStatus


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
    eligibility: Eligibility
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


# ---- review's routes: each handler is declared with one, the gateway's client sends to it --

INVITE_EVALUATOR = Route("POST", "/evaluators", Evaluator, EvaluatorCreate)
EVALUATORS = Route("GET", "/evaluators", list[Evaluator])
MY_PROFILE = Route("GET", "/evaluators/me", Evaluator)
EVALUATOR_STATISTICS = Route("GET", "/evaluators/statistics", list[EvaluatorStatistics])
REMOVE_EVALUATOR = Route("DELETE", "/evaluators/{account_id:str}", list[AssignmentReport])
DECLARE_CONFLICT = Route("POST", "/conflicts", ConflictDeclared, ConflictCreate)
MY_ASSIGNMENTS = Route("GET", "/assignments/mine", list[Assignment])
ASSIGNMENT = Route("GET", "/assignments/{assignment_id:str}", Assignment)
MOVE_ASSIGNMENT = Route("POST", "/assignments/{assignment_id:str}/move", MatrixCell, AssignmentMove)
SAVE_EVALUATION = Route(
    "PUT", "/assignments/{assignment_id:str}/evaluation", Evaluation, EvaluationDraft
)
SUBMIT_EVALUATION = Route("POST", "/assignments/{assignment_id:str}/evaluation/submit", Evaluation)
ASSIGN_EVALUATORS = Route("POST", "/calls/{call_id:str}/assign", AssignmentReport)
REPAIR_ASSIGNMENTS = Route("POST", "/calls/{call_id:str}/repair", AssignmentReport)
EVALUATION_PROGRESS = Route("GET", "/calls/{call_id:str}/progress", Progress)
RANKING = Route("GET", "/calls/{call_id:str}/ranking", Ranking)
RANKING_CSV = Route("GET", "/calls/{call_id:str}/ranking.csv", str)  # text/csv, not JSON
DISAGREEMENTS = Route("GET", "/calls/{call_id:str}/disagreements", list[Disagreement])
SET_CONSENSUS = Route(
    "PUT", "/calls/{call_id:str}/applications/{application_id:str}/consensus/{criterion:str}",
    RankingEntry, ConsensusSet,
)  # fmt: skip
PUBLISH_RESULTS = Route("POST", "/calls/{call_id:str}/publish-results", Ranking)
CALL_POOL = Route("GET", "/calls/{call_id:str}/pool", list[PoolMember])
SET_POOL_MEMBER = Route(
    "PUT", "/calls/{call_id:str}/pool/{account_id:str}", PoolMember, PoolMemberSet
)
REMOVE_POOL_MEMBER = Route("DELETE", "/calls/{call_id:str}/pool/{account_id:str}", AssignmentReport)
ASSIGNMENT_MATRIX = Route("GET", "/calls/{call_id:str}/matrix", AssignmentMatrix)
PERSON_EXPORT = Route("GET", "/people/{account_id:str}/export", ReviewPersonExport)
