"""Faults: NATS goes away in the middle of the deadline rush."""

from __future__ import annotations

from pathlib import Path

import nats
import pytest

from infra.embedded import free_port, start_nats
from shared.contracts import intake as intake_events
from shared.events import decode_envelope
from tests.fixtures.apps import GraphQLClient, start_portal
from tests.fixtures.mail import Mailbox
from tests.fixtures.servers import Nats, Postgres
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import DEMO_CALL, SUBMIT, complete_application

PROGRESS = """query($c: ID!) { evaluationProgress(callId: $c) { __typename
  ... on EvaluationProgress { applications } } }"""


@pytest.fixture
async def own_nats(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = Nats(free_port(), tmp_path / "jetstream")
    server.process = start_nats(server.store, server.port)
    yield server
    server.process.stop()


async def test_a_submit_succeeds_while_nats_is_down_and_its_event_follows_once(
    postgres: Postgres, own_nats: Nats, tmp_path: Path, mail_server: Mailbox
) -> None:
    portal = await start_portal(postgres, own_nats, tmp_path / "objects", mailbox=mail_server)
    gql = GraphQLClient(portal.graphql_url, mailbox=portal.mailbox)
    try:
        token = await gql.sign_up()
        app = await complete_application(gql, token)
        assert own_nats.process is not None
        own_nats.process.stop()

        result = (await gql(SUBMIT, {"id": app["id"]}, token))["submitApplication"]
        assert result["__typename"] == "SubmissionReceipt", result

        own_nats.process = start_nats(own_nats.store, own_nats.port)
        client = await nats.connect(own_nats.url)
        js = client.jetstream()
        subject = intake_events.ApplicationSubmitted.subject

        async def delivered() -> int:
            try:
                info = await js.stream_info("PORTAL_INTAKE", subjects_filter=subject)
            except Exception:
                return 0
            return (info.state.subjects or {}).get(subject, 0)

        assert await eventually(delivered, within=30) == 1
        message = await js.get_last_msg("PORTAL_INTAKE", subject)
        event = decode_envelope(message.data).payload()
        assert isinstance(event, intake_events.ApplicationSubmitted)
        assert event.application_id == app["id"]
        assert event.receipt_number == result["receipt"]["number"]
        assert {a.question_key for a in event.attachments} == {"pitch_deck"}
        # The relay has marked it sent: nothing more will follow.
        relay = portal.intake.app.state.runtime.relay
        assert await relay.publish_pending() == 0
        assert await delivered() == 1

        # Review, the consumer, holds the snapshot once (this portal has no other application).
        admin = await gql.sign_in("admin@demo.portal")

        async def in_review() -> int:
            found = (await gql(PROGRESS, {"c": DEMO_CALL}, admin))["evaluationProgress"]
            return int(found["applications"]) if found["__typename"] == "EvaluationProgress" else 0

        assert await eventually(in_review, within=30) == 1

        async def review_caught_up() -> bool:
            info = await js.consumer_info("PORTAL_INTAKE", "review-portal_intake")
            return info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(review_caught_up)
        assert await in_review() == 1
        await client.close()
    finally:
        await gql.http.aclose()
        await portal.stop()
