"""`ranking(callId)` through GraphQL over 5,000 applications with 15,000 evaluations: p95
(goal < 300 ms), against a 50-application call ranked in the same run as the baseline; and
the first read after one evaluation changed (the ranking read model ranks the call again,
one consensus computed again). Beside each, the CPU milliseconds per read of the gateway,
review and PostgreSQL (psutil; after a change, PostgreSQL's share includes the change).

    uv run python -m bench.ranking [--applications 5000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.harness import Client, ProcessUsage, percentile, running_portal, summary
from bench.review_data import seed_scored_call
from services.registry.domain.calls import DEFAULT_RUBRIC
from services.review.models import AssignmentRow, EvaluationRow
from shared.db import new_engine, new_session_factory

FULL = """query($c: ID!) { ranking(callId: $c) { ... on Ranking { total entries { applicationId rank
  decision weightedTotal scores thresholdsFailed tieBreak explanation } } } }"""
PAGE = """query($c: ID!) { ranking(callId: $c, first: 50) { ... on Ranking { total entries {
  applicationId rank decision weightedTotal scores thresholdsFailed tieBreak explanation } } } }"""


PROCESSES = ("gateway", "review", "postgres")


async def measure(client: Client, admin: str, query: str, call: str, repeat: int) -> list[float]:
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
                pids = {name: stack.pid_of(name) for name in PROCESSES}
                lines = []
                for label, query, call, after_change in (
                    ("50 applications, all lines      ", FULL, small, False),
                    (f"{args.applications} applications, all lines ", FULL, big, False),
                    (f"{args.applications} applications, first 50  ", PAGE, big, False),
                    (f"{args.applications} applications, first 50 after one evaluation changed",
                     PAGE, big, True),
                ):  # fmt: skip
                    await client(query, {"c": call}, admin)  # warm up
                    with ProcessUsage(pids, every=None, trees=frozenset({"postgres"})) as usage:
                        if after_change:
                            times = await measure_after_change(
                                client, admin, query, call, args.repeat, sessions
                            )
                        else:
                            times = await measure(client, admin, query, call, args.repeat)
                    cpu = ", ".join(f"{name} {seconds * 1000 / len(times):.1f}"
                                    for name, seconds in usage.cpu_seconds.items())  # fmt: skip
                    lines.append((label, times, cpu))
            finally:
                await client.close()
                await engine.dispose()
            baseline = lines[0][1]
            print(f"ranking through GraphQL ({args.repeat} runs each)")
            for index, (label, times, cpu) in enumerate(lines):
                ratio = percentile(times, 95) / percentile(baseline, 95)
                compared = f"  (p95 ratio to baseline {ratio:.1f})" if index in (1, 2) else ""
                goal = "; goal p95 < 300 ms" if index == 2 else ""
                print(f"  {label}: {summary(times)}{compared}{goal}")
                print(f"      CPU ms per read: {cpu}")

        asyncio.run(run())


if __name__ == "__main__":
    main()
