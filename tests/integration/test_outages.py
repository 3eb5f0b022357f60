"""Outages: an idempotent call whose connection died is sent once more (with a fresh identity
token), anything else is not; a service that stays unreachable, or answers 503 itself, reaches
a GraphQL client as a typed, retryable `service_unavailable` naming the part of the portal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest

from gateway.clients import ServiceClient
from gateway.clients.registry import RegistryClient
from infra.embedded import free_port
from shared.api import registry as api
from shared.errors import ServiceUnavailable
from shared.identity import IDENTITY_HEADER, Identity, Role, verify_identity
from tests.fixtures.apps import INTERNAL_SECRET, GraphQLClient, Portal, Tokens

READER = Identity(role=Role.ADMIN, account_id="outage-test")
COUNTRIES = b'[{"code": "NL", "name": "Netherlands"}]'
UNAVAILABLE = json.dumps({
    "code": "service_unavailable", "retry_after_seconds": 7,
    "message": "asyncpg.exceptions.CannotConnectNowError: the database system is starting up",
}).encode()  # fmt: skip


class FlakyServer:
    """A real HTTP server on a socket that drops the first `drops` requests unanswered (as a
    server closing a keep-alive connection does) and then answers `status` with `body`."""

    def __init__(self, drops: int, status: int = 200, body: bytes = COUNTRIES) -> None:
        self.drops = drops
        self.status = status
        self.body = body
        self.requests: list[dict[str, str]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                pairs = (line.split(": ", 1) for line in lines[1:] if ": " in line)
                headers = {name.lower(): value for name, value in pairs}
                self.requests.append({"line": lines[0], **headers})
                length = int(headers.get("content-length", 0))
                if length:
                    await reader.readexactly(length)
                if len(self.requests) <= self.drops:
                    return  # closed without an answer
                writer.write(
                    f"HTTP/1.1 {self.status} X\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(self.body)}\r\n\r\n".encode()
                    + self.body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@asynccontextmanager
async def serving(server: FlakyServer) -> AsyncIterator[str]:
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listening.close()
        await listening.wait_closed()


@asynccontextmanager
async def client_of(url: str) -> AsyncIterator[ServiceClient]:
    client = ServiceClient("registry", url, INTERNAL_SECRET)
    try:
        yield client
    finally:
        await client.close()


async def test_an_idempotent_call_on_a_dropped_connection_is_sent_once_more() -> None:
    server = FlakyServer(drops=1)
    async with serving(server) as url, client_of(url) as client:
        found = await client.call("GET", api.COUNTRIES.path, READER, list[api.Country])
    assert found == [api.Country("NL", "Netherlands")]
    assert [r["line"] for r in server.requests] == ["GET /countries HTTP/1.1"] * 2
    assert client.request_count == 2
    # Each attempt carries a valid token of its own signing (a service accepts one once).
    tokens = [request[IDENTITY_HEADER.lower()] for request in server.requests]
    assert len(set(tokens)) == 2
    assert all(verify_identity(token, INTERNAL_SECRET) == READER for token in tokens)


async def test_a_call_is_sent_at_most_twice() -> None:
    server = FlakyServer(drops=5)
    async with serving(server) as url, client_of(url) as client:
        with pytest.raises(ServiceUnavailable):
            await client.call("DELETE", "/missions/x", READER, api.Mission)
    assert len(server.requests) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT-stream"])
async def test_a_call_that_may_have_had_an_effect_is_never_repeated(method: str) -> None:
    server = FlakyServer(drops=1)

    async def chunks() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4 a file"

    async with serving(server) as url, client_of(url) as client:
        with pytest.raises(ServiceUnavailable):
            if method == "PUT-stream":
                await client.call("PUT", "/upload", READER, api.Mission, stream=chunks())
            else:
                body = api.MissionUpdate(title="T")
                await client.call(method, "/missions/x", READER, api.Mission, body=body)
    assert len(server.requests) == 1
    assert client.request_count == 1


async def test_an_unreachable_service_is_unavailable_after_one_more_try() -> None:
    async with client_of(f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.call("GET", api.HUBS.path, READER, list[api.Hub])
        assert client.request_count == 2
        with pytest.raises(ServiceUnavailable):
            await client.call("POST", api.MISSIONS.path, READER, api.Mission)
        assert client.request_count == 3  # refused connects are not repeated for a POST
    assert caught.value.retry_after_seconds == 5
    assert caught.value.message.startswith("Hubs, missions and calls: ")


@contextmanager
def registry_at(portal: Portal, url: str) -> Iterator[None]:
    """The gateway's registry client pointed elsewhere for the duration."""
    services = portal.gateway.app.state.services
    original = services.registry
    services.registry = RegistryClient(url, INTERNAL_SECRET)
    try:
        yield
    finally:
        services.registry = original


def outage_of(body: dict[str, object]) -> dict[str, object]:
    (error,) = body["errors"]  # type: ignore[misc]
    assert isinstance(error, dict)
    message = error["message"]
    assert message.startswith("Hubs, missions and calls: this part of the portal is unavailable")
    for internal in ("httpx", "Connect", "asyncpg", "registry", "database", "127.0.0.1"):
        assert internal not in message, message
    return error["extensions"]  # type: ignore[no-any-return]


async def test_a_service_down_is_a_retryable_outage_in_graphql(
    portal: Portal, gql: GraphQLClient, tokens: Tokens
) -> None:
    mission = ('mutation { createMission(input: {hub: "NL", title: "M", valueChains: ["plastics"]})'
               " { __typename } }")  # fmt: skip
    with registry_at(portal, f"http://127.0.0.1:{free_port()}"):
        query = (await gql.raw("{ hubs { code } }")).json()
        mutation = (await gql.raw(mission, token=tokens.admin)).json()
    expected = {"code": "service_unavailable", "retryable": True, "retryAfterSeconds": 5}
    assert outage_of(query) == expected
    assert query["data"] is None
    assert outage_of(mutation) == expected  # not a member of the result union


async def test_a_service_answering_503_passes_its_retry_hint_but_not_its_detail(
    portal: Portal, gql: GraphQLClient
) -> None:
    server = FlakyServer(drops=0, status=503, body=UNAVAILABLE)
    async with serving(server) as url:
        with registry_at(portal, url):
            body = (await gql.raw("{ countries { code } }")).json()
    extensions = outage_of(body)
    assert extensions == {"code": "service_unavailable", "retryable": True, "retryAfterSeconds": 7}
    assert "try again in 7 seconds" in body["errors"][0]["message"]
    assert len(server.requests) == 1  # an answer, even a 503, is not a dead connection
