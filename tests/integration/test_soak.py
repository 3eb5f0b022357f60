"""Soak: thousands of gateway → service calls through the real ServiceClient against a real
registry process (started as production starts it: `python -m services.registry`, uvicorn
with shared.serve's settings and its 5 s keep-alive), in parallel bursts whose pauses lie
around that keep-alive. A pooled connection reused just as the server closed it used to fail
about 1 call in 250 here; the client's shorter keep-alive and its one retry of an idempotent
call leave none."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gateway.clients import ServiceClient
from infra.embedded import free_port, wait_for_port
from shared.api import registry as api
from shared.identity import Identity, Role
from tests.fixtures.apps import INTERNAL_SECRET
from tests.fixtures.servers import Nats, Postgres

# Pauses between bursts, around the server's 5 s keep-alive idle timeout.
PAUSES = (4.6, 4.8, 4.9, 5.0, 5.05, 5.1, 5.2, 5.4)
# Clients soaking side by side (as the gateway's many requests do): while one pauses, the
# others keep the service busy, so the run stays short.
STREAMS = 4
WAVES = 3  # a burst: waves a few ms apart, so pooled connections idle for different times
WAVE_SIZE = 30
WAVE_GAP = 0.03
READER = Identity(role=Role.ADMIN, account_id="soak")


@dataclass
class Tally:
    calls: int = 0
    failures: list[str] = field(default_factory=list)


@pytest.fixture
async def registry_process(
    postgres: Postgres, nats_server: Nats, tmp_path: Path
) -> AsyncIterator[str]:
    port = free_port()
    env = {
        **os.environ, "REGISTRY_PORT": str(port),
        "REGISTRY_DATABASE_URL": await postgres.new_database("soak"),
        "REGISTRY_NATS_URL": nats_server.url, "REGISTRY_INTERNAL_SECRET": INTERNAL_SECRET,
    }  # fmt: skip
    with (tmp_path / "registry.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.registry", env=env, stdout=log, stderr=log
        )
        try:
            await asyncio.to_thread(wait_for_port, port, 60)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 15)


async def one_call(client: ServiceClient, path: str, tally: Tally) -> None:
    tally.calls += 1
    try:
        result = list[api.Country] if path == api.COUNTRIES.path else list[api.Hub]
        assert await client.call("GET", path, READER, result)
    except Exception as exc:  # every failure is counted, then reported
        tally.failures.append(f"{type(exc).__name__}: {exc} ({exc.__cause__!r})")


async def burst(client: ServiceClient, tally: Tally) -> None:
    """Waves of parallel reads (one in ten reads the database: hubs), each wave started
    while the one before is still being answered."""
    waves = []
    for wave in range(WAVES):
        paths = [api.HUBS.path if i % 10 == 0 else api.COUNTRIES.path for i in range(WAVE_SIZE)]
        waves.append(asyncio.gather(*(one_call(client, p, tally) for p in paths)))
        if wave < WAVES - 1:
            await asyncio.sleep(WAVE_GAP)  # the spacing itself is what is tested
    await asyncio.gather(*waves)


async def stream(client: ServiceClient, pauses: list[float], tally: Tally) -> None:
    await burst(client, tally)
    for pause in pauses:
        await asyncio.sleep(pause)  # idle on purpose: the server's keep-alive runs out
        await burst(client, tally)


async def soak(clients: list[ServiceClient]) -> Tally:
    """Every client bursts, pauses and bursts again, its pauses in its own order."""
    tally = Tally()
    await asyncio.gather(*(
        stream(client, [*PAUSES[i:], *PAUSES[:i]], tally) for i, client in enumerate(clients)
    ))  # fmt: skip
    return tally


async def test_thousands_of_calls_across_keep_alive_timeouts_all_succeed(
    registry_process: str,
) -> None:
    clients = [ServiceClient("registry", registry_process, INTERNAL_SECRET) for _ in range(STREAMS)]
    try:
        tally = await soak(clients)
    finally:
        for client in clients:
            await client.close()
    attempts = sum(client.request_count for client in clients)
    print(f"\nsoak: {tally.calls} calls, {len(tally.failures)} failures, "
          f"{attempts - tally.calls} sent twice")  # fmt: skip
    assert tally.calls >= 3000
    assert tally.failures == []
