"""Review's queries: an evaluator's assignments; the team's progress, ranking and pool."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.errors import ValidationErrors, attempt
from gateway.schema.permissions import Evaluator as EvaluatorRole
from gateway.schema.permissions import quiet
from gateway.schema.review.types import (
    Assignment,
    AssignmentMatrix,
    Denied,
    Disagreement,
    EvaluationProgress,
    Evaluator,
    EvaluatorStatistics,
    PoolMember,
    Ranking,
    assignment_of,
)
from shared.errors import NotFound

RankingResult = Annotated[Ranking | Denied | ValidationErrors, strawberry.union("RankingResult")]
ProgressResult = Annotated[EvaluationProgress | Denied, strawberry.union("ProgressResult")]
MatrixResult = Annotated[AssignmentMatrix | Denied, strawberry.union("AssignmentMatrixResult")]


@strawberry.type
class ReviewQuery:
    @strawberry.field(
        description="The signed-in evaluator's assignments.", extensions=[quiet(EvaluatorRole)]
    )
    async def my_assignments(self, info: Info) -> list[Assignment]:
        ctx = info.context
        return [assignment_of(a) for a in await ctx.services.review.my_assignments(ctx.identity)]

    @strawberry.field(
        description="One of your assignments with its application.",
        extensions=[quiet(EvaluatorRole)],
    )
    async def assignment(self, info: Info, id: strawberry.ID) -> Assignment | None:
        ctx = info.context
        try:
            return assignment_of(await ctx.services.review.assignment(ctx.identity, id))
        except NotFound:
            return None

    @strawberry.field
    async def evaluation_progress(self, info: Info, call_id: strawberry.ID) -> ProgressResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.evaluation_progress(ctx.identity, call_id),
            lambda p: from_contract(EvaluationProgress, p),
        )

    @strawberry.field(
        description="The ranking with each line's explanation (`first`/`offset` page it)."
    )
    async def ranking(
        self, info: Info, call_id: strawberry.ID, first: int | None = None, offset: int = 0
    ) -> RankingResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.ranking(ctx.identity, call_id, limit=first, offset=offset),
            lambda r: from_contract(Ranking, r),
        )

    @strawberry.field(
        description="The ranking as CSV (programme team and the call's hub managers)."
    )
    async def ranking_csv(self, info: Info, call_id: strawberry.ID) -> str:
        ctx = info.context
        return await ctx.services.review.ranking_csv(ctx.identity, call_id)

    @strawberry.field(description="Applications whose evaluators differ by 2 points or more.")
    async def disagreements(self, info: Info, call_id: strawberry.ID) -> list[Disagreement]:
        ctx = info.context
        found = await ctx.services.review.disagreements(ctx.identity, call_id)
        return [from_contract(Disagreement, d) for d in found]

    @strawberry.field(
        description="Everyone invited (programme team); filter by value chain and hub codes."
    )
    async def evaluators(
        self, info: Info, expertise: str | None = None, hub: str | None = None
    ) -> list[Evaluator]:
        ctx = info.context
        found = await ctx.services.review.evaluators(ctx.identity, expertise, hub)
        return [from_contract(Evaluator, e) for e in found]

    @strawberry.field(
        description="A call's evaluator pool (programme team; the call's hub managers read)."
    )
    async def call_pool(self, info: Info, call_id: strawberry.ID) -> list[PoolMember]:
        ctx = info.context
        found = await ctx.services.review.call_pool(ctx.identity, call_id)
        return [from_contract(PoolMember, m) for m in found]

    @strawberry.field(description="Who evaluates what: loads, conflicts and shortfalls.")
    async def assignment_matrix(self, info: Info, call_id: strawberry.ID) -> MatrixResult:
        ctx = info.context
        return await attempt(
            lambda: ctx.services.review.assignment_matrix(ctx.identity, call_id),
            lambda m: from_contract(AssignmentMatrix, m),
        )

    @strawberry.field(description="Per evaluator: evaluations and mean deviation from consensus.")
    async def evaluator_statistics(
        self, info: Info, call_id: strawberry.ID
    ) -> list[EvaluatorStatistics]:
        ctx = info.context
        found = await ctx.services.review.evaluator_statistics(ctx.identity, str(call_id))
        return [from_contract(EvaluatorStatistics, s) for s in found]
