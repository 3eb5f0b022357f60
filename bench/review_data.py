"""A call in evaluation, written straight into review's database: N eligible applications,
k submitted evaluations each, from a pool of evaluators. Used by bench/ranking.py and by the
test that counts the SQL queries of a ranking."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.domain.calls import DEFAULT_RUBRIC
from services.review.models import (
    ApplicationCopy,
    AssignmentRow,
    EvaluationRow,
    EvaluatorRow,
    KnownCall,
    PoolMemberRow,
)

COMMENT = "Seeded evaluation comment of sufficient length."


async def seed_scored_call(
    sessions: async_sessionmaker[AsyncSession], applications: int, *, evaluators: int = 150,
    k: int = 3, seed: int = 7,
) -> str:  # fmt: skip
    rng = random.Random(seed)
    call_id = str(uuid.uuid4())
    start = datetime(2027, 1, 1, tzinfo=UTC)
    pool = [f"bench-ev-{seed}-{i}" for i in range(evaluators)]
    async with sessions() as session, session.begin():
        await session.execute(insert(KnownCall), [{
            "call_id": call_id, "title": "Bench call", "hub": None, "hubs": ["NL"],
            "budget": applications * 20_000.0, "rubric": msgspec.to_builtins(DEFAULT_RUBRIC),
            "evaluators_per_application": k, "blind": False, "status": "in_evaluation",
        }])  # fmt: skip
        await session.execute(insert(EvaluatorRow), [
            {"account_id": e, "name": e, "email": f"{e}@bench.example", "organisation": "",
             "expertise": [], "hubs": [], "languages": ["en"], "capacity": 10**6, "active": True}
            for e in pool
        ])  # fmt: skip
        await session.execute(insert(PoolMemberRow), [
            {"call_id": call_id, "account_id": e, "capacity": 1000} for e in pool
        ])  # fmt: skip
        apps, assignments, evaluations = [], [], []
        for i in range(applications):
            app_id = str(uuid.uuid4())
            apps.append({
                "application_id": app_id, "call_id": call_id, "version": 1,
                "content": {"organisation": {"name": f"Org {i}"}, "contact": {}, "team": [],
                            "answers": {}, "requested_amount": float(rng.randrange(5, 60) * 1000)},
                "attachments": [], "value_chains": [], "submitted_at": start + timedelta(seconds=i),
                "withdrawn": False, "eligibility": "eligible",
            })  # fmt: skip
            base = {c.key: rng.randrange(4, 10) / 2 for c in DEFAULT_RUBRIC.criteria}
            for j in range(k):
                assignment_id = uuid.uuid4()
                assignments.append({"id": assignment_id, "call_id": call_id, "application_id": app_id,
                                    "evaluator_id": pool[(i * k + j) % evaluators], "active": True})  # fmt: skip
                scores = {key: max(0.0, min(5.0, v + rng.choice((-0.5, 0.0, 0.5))))
                          for key, v in base.items()}  # fmt: skip
                evaluations.append({"assignment_id": assignment_id, "scores": scores,
                                    "comments": dict.fromkeys(scores, COMMENT), "status": "submitted",
                                    "submitted_at": start})  # fmt: skip
        for table, rows in (
            (ApplicationCopy, apps),
            (AssignmentRow, assignments),
            (EvaluationRow, evaluations),
        ):
            for chunk in range(0, len(rows), 2000):
                await session.execute(insert(table), rows[chunk : chunk + 2000])
    return call_id
