"""Gateway behaviour: batching, request limits, token errors, accounts."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import nats
import pytest
import websockets
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.accounts import seed_demo_accounts
from gateway.app import MIGRATIONS
from gateway.config import GatewaySettings
from gateway.models import Account
from services.registry.models import MissionRow
from shared.db import migrate_async, new_engine, new_session_factory
from tests.fixtures.apps import TEAM_EMAIL, TEAM_PASSWORD, GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Postgres
from tests.integration.test_intake_graphql import DEMO_CALL
from tests.integration.test_registry_graphql import (
    CALL,
    PUBLISH,
    call_input,
    make_mission_and_challenge,
)

CALLS_WITH_EVERYTHING = """{ calls { id title hub { code } hubs { code name }
  challenges { title hub { code } mission { title hub { code } valueChains { name } } }
  eligibleCountries { code name } } }"""


async def count_internal_requests(portal: Portal, gql: GraphQLClient, query: str) -> int:
    client = portal.gateway.app.state.services.registry
    before = client.request_count
    await gql(query)
    return int(client.request_count - before)


async def test_listing_calls_costs_the_same_requests_whatever_their_number(
    portal: Portal, gql: GraphQLClient, tokens: Tokens
) -> None:
    first = await count_internal_requests(portal, gql, CALLS_WITH_EVERYTHING)
    for hub in ("PT", "IT", "DE"):
        _, challenge = await make_mission_and_challenge(gql, tokens.admin, hub)
        for _ in range(2):
            created = await gql(CALL, {"i": call_input(challenge, hub=hub)}, tokens.admin)
            await gql(PUBLISH, {"id": created["createCall"]["id"]}, tokens.admin)
    listed = await gql("{ calls { id } }")
    assert len(listed["calls"]) >= 7
    assert await count_internal_requests(portal, gql, CALLS_WITH_EVERYTHING) == first
    # calls, hubs, challenges, missions, value chains, country names
    assert first <= 6


async def test_query_depth_is_limited(gql: GraphQLClient) -> None:
    nested = "title"
    for _ in range(6):
        nested = f"challenges {{ mission {{ {nested} }} }}"
    deep = f"{{ hubs {{ missions {{ {nested} }} }} }}"
    body = (await gql.raw(deep)).json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_aliases_are_limited(gql: GraphQLClient) -> None:
    many = "{ " + " ".join(f"a{i}: hubs {{ code }}" for i in range(40)) + " }"
    body = (await gql.raw(many)).json()
    assert "aliases" in body["errors"][0]["message"].lower()


async def test_tokens_are_limited(gql: GraphQLClient) -> None:
    huge = "{ " + " ".join("hubs { code }" for _ in range(1200)) + " }"
    body = (await gql.raw(huge)).json()
    assert "token" in body["errors"][0]["message"].lower()


async def test_a_bad_access_token_is_a_clear_401(gql: GraphQLClient) -> None:
    response = await gql.raw("{ hubs { code } }", token="not-a-token")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) { __typename
  ... on SignUpAccepted { message email } ... on ValidationErrors { errors { field message } } } }"""
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { __typename
  ... on AuthPayload { token } ... on Error { message } } }"""


async def test_sign_up_then_sign_in(gql: GraphQLClient) -> None:
    email = f"ana-{uuid.uuid4().hex[:8]}@example.org"
    person = {"email": email, "password": "a-long-password", "displayName": "Ana"}
    created = await gql(SIGN_UP, {"i": person})
    assert created["signUp"]["__typename"] == "SignUpAccepted"
    assert created["signUp"]["email"] == email and "mailbox" in created["signUp"]["message"]
    # Before confirming, the person signs in (and may draft).
    token = (await gql(SIGN_IN, {"e": email, "p": "a-long-password"}))["signIn"]["token"]
    me = await gql("{ me { email role emailConfirmed language } }", token=token)
    assert me["me"] == {"email": email, "role": "APPLICANT", "emailConfirmed": False,
                        "language": "en"}  # fmt: skip
    # An address with an account gets the same answer: nothing tells anyone it exists.
    again = await gql(SIGN_UP, {"i": {**person, "email": email.upper()}})
    assert again == created
    weak = await gql(SIGN_UP, {"i": {"email": "x", "password": "short", "displayName": ""}})
    assert {e["field"] for e in weak["signUp"]["errors"]} == {"email", "password", "displayName"}

    wrong = await gql(SIGN_IN, {"e": email, "p": "wrong-password"})
    unknown = await gql(SIGN_IN, {"e": f"nobody-{email}", "p": "wrong-password"})
    # The same answer whether or not the account exists: nothing leaks.
    assert wrong == unknown
    assert wrong["signIn"]["__typename"] == "NotAuthenticated"


async def test_concurrent_sign_ups_with_one_e_mail_make_one_account(gql: GraphQLClient) -> None:
    """All pass the "is it taken?" check before any inserts: the unique index decides, and
    every one gets the same accepted answer, never a 500."""
    email = f"twin-{uuid.uuid4().hex[:8]}@example.org"
    variables = {"i": {"email": email, "password": "a-long-password", "displayName": "Twin"}}
    responses = await asyncio.gather(*(gql.raw(SIGN_UP, variables) for _ in range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    bodies = [r.json() for r in responses]
    assert all("errors" not in b for b in bodies), bodies
    assert {b["data"]["signUp"]["__typename"] for b in bodies} == {"SignUpAccepted"}
    await gql.sign_in(email, "a-long-password")


async def test_gateways_seeding_together_share_the_accounts(postgres: Postgres) -> None:
    """Two replicas starting at once on an empty database: neither crashes, one set exists."""
    url = await postgres.new_database("gateway")
    await migrate_async(MIGRATIONS, url)
    engines = [new_engine(url) for _ in range(2)]

    async def seed(engine: AsyncEngine) -> list[uuid.UUID]:
        async with new_session_factory(engine)() as session:
            return [a.id for a in await seed_demo_accounts(session, GatewaySettings())]

    try:
        first, second = await asyncio.gather(*(seed(e) for e in engines))
        async with new_session_factory(engines[0])() as session:
            stored = (await session.scalars(select(Account.id))).all()
    finally:
        for engine in engines:
            await engine.dispose()
    assert first == second and sorted(first) == sorted(stored) and len(stored) == 4


async def test_the_deployment_admin_exists_from_the_first_start(gql: GraphQLClient) -> None:
    """Compose seeds no demo accounts: GATEWAY_ADMIN_EMAIL makes the first team account."""
    token = await gql.sign_in(TEAM_EMAIL, TEAM_PASSWORD)
    assert (await gql("{ me { email role } }", token=token))["me"] == {
        "email": TEAM_EMAIL,
        "role": "ADMIN",
    }


async def test_only_admins_create_staff_accounts(gql: GraphQLClient, tokens: Tokens) -> None:
    create = """mutation($i: AccountInput!) { createAccount(input: $i) { __typename
      ... on Account { role hub } ... on Error { message } } }"""
    staff = {"email": f"hm-{uuid.uuid4().hex[:8]}@example.org", "displayName": "Hub manager",
             "role": "HUB_MANAGER", "hub": "PT"}  # fmt: skip
    refused = await gql(create, {"i": staff}, tokens.hub_nl)
    assert refused["createAccount"]["__typename"] == "Forbidden"
    anonymous = await gql(create, {"i": staff})
    assert anonymous["createAccount"]["__typename"] == "NotAuthenticated"
    nowhere = {**staff, "email": f"x-{staff['email']}", "hub": "XX"}
    unknown = await gql(
        create.replace("message", "message ... on ValidationErrors { errors { field } }"),
        {"i": nowhere},
        tokens.admin,
    )
    assert unknown["createAccount"]["errors"] == [{"field": "hub"}]
    made = await gql(create, {"i": staff}, tokens.admin)
    assert made["createAccount"] == {"__typename": "Account", "role": "HUB_MANAGER", "hub": "PT"}


async def test_operators_see_dead_letters(
    gql: GraphQLClient, tokens: Tokens, nats_server: Any
) -> None:
    client = await nats.connect(nats_server.url)
    marker = uuid.uuid4().hex
    try:
        await client.jetstream().publish(
            f"portal.dlq.test.{marker}", b'{"broken": true}',
            headers={"Portal-Dlq-Reason": "cannot decode", "Portal-Dlq-Consumer": "test"},
        )  # fmt: skip
    finally:
        await client.close()
    query = "{ deadLetters(last: 5) { subject consumer reason body } }"
    letters = (await gql(query, token=tokens.admin))["deadLetters"]
    assert {"subject": f"portal.dlq.test.{marker}", "consumer": "test", "reason": "cannot decode",
            "body": '{"broken": true}'} in letters  # fmt: skip
    refused = (await gql.raw(query, token=tokens.hub_nl)).json()
    assert refused["errors"][0]["extensions"]["code"] == "forbidden"
    # A count of none or fewer is named (found probing: it answered [] without a word).
    [none] = (await gql.raw("{ deadLetters(last: -1) { subject } }", token=tokens.admin)).json()[
        "errors"
    ]
    assert none["extensions"] == {"code": "validation_failed", "fields": ["last"]}


async def test_subscriptions_speak_only_graphql_transport_ws(portal: Portal) -> None:
    """The older `graphql-ws` protocol (subscriptions-transport-ws, unmaintained) is refused."""
    url = portal.graphql_url.replace("http", "ws", 1)
    init = json.dumps({"type": "connection_init", "payload": {}})
    old = websockets.Subprotocol("graphql-ws")
    async with websockets.connect(url, subprotocols=[old]) as ws:
        assert ws.subprotocol is None
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            await ws.send(init)
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406
    current = websockets.Subprotocol("graphql-transport-ws")
    async with websockets.connect(url, subprotocols=[current]) as ws:
        assert ws.subprotocol == "graphql-transport-ws"
        await ws.send(init)
        assert json.loads(await ws.recv())["type"] == "connection_ack"


async def test_thousands_of_missions_list_with_their_challenges(
    portal: Portal, gql: GraphQLClient
) -> None:
    """A loader sends its batch of ids in the query string: 2,000 mission ids (74 KB) would
    outgrow a URL (httpx refuses over 64 KB), so the batch goes in parts."""
    engine = new_engine(portal.registry_settings.database_url)
    ids = [uuid.uuid4() for _ in range(2000)]
    try:
        async with new_session_factory(engine)() as session, session.begin():
            await session.execute(insert(MissionRow), [
                {"id": i, "hub_code": "NL", "title": f"Mission {n}", "value_chains": ["textiles"]}
                for n, i in enumerate(ids)
            ])  # fmt: skip
        listed = await gql.raw("{ missions { id challenges { id } } }")
        body = listed.json()
        assert "errors" not in body, body
        assert {str(i) for i in ids} <= {m["id"] for m in body["data"]["missions"]}
    finally:
        async with new_session_factory(engine)() as session, session.begin():
            await session.execute(delete(MissionRow).where(MissionRow.id.in_(ids)))
        await engine.dispose()


async def test_a_document_of_several_operations_runs_only_the_one_named(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found probing: with no operationName the first ran (here, signing out everywhere)."""
    document = "mutation out { signOutEverywhere { __typename } } query hubs { hubs { code } }"
    unnamed = (await gql.raw(document, token=tokens.applicant)).json()
    assert unnamed["data"] is None
    assert unnamed["errors"][0]["extensions"]["code"] == "graphql_validation_failed"
    assert "name the one to run" in unnamed["errors"][0]["message"]
    named = await gql.http.post(
        gql.url, json={"query": document, "operationName": "hubs"},
        headers={"Authorization": f"Bearer {tokens.applicant}"},
    )  # fmt: skip
    assert len(named.json()["data"]["hubs"]) == 7
    still = await gql("{ me { email } }", token=tokens.applicant)  # the token was not revoked
    assert still["me"]["email"]


async def test_a_socket_token_that_is_not_text_is_refused_with_a_code(portal: Portal) -> None:
    """Found probing: connection_init's Authorization of 5 answered a Python error's text."""
    url = portal.graphql_url.replace("http://", "ws://")
    protocol = [websockets.Subprotocol("graphql-transport-ws")]
    async with websockets.connect(url, subprotocols=protocol) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": 5}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = "subscription($c: ID!) { submissionCount(callId: $c) }"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": query, "variables": {"c": "00000000-0000-4000-8000-000000000003"}}}))  # fmt: skip
        message = json.loads(await asyncio.wait_for(ws.recv(), 15))
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload["errors"]
    assert errors[0]["extensions"]["code"] == "not_authenticated", message


async def test_a_refused_argument_outside_a_union_is_named(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found probing: `myNotifications(first: -1)` said only "The input is not valid."."""
    body = (await gql.raw("{ myNotifications(first: -1) { id } }", token=tokens.applicant)).json()
    [error] = body["errors"]
    assert error["message"] == "The input is not valid: first must be between 1 and 200."
    assert error["extensions"] == {"code": "validation_failed", "fields": ["first"]}


async def test_a_filter_past_any_limit_is_named_not_an_outage(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found probing: past ~64 KB a filter never reached the service (its request line was
    refused) and the team read "this part of the portal is unavailable"; now each is named."""
    long = "a" * 100_000
    listing = """query($c: ID!, $s: String) { callApplications(callId: $c, filter: {search: $s}) {
      __typename ... on ValidationErrors { errors { field message } } } }"""
    listed = await gql(listing, {"c": DEMO_CALL, "s": long}, tokens.admin)
    assert listed["callApplications"]["errors"] == [
        {"field": "search", "message": "must have at most 40,000 characters"}
    ]
    for query, field in (
        ("query($s: String) { calls(hub: $s) { id } }", "hub"),
        ("query($s: String) { mailOutbox(to: $s) { items { id } } }", "to"),
        ("query($s: String!) { evaluators(expertise: $s) { accountId } }", "expertise"),
    ):
        [error] = (await gql.raw(query, {"s": long}, tokens.admin)).json()["errors"]
        assert error["extensions"] == {"fields": [field], "code": "validation_failed"}, error
        assert error["message"].endswith(f"{field} must have at most 40,000 characters.")


async def test_a_socket_message_of_the_wrong_shape_is_refused_with_a_code(
    portal: Portal, tokens: Tokens
) -> None:
    """Found probing: a `query` of 5 was a worker's traceback and no answer, a payload of
    null or "x" closed the socket as a server failure (4500), variables of "x" answered a
    Python error's text, and a query or mutation ran under the upgrade request's token."""
    url = portal.graphql_url.replace("http://", "ws://")
    protocol = [websockets.Subprotocol("graphql-transport-ws")]
    count = "subscription($c: ID!) { submissionCount(callId: $c) }"
    payloads = {
        "1": {"query": 5},
        "2": {"query": count, "variables": "x"},
        "3": {"query": count, "variables": None},
        "4": {"query": "{ me { email } }"},
        "5": {"query": count, "operationName": 7},
        "6": {"query": count, "variables": {"c": "00000000-0000-4000-8000-00000000000\u0000"}},
    }
    codes = {"1": "bad_request", "2": "bad_request", "3": "bad_user_input", "4": "bad_request",
             "5": "bad_request", "6": "validation_failed"}  # fmt: skip
    headers = {"Authorization": f"Bearer {tokens.applicant}"}
    async with websockets.connect(url, subprotocols=protocol, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        answers = {}
        for id_, payload in payloads.items():
            await ws.send(json.dumps({"id": id_, "type": "subscribe", "payload": payload}))
            message = json.loads(await asyncio.wait_for(ws.recv(), 15))
            answers[message["id"]] = message
    for id_, message in answers.items():
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == codes[id_], message
    assert "subscriptions run on the WebSocket" in answers["4"]["payload"][0]["message"]
    assert "NUL characters" in answers["6"]["payload"][0]["message"]  # as over HTTP
    # Found probing too: a message not an object, or of a long or unwritable type, was a 4500.
    wrong = [{"id": "1", "type": "subscribe", "payload": None},
             {"id": "1", "type": "subscribe", "payload": "x"}, [1, 2], "x", None,
             {"id": "1", "type": "t" * 300}, {"id": "1", "type": "\ud800"}]  # fmt: skip
    for sent in wrong:
        async with websockets.connect(url, subprotocols=protocol) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            await ws.recv()
            await ws.send(json.dumps(sent))
            with pytest.raises(websockets.ConnectionClosedError) as closed:
                await asyncio.wait_for(ws.recv(), 15)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400, sent


async def test_every_answer_tells_the_browser_not_to_sniff_frame_or_refer(portal: Portal) -> None:
    async with httpx.AsyncClient(base_url=portal.gateway.url) as http:
        answers = {
            "page": await http.get("/"),
            "module": await http.get("/js/app.js"),
            "missing": await http.get("/no-such-page"),
            "graphql": await http.post("/graphql", json={"query": "{ hubs { code } }"}),
            "refused": await http.post(
                "/graphql", content=b"{", headers={"content-type": "application/json"}
            ),
        }
    assert [a.status_code for a in answers.values()] == [200, 200, 404, 200, 400]
    for name, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", name
        assert answer.headers["x-frame-options"] == "DENY", name
        assert answer.headers["referrer-policy"] == "no-referrer", name
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], name
    # Only this origin's scripts run in the pages; GraphiQL's come from a CDN, so /graphql
    # keeps only the framing rule.
    assert "script-src 'self';" in answers["page"].headers["content-security-policy"]
    assert answers["graphql"].headers["content-security-policy"] == "frame-ancestors 'none'"


async def test_a_page_path_no_file_can_have_is_not_found(portal: Portal) -> None:
    """Found probing: a NUL or a 10,000-letter name reached the file system and answered 500."""
    async with httpx.AsyncClient(base_url=portal.gateway.url) as http:
        for path in ("/js/app.js%00", "/" + "a" * 10_000, "/js/" + "b" * 256 + ".js"):
            answer = await http.get(path)
            assert answer.status_code == 404, (path[:40], answer.text[:200])
            assert answer.json()["code"] == "not_found"
        assert (await http.get("/js/app.js")).status_code == 200


async def test_an_operation_name_no_text_can_hold_is_refused_with_a_code(portal: Portal) -> None:
    """Found probing: a lone surrogate in operationName answered 500 (echoed, unwritable)."""
    async with httpx.AsyncClient(base_url=portal.gateway.url) as http:
        answer = await http.post("/graphql", headers={"content-type": "application/json"},
                                 content=b'{"query": "query A { hubs { code } }",'
                                         b' "operationName": "\\ud800"}')  # fmt: skip
    assert answer.status_code < 500, answer.text
    [error] = answer.json()["errors"]
    assert error["extensions"] == {"code": "validation_failed", "fields": ["operationName"]}
