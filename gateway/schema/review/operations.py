"""Review's queries and mutations: evaluators score, the team assigns, ranks and publishes."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from gateway import accounts
from gateway.schema.context import Info
from gateway.schema.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationErrors,
    attempt,
    to_api,
    typed_error,
)
from gateway.schema.review.types import (
    Assignment,
    AssignmentMatrix,
    AssignmentReport,
    Disagreement,
    Evaluation,
    EvaluationProgress,
    Evaluator,
    EvaluatorInvitation,
    EvaluatorStatistics,
    MatrixCell,
    PoolMember,
    Ranking,
    RankingEntry,
)
from shared.api import review as api
from shared.errors import DomainError, FieldError, ValidationFailed, require
from shared.errors import Forbidden as ForbiddenError
from shared.errors import NotFound as DomainNotFound
from shared.identity import Role
from shared.paths import key_id, path_of, uuid_id
from shared.programme import LANGUAGES

T = TypeVar("T")
Denied = Forbidden | NotAuthenticated | NotFound
InvitationResult = Annotated[EvaluatorInvitation | ValidationErrors | Forbidden | NotAuthenticated,
                             strawberry.union("InvitationResult")]  # fmt: skip
ReportResult = Annotated[AssignmentReport | Denied | Conflict, strawberry.union("AssignmentResult")]
EvaluationResult = Annotated[Evaluation | ValidationErrors | Denied | Conflict,
                             strawberry.union("EvaluationResult")]  # fmt: skip
RankingResult = Annotated[Ranking | Denied | ValidationErrors, strawberry.union("RankingResult")]
ProgressResult = Annotated[EvaluationProgress | Denied, strawberry.union("ProgressResult")]
ConsensusResult = Annotated[RankingEntry | ValidationErrors | Denied | Conflict,
                            strawberry.union("ConsensusResult")]  # fmt: skip
PublishResult = Annotated[Ranking | Denied | Conflict, strawberry.union("PublishResult")]
MatrixResult = Annotated[AssignmentMatrix | Denied, strawberry.union("AssignmentMatrixResult")]
PoolMemberResult = Annotated[PoolMember | ValidationErrors | Denied | Conflict,
                             strawberry.union("PoolMemberResult")]  # fmt: skip
MoveResult = Annotated[MatrixCell | ValidationErrors | Conflict | Denied,
                       strawberry.union("MoveAssignmentResult")]  # fmt: skip


@strawberry.type
class ConflictDeclared:
    repaired: list[AssignmentReport]


ConflictResult = Annotated[ConflictDeclared | ValidationErrors | Denied | Conflict,
                           strawberry.union("ConflictResult")]  # fmt: skip


@strawberry.input
class EvaluatorInput:
    email: str
    display_name: str
    organisation: str = ""
    expertise: list[str] = strawberry.field(default_factory=list)
    hubs: list[str] = strawberry.field(default_factory=list)
    languages: list[str] = strawberry.field(default_factory=lambda: ["en"])
    capacity: int = 30


def review_call(info: Info, method: str, path: str, result: type, **kwargs: Any) -> Any:
    ctx = info.context
    return ctx.services.review.call(method, path, ctx.identity, result, **kwargs)


def call_path(route: str, call_id: object) -> str:
    return path_of(route, call_id=uuid_id(call_id, "call"))


def assignment_path(route: str, assignment_id: object) -> str:
    return path_of(route, assignment_id=uuid_id(assignment_id, "assignment"))


def pool_member_path(call_id: object, account_id: object) -> str:
    return path_of(
        api.POOL_MEMBER, call_id=uuid_id(call_id, "call"),
        account_id=uuid_id(account_id, "evaluator"),
    )  # fmt: skip


def by_criterion(name: str, given: object, kind: type[T]) -> dict[str, T]:
    """Free JSON keyed by criterion, converted entry by entry so that every bad one is
    named as the review service names it (`scores.impact`)."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise ValidationFailed([FieldError(name, "must be an object keyed by criterion")])
    converted: dict[str, T] = {}
    errors: list[FieldError] = []
    for key, value in given.items():
        try:
            converted[key] = to_api(value, kind)
        except ValidationFailed as exc:
            errors.extend(FieldError(f"{name}.{key}", e.message) for e in exc.errors)
    require(errors)
    return converted


def ranking_of(r: api.Ranking) -> Ranking:
    return Ranking.of(r)


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="The signed-in evaluator's assignments.")
    async def my_assignments(self, info: Info) -> list[Assignment]:
        if info.context.identity.role is not Role.EVALUATOR:
            return []
        found = await review_call(info, "GET", api.MY_ASSIGNMENTS, list[api.Assignment])
        return [Assignment.of(a) for a in found]

    @strawberry.field(description="One of your assignments with its application.")
    async def assignment(self, info: Info, id: strawberry.ID) -> Assignment | None:
        if info.context.identity.role is not Role.EVALUATOR:
            return None
        try:
            path = assignment_path(api.ASSIGNMENT, id)
            found = await review_call(info, "GET", path, api.Assignment)
        except DomainNotFound:
            return None
        return Assignment.of(found)

    @strawberry.field
    async def evaluation_progress(self, info: Info, call_id: strawberry.ID) -> ProgressResult:
        return await attempt(
            lambda: review_call(
                info, "GET", call_path(api.CALL_PROGRESS, call_id), api.Progress
            ),
            lambda p: EvaluationProgress(
                applications=p.applications, assignments=p.assignments, submitted=p.submitted,
                complete_applications=p.complete_applications,
                flagged_applications=p.flagged_applications,
            ),
        )  # fmt: skip

    @strawberry.field(
        description="The ranking with each line's explanation (`first`/`offset` page it)."
    )
    async def ranking(
        self, info: Info, call_id: strawberry.ID, first: int | None = None, offset: int = 0
    ) -> RankingResult:
        params = {"limit": first, "offset": offset}
        return await attempt(
            lambda: review_call(
                info, "GET", call_path(api.CALL_RANKING, call_id), api.Ranking, params=params
            ),
            ranking_of,
        )

    @strawberry.field(
        description="The ranking as CSV (programme team and the call's hub managers)."
    )
    async def ranking_csv(self, info: Info, call_id: strawberry.ID) -> str:
        ctx = info.context
        return await ctx.services.review.text(
            call_path(api.CALL_RANKING_CSV, call_id), ctx.identity
        )

    @strawberry.field(description="Applications whose evaluators differ by 2 points or more.")
    async def disagreements(self, info: Info, call_id: strawberry.ID) -> list[Disagreement]:
        found = await review_call(
            info, "GET", call_path(api.CALL_DISAGREEMENTS, call_id), list[api.Disagreement]
        )
        return [Disagreement.of(d) for d in found]

    @strawberry.field(
        description="Everyone invited (programme team); filter by value chain and hub codes."
    )
    async def evaluators(
        self, info: Info, expertise: str | None = None, hub: str | None = None
    ) -> list[Evaluator]:
        params = {k: v for k, v in (("expertise", expertise), ("hub", hub)) if v is not None}
        found = await review_call(info, "GET", api.EVALUATORS, list[api.Evaluator], params=params)
        return [Evaluator.of(e) for e in found]

    @strawberry.field(
        description="A call's evaluator pool (programme team; the call's hub managers read)."
    )
    async def call_pool(self, info: Info, call_id: strawberry.ID) -> list[PoolMember]:
        path = call_path(api.CALL_POOL, call_id)
        found = await review_call(info, "GET", path, list[api.PoolMember])
        return [PoolMember.of(m) for m in found]

    @strawberry.field(description="Who evaluates what: loads, conflicts and shortfalls.")
    async def assignment_matrix(self, info: Info, call_id: strawberry.ID) -> MatrixResult:
        return await attempt(
            lambda: review_call(
                info, "GET", call_path(api.CALL_MATRIX, call_id), api.AssignmentMatrix
            ),
            AssignmentMatrix.of,
        )

    @strawberry.field(description="Per evaluator: evaluations and mean deviation from consensus.")
    async def evaluator_statistics(
        self, info: Info, call_id: strawberry.ID
    ) -> list[EvaluatorStatistics]:
        found = await review_call(info, "GET", api.EVALUATOR_STATISTICS, list[api.EvaluatorStatistics],
                                  params={"call_id": str(call_id)})  # fmt: skip
        return [EvaluatorStatistics(account_id=strawberry.ID(s.account_id), name=s.name,
                                    evaluations=s.evaluations, mean_deviation=s.mean_deviation)
                for s in found]  # fmt: skip


def mail_language(languages: list[str]) -> str:
    """The invitation's language: the first the evaluator reads that the portal writes in."""
    return next((code for code in languages if code in LANGUAGES), "en")


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Creates an evaluator account and profile (programme team); the evaluator "
        "gets an invitation e-mail to set a password."
    )
    async def invite_evaluator(self, info: Info, input: EvaluatorInput) -> InvitationResult:
        ctx = info.context
        try:
            ctx.identity.require_signed_in()
            if not ctx.identity.is_admin:
                raise ForbiddenError("Only the programme team invites evaluators.")
            async with ctx.db() as session:
                account = await accounts.create_account(
                    session, ctx.settings, email=input.email, display_name=input.display_name,
                    role=Role.EVALUATOR, language=mail_language(input.languages),
                )  # fmt: skip
                body = api.EvaluatorCreate(
                    account_id=str(account.id), name=account.display_name, email=account.email,
                    organisation=input.organisation, expertise=input.expertise, hubs=input.hubs,
                    languages=input.languages, capacity=input.capacity,
                )  # fmt: skip
                evaluator = await review_call(
                    info, "POST", api.EVALUATORS, api.Evaluator, body=body
                )
                await session.commit()  # the account exists only if the profile does
        except DomainError as exc:
            return typed_error(exc)  # type: ignore[return-value]
        return EvaluatorInvitation(
            evaluator=Evaluator.of(evaluator), invitation_sent_to=account.email
        )

    @strawberry.mutation(description="Their unfinished assignments are repaired onto others.")
    async def remove_evaluator(
        self, info: Info, account_id: strawberry.ID
    ) -> list[AssignmentReport]:
        found = await review_call(
            info,
            "DELETE",
            path_of(api.EVALUATOR, account_id=uuid_id(account_id, "evaluator")),
            list[api.AssignmentReport],
        )
        return [AssignmentReport.of(r) for r in found]

    @strawberry.mutation(
        description="For one application or an organisation; assignments are repaired."
    )
    async def declare_conflict(
        self, info: Info, application_id: strawberry.ID | None = None,
        organisation: str | None = None, reason: str = "",
    ) -> ConflictResult:  # fmt: skip
        body = api.ConflictCreate(
            application_id=application_id, organisation=organisation, reason=reason
        )
        return await attempt(
            lambda: review_call(info, "POST", api.CONFLICTS, list[api.AssignmentReport], body=body),
            lambda reports: ConflictDeclared(repaired=[AssignmentReport.of(r) for r in reports]),
        )

    @strawberry.mutation(description="After the deadline: k evaluators per eligible application.")
    async def assign_evaluators(self, info: Info, call_id: strawberry.ID) -> ReportResult:
        return await attempt(
            lambda: review_call(
                info, "POST", call_path(api.CALL_ASSIGN, call_id), api.AssignmentReport
            ),
            AssignmentReport.of,
        )

    @strawberry.mutation(
        description="Adds an evaluator to a call's pool or changes their capacity for the call."
    )
    async def set_pool_member(
        self, info: Info, call_id: strawberry.ID, account_id: strawberry.ID, capacity: int
    ) -> PoolMemberResult:
        body = api.PoolMemberSet(capacity=capacity)
        return await attempt(
            lambda: review_call(info, "PUT", pool_member_path(call_id, account_id),
                                api.PoolMember, body=body),
            PoolMember.of,
        )  # fmt: skip

    @strawberry.mutation(
        description="Their unfinished assignments in the call are repaired onto others."
    )
    async def remove_pool_member(
        self, info: Info, call_id: strawberry.ID, account_id: strawberry.ID
    ) -> ReportResult:
        return await attempt(
            lambda: review_call(info, "DELETE", pool_member_path(call_id, account_id),
                                api.AssignmentReport),
            AssignmentReport.of,
        )  # fmt: skip

    @strawberry.mutation(description="Hands one assignment to another evaluator of the pool.")
    async def move_assignment(
        self, info: Info, assignment_id: strawberry.ID, to_evaluator: strawberry.ID
    ) -> MoveResult:
        body = api.AssignmentMove(to_evaluator=to_evaluator)
        return await attempt(
            lambda: review_call(info, "POST", assignment_path(api.ASSIGNMENT_MOVE, assignment_id),
                                api.MatrixCell, body=body),
            MatrixCell.of,
        )  # fmt: skip

    @strawberry.mutation(
        description="Runs the automatic assignment again: fills shortfalls, keeps submitted work."
    )
    async def repair_assignments(self, info: Info, call_id: strawberry.ID) -> ReportResult:
        return await attempt(
            lambda: review_call(
                info, "POST", call_path(api.CALL_REPAIR, call_id), api.AssignmentReport
            ),
            AssignmentReport.of,
        )

    @strawberry.mutation(
        description="Save a draft: scores 0-5 in half points and comments, by criterion."
    )
    async def save_evaluation(
        self, info: Info, assignment_id: strawberry.ID, scores: JSON | None = None,
        comments: JSON | None = None,
    ) -> EvaluationResult:  # fmt: skip
        async def save() -> api.Evaluation:
            body = api.EvaluationDraft(scores=by_criterion("scores", scores, float),
                                       comments=by_criterion("comments", comments, str))  # fmt: skip
            path = assignment_path(api.EVALUATION, assignment_id)
            return await review_call(info, "PUT", path, api.Evaluation, body=body)

        return await attempt(save, Evaluation.of)

    @strawberry.mutation(description="Submit and lock the evaluation.")
    async def submit_evaluation(self, info: Info, assignment_id: strawberry.ID) -> EvaluationResult:
        return await attempt(
            lambda: review_call(info, "POST", assignment_path(api.EVALUATION_SUBMIT, assignment_id),
                                api.Evaluation),
            Evaluation.of,
        )  # fmt: skip

    @strawberry.mutation(description="The moderator settles a criterion's consensus score.")
    async def set_consensus(
        self, info: Info, call_id: strawberry.ID, application_id: strawberry.ID, criterion: str,
        score: float, justification: str,
    ) -> ConsensusResult:  # fmt: skip
        body = api.ConsensusSet(score=score, justification=justification)

        def settle() -> Any:
            path = path_of(
                api.CONSENSUS, call_id=uuid_id(call_id, "call"),
                application_id=uuid_id(application_id, "application"),
                criterion=key_id(criterion, "criterion", "is not a criterion of this call"),
            )  # fmt: skip
            return review_call(info, "PUT", path, api.RankingEntry, body=body)

        return await attempt(settle, RankingEntry.of)

    @strawberry.mutation(description="Applicants see their outcome and evaluation summary.")
    async def publish_results(self, info: Info, call_id: strawberry.ID) -> PublishResult:
        return await attempt(
            lambda: review_call(
                info, "POST", call_path(api.CALL_PUBLISH_RESULTS, call_id), api.Ranking
            ),
            ranking_of,
        )
