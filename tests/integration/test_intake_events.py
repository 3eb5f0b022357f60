"""What intake publishes reaches JetStream with the fields its consumers read."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.contracts import intake as intake_events
from shared.events import EventContract, decode_envelope
from tests.fixtures.apps import GraphQLClient, Portal
from tests.fixtures.servers import Nats
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import (
    DEMO_CALL,
    PDF,
    READ,
    SAVE,
    SUBMIT,
    WITHDRAW,
    complete_application,
)


@pytest.fixture
async def js(nats_server: Nats) -> AsyncIterator[JetStreamContext]:
    client = await nats.connect(nats_server.url)
    yield client.jetstream()
    await client.close()


async def published(js: JetStreamContext, contract: type[Any], application_id: str) -> Any:
    """The last event on the contract's subject once it is this application's (tests run
    one at a time, so the last one is ours when the relay has sent it)."""

    async def last() -> EventContract | None:
        try:
            message = await js.get_last_msg("PORTAL_INTAKE", contract.subject)
        except NotFoundError:
            return None
        event = decode_envelope(message.data).payload()
        assert isinstance(event, contract)
        return event if getattr(event, "application_id", None) == application_id else None

    return await eventually(last)


async def test_stored_resubmitted_and_withdrawn_are_published(
    gql: GraphQLClient, portal: Portal, js: JetStreamContext
) -> None:
    token = await gql.sign_up()
    app_id = (await complete_application(gql, token))["id"]
    [deck] = (await gql(READ, {"id": app_id}, token))["application"]["attachments"]

    stored = await published(js, intake_events.AttachmentStored, app_id)
    assert stored.call_id == DEMO_CALL
    assert stored.attachment == intake_events.AttachmentFacts(
        id=deck["id"], question_key="pitch_deck", file_name="deck.pdf",
        content_type="application/pdf", size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(),
    )  # fmt: skip

    await gql(SUBMIT, {"id": app_id, "key": "first"}, token)
    edit = {"answers": {"project_title": "Fix it together, again"}}
    await gql(SAVE, {"id": app_id, "input": edit}, token)
    second = (await gql(SUBMIT, {"id": app_id, "key": "second"}, token))["submitApplication"]
    assert second["__typename"] == "SubmissionReceipt", second
    resubmitted = await published(js, intake_events.ApplicationResubmitted, app_id)
    assert (resubmitted.version, resubmitted.receipt_number, resubmitted.fingerprint) == (
        2, second["receipt"]["number"], second["receipt"]["fingerprint"],
    )  # fmt: skip
    assert resubmitted.answers["project_title"] == "Fix it together, again"
    assert (resubmitted.country, resubmitted.hub, resubmitted.organisation_type) == (
        "FR", "PT", "social_enterprise",
    )  # fmt: skip
    assert resubmitted.organisation.name == "Repair Collective"
    assert resubmitted.value_chains == ["electronics_ict"]
    assert [(a.id, a.sha256) for a in resubmitted.attachments] == [(deck["id"], deck["sha256"])]

    before = portal.clock()
    withdrawn = (await gql(WITHDRAW, {"id": app_id}, token))["withdrawApplication"]
    assert withdrawn["status"] == "WITHDRAWN"
    event = await published(js, intake_events.ApplicationWithdrawn, app_id)
    assert event.call_id == DEMO_CALL
    assert before <= event.withdrawn_at <= portal.clock() + timedelta(seconds=1)
