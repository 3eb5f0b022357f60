"""The deadline rush: many applicants submit at once through GraphQL, against the floors.

Each run publishes a call and prepares N complete applications to it (answers and a PDF
each). Then, with the same load generator (`bench/load.py`) and C connections, in one run:

- floor `raw`: a Litestar + msgspec + asyncpg route doing a submission's durable work;
- floor `strawberry`: a bare Strawberry mutation on Litestar answering the same document;
- the portal: N `submitApplication`s through the gateway, until review and notify hold them;
- the portal: N reads of an application through the gateway.

It prints rates, latencies, the ratio to the floors and the CPU milliseconds per operation of
every process (psutil; PostgreSQL with its backends), and the delivery of
`application.submitted` events from intake's commit to a NATS subscriber. "load+smtp" is this
process: the load generator and the stack's SMTP server that receives the receipts (outside
the portal's total, but on the same two cores).

    uv run python -m bench.deadline_surge [--applicants 600] [--concurrency 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import nats
from nats.js import JetStreamContext

from bench.harness import (
    DEMO_CALL,
    Client,
    ProcessUsage,
    bounded,
    percentile,
    running_portal,
    summary,
)
from bench.load import Load, drive, graphql, post
from infra.embedded import free_port
from infra.stack import Stack
from shared.api.notify import MailState
from shared.contracts import intake as intake_events
from shared.events import SERVICES, decode_envelope, stream_for_service


def options(*values: str) -> list[dict[str, Any]]:
    return [{"value": v, "labels": [{"lang": "en", "text": v}]} for v in values]


PDF = b"%PDF-1.7\n" + b"0" * 20_000
FORM = [
    {"key": "project_title", "type": "SHORT_TEXT", "maxLength": 120},
    {"key": "summary", "type": "LONG_TEXT", "maxWords": 300},
    {"key": "value_chain", "type": "SINGLE_CHOICE", "options": options("textiles", "plastics")},
    {"key": "strategies", "type": "MULTIPLE_CHOICE", "maxPicks": 2,
     "options": options("reuse", "repair")},
    {"key": "team_size", "type": "NUMBER", "minValue": 1, "maxValue": 250},
    {"key": "country", "type": "COUNTRY"},
    {"key": "requested_amount", "type": "REQUESTED_AMOUNT", "minValue": 5000, "maxValue": 60000},
    {"key": "pitch_deck", "type": "FILE", "allowedTypes": ["pdf"], "maxCount": 1,
     "maxSizeBytes": 1_000_000},
    {"key": "declaration_of_honour", "type": "DECLARATION"},
]  # fmt: skip
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
PORTAL = ("gateway", "registry", "intake", "review", "notify", "postgres", "nats")


@contextmanager
def profiled(pids: dict[str, int], directory: str | None, phase: str) -> Iterator[None]:
    """With a directory: py-spy samples each Python process meanwhile, into
    <phase>-<name>.txt as collapsed stacks (py-spy on PATH: `pip install py-spy`)."""
    if directory is None:
        yield
        return
    os.makedirs(directory, exist_ok=True)
    spies = [subprocess.Popen(["py-spy", "record", "-p", str(pid), "-r", "250", "-f", "raw",
                               "-o", os.path.join(directory, f"{phase}-{name}.txt"), "--nonblocking"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for name, pid in pids.items()]  # fmt: skip
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(30)


@contextmanager
def floor_process(kind: str, *args: str) -> Iterator[tuple[int, int]]:
    """A floor server on a free port, as (port, pid), stopped afterwards."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.floors", kind, str(port), *args])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"floor {kind} did not start") from None
                time.sleep(0.1)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(10)


async def prepare(client: Client, token: str, call: str = DEMO_CALL) -> tuple[str, str]:
    """A complete application (answers and a PDF), not yet submitted, as (token, its id)."""
    app_id = await client.start_application(token, call)
    saved = await client(SAVE, {"id": app_id, "i": DRAFT}, token)
    assert saved["saveApplication"]["__typename"] == "Application", saved
    uploaded = await client.upload(token, app_id, "pitch_deck", "deck.pdf", PDF)
    assert uploaded["__typename"] == "Attachment", uploaded
    return token, app_id


Check = tuple[str, str, tuple[Any, ...]]


async def settled(stack: Stack, js: JetStreamContext, *checks: Check) -> None:
    """Returns once the portal is quiet and each of `checks` (a database, a query answering a
    boolean, its values) holds: no mail is queued, every service's outbox is published and
    every durable consumer has caught up. One connection per database for the whole wait:
    connecting on every poll would be counted as the portal's CPU."""
    every = [
        *checks,
        ("notify", "SELECT count(*) = 0 FROM mail WHERE state = $1", (MailState.QUEUED.value,)),
        *((db, "SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL", ())
          for db in ("registry", "intake", "review", "notify", "gateway")),
    ]  # fmt: skip
    connections = {
        database: await asyncpg.connect(stack.database_url(database).replace("+asyncpg", ""))
        for database in {database for database, _, _ in every}
    }

    async def done() -> bool:
        for database, sql, values in every:
            if not await connections[database].fetchval(sql, *values):
                return False
        for stream in (stream_for_service(service) for service in SERVICES):
            for consumer in await js.consumers_info(stream):
                if consumer.num_pending or consumer.num_ack_pending:
                    return False
        return True

    try:
        await until(done, 120)
    finally:
        for connection in connections.values():
            await connection.close()


def holding(call: str, n: int) -> list[Check]:
    """Review and notify each hold the call's n submitted applications."""
    sql = "SELECT count(*) = $1 FROM application WHERE call_id::text = $2"
    return [("review", sql, (n, call)), ("notify", sql, (n, call))]


async def mails_since(stack: Stack, since: datetime) -> str:
    """The mails notify wrote since `since`, by kind: what the measured window paid for."""
    connection = await asyncpg.connect(stack.database_url("notify").replace("+asyncpg", ""))
    try:
        rows = await connection.fetch(
            "SELECT kind, count(*) AS n FROM mail WHERE created_at >= $1 GROUP BY kind"
            " ORDER BY kind",
            since,
        )
    finally:
        await connection.close()
    return ", ".join(f"{row['kind']} {row['n']}" for row in rows) or "none"


async def until(condition: Callable[[], Awaitable[bool]], within: float) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the portal did not finish the submissions' work in time")
        await asyncio.sleep(0.2)


def measured(
    pids: dict[str, int], run: Callable[[], Awaitable[Load]]
) -> tuple[Load, dict[str, float]]:
    """The load and each process's CPU seconds over it (and over what `run` waits for)."""
    with ProcessUsage(pids, every=None, trees=frozenset({"postgres"})) as usage:
        load = asyncio.run(run())
    if load.failures:
        raise RuntimeError(f"{len(load.failures)} failed, first: {load.failures[0]}")
    return load, usage.cpu_seconds


def report(label: str, load: Load, cpu: dict[str, float], floor: Load | None = None) -> None:
    per_op = {name: seconds * 1000 / len(load.latencies) for name, seconds in cpu.items()}
    ratio = f", {load.rate / floor.rate:.2f} of the floor" if floor is not None else ""
    print(f"  {label:<22} {load.rate:7.1f}/s{ratio}; {summary(load.latencies)}")
    total = sum(ms for name, ms in per_op.items() if not name.startswith("load"))
    parts = ", ".join(f"{name} {ms:.2f}" for name, ms in per_op.items())
    print(f"  {'':<22} CPU ms/op: {total:.2f} in all ({parts})")


async def sign_up(stack: Stack, applicants: int) -> list[str]:
    client = Client(stack)
    try:
        return await client.sign_up_many(applicants)
    finally:
        await client.close()


async def prepared_call(stack: Stack, tokens: list[str]) -> tuple[str, list[str]]:
    client = Client(stack)
    try:
        admin = await client.sign_in("admin@demo.portal")
        questions = [{**q, "labels": [{"lang": "en", "text": q["key"]}]} for q in FORM]
        call = await client.publish_call(admin, questions)
        prepared = await bounded(20, [lambda t=t: prepare(client, t, call) for t in tokens])
    finally:
        await client.close()
    # What preparing set off (drafts' copies, uploads' events) settles before any measuring.
    connection = await nats.connect(
        f"nats://127.0.0.1:{stack.ports['nats']}", token=stack.secrets()["nats_token"]
    )
    try:
        await settled(stack, connection.jetstream())
    finally:
        await connection.close()
    return call, [app_id for _, app_id in prepared]


class Deliveries:
    """`application.submitted` events as a NATS subscriber receives them."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.delays: dict[str, float] = {}

    async def __aenter__(self) -> Deliveries:
        self.connection = await nats.connect(self.url, token=self.token)

        async def on_submitted(message: Any) -> None:
            event = decode_envelope(message.data)
            payload = event.payload()
            assert isinstance(payload, intake_events.ApplicationSubmitted)
            self.delays[payload.application_id] = (
                datetime.now(UTC).timestamp() - event.occurred_at.timestamp()
            )

        await self.connection.subscribe(intake_events.ApplicationSubmitted.subject, cb=on_submitted)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.connection.close()


def one_run(
    stack: Stack,
    tokens: list[str],
    concurrency: int,
    floors: dict[str, int],
    profile: str | None = None,
) -> None:
    call, apps = asyncio.run(prepared_call(stack, tokens))
    n = len(apps)
    me = {"load": os.getpid()}
    # The stack's SMTP server runs in this process too: it receives the portal's receipts.
    portal = {name: stack.pid_of(name) for name in PORTAL} | {"load+smtp": os.getpid()}

    raw_port, strawberry_port = floors["raw_port"], floors["strawberry_port"]
    raw_requests = [post("/submit", json.dumps({"application_id": str(uuid.uuid4()),
                                                "answers": DRAFT["answers"]}).encode())
                    for _ in apps]  # fmt: skip
    raw, raw_cpu = measured(
        {"floor": floors["raw_pid"], "postgres": stack.pid_of("postgres")} | me,
        lambda: drive(raw_port, raw_requests, concurrency, b'"number"'),
    )  # fmt: skip
    bare_requests = [graphql(SUBMIT, {"id": a}) for a in apps]
    bare, bare_cpu = measured(
        {"floor": floors["strawberry_pid"]} | me,
        lambda: drive(strawberry_port, bare_requests, concurrency, b"SubmissionReceipt"),
    )  # fmt: skip
    gateway = stack.ports["gateway"]
    submits = [graphql(SUBMIT, {"id": a}, t) for a, t in zip(apps, tokens, strict=True)]
    reads = [graphql(READ, {"id": a}, t) for a, t in zip(apps, tokens, strict=True)]

    deliveries = Deliveries(
        f"nats://127.0.0.1:{stack.ports['nats']}", stack.secrets()["nats_token"]
    )

    async def submitting() -> Load:
        async with deliveries:
            load = await drive(gateway, submits, concurrency, b"SubmissionReceipt")
            await settled(stack, deliveries.connection.jetstream(), *holding(call, n))
            return load

    python = {name: stack.pid_of(name) for name in ("gateway", "intake", "review", "notify")}
    started = datetime.now(UTC)
    with profiled(python, profile, "submit"):
        submitted, submit_cpu = measured(portal, submitting)
    mails = asyncio.run(mails_since(stack, started))
    with profiled(python, profile, "read"):
        read, read_cpu = measured(
            portal, lambda: drive(gateway, reads, concurrency, b'"SUBMITTED"')
        )  # fmt: skip
    print(f"{n} submissions, {concurrency} connections:")
    report("floor: raw route", raw, raw_cpu)
    report("floor: bare Strawberry", bare, bare_cpu)
    report("portal: submit", submitted, submit_cpu, bare)
    report("portal: read", read, read_cpu)
    delays = list(deliveries.delays.values())
    print(f"  events delivered: {len(delays)}/{n}; commit-to-subscriber {summary(delays)}")
    print(f"  mails written while submitting: {mails}")
    print(f"  submit p95 {percentile(submitted.latencies, 95) * 1000:.0f} ms (goal < 150),"
          f" {submitted.rate / bare.rate:.2f} of bare Strawberry (goal >= 0.8)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--profile", metavar="DIR", help="py-spy the services' submits and reads into DIR"
    )
    args = parser.parse_args()
    with running_portal() as stack:
        dsn = stack.database_url("postgres").replace("+asyncpg", "")
        print(
            f"signing up {args.applicants} applicants (each confirms the address from its mail) …"
        )
        tokens = asyncio.run(sign_up(stack, args.applicants))
        with (
            floor_process("raw", dsn) as (raw_port, raw_pid),
            floor_process("strawberry") as (strawberry_port, strawberry_pid),
        ):
            floors = {"raw_port": raw_port, "raw_pid": raw_pid,
                      "strawberry_port": strawberry_port, "strawberry_pid": strawberry_pid}  # fmt: skip
            for run in range(1, args.runs + 1):
                print(f"\nrun {run} of {args.runs}: preparing {len(tokens)} applications …")
                one_run(stack, tokens, args.concurrency, floors, args.profile)


if __name__ == "__main__":
    main()
