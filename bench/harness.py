"""What the benchmarks share: the whole portal as separate processes (as `make dev` runs it)
on free ports and a temporary data folder, a GraphQL client, percentiles, RSS sampling."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil

from gateway.auth import DEMO_PASSWORD
from infra.embedded import free_port
from infra.stack import Stack

DEMO_CALL = "00000000-0000-4000-8000-000000000003"


@contextmanager
def running_portal(extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as data:
        env = {
            "PORTAL_DATA_DIR": data,
            **{f"PORTAL_{n.upper()}_PORT": str(free_port())
               for n in ("gateway", "registry", "intake", "review", "postgres", "nats")},
            **(extra_env or {}),
        }  # fmt: skip
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        stack = Stack(quiet=True)
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


class Client:
    def __init__(self, stack: Stack) -> None:
        self.url = f"http://127.0.0.1:{stack.ports['gateway']}/graphql"
        self.ws_url = self.url.replace("http://", "ws://")
        self.http = httpx.AsyncClient(
            timeout=600, limits=httpx.Limits(max_connections=500, max_keepalive_connections=500)
        )

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

    async def sign_in(self, email: str) -> str:
        data = await self(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) {"
            " ... on AuthPayload { token } } }",
            {"e": email, "p": DEMO_PASSWORD},
        )
        return str(data["signIn"]["token"])

    async def sign_up(self) -> str:
        data = await self(
            "mutation($i: SignUpInput!) { signUp(input: $i) { ... on AuthPayload { token } } }",
            {"i": {"email": f"a-{uuid.uuid4().hex[:12]}@bench.example", "password": "bench-password",
                   "displayName": "Bench"}},
        )  # fmt: skip
        return str(data["signUp"]["token"])

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
        call = await self(
            "mutation($i: CallInput!) { createCall(input: $i) { __typename ... on OpenCall { id }"
            " ... on ValidationErrors { errors { field message } } } }",
            {"i": {"title": "Bench call", "hub": "NL",
                   "challengeIds": [challenge["createChallenge"]["id"]], "budget": 10**7,
                   "maxGrant": 10**5, "opensAt": (now - timedelta(hours=1)).isoformat(),
                   "closesAt": (now + timedelta(days=1)).isoformat(),
                   "form": {"questions": questions}}},
            admin,
        )  # fmt: skip
        call_id = str(call["createCall"]["id"])
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


class ProcessUsage:
    """Over a block: each process's peak resident memory (sampled in a thread) and the CPU
    seconds it spent."""

    def __init__(self, pids: dict[str, int], every: float = 0.01) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self.cpu_seconds = dict.fromkeys(pids, 0.0)
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for name, process in self.processes.items():
                self.peak[name] = max(self.peak[name], process.memory_info().rss)
            time.sleep(self.every)

    def _cpu(self) -> dict[str, float]:
        return {name: sum(p.cpu_times()[:2]) for name, p in self.processes.items()}

    def __enter__(self) -> ProcessUsage:
        self._cpu_before = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        after = self._cpu()
        self.cpu_seconds = {name: after[name] - self._cpu_before[name] for name in after}


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
