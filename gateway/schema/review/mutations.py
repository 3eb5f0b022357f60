"""Review's mutations: evaluators score, the team invites, assigns, settles and publishes."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from gateway import accounts
from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    ValidationErrors,
    attempt,
    typed_error,
)
from gateway.schema.permissions import Admin, SignedIn, allow
from gateway.schema.review.inputs import EvaluatorInput, by_criterion
from gateway.schema.review.types import (
    AssignmentReport,
    Denied,
    Evaluation,
    Evaluator,
    EvaluatorInvitation,
    MatrixCell,
    PoolMember,
    Ranking,
    RankingEntry,
)
from shared.api import review as api
from shared.errors import DomainError
from shared.identity import Role
from shared.programme import LANGUAGES

InvitationResult = Annotated[EvaluatorInvitation | ValidationErrors | Forbidden | NotAuthenticated,
                             strawberry.union("InvitationResult")]  # fmt: skip
ReportResult = Annotated[AssignmentReport | Denied | Conflict, strawberry.union("AssignmentResult")]
EvaluationResult = Annotated[Evaluation | ValidationErrors | Denied | Conflict,
                             strawberry.union("EvaluationResult")]  # fmt: skip
ConsensusResult = Annotated[RankingEntry | ValidationErrors | Denied | Conflict,
                            strawberry.union("ConsensusResult")]  # fmt: skip
PublishResult = Annotated[Ranking | Denied | Conflict, strawberry.union("PublishResult")]
PoolMemberResult = Annotated[PoolMember | ValidationErrors | Denied | Conflict,
                             strawberry.union("PoolMemberResult")]  # fmt: skip
MoveResult = Annotated[MatrixCell | ValidationErrors | Conflict | Denied,
                       strawberry.union("MoveAssignmentResult")]  # fmt: skip


@strawberry.type(description="The conflict is recorded and the calls' assignments repaired.")
class ConflictDeclared:
    reassigned: int = strawberry.field(
        description="How many of your assignments were taken off your list (each goes to "
        "another evaluator where the pool has one)."
    )


ConflictResult = Annotated[ConflictDeclared | ValidationErrors | Denied | Conflict,
                           strawberry.union("ConflictResult")]  # fmt: skip


def report_of(report: api.AssignmentReport) -> AssignmentReport:
    return from_contract(AssignmentReport, report)


def mail_language(languages: list[str]) -> str:
    """The invitation's language: the first the evaluator reads that the portal writes in."""
    return next((code for code in languages if code in LANGUAGES), "en")


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Creates an evaluator account and profile (programme team); the evaluator "
        "gets an invitation e-mail to set a password.",
        extensions=[allow(SignedIn, Admin)],
    )
    async def invite_evaluator(self, info: Info, input: EvaluatorInput) -> InvitationResult:
        ctx = info.context
        try:
            async with ctx.db() as session:
                account = await accounts.create_account(
                    session, ctx.settings, email=input.email, display_name=input.display_name,
                    role=Role.EVALUATOR, language=mail_language(input.languages),
                )  # fmt: skip
                request = api.EvaluatorCreate(
                    account_id=str(account.id), name=account.display_name, email=account.email,
                    organisation=input.organisation, expertise=input.expertise, hubs=input.hubs,
                    languages=input.languages, capacity=input.capacity,
                )  # fmt: skip
                evaluator = await ctx.services.review.invite_evaluator(ctx.identity, request)
                await session.commit()  # the account exists only if the profile does
        except DomainError as exc:
            return typed_error(exc)  # type: ignore[return-value]
        return EvaluatorInvitation(
            evaluator=from_contract(Evaluator, evaluator), invitation_sent_to=account.email
        )

    @strawberry.mutation(description="Their unfinished assignments are repaired onto others.")
    async def remove_evaluator(
        self, info: Info, account_id: strawberry.ID
    ) -> list[AssignmentReport]:
        ctx = info.context
        return [
            report_of(r)
            for r in await ctx.services.review.remove_evaluator(ctx.identity, account_id)
        ]

    @strawberry.mutation(
        description="For one application or an organisation; assignments are repaired."
    )
    async def declare_conflict(
        self, info: Info, application_id: strawberry.ID | None = None,
        organisation: str | None = None, reason: str = "",
    ) -> ConflictResult:  # fmt: skip
        ctx = info.context
        request = api.ConflictCreate(
            application_id=application_id, organisation=organisation, reason=reason
        )
        return await attempt(
            lambda: ctx.services.review.declare_conflict(ctx.identity, request),
            lambda declared: ConflictDeclared(reassigned=declared.reassigned),
        )

    @strawberry.mutation(description="After the deadline: k evaluators per eligible application.")
    async def assign_evaluators(self, info: Info, call_id: strawberry.ID) -> ReportResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.assign_evaluators(ctx.identity, call_id), report_of
        )

    @strawberry.mutation(
        description="Adds an evaluator to a call's pool or changes their capacity for the call."
    )
    async def set_pool_member(
        self, info: Info, call_id: strawberry.ID, account_id: strawberry.ID, capacity: int
    ) -> PoolMemberResult:
        ctx = info.context
        request = api.PoolMemberSet(capacity=capacity)
        return await attempt(
            lambda: ctx.services.review.set_pool_member(ctx.identity, call_id, account_id, request),
            lambda m: from_contract(PoolMember, m),
        )

    @strawberry.mutation(
        description="Their unfinished assignments in the call are repaired onto others."
    )
    async def remove_pool_member(
        self, info: Info, call_id: strawberry.ID, account_id: strawberry.ID
    ) -> ReportResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.remove_pool_member(ctx.identity, call_id, account_id),
            report_of,
        )

    @strawberry.mutation(description="Hands one assignment to another evaluator of the pool.")
    async def move_assignment(
        self, info: Info, assignment_id: strawberry.ID, to_evaluator: strawberry.ID
    ) -> MoveResult:
        ctx = info.context
        request = api.AssignmentMove(to_evaluator=to_evaluator)
        return await attempt(
            lambda: ctx.services.review.move_assignment(ctx.identity, assignment_id, request),
            lambda c: from_contract(MatrixCell, c),
        )

    @strawberry.mutation(
        description="Runs the automatic assignment again: fills shortfalls, keeps submitted work."
    )
    async def repair_assignments(self, info: Info, call_id: strawberry.ID) -> ReportResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.repair_assignments(ctx.identity, call_id), report_of
        )

    @strawberry.mutation(
        description="Save a draft: scores 0-5 in half points and comments, by criterion."
    )
    async def save_evaluation(
        self, info: Info, assignment_id: strawberry.ID, scores: JSON | None = None,
        comments: JSON | None = None,
    ) -> EvaluationResult:  # fmt: skip
        ctx = info.context

        async def save() -> api.Evaluation:
            request = api.EvaluationDraft(scores=by_criterion("scores", scores, float),
                                          comments=by_criterion("comments", comments, str))  # fmt: skip
            return await ctx.services.review.save_evaluation(ctx.identity, assignment_id, request)

        return await attempt(save, lambda e: from_contract(Evaluation, e))

    @strawberry.mutation(description="Submit and lock the evaluation.")
    async def submit_evaluation(self, info: Info, assignment_id: strawberry.ID) -> EvaluationResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.submit_evaluation(ctx.identity, assignment_id),
            lambda e: from_contract(Evaluation, e),
        )

    @strawberry.mutation(description="The moderator settles a criterion's consensus score.")
    async def set_consensus(
        self, info: Info, call_id: strawberry.ID, application_id: strawberry.ID, criterion: str,
        score: float, justification: str,
    ) -> ConsensusResult:  # fmt: skip
        ctx = info.context
        request = api.ConsensusSet(score=score, justification=justification)
        return await attempt(
            lambda: ctx.services.review.set_consensus(
                ctx.identity, call_id, application_id, criterion, request
            ),
            lambda e: from_contract(RankingEntry, e),
        )

    @strawberry.mutation(description="Applicants see their outcome and evaluation summary.")
    async def publish_results(self, info: Info, call_id: strawberry.ID) -> PublishResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.publish_results(ctx.identity, call_id),
            lambda r: from_contract(Ranking, r),
        )
