"""One trace from the browser's request to the consumers, and /metrics on every process: a
GraphQL submission carries the gateway's trace id (its X-Trace-Id answer) through intake's
request log, intake's outbox row (the traceparent that reaches NATS) and the log lines of the
consumers that handle the event; the request histogram counts the request just made and the
queue gauges are there with numbers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from services.intake.models import OutboxEvent
from services.notify.metrics import mail_queue
from shared.contracts.intake import ApplicationSubmitted
from shared.logging import JsonFormatter
from tests.fixtures.apps import GraphQLClient, Portal
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import SUBMIT, complete_application

SUBMITTED = ApplicationSubmitted.subject


class JsonLines(logging.Handler):
    """Each record formatted as it is logged (inside its span), as production prints it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def logged() -> Iterator[JsonLines]:
    handler = JsonLines()
    loggers = [logging.getLogger(name) for name in ("portal.requests", "shared.consumer")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def samples(text: str, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {
        frozenset(sample.labels.items()): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def submit_count(text: str) -> float:
    counts = samples(text, "portal_request_duration_seconds_count")
    return sum(
        value for labels, value in counts.items()
        if ("app_name", "intake") in labels and ("method", "POST") in labels
        and any(k == "path" and "submit" in v for k, v in labels)
    )  # fmt: skip


async def test_one_trace_from_the_gateway_to_the_consumers(
    gql: GraphQLClient, portal: Portal, logged: JsonLines
) -> None:
    token = await gql.sign_up()
    application = await complete_application(gql, token)
    async with httpx.AsyncClient(timeout=30) as http:
        before = submit_count((await http.get(f"{portal.intake.url}/metrics")).text)
        response = await gql.http.post(
            gql.url, json={"query": SUBMIT, "variables": {"id": application["id"]}},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        submitted = response.json()["data"]["submitApplication"]
        assert submitted["__typename"] == "SubmissionReceipt", submitted
        trace_id = response.headers["x-trace-id"]  # a new trace: the browser sent none
        assert len(trace_id) == 32 and int(trace_id, 16)

        def lines(**fields: Any) -> list[dict[str, Any]]:
            return [
                line for line in logged.lines if line.get("trace_id") == trace_id
                and all(line.get(k) == v for k, v in fields.items())
            ]  # fmt: skip

        gateway = lines(service="gateway", method="POST", path="/graphql", status=200)
        assert len(gateway) == 1 and gateway[0]["duration_ms"] >= 0
        assert gateway[0]["level"] == "info" and gateway[0]["logger"] == "portal.requests"
        # The gateway's call reached intake with its traceparent: intake's span is the same trace.
        intake = [
            line for line in lines(service="intake", method="POST") if "submit" in line["path"]
        ]
        assert len(intake) == 1 and intake[0]["status"] == 201, lines(service="intake")
        assert "{" in intake[0]["path"]  # the route's template, not the application's id
        async with portal.intake.app.state.runtime.session_factory() as session:
            # By the trace, not "the newest": other tests' submissions may be written later.
            written = (
                await session.scalars(
                    select(OutboxEvent.trace_id).where(
                        OutboxEvent.subject == SUBMITTED,
                        OutboxEvent.trace_id.startswith(f"00-{trace_id}-"),
                    )
                )
            ).all()
        assert len(written) == 1

        async def handled_by_both() -> bool:
            consumers = {
                line["message"].split(":")[0] for line in lines(logger="shared.consumer")
                if f"handled {SUBMITTED}" in line["message"]
            }  # fmt: skip
            return consumers >= {"review", "notify"}

        # Review and notify both consume the submission, each in the same trace.
        await eventually(handled_by_both, within=20)

        service = (await http.get(f"{portal.intake.url}/metrics")).text
        gateway_metrics = await http.get(f"{portal.gateway.url}/metrics")
    assert submit_count(service) == before + 1
    assert gateway_metrics.status_code == 200
    assert gateway_metrics.headers["content-type"].startswith("text/plain")
    graphql = samples(gateway_metrics.text, "portal_request_duration_seconds_count")
    assert any(
        ("app_name", "gateway") in labels and ("path", "/graphql") in labels and value >= 1
        for labels, value in graphql.items()
    )
    for name in (
        "portal_outbox_unpublished_events",
        "portal_outbox_oldest_unpublished_age_seconds",
    ):
        assert samples(service, name)[frozenset({("service", "intake")})] >= 0
        assert samples(gateway_metrics.text, name)[frozenset({("service", "gateway")})] >= 0
    # The gateway's own consumer (the retention audit) reads intake's stream.
    pending = samples(gateway_metrics.text, "portal_consumer_pending_messages")
    assert (
        pending[frozenset({("service", "gateway"), ("consumer", "gateway-audit-portal_intake")})]
        >= 0
    )
    dead = samples(gateway_metrics.text, "portal_dead_letter_messages")
    assert dead[frozenset({("service", "gateway"), ("consumer", "gateway-audit")})] >= 0


async def test_metrics_ask_for_no_identity_and_the_probes_are_not_counted(portal: Portal) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        for app in (portal.registry, portal.review, portal.notify):
            assert (await http.get(f"{app.url}/health/ready")).status_code == 200
            scraped = await http.get(f"{app.url}/metrics")
            assert scraped.status_code == 200, scraped.text
            counted = samples(scraped.text, "portal_request_duration_seconds_count")
            assert not [
                labels
                for labels in counted
                if any(k == "path" and v.startswith(("/health", "/metrics")) for k, v in labels)
            ]


async def test_notify_counts_the_mails_not_yet_sent(portal: Portal) -> None:
    runtime = portal.notify.app.state.runtime
    await mail_queue(runtime)
    async with httpx.AsyncClient(timeout=30) as http:
        scraped = (await http.get(f"{portal.notify.url}/metrics")).text
    unsent = samples(scraped, "portal_mail_unsent")
    assert all(value >= 0 and dict(labels).keys() == {"state"} for labels, value in unsent.items())
