"""A new draft is published (`ApplicationDrafted`: notify reminds its applicant before the
call closes), exactly once per application, however often or at once it is started."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from nats.js import JetStreamContext
from sqlalchemy import select

from services.intake.models import OutboxEvent
from shared.contracts import intake as intake_events
from shared.events import decode_envelope
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.integration.test_intake_events import js, on_stream  # noqa: F401 (a fixture)
from tests.integration.test_intake_graphql import SAVE, START, call_known_to_intake

ME = "{ me { id email } }"


async def drafted_in_outbox(portal: Portal, application_id: str) -> int:
    """How many `ApplicationDrafted` intake wrote for this application (committed ones)."""
    async with portal.intake.app.state.runtime.session_factory() as session:
        bodies = await session.scalars(
            select(OutboxEvent.body).where(
                OutboxEvent.subject == intake_events.ApplicationDrafted.subject
            )
        )
        found = [decode_envelope(body).payload() for body in bodies]
    return sum(1 for event in found if event.application_id == application_id)


async def test_a_new_draft_is_published_once_even_when_started_three_times_at_once(
    gql: GraphQLClient,
    portal: Portal,
    tokens: Tokens,
    js: JetStreamContext,  # noqa: F811
) -> None:
    call = await call_known_to_intake(gql, tokens)
    token = await gql.sign_up()
    me = (await gql(ME, token=token))["me"]
    before = portal.clock()
    started = await asyncio.gather(*(gql(START, {"call": call}, token) for _ in range(3)))
    answers = [s["startApplication"] for s in started]
    assert {a["__typename"] for a in answers} == {"Application"}, answers
    [app_id] = {a["id"] for a in answers}

    drafted = await on_stream(js, intake_events.ApplicationDrafted, app_id)
    assert (drafted.call_id, drafted.applicant_id, drafted.applicant_email) == (
        call, me["id"], me["email"],
    )  # fmt: skip
    assert before - timedelta(seconds=5) <= drafted.created_at <= portal.clock()

    # Starting once more and saving continue the same draft: nothing new is announced.
    again = (await gql(START, {"call": call}, token))["startApplication"]
    assert again["id"] == app_id
    saved = await gql(SAVE, {"id": app_id, "input": {"answers": {"title": "Ours"}}}, token)
    assert saved["saveApplication"]["__typename"] == "Application", saved
    assert await drafted_in_outbox(portal, app_id) == 1


async def test_each_applicant_s_draft_is_published_with_its_own_ids(
    gql: GraphQLClient,
    portal: Portal,
    tokens: Tokens,
    js: JetStreamContext,  # noqa: F811
) -> None:
    call = await call_known_to_intake(gql, tokens)
    drafts = []
    for _ in range(2):
        token = await gql.sign_up()
        me = (await gql(ME, token=token))["me"]
        app = (await gql(START, {"call": call}, token))["startApplication"]
        drafts.append((app["id"], me["id"]))
    assert drafts[0][0] != drafts[1][0]
    for app_id, applicant in drafts:
        event = await on_stream(js, intake_events.ApplicationDrafted, app_id)
        assert (event.call_id, event.applicant_id) == (call, applicant)
        assert await drafted_in_outbox(portal, app_id) == 1
