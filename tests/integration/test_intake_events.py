"""What intake publishes reaches JetStream with the fields its consumers read."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.events import on_call_closed
from services.intake.models import ApplicationRow, OutboxEvent
from shared.contracts import intake as intake_events
from shared.contracts import registry as registry_events
from shared.events import EventContract, decode_envelope, envelope_for
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Nats
from tests.fixtures.streams import by_application, first_on_stream
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import (
    DEMO_CALL,
    PDF,
    READ,
    SAVE,
    START,
    SUBMIT,
    WITHDRAW,
    apply_to,
    belgian_and_southern_french,
    complete_application,
    publish_call,
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


async def on_stream(js: JetStreamContext, contract: type[Any], application_id: str) -> Any:
    """This application's event among all on the contract's subject."""
    event = await first_on_stream(js, contract.subject, by_application(application_id))
    assert isinstance(event, contract)
    return event


async def test_the_eligibility_decisions_are_published_when_the_call_closes(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, js: JetStreamContext
) -> None:
    call = await publish_call(gql, tokens)
    (eligible, _), (ineligible, _) = await belgian_and_southern_french(gql, call)
    with portal.clock.shifted(timedelta(days=2)):  # the registry closes the call
        yes = await on_stream(js, intake_events.ApplicationEligible, eligible)
        no = await on_stream(js, intake_events.ApplicationIneligible, ineligible)
    assert yes.call_id == no.call_id == call
    assert any("France (south)" in r for r in no.reasons), no.reasons


async def test_withdrawing_a_draft_never_submitted_tells_nobody(
    gql: GraphQLClient, portal: Portal
) -> None:
    token = await gql.sign_up()
    draft = (await gql(START, {"call": DEMO_CALL}, token))["startApplication"]
    assert draft["__typename"] == "Application", draft
    other = await gql.sign_up()
    submitted = (await complete_application(gql, other))["id"]
    await gql(SUBMIT, {"id": submitted}, other)
    for app_id, owner in ((draft["id"], token), (submitted, other)):
        withdrawn = (await gql(WITHDRAW, {"id": app_id}, owner))["withdrawApplication"]
        assert withdrawn["status"] == "WITHDRAWN"
    # Both transactions are committed: their events are in the outbox now.
    async with portal.intake.app.state.runtime.session_factory() as session:
        bodies = await session.scalars(
            select(OutboxEvent.body).where(
                OutboxEvent.subject == intake_events.ApplicationWithdrawn.subject
            )
        )
        ids = {decode_envelope(body).payload().application_id for body in bodies}
    assert submitted in ids and draft["id"] not in ids


# ---- the closing instant: a submit in flight and the close handler -----------------------


async def waiting_on_locks(engine: AsyncEngine) -> int:
    """How many of the service's sessions are blocked on a row lock right now."""
    async with engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return int(found or 0)


@asynccontextmanager
async def closing(portal: Portal, call: str) -> AsyncIterator[None]:
    """Intake's handler of the registry's CallClosed, committed when the block ends."""
    runtime = portal.intake.app.state.runtime
    event = registry_events.CallClosed(call_id=call, closes_at=portal.clock())
    async with runtime.session_factory() as session, session.begin():
        await on_call_closed(session, envelope_for(event), event)
        yield


async def close_now(portal: Portal, call: str) -> None:
    async with closing(portal, call):
        pass


async def done_or_blocked(task: asyncio.Task[Any], engine: AsyncEngine, blocked: int) -> bool:
    return task.done() or await waiting_on_locks(engine) >= blocked


async def draft_on_fresh_call(gql: GraphQLClient, tokens: Tokens) -> tuple[str, str, str]:
    """A complete, unsubmitted application on a call of its own: (call, id, token)."""
    call = await publish_call(gql, tokens)
    app_id, token = await apply_to(
        gql, call, {"name": "A", "type": "ngo", "country": "BE"}, 10_000, submit=False
    )
    return call, app_id, token


async def stored(portal: Portal, app_id: str) -> ApplicationRow:
    async with portal.intake.app.state.runtime.session_factory() as session:
        app = await session.get(ApplicationRow, uuid.UUID(app_id))
    assert app is not None
    return app


async def test_a_submit_waits_for_a_close_in_progress_and_is_then_refused(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call, app_id, token = await draft_on_fresh_call(gql, tokens)
    async with closing(portal, call):  # the handler has run; its transaction is still open
        submit = asyncio.create_task(gql(SUBMIT, {"id": app_id, "key": "at-the-bell"}, token))
        await eventually(lambda: done_or_blocked(submit, portal.intake.app.state.runtime.engine, 1))
        # Without the lock the submit would commit now, unseen by the eligibility check.
        assert not submit.done(), await submit
    refused = (await submit)["submitApplication"]
    assert refused["__typename"] == "Conflict" and "closed" in refused["message"], refused
    app = await stored(portal, app_id)
    assert (app.status, app.version) == ("draft", 0)


async def test_a_close_waits_for_a_submit_in_flight_and_then_decides_it(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call, app_id, token = await draft_on_fresh_call(gql, tokens)
    runtime = portal.intake.app.state.runtime
    async with runtime.session_factory() as holder:
        # Hold the application: the submit gets as far as its share lock on the call.
        await holder.get(ApplicationRow, uuid.UUID(app_id), with_for_update=True)
        submit = asyncio.create_task(gql(SUBMIT, {"id": app_id, "key": "in-time"}, token))
        await eventually(lambda: done_or_blocked(submit, runtime.engine, 1))
        close = asyncio.create_task(close_now(portal, call))
        await eventually(lambda: done_or_blocked(close, runtime.engine, 2))
        # The close must wait for the submit that passed the deadline check before it.
        assert not close.done() and not submit.done()
        await holder.rollback()
    submitted = (await submit)["submitApplication"]
    assert submitted["__typename"] == "SubmissionReceipt", submitted
    await close
    app = await stored(portal, app_id)
    assert (app.status, app.eligibility) == ("submitted", "eligible")
