"""The typed client of review: one method per route of shared.api.review, named as the
route's use case (and as the service's handler). Ids a person typed are checked here, before
any call: a malformed one answers NotFound, as a missing one does (shared.paths)."""

from __future__ import annotations

from gateway.clients.base import ServiceClient
from shared.api import review as api
from shared.identity import Identity
from shared.paths import key_id, uuid_id


def _call(call_id: str) -> str:
    return uuid_id(call_id, "call")


def _assignment(assignment_id: str) -> str:
    return uuid_id(assignment_id, "assignment")


def _evaluator(account_id: str) -> str:
    return uuid_id(account_id, "evaluator")


class ReviewClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("review", base_url, secret)

    # ---- evaluators and conflicts ----

    async def invite_evaluator(
        self, identity: Identity, request: api.EvaluatorCreate
    ) -> api.Evaluator:
        return await self.send(api.INVITE_EVALUATOR, identity, body=request)

    async def evaluators(
        self, identity: Identity, expertise: str | None = None, hub: str | None = None
    ) -> list[api.Evaluator]:
        params = {"expertise": expertise, "hub": hub}
        return await self.send(api.EVALUATORS, identity, params=params)

    async def evaluator_statistics(
        self, identity: Identity, call_id: str
    ) -> list[api.EvaluatorStatistics]:
        return await self.send(
            api.EVALUATOR_STATISTICS, identity, params={"call_id": _call(call_id)}
        )

    async def remove_evaluator(
        self, identity: Identity, account_id: str
    ) -> list[api.AssignmentReport]:
        return await self.send(api.REMOVE_EVALUATOR, identity, account_id=_evaluator(account_id))

    async def declare_conflict(
        self, identity: Identity, request: api.ConflictCreate
    ) -> api.ConflictDeclared:
        return await self.send(api.DECLARE_CONFLICT, identity, body=request)

    # ---- an evaluator's assignments ----

    async def my_assignments(self, identity: Identity) -> list[api.Assignment]:
        return await self.send(api.MY_ASSIGNMENTS, identity)

    async def assignment(self, identity: Identity, assignment_id: str) -> api.Assignment:
        return await self.send(api.ASSIGNMENT, identity, assignment_id=_assignment(assignment_id))

    async def save_evaluation(
        self, identity: Identity, assignment_id: str, request: api.EvaluationDraft
    ) -> api.Evaluation:
        return await self.send(
            api.SAVE_EVALUATION, identity, body=request, assignment_id=_assignment(assignment_id)
        )

    async def submit_evaluation(self, identity: Identity, assignment_id: str) -> api.Evaluation:
        return await self.send(
            api.SUBMIT_EVALUATION, identity, assignment_id=_assignment(assignment_id)
        )

    # ---- the team's hand on a call ----

    async def assign_evaluators(self, identity: Identity, call_id: str) -> api.AssignmentReport:
        return await self.send(api.ASSIGN_EVALUATORS, identity, call_id=_call(call_id))

    async def repair_assignments(self, identity: Identity, call_id: str) -> api.AssignmentReport:
        return await self.send(api.REPAIR_ASSIGNMENTS, identity, call_id=_call(call_id))

    async def move_assignment(
        self, identity: Identity, assignment_id: str, request: api.AssignmentMove
    ) -> api.MatrixCell:
        return await self.send(
            api.MOVE_ASSIGNMENT, identity, body=request, assignment_id=_assignment(assignment_id)
        )

    async def call_pool(self, identity: Identity, call_id: str) -> list[api.PoolMember]:
        return await self.send(api.CALL_POOL, identity, call_id=_call(call_id))

    async def set_pool_member(
        self, identity: Identity, call_id: str, account_id: str, request: api.PoolMemberSet
    ) -> api.PoolMember:
        return await self.send(
            api.SET_POOL_MEMBER, identity, body=request, call_id=_call(call_id),
            account_id=_evaluator(account_id),
        )  # fmt: skip

    async def remove_pool_member(
        self, identity: Identity, call_id: str, account_id: str
    ) -> api.AssignmentReport:
        return await self.send(
            api.REMOVE_POOL_MEMBER, identity, call_id=_call(call_id),
            account_id=_evaluator(account_id),
        )  # fmt: skip

    async def assignment_matrix(self, identity: Identity, call_id: str) -> api.AssignmentMatrix:
        return await self.send(api.ASSIGNMENT_MATRIX, identity, call_id=_call(call_id))

    # ---- scores, consensus and results ----

    async def evaluation_progress(self, identity: Identity, call_id: str) -> api.Progress:
        return await self.send(api.EVALUATION_PROGRESS, identity, call_id=_call(call_id))

    async def ranking(
        self, identity: Identity, call_id: str, *, limit: int | None = None, offset: int = 0
    ) -> api.Ranking:
        params = {"limit": limit, "offset": offset}
        return await self.send(api.RANKING, identity, params=params, call_id=_call(call_id))

    async def ranking_csv(self, identity: Identity, call_id: str) -> str:
        """The answer is CSV text, not JSON."""
        return await self.text(api.RANKING_CSV, identity, call_id=_call(call_id))

    async def disagreements(self, identity: Identity, call_id: str) -> list[api.Disagreement]:
        return await self.send(api.DISAGREEMENTS, identity, call_id=_call(call_id))

    async def set_consensus(
        self, identity: Identity, call_id: str, application_id: str, criterion: str,
        request: api.ConsensusSet,
    ) -> api.RankingEntry:  # fmt: skip
        return await self.send(
            api.SET_CONSENSUS, identity, body=request, call_id=_call(call_id),
            application_id=uuid_id(application_id, "application"),
            criterion=key_id(criterion, "criterion", "is not a criterion of this call"),
        )  # fmt: skip

    async def publish_results(self, identity: Identity, call_id: str) -> api.Ranking:
        return await self.send(api.PUBLISH_RESULTS, identity, call_id=_call(call_id))

    # ---- a person's data archive ----

    async def export_person(self, identity: Identity, account_id: str) -> api.ReviewPersonExport:
        return await self.send(api.PERSON_EXPORT, identity, account_id=account_id)
