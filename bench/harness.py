"""What the benchmarks share: the whole portal as separate processes (as `make dev` runs it)
on free ports and a temporary data folder, a GraphQL client whose applicants confirm their
address from the mail the stack delivered, percentiles, RSS sampling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil

from gateway.auth import DEMO_PASSWORD
from infra.embedded import free_port
from infra.mail import read_maildir
from infra.stack import Stack

DEMO_CALL = "00000000-0000-4000-8000-000000000003"
APPLICANT_PASSWORD = "quartz-meadow-lantern-bench"
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/#/confirm/([A-Za-z0-9_-]+)")
T = TypeVar("T")


@contextmanager
def running_portal(extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as data:
        env = {"PORTAL_DATA_DIR": data, **(extra_env or {})}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        stack = Stack(quiet=True)
        # Every part the stack runs (services, SMTP, databases) on a free port of its own.
        stack.ports = {name: free_port() for name in stack.ports}
        try:
            stack.start()
            yield stack
        finally:
            stack.stop()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


# Below uvicorn's keep-alive timeout (5 s), as the gateway's own clients (gateway/clients/base.py).
KEEPALIVE_SECONDS = 2.0


class Client:
    def __init__(self, stack: Stack) -> None:
        self.url = f"http://127.0.0.1:{stack.ports['gateway']}/graphql"
        self.ws_url = self.url.replace("http://", "ws://")
        self.maildir = stack.mail_dir
        # An idle pooled connection is dropped before the server's 5 s keep-alive ends it:
        # reusing one just as uvicorn closed it failed a sign-up with httpx.ReadError.
        limits = httpx.Limits(
            max_connections=500, max_keepalive_connections=500, keepalive_expiry=KEEPALIVE_SECONDS
        )
        self.http = httpx.AsyncClient(timeout=600, limits=limits)

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> str:
        data = await self(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) {"
            " __typename ... on AuthPayload { token } ... on Error { message } } }",
            {"e": email, "p": password},
        )
        return str(expect(data["signIn"], "AuthPayload")["token"])

    async def sign_up(self) -> str:
        [token] = await self.sign_up_many(1)
        return token

    async def sign_up_many(self, count: int, concurrency: int = 20) -> list[str]:
        """New applicants, each as a person does it: signs up, takes the link from the
        confirmation mail, confirms, signs in. Their tokens."""
        emails = [f"a-{uuid.uuid4().hex[:12]}@bench.example" for _ in range(count)]
        await bounded(concurrency, [lambda e=e: self._sign_up(e) for e in emails])
        links = await self.confirmation_tokens(set(emails))
        return await bounded(
            concurrency, [lambda e=e: self._confirm_and_sign_in(e, links[e]) for e in emails]
        )

    async def _sign_up(self, email: str) -> None:
        data = await self(
            "mutation($i: SignUpInput!) { signUp(input: $i) { __typename"
            " ... on ValidationErrors { errors { field message } } ... on Error { message } } }",
            {"i": {"email": email, "password": APPLICANT_PASSWORD, "displayName": "Bench"}},
        )
        expect(data["signUp"], "SignUpAccepted")

    async def _confirm_and_sign_in(self, email: str, link_token: str) -> str:
        data = await self(
            "mutation($t: String!) { confirmEmail(token: $t) { __typename"
            " ... on Error { message } } }",
            {"t": link_token},
        )
        expect(data["confirmEmail"], "EmailConfirmed")
        return await self.sign_in(email, APPLICANT_PASSWORD)

    async def confirmation_tokens(self, emails: set[str], within: float = 120) -> dict[str, str]:
        """The confirmation link's token for each address, once its mail is in the stack's
        Maildir (notify sends it over SMTP after the gateway's event)."""
        deadline = time.monotonic() + within
        while True:
            found = await asyncio.to_thread(confirmation_tokens_in, self.maildir)
            if emails <= found.keys():
                return {e: found[e] for e in emails}
            if time.monotonic() > deadline:
                missing = len(emails - found.keys())
                raise RuntimeError(f"{missing} of {len(emails)} confirmation mails never "
                                   f"arrived in {self.maildir}")  # fmt: skip
            await asyncio.sleep(0.2)

    async def start_application(self, token: str, call: str) -> str:
        query = "mutation($c: ID!) { startApplication(callId: $c) { __typename ... on Application { id } } }"
        for _ in range(200):  # intake learns of a new call from the registry's event
            result = (await self(query, {"c": call}, token))["startApplication"]
            if result["__typename"] == "Application":
                return str(result["id"])
            await asyncio.sleep(0.05)
        raise RuntimeError(f"intake never learnt of call {call}")

    async def publish_call(self, admin: str, questions: list[dict[str, Any]]) -> str:
        mission = await self(
            'mutation { createMission(input: {hub: "NL", title: "Bench", valueChains: ["textiles"]})'
            " { ... on Mission { id } } }", token=admin,
        )  # fmt: skip
        challenge = await self(
            "mutation($m: ID!) { createChallenge(input: {missionId: $m, title: \"Bench\"})"
            " { ... on Challenge { id } } }", {"m": mission["createMission"]["id"]}, admin,
        )  # fmt: skip
        now = datetime.now(UTC)
        # Closing beyond the draft reminders' 72 h: a real surge's drafts were reminded days
        # before, and here the scheduler's wave of reminders for every draft just prepared
        # landed inside one run's measured window and not another's.
        call = await self(
            "mutation($i: CallInput!) { createCall(input: $i) { __typename ... on OpenCall { id }"
            " ... on ValidationErrors { errors { field message } } } }",
            {"i": {"title": "Bench call", "hub": "NL",
                   "challengeIds": [challenge["createChallenge"]["id"]], "budget": 10**7,
                   "maxGrant": 10**5, "opensAt": (now - timedelta(hours=1)).isoformat(),
                   "closesAt": (now + timedelta(days=4)).isoformat(),
                   "form": {"questions": questions}}},
            admin,
        )  # fmt: skip
        call_id = str(expect(call["createCall"], "OpenCall")["id"])
        await self(
            "mutation($id: ID!) { publishCall(id: $id) { __typename } }", {"id": call_id}, admin
        )
        return call_id

    async def upload(
        self, token: str, app_id: str, key: str, name: str, content: Any
    ) -> dict[str, Any]:
        query = (
            "mutation($id: ID!, $key: String!, $file: Upload!) { uploadAttachment("
            "applicationId: $id, questionKey: $key, file: $file) { __typename"
            " ... on Attachment { size sha256 } ... on FileTooLarge { message }"
            " ... on ValidationErrors { errors { field message } } ... on Error { message } } }"
        )
        operations = {"query": query, "variables": {"id": app_id, "key": key, "file": None}}
        response = await self.http.post(
            self.url,
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": (name, content, "application/pdf")},
            headers={"Authorization": f"Bearer {token}", "X-Portal-Upload": "1"},
        )
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        result: dict[str, Any] = body["data"]["uploadAttachment"]
        return result

    async def close(self) -> None:
        await self.http.aclose()


def expect(result: dict[str, Any], typename: str) -> dict[str, Any]:
    if result.get("__typename") != typename:
        raise RuntimeError(f"expected {typename}, got {result}")
    return result


def confirmation_tokens_in(maildir: Path) -> dict[str, str]:
    """Each recipient's confirmation token, from the mails delivered so far."""
    found = {}
    for message in read_maildir(maildir):
        body = message.get_body(preferencelist=("plain",))
        match = CONFIRM_LINK.search(str(body.get_content())) if body is not None else None
        if match:
            for address in message["To"].addresses:
                found[address.addr_spec.lower()] = match.group(1)
    return found


async def bounded(concurrency: int, jobs: list[Callable[[], Awaitable[T]]]) -> list[T]:
    """Every job's result, in order, with at most `concurrency` running at once."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(j) for j in jobs)))


class ProcessUsage:
    """Over a block: the CPU seconds each process spent, with its children's for those named
    in `trees` (PostgreSQL's work is in its backends), and, unless `every` is None, its peak
    resident memory, sampled in a thread every `every` seconds. The sampling costs the load's
    process CPU (~60 us a sample of 8 processes, on the cores the servers share): a benchmark
    that reports no memory leaves it off."""

    def __init__(
        self, pids: dict[str, int], every: float | None = 0.01,
        trees: frozenset[str] = frozenset(),
    ) -> None:  # fmt: skip
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.trees = trees
        self.peak = dict.fromkeys(pids, 0)
        self.cpu_seconds = dict.fromkeys(pids, 0.0)
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        assert self.every is not None
        while not self._stop.is_set():
            for name, process in self.processes.items():
                self.peak[name] = max(self.peak[name], process.memory_info().rss)
            time.sleep(self.every)

    def _cpu(self) -> dict[str, dict[int, float]]:
        return {
            name: cpu_by_pid(process, name in self.trees)
            for name, process in self.processes.items()
        }

    def __enter__(self) -> ProcessUsage:
        self._cpu_before = self._cpu()
        if self.every is not None:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        after = self._cpu()
        self.cpu_seconds = {
            name: sum(t - self._cpu_before[name].get(pid, 0.0) for pid, t in times.items())
            for name, times in after.items()
        }


def cpu_by_pid(process: psutil.Process, with_children: bool) -> dict[int, float]:
    """User + system CPU seconds of a process and, if asked, each of its living children."""
    times = {}
    for each in (process, *(process.children(recursive=True) if with_children else ())):
        with contextlib.suppress(psutil.NoSuchProcess):
            times[each.pid] = sum(each.cpu_times()[:2])
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1000:.1f} ms, p95 {percentile(values, 95) * 1000:.1f} ms,"
            f" mean {statistics.fmean(values) * 1000:.1f} ms")  # fmt: skip


def write_file(path: Path, size: int, head: bytes = b"%PDF-1.7\n") -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as f:
        f.write(head)
        written = len(head)
        while written < size:
            piece = block[: min(len(block), size - written)]
            f.write(piece)
            written += len(piece)
