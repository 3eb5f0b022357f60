"""Liveness is the process; readiness is its database and NATS too: with PostgreSQL stopped a
service and the gateway are live but not ready (503 naming "database"), and ready again once
it is back. `/health` answers what `/health/ready` does."""

from __future__ import annotations

import httpx

from tests.fixtures.outage import OnOwnPostgres, on_own_postgres, own_postgres
from tests.fixtures.waiting import eventually

__all__ = ["on_own_postgres", "own_postgres"]

READY = {"status": "ready", "checks": {"database": "ok", "nats": "ok"}}


async def test_ready_follows_the_database_live_does_not(on_own_postgres: OnOwnPostgres) -> None:
    urls = [on_own_postgres.registry.url, on_own_postgres.gateway.url]
    async with httpx.AsyncClient(timeout=10) as http:

        async def ready_everywhere() -> bool:
            answers = [await http.get(f"{url}/health/ready") for url in urls]
            return all(a.status_code == 200 and a.json() == READY for a in answers)

        await eventually(ready_everywhere, within=20)
        for url in urls:
            assert (await http.get(f"{url}/health")).json() == READY
        on_own_postgres.postgres.stop()
        try:
            for url in urls:
                ready = await http.get(f"{url}/health/ready")
                assert ready.status_code == 503, ready.text
                assert ready.json()["failing"] == ["database"]
                assert ready.json()["checks"]["nats"] == "ok"
                assert ready.headers["retry-after"] == "5"
                assert (await http.get(f"{url}/health")).status_code == 503
                live = await http.get(f"{url}/health/live")
                assert live.status_code == 200 and live.json() == {"status": "live"}
        finally:
            on_own_postgres.postgres.start()
        await eventually(ready_everywhere, within=20)
