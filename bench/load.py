"""A load generator that is not the bottleneck: each connection sends ready-encoded HTTP/1.1
requests over keep-alive and reads each answer by its Content-Length, nothing more (no HTTP
library on the client's side). It prints its own CPU per request beside the servers'."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


def post(path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in (headers or {}).items())]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def graphql(query: str, variables: dict[str, Any], token: str | None = None) -> bytes:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return post("/graphql", json.dumps({"query": query, "variables": variables}).encode(), headers)


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    wall: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def drive(port: int, requests: Iterable[bytes], concurrency: int, expect: bytes) -> Load:
    """Every request sent, `concurrency` connections at a time; a request fails unless its
    answer is a 200 whose body holds `expect`."""
    pending = iter(requests)
    load = Load()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in pending:
                started = time.perf_counter()
                writer.write(request)
                status, body = await _read_response(reader)
                load.latencies.append(time.perf_counter() - started)
                if status != 200 or expect not in body:
                    load.failures.append(f"{status} {body[:300]!r}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    load.wall = time.perf_counter() - started
    return load
