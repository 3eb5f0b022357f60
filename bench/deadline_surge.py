"""The deadline rush: many applicants submit at once through GraphQL.

Prepares N complete applications to the demo call (answers and a PDF each), then submits
them all with C at a time. Prints sustained submissions per second, p50/p95 latency against
a baseline measured in the same run (reading the same applications back, same concurrency),
and the delivery time of `application.submitted` events from intake's commit to a NATS
subscriber (what review receives).

    uv run python -m bench.deadline_surge [--applicants 300] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import nats

from bench.harness import DEMO_CALL, Client, bounded, percentile, running_portal, summary
from shared.contracts import intake as intake_events
from shared.events import decode_envelope

PDF = b"%PDF-1.7\n" + b"0" * 20_000
DRAFT: dict[str, Any] = {
    "organisation": {"name": "Bench Org", "type": "ngo", "country": "NL"},
    "contact": {"name": "Bench", "email": "bench@example.org"},
    "answers": {"project_title": "Bench", "summary": "Benchmark application.",
                "value_chain": "textiles", "strategies": ["reuse"], "team_size": 3, "country": "NL",
                "requested_amount": 20000, "declaration_of_honour": True},
}  # fmt: skip
SAVE = "mutation($id: ID!, $i: ApplicationInput!) { saveApplication(id: $id, input: $i) { __typename } }"
SUBMIT = ("mutation($id: ID!) { submitApplication(id: $id) { __typename"
          " ... on SubmissionReceipt { receipt { number } } } }")  # fmt: skip
READ = "query($id: ID!) { application(id: $id) { id status answers receipt { number } } }"


async def prepare(client: Client, token: str) -> tuple[str, str]:
    app_id = await client.start_application(token, DEMO_CALL)
    saved = await client(SAVE, {"id": app_id, "i": DRAFT}, token)
    assert saved["saveApplication"]["__typename"] == "Application", saved
    uploaded = await client.upload(token, app_id, "pitch_deck", "deck.pdf", PDF)
    assert uploaded["__typename"] == "Attachment", uploaded
    return token, app_id


async def surge(client: Client, nats_url: str, applicants: int, concurrency: int) -> None:
    print(f"signing up {applicants} applicants (each confirms the address from its mail) …")
    tokens = await client.sign_up_many(applicants)
    print(f"preparing {applicants} complete applications …")
    prepared = await bounded(20, [lambda t=t: prepare(client, t) for t in tokens])

    arrivals: dict[str, float] = {}
    all_arrived = asyncio.Event()
    subscriber = await nats.connect(nats_url)

    async def on_submitted(message: Any) -> None:
        event = decode_envelope(message.data)
        payload = event.payload()
        assert isinstance(payload, intake_events.ApplicationSubmitted)
        arrivals[payload.application_id] = (
            datetime.now(UTC).timestamp() - event.occurred_at.timestamp()
        )
        if len(arrivals) >= applicants:  # every submission's event is in: stop waiting
            all_arrived.set()

    await subscriber.subscribe(intake_events.ApplicationSubmitted.subject, cb=on_submitted)

    def timed(
        query: str, token: str, app_id: str, expect: str | None
    ) -> Callable[[], Awaitable[float]]:
        async def job() -> float:
            started = time.perf_counter()
            data = await client(query, {"id": app_id}, token)
            if expect is not None:
                result = next(iter(data.values()))
                assert result["__typename"] == expect, result
            return time.perf_counter() - started

        return job

    baseline = await bounded(concurrency, [timed(READ, t, a, None) for t, a in prepared])
    started = time.perf_counter()
    latencies = await bounded(
        concurrency, [timed(SUBMIT, t, a, "SubmissionReceipt") for t, a in prepared]
    )
    wall = time.perf_counter() - started
    with contextlib.suppress(TimeoutError):  # reported below as fewer events than submits
        await asyncio.wait_for(all_arrived.wait(), 60)
    await subscriber.close()

    delivery = list(arrivals.values())
    print(f"{applicants} submissions, {concurrency} at a time, in {wall:.2f} s")
    print(f"  sustained: {applicants / wall:.1f} submissions/s")
    print(f"  submit latency   : {summary(latencies)}")
    print(f"  baseline (read)  : {summary(baseline)}")
    print(f"  ratio submit/read: p50 {percentile(latencies, 50) / percentile(baseline, 50):.2f},"
          f" p95 {percentile(latencies, 95) / percentile(baseline, 95):.2f}")  # fmt: skip
    print(f"  events delivered : {len(delivery)}/{applicants};"
          f" commit-to-subscriber {summary(delivery)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    with running_portal() as stack:

        async def run() -> None:
            client = Client(stack)
            try:
                await surge(client, f"nats://127.0.0.1:{stack.ports['nats']}", args.applicants,
                            args.concurrency)  # fmt: skip
            finally:
                await client.close()

        asyncio.run(run())


if __name__ == "__main__":
    main()
