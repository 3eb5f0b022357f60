"""Prometheus metrics at `/metrics` on every process.

Requests: Litestar's Prometheus middleware (`portal_request_duration_seconds`,
`portal_requests_total`, `portal_requests_error_total` by `app_name`, `method`, route template
`path` and `status_code`). Queues: gauges refreshed when `/metrics` is scraped, never per
request: the outbox (rows not yet on NATS, the age of the oldest), each durable consumer's
lag (JetStream's `num_pending`, and `num_ack_pending`), the dead letters of each consumer, and
what a service adds itself (notify: its mail queue).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from nats.js.errors import NotFoundError
from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.consumer import EventConsumer
from shared.events import DLQ_PREFIX, DLQ_STREAM
from shared.messaging import NatsLink
from shared.outbox import OutboxMixin
from shared.tracing import PROBES

log = logging.getLogger(__name__)

PREFIX = "portal"
# A scrape must answer even when the database or NATS does not: each gauge waits this long.
REFRESH_SECONDS = 2.0

OUTBOX_UNPUBLISHED = Gauge(
    f"{PREFIX}_outbox_unpublished_events", "Outbox rows not yet published to NATS", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    f"{PREFIX}_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none waits)",
    ["service"],
)
CONSUMER_PENDING = Gauge(
    f"{PREFIX}_consumer_pending_messages",
    "Messages of the stream not yet delivered to the durable consumer (JetStream num_pending)",
    ["service", "consumer"],
)
CONSUMER_UNACKED = Gauge(
    f"{PREFIX}_consumer_unacknowledged_messages",
    "Messages delivered to the durable consumer and not yet acknowledged",
    ["service", "consumer"],
)
DEAD_LETTERS = Gauge(
    f"{PREFIX}_dead_letter_messages",
    f"Messages a consumer moved to the dead-letter stream {DLQ_STREAM}",
    ["service", "consumer"],
)

GaugeRefresh = Callable[[], Awaitable[None]]


def request_metrics(service: str) -> PrometheusConfig:
    """The request histogram and counters, by route template; probes are not counted."""
    return PrometheusConfig(
        app_name=service, prefix=PREFIX, group_path=True,
        exclude=[f"^{probe}" for probe in PROBES],
    )  # fmt: skip


@dataclass
class ProcessGauges:
    """What one process reports about its queues when scraped."""

    service: str
    session_factory: async_sessionmaker[AsyncSession]
    outbox_model: type[OutboxMixin]
    nats: NatsLink
    consumers: Sequence[EventConsumer] = ()
    extra: Sequence[GaugeRefresh] = field(default_factory=list)

    async def refresh(self) -> None:
        steps = [self.outbox, *(self.consumer_lag(c) for c in self.consumers), *self.extra]
        await asyncio.gather(*(self._bounded(step) for step in steps))

    async def _bounded(self, step: GaugeRefresh) -> None:
        try:
            async with asyncio.timeout(REFRESH_SECONDS):
                await step()
        except Exception as exc:  # an outage shows as the gauge's last value; the log says why
            log.info("%s: a gauge was not refreshed: %r", self.service, exc)

    async def outbox(self) -> None:
        model = self.outbox_model
        async with self.session_factory() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(model.created_at)).where(
                        model.published_at.is_(None)
                    )
                )
            ).one()
        OUTBOX_UNPUBLISHED.labels(self.service).set(count)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_OLDEST_AGE.labels(self.service).set(max(age, 0.0))

    def consumer_lag(self, consumer: EventConsumer) -> GaugeRefresh:
        async def refresh() -> None:
            if not self.nats.connected:
                raise ConnectionError("not connected to NATS")
            js = await self.nats.jetstream()
            for stream, durable in consumer.durables():
                try:
                    info = await js.consumer_info(stream, durable)
                except NotFoundError:
                    continue  # not created yet: the consumer is still starting
                CONSUMER_PENDING.labels(self.service, durable).set(info.num_pending or 0)
                CONSUMER_UNACKED.labels(self.service, durable).set(info.num_ack_pending or 0)
            dead = await js.stream_info(
                DLQ_STREAM, subjects_filter=f"{DLQ_PREFIX}.{consumer.name}.>"
            )
            DEAD_LETTERS.labels(self.service, consumer.name).set(
                sum((dead.state.subjects or {}).values())
            )

        return refresh


async def refresh_gauges(request: Request[Any, Any, Any]) -> None:
    gauges: ProcessGauges | None = getattr(request.app.state, "gauges", None)
    if gauges is not None:
        await gauges.refresh()


class MetricsController(PrometheusController):
    """`GET /metrics` in Prometheus' text format, the queue gauges refreshed first; outside
    the OpenAPI schema and asking for no identity."""

    include_in_schema = False
    before_request = staticmethod(refresh_gauges)
