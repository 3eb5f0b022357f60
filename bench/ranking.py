"""`ranking(callId)` through GraphQL over 5,000 applications with 15,000 evaluations: p95
(goal < 300 ms), against a 50-application call ranked in the same run as the baseline; and
the first read after one evaluation changed (the ranking read model ranks the call again,
one consensus computed again).

    uv run python -m bench.ranking [--applications 5000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.harness import Client, percentile, running_portal, summary
from bench.review_data import seed_scored_call
from services.registry.domain.calls import DEFAULT_RUBRIC
from services.review.models import AssignmentRow, EvaluationRow
from shared.db import new_engine, new_session_factory

FULL = """query($c: ID!) { ranking(callId: $c) { ... on Ranking { total entries { applicationId rank
  decision weightedTotal scores thresholdsFailed tieBreak explanation } } } }"""
PAGE = """query($c: ID!) { ranking(callId: $c, first: 50) { ... on Ranking { total entries {
  applicationId rank decision weightedTotal scores thresholdsFailed tieBreak explanation } } } }"""


async def measure(client: Client, admin: str, query: str, call: str, repeat: int) -> list[float]:
    await client(query, {"c": call}, admin)  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await client(query, {"c": call}, admin)
        times.append(time.perf_counter() - started)
    return times


async def measure_after_change(
    client: Client, admin: str, query: str, call: str, repeat: int,
    sessions: async_sessionmaker[AsyncSession],
) -> list[float]:  # fmt: skip
    """Each read follows a change to one submitted evaluation of the call."""
    async with sessions() as session:
        assignments = list(await session.scalars(
            select(AssignmentRow.id).where(AssignmentRow.call_id == call)))  # fmt: skip
    rng = random.Random(11)
    times = []
    for _ in range(repeat):
        async with sessions() as session, session.begin():
            await session.execute(
                update(EvaluationRow).where(EvaluationRow.assignment_id == rng.choice(assignments))
                .values(scores={c.key: rng.randrange(4, 10) / 2 for c in DEFAULT_RUBRIC.criteria})
            )  # fmt: skip
        started = time.perf_counter()
        await client(query, {"c": call}, admin)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with running_portal() as stack:

        async def run() -> None:
            engine = new_engine(stack.database_url("review"))
            sessions = new_session_factory(engine)
            big = await seed_scored_call(sessions, args.applications, seed=1)
            small = await seed_scored_call(sessions, 50, seed=2)
            client = Client(stack)
            try:
                admin = await client.sign_in("admin@demo.portal")
                baseline = await measure(client, admin, FULL, small, args.repeat)
                full = await measure(client, admin, FULL, big, args.repeat)
                page = await measure(client, admin, PAGE, big, args.repeat)
                changed = await measure_after_change(
                    client, admin, PAGE, big, args.repeat, sessions
                )
            finally:
                await client.close()
                await engine.dispose()
            print(f"ranking through GraphQL ({args.repeat} runs each)")
            print(f"  50 applications, all lines      : {summary(baseline)}")
            print(f"  {args.applications} applications, all lines : {summary(full)}"
                  f"  (p95 ratio to baseline {percentile(full, 95) / percentile(baseline, 95):.1f})")  # fmt: skip
            print(f"  {args.applications} applications, first 50  : {summary(page)}"
                  f"  (p95 ratio to baseline {percentile(page, 95) / percentile(baseline, 95):.1f};"
                  f" goal p95 < 300 ms)")  # fmt: skip
            print(f"  {args.applications} applications, first 50 after one evaluation changed:"
                  f" {summary(changed)}")  # fmt: skip

        asyncio.run(run())


if __name__ == "__main__":
    main()
