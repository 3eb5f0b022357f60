"""The queue gauges are refreshed when /metrics is scraped, each bounded in time: one that
fails or hangs (a database or NATS outage) leaves the others and the scrape answering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

import shared.metrics
from services.registry.models import OutboxEvent
from shared.db import new_engine, new_session_factory
from shared.messaging import NatsLink
from shared.metrics import MetricsController, ProcessGauges

SCRAPED = Gauge("portal_test_scraped_value", "set by a refresh in the test")


@pytest.fixture
async def nowhere() -> AsyncIterator[AsyncEngine]:
    # Port 9 (discard) refuses: the database is down, which a scrape must survive.
    engine = new_engine("postgresql+asyncpg://postgres@127.0.0.1:9/none")
    yield engine
    await engine.dispose()


def gauges(engine: AsyncEngine, *extra: shared.metrics.GaugeRefresh) -> ProcessGauges:
    link = NatsLink("nats://127.0.0.1:9", "test")  # never started: not connected
    return ProcessGauges("test", new_session_factory(engine), OutboxEvent, link, extra=list(extra))


async def test_a_scrape_refreshes_the_gauges_first(nowhere: AsyncEngine) -> None:
    scrapes = []

    async def count_scrape() -> None:
        scrapes.append(1)
        SCRAPED.set(len(scrapes))

    app = Litestar(route_handlers=[MetricsController])
    app.state.gauges = gauges(nowhere, count_scrape)
    async with AsyncTestClient(app) as client:
        first = await client.get("/metrics")
        second = await client.get("/metrics")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/plain")
    assert "portal_test_scraped_value 1.0" in first.text
    assert "portal_test_scraped_value 2.0" in second.text
    assert "/metrics" not in app.openapi_schema.paths  # type: ignore[operator]


async def test_a_failing_or_hanging_gauge_leaves_the_others(
    nowhere: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared.metrics, "REFRESH_SECONDS", 0.2)
    done = []

    async def hangs() -> None:
        await asyncio.Event().wait()

    async def fails() -> None:
        raise ConnectionError("down")

    async def works() -> None:
        done.append(True)

    async with asyncio.timeout(5):
        await gauges(nowhere, hangs, fails, works).refresh()  # the outbox's database is down
    assert done == [True]
    assert (
        REGISTRY.get_sample_value("portal_outbox_unpublished_events", {"service": "test"}) is None
    )
