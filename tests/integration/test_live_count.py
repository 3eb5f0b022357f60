"""The team's live submission count through a gateway in a process of its own, as deployed:
in the test portal the services share the gateway's process, so the gateway finds every
event contract registered there; alone it imports none of the services' code."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from infra.embedded import free_port
from tests.fixtures.apps import INTERNAL_SECRET, GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Nats
from tests.fixtures.waiting import eventually
from tests.integration.test_accounts import staff
from tests.integration.test_intake_graphql import WITHDRAW, apply_to, call_known_to_intake
from tests.integration.test_intake_graphql import subscribe_count as subscribe_at


class LoneGateway:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"


@pytest.fixture
async def lone_gateway(
    portal: Portal, nats_server: Nats, tmp_path: Path
) -> AsyncIterator[LoneGateway]:
    port = free_port()
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        # A replica of the portal's gateway: the same accounts, so its tokens are checked there.
        "GATEWAY_DATABASE_URL": portal.gateway.app.state.settings.database_url,
        "GATEWAY_REGISTRY_URL": portal.registry.url,
        "GATEWAY_INTAKE_URL": portal.intake.url,
        "GATEWAY_REVIEW_URL": portal.review.url,
        "GATEWAY_NATS_URL": nats_server.url,
        "GATEWAY_INTERNAL_SECRET": INTERNAL_SECRET,
    }
    log = tmp_path / "gateway.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", env=env, stdout=out, stderr=out
        )
    gateway = LoneGateway(f"http://127.0.0.1:{port}", log)

    async def healthy() -> bool:
        assert process.returncode is None, log.read_text()
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{gateway.url}/health")).status_code == 200
        except httpx.TransportError:
            return False

    try:
        await eventually(healthy, within=30)
        yield gateway
    finally:
        process.terminate()
        await process.wait()


async def test_the_count_moves_after_each_submission_and_a_new_socket_starts_from_it(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, lone_gateway: LoneGateway
) -> None:
    call = await call_known_to_intake(gql, tokens)
    # The same signing secret: the portal's tokens are good at the lone gateway too.
    ws, receive = await subscribe_at(lone_gateway, call, tokens.admin)  # type: ignore[arg-type]
    try:
        assert (await receive())["payload"]["data"]["submissionCount"] == 0
        await apply_to(gql, call, {"name": "A", "type": "ngo", "country": "NL"}, amount=1000)
        assert (await receive())["payload"]["data"]["submissionCount"] == 1
        app_id, token = await apply_to(
            gql, call, {"name": "B", "type": "ngo", "country": "NL"}, 900
        )
        assert (await receive())["payload"]["data"]["submissionCount"] == 2
    finally:
        await ws.close()

    # A client that reconnects hears the current count first, then the changes.
    ws, receive = await subscribe_at(lone_gateway, call, tokens.admin)  # type: ignore[arg-type]
    try:
        assert (await receive())["payload"]["data"]["submissionCount"] == 2
        withdrawn = (await gql(WITHDRAW, {"id": app_id}, token))["withdrawApplication"]
        assert withdrawn["status"] == "WITHDRAWN", withdrawn
        assert (await receive())["payload"]["data"]["submissionCount"] == 1
    finally:
        await ws.close()
    assert "feed could not read" not in lone_gateway.log.read_text()


async def test_an_open_socket_ends_when_its_account_is_disabled(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await call_known_to_intake(gql, tokens)
    account_id, token = await staff(gql, tokens.admin, "ADMIN")
    ws, receive = await subscribe_at(portal, call, token)
    try:
        assert (await receive())["payload"]["data"]["submissionCount"] == 0
        disable = "mutation($id: ID!) { disableAccount(id: $id) { __typename } }"
        assert (await gql(disable, {"id": account_id}, tokens.admin))["disableAccount"] == {
            "__typename": "Account"
        }
        await apply_to(gql, call, {"name": "A", "type": "ngo", "country": "NL"}, amount=1000)
        # The next figure is not sent: the socket hears that its session has ended.
        ended = await receive()
        assert ended["payload"]["data"] is None, ended
        assert [e["message"] for e in ended["payload"]["errors"]] == [
            "Your session has ended; sign in again."
        ]
    finally:
        await ws.close()


async def test_a_subscription_past_the_connections_limit_is_refused_with_a_code(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    """Found probing: the 101st subscription's refusal had no extensions.code."""
    call = await call_known_to_intake(gql, tokens)
    ws, receive = await subscribe_at(portal, call, tokens.admin)
    query = "subscription($c: ID!) { submissionCount(callId: $c) }"
    try:
        first = await receive()  # each live subscription answers its count
        assert first["type"] == "next", first
        for n in range(2, 102):
            await ws.send(json.dumps({"id": str(n), "type": "subscribe",
                                      "payload": {"query": query, "variables": {"c": call}}}))  # fmt: skip
        refused = None
        while refused is None:
            message = await receive()
            if message["type"] == "error":
                refused = message
        assert refused["id"] == "101"
        [error] = refused["payload"]
        assert error["extensions"] == {"code": "bad_request"}
        assert "most subscriptions it may (100)" in error["message"]
    finally:
        await ws.close()
