"""A call's retention period: editable by its managers until the results, then the sweep
anonymises the unfunded applications once it has run out (funded ones are kept), once, each
recorded in the audit log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.retention_audit import ACTION, audit_consumer
from services.intake.usecases.retention import sweep
from shared.messaging import NatsLink
from shared.objectstore import FilesystemObjectStore
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Nats, Postgres
from tests.fixtures.waiting import eventually
from tests.integration.erasure_helpers import (
    STRONG,
    WEAK,
    decided_call,
    engine_of,
    gateway_engine,
    new_applicant,
    tables_holding,
)
from tests.integration.test_intake_graphql import publish_call

UPDATE = """mutation($id: ID!, $i: CallUpdateInput!) { updateCall(id: $id, input: $i) {
  __typename ... on OpenCall { retentionDays editableFields }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }"""


async def test_the_retention_period_changes_until_the_results_and_nothing_else_does(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    short = await gql(UPDATE, {"id": call, "i": {"retentionDays": 29}}, tokens.admin)
    assert short["updateCall"]["errors"] == [
        {"field": "retentionDays", "message": "give 30 to 3650 days"}
    ]
    longer = await gql(UPDATE, {"id": call, "i": {"retentionDays": 730}}, tokens.admin)
    assert longer["updateCall"] == {
        "__typename": "OpenCall", "retentionDays": 730, "editableFields": ["retentionDays"],
    }  # fmt: skip
    other = await gql(UPDATE, {"id": call, "i": {"title": "New"}}, tokens.admin)
    assert other["updateCall"]["__typename"] == "Conflict"
    not_theirs = await gql(UPDATE, {"id": call, "i": {"retentionDays": 60}}, tokens.applicant)
    assert not_theirs["updateCall"]["__typename"] == "Forbidden"


async def test_the_sweep_anonymises_unfunded_applications_past_the_period_once(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, postgres: Postgres, nats_server: Nats
) -> None:
    funded, unfunded = new_applicant(), new_applicant()
    # 60,000 + 50,000 exceed the budget of 100,000: the second is on the reserve list.
    call = await decided_call(
        gql, portal, tokens, [(funded, 60_000), (unfunded, 50_000)], [STRONG, WEAK]
    )

    async def registry_knows_the_results() -> bool:
        # The registry hears of the results from review's event, after intake may have.
        found = await gql("query($id: ID!) { call(id: $id) { lifecycle } }", {"id": call})
        return bool(found["call"]["lifecycle"] == "RESULTS_PUBLISHED")

    await eventually(registry_knows_the_results)
    late = await gql(UPDATE, {"id": call, "i": {"retentionDays": 60}}, tokens.admin)
    assert late["updateCall"]["__typename"] == "Conflict"  # the results are out

    intake = portal.intake.app.state.runtime.session_factory
    store = FilesystemObjectStore(
        root=portal.store_dir, link_secret=b"unused", link_base_url="http://unused"
    )
    now = datetime.now(UTC)

    async def results_known() -> bool:
        async with engine_of(portal.intake).connect() as connection:
            published_at = await connection.scalar(
                text("SELECT results_published_at FROM known_call WHERE call_id = :c"),
                {"c": call},
            )
        return published_at is not None

    await eventually(results_known)
    assert await sweep(intake, store, now + timedelta(days=364)) == []
    assert await sweep(intake, store, now + timedelta(days=366)) == [unfunded.application_id]
    assert await sweep(intake, store, now + timedelta(days=367)) == []  # once

    engines = {"intake": engine_of(portal.intake), "review": engine_of(portal.review)}

    async def unfunded_gone() -> bool:
        for engine in engines.values():
            if await tables_holding(engine, [unfunded.organisation, unfunded.contact_email]):
                return False
        return True

    await eventually(unfunded_gone)
    for engine in engines.values():
        assert "application" in await tables_holding(engine, [funded.organisation])

    account_id = (await gql("{ me { id } }", token=funded.token))["me"]["id"]
    gateway = await gateway_engine(postgres, account_id)
    link = NatsLink(nats_server.url, "retention-audit-test")
    link.start()
    consumer = audit_consumer(link, async_sessionmaker(gateway, expire_on_commit=False))
    consumer.start()
    try:

        async def audited() -> list[tuple[str, str | None]]:
            async with gateway.connect() as connection:
                rows = await connection.execute(
                    text("SELECT actor_role, actor_id, target_id FROM audit_entry"
                         " WHERE action = :a AND target_id IN (:u, :f)"),
                    {"a": ACTION, "u": unfunded.application_id, "f": funded.application_id},
                )  # fmt: skip
                return [(row.actor_role, row.actor_id, row.target_id) for row in rows]

        entries = await eventually(audited)
        assert entries[0] == ("system", None, unfunded.application_id)
        assert {target for _, _, target in entries} == {unfunded.application_id}
    finally:
        await consumer.stop()
        await link.close()
        await asyncio.shield(gateway.dispose())
