"""Liveness and readiness: `/health/live` says the process runs its loop (nothing else is
asked); `/health/ready` says its database, NATS and, for intake, its object store answer.
`/health` stays an alias of ready for the callers that knew only it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging import NatsLink

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[Any]]
# Each dependency gets this long to answer; a readiness probe is asked often.
CHECK_SECONDS = 2.0
RETRY_AFTER_SECONDS = 5


def database_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


def nats_check(nats: NatsLink) -> Check:
    async def check() -> None:
        if not nats.connected:
            raise ConnectionError("not connected to NATS")

    return check


async def run_check(name: str, check: Check, seconds: float) -> str:
    try:
        async with asyncio.timeout(seconds):
            await check()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log
        # Probes poll (the launcher at start-up, an orchestrator): the 503 is the signal.
        log.info("readiness: %s failed: %r", name, exc)
        return "unavailable" if not isinstance(exc, TimeoutError) else "timeout"
    return "ok"


async def readiness(checks: Mapping[str, Check], seconds: float = CHECK_SECONDS) -> Response[Any]:
    names = list(checks)
    results = await asyncio.gather(*(run_check(n, checks[n], seconds) for n in names))
    outcome = dict(zip(names, results, strict=True))
    if all(result == "ok" for result in results):
        return Response({"status": "ready", "checks": outcome})
    failing = [name for name, result in outcome.items() if result != "ok"]
    body = {"status": "unavailable", "checks": outcome, "failing": failing}
    return Response(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def health_routes(checks_of: Callable[[Any], Mapping[str, Check]]) -> list[HTTPRouteHandler]:
    """The three routes; `checks_of(app)` names the checks of this process."""

    @get("/health/live", include_in_schema=False, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "live"}

    @get(["/health/ready", "/health"], include_in_schema=False)
    async def ready(request: Request[Any, Any, Any]) -> Response[Any]:
        return await readiness(checks_of(request.app))

    return [live, ready]
