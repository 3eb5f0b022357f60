"""Erasure on request: after it the applicant's name, e-mail address and organisation are gone
from every service's tables and from what staff see, while the call's ranking is exactly as it
was; a redelivered erasure changes nothing."""

from __future__ import annotations

import contextlib
from typing import Any

import nats
import pytest
from sqlalchemy import text

from gateway.auth import DEMO_PASSWORD
from shared.contracts.accounts import AccountErased
from shared.events import encode_envelope, envelope_for
from shared.logging import TRACE_HEADER
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Nats, Postgres
from tests.fixtures.waiting import eventually
from tests.integration.erasure_helpers import (
    PASSWORD,
    STRONG,
    WEAK,
    answer_text,
    decided_call,
    engine_of,
    gateway_engine,
    new_applicant,
    ranking_of,
    tables_holding,
)

ERASE = """mutation($p: String!) { eraseMyAccount(password: $p) { __typename
  ... on AccountErased { message } ... on ValidationErrors { errors { field message } }
  ... on Error { message } } }"""
STAFF_VIEW = """query($id: ID!) { application(id: $id) { id status answers requestedAmount
  organisation { name type country website } contact { name email }
  attachments { fileName } } }"""


async def test_staff_cannot_erase_their_own_account(gql: GraphQLClient, tokens: Tokens) -> None:
    for token in (tokens.admin, tokens.hub_nl):
        refused = (await gql(ERASE, {"p": DEMO_PASSWORD}, token))["eraseMyAccount"]
        assert refused["__typename"] == "Forbidden", refused
        assert "programme team" in refused["message"]
        assert (await gql("{ me { email } }", token=token))["me"]["email"].endswith("@demo.portal")


async def test_an_erased_applicant_is_gone_everywhere_and_the_ranking_stays(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, postgres: Postgres, nats_server: Nats
) -> None:
    erased, kept = new_applicant(), new_applicant()
    call = await decided_call(
        gql, portal, tokens, [(erased, 50_000), (kept, 40_000)], [STRONG, WEAK]
    )
    ranking = await ranking_of(gql, call, tokens.admin)
    assert [e["decision"] for e in ranking] == ["selected", "selected"]
    account_id = (await gql("{ me { id } }", token=erased.token))["me"]["id"]

    wrong = (await gql(ERASE, {"p": "not-the-password"}, erased.token))["eraseMyAccount"]
    assert wrong["__typename"] == "ValidationErrors"
    assert wrong["errors"] == [{"field": "password", "message": "the password is wrong"}]
    done = (await gql(ERASE, {"p": PASSWORD}, erased.token))["eraseMyAccount"]
    assert done["__typename"] == "AccountErased" and "scores and decisions" in done["message"]
    ended = await gql.raw("{ me { id } }", token=erased.token)  # signed out
    assert ended.status_code == 401 and ended.json()["code"] == "not_authenticated"

    engines = {
        "intake": engine_of(portal.intake), "review": engine_of(portal.review),
        "notify": engine_of(portal.notify),
        "gateway": await gateway_engine(postgres, account_id),
    }  # fmt: skip

    leftovers: dict[str, dict[str, list[str]]] = {}

    async def nothing_left() -> bool:
        leftovers.clear()
        for name, engine in engines.items():
            if found := await tables_holding(engine, erased.personal):
                leftovers[name] = found
        return not leftovers

    with contextlib.suppress(pytest.fail.Exception):
        await eventually(nothing_left, within=20)
    assert leftovers == {}
    # The search finds what it looks for: the other applicant is still there.
    assert set(await tables_holding(engines["intake"], kept.personal)) >= {"application"}
    assert set(await tables_holding(engines["review"], [kept.organisation])) >= {"application"}

    assert await ranking_of(gql, call, tokens.admin) == ranking
    async with engines["gateway"].connect() as connection:
        audited = await connection.execute(
            text("SELECT outcome FROM audit_entry WHERE action = 'eraseMyAccount'"
                 " AND actor_id = :a ORDER BY sequence"),
            {"a": account_id},
        )  # fmt: skip
        assert list(audited.scalars()) == ["ValidationErrors", "ok"]
    seen = await gql(STAFF_VIEW, {"id": erased.application_id}, tokens.admin)
    staff_text = answer_text(seen) + answer_text(
        await gql("query($c: ID!) { rankingCsv(callId: $c) }", {"c": call}, tokens.admin)
    )
    assert seen["application"]["requestedAmount"] == 50_000
    assert seen["application"]["attachments"] == []  # deleted from the store: no dead link
    assert not [s for s in erased.personal if s.lower() in staff_text.lower()]
    assert kept.organisation in answer_text(
        await gql(STAFF_VIEW, {"id": kept.application_id}, tokens.admin)
    )

    # The same erasure again (a redelivery under a new id) changes nothing anywhere.
    before = await snapshot(engines, erased.application_id)
    again = envelope_for(AccountErased(account_id=account_id, erased_at=before["at"]))
    client = await nats.connect(nats_server.url)
    headers = {"Nats-Msg-Id": again.id, TRACE_HEADER: again.trace_id or ""}
    await client.jetstream().publish(again.subject, encode_envelope(again), headers=headers)
    await client.close()

    async def handled_everywhere() -> bool:
        for name in ("intake", "review", "notify"):
            async with engines[name].connect() as connection:
                seen_id = await connection.scalar(
                    text("SELECT count(*) FROM processed_event WHERE event_id = :id"),
                    {"id": again.id},
                )
            if not seen_id:
                return False
        return True

    await eventually(handled_everywhere)
    assert await snapshot(engines, erased.application_id) == before
    await engines["gateway"].dispose()


async def snapshot(engines: dict[str, Any], application_id: str) -> dict[str, Any]:
    """The erased application's rows and intake's count of events, as they stand."""
    rows: dict[str, Any] = {}
    queries = {
        "intake": "SELECT a::text FROM application a WHERE id::text = :id",
        "review": "SELECT a::text FROM application a WHERE application_id = :id",
        "notify": "SELECT a::text FROM application a WHERE application_id = :id",
    }
    for name, query in queries.items():
        async with engines[name].connect() as connection:
            rows[name] = await connection.scalar(text(query), {"id": application_id})
    async with engines["intake"].connect() as connection:
        rows["intake_events"] = await connection.scalar(text("SELECT count(*) FROM outbox"))
        rows["at"] = await connection.scalar(
            text("SELECT anonymised_at FROM application WHERE id::text = :id"),
            {"id": application_id},
        )
    return rows
