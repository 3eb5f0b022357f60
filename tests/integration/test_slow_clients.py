"""Slow clients do not hold connections: headers that take too long close the connection, a
body that stalls or trickles ends in 408, and a stalled upload through the gateway leaves
nothing stored. Raw sockets against the processes as shared.serve runs them, short limits."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from gateway.app import create_app as create_gateway
from gateway.config import GatewaySettings
from infra.embedded import free_port
from services.registry.app import create_app as create_registry
from services.registry.config import RegistrySettings
from shared.serve import server_config
from shared.settings import ServiceSettings
from tests.fixtures.apps import INTERNAL_SECRET, GraphQLClient, Portal, RunningApp
from tests.fixtures.servers import Nats, Postgres
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import PDF, READ, start, stored_files

HEADER_SECONDS, BODY_SECONDS = 1.0, 1.5
LIMITS = {"header_timeout_seconds": HEADER_SECONDS, "body_timeout_seconds": BODY_SECONDS}
# What a closed connection may take beyond its limit on a busy machine.
SLACK = 2.0


async def guarded(app: Any, settings: ServiceSettings) -> RunningApp:
    running = RunningApp(app, settings.port)
    running.server.config = server_config(app, settings)
    return await running.start()


@pytest.fixture(scope="module")
async def registry(postgres: Postgres, nats_server: Nats) -> AsyncIterator[RunningApp]:
    settings = RegistrySettings(
        database_url=await postgres.new_database("slow"), nats_url=nats_server.url,
        internal_secret=INTERNAL_SECRET, port=free_port(), **LIMITS,
    )  # fmt: skip
    running = await guarded(create_registry(settings), settings)
    yield running
    await running.stop()


@pytest.fixture(scope="module")
async def gateway(portal: Portal) -> AsyncIterator[RunningApp]:
    """A second gateway in front of the portal's services, on the portal's accounts."""
    settings: GatewaySettings = portal.gateway.app.state.settings
    own = msgspec.structs.replace(
        settings, port=free_port(), seed_demo_accounts=False, admin_email="", **LIMITS
    )
    running = await guarded(create_gateway(own), own)
    yield running
    await running.stop()


async def connect(app: RunningApp) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", app.port)


async def closed_after(reader: asyncio.StreamReader, within: float) -> tuple[bytes, float]:
    """Everything the server sent until it closed, and how long that took. A reset is a close
    too: what the client still sends after the server closed is answered with one, and it can
    overtake the end of the stream."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    received = bytearray()

    async def read_to_the_end() -> None:
        with contextlib.suppress(ConnectionResetError):
            while chunk := await reader.read(65536):
                received.extend(chunk)

    await asyncio.wait_for(read_to_the_end(), within)
    return bytes(received), loop.time() - began


async def headers_trickled(app: RunningApp) -> None:
    reader, writer = await connect(app)
    writer.write(b"GET /health/live HTTP/1.1\r\n")

    async def trickle() -> None:
        for n in range(100):
            await asyncio.sleep(0.3)
            writer.write(b"X-Slow-%d: 1\r\n" % n)

    trickling = asyncio.create_task(trickle())
    try:
        received, took = await closed_after(reader, HEADER_SECONDS + SLACK)
    finally:
        trickling.cancel()
        writer.close()
    assert received == b""  # no request ever began: nothing to answer
    assert took < HEADER_SECONDS + SLACK


async def test_headers_sent_a_line_at_a_time_are_cut_off_by_a_service(
    registry: RunningApp,
) -> None:
    await headers_trickled(registry)


async def test_headers_sent_a_line_at_a_time_are_cut_off_by_the_gateway(
    gateway: RunningApp,
) -> None:
    await headers_trickled(gateway)


async def test_a_connection_that_sends_nothing_is_closed(registry: RunningApp) -> None:
    reader, writer = await connect(registry)
    received, took = await closed_after(reader, HEADER_SECONDS + SLACK)
    writer.close()
    assert received == b"" and took < HEADER_SECONDS + SLACK


def answer_of(raw: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, json.loads(body)


@pytest.mark.parametrize("pause", [BODY_SECONDS * 10, 0.2], ids=["stalled", "trickled"])
async def test_a_slow_body_ends_in_408(registry: RunningApp, pause: float) -> None:
    reader, writer = await connect(registry)
    writer.write(
        b"POST /missions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )

    async def trickle() -> None:
        while True:
            await asyncio.sleep(pause)
            writer.write(b" ")

    trickling = asyncio.create_task(trickle())
    try:
        received, took = await closed_after(reader, BODY_SECONDS + SLACK)
    finally:
        trickling.cancel()
        writer.close()
    status, headers, body = answer_of(received)
    assert status == 408 and headers["connection"] == "close"
    assert body["code"] == "request_timeout" and "stopped arriving" in body["message"]
    assert took < BODY_SECONDS + SLACK


async def test_a_stalled_upload_is_refused_and_leaves_nothing_stored(
    gateway: RunningApp, gql: GraphQLClient, portal: Portal
) -> None:
    token = await gql.sign_up()
    application = await start(gql, token)
    files_before = stored_files(portal.store_dir)
    operations = json.dumps({
        "query": "mutation($id: ID!, $file: Upload!) { uploadAttachment(applicationId: $id,"
                 " questionKey: \"pitch_deck\", file: $file) { __typename } }",
        "variables": {"id": application["id"], "file": None},
    })  # fmt: skip
    parts = (
        b'--B\r\nContent-Disposition: form-data; name="operations"\r\n\r\n%s\r\n'
        b'--B\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.file"]}\r\n'
        b'--B\r\nContent-Disposition: form-data; name="0"; filename="deck.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%s"
    ) % (operations.encode(), PDF)
    reader, writer = await connect(gateway)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Portal-Upload: 1\r\n"
        b"Authorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=B\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (token.encode(), len(parts) + 100_000, parts)
    )
    try:
        received, _ = await closed_after(reader, BODY_SECONDS + SLACK)
    finally:
        writer.close()
    status, _, body = answer_of(received)
    assert status == 408 and body["code"] == "request_timeout"

    async def nothing_stored() -> bool:
        read = await gql(READ, {"id": application["id"]}, token)
        return (
            stored_files(portal.store_dir) == files_before
            and not read["application"]["attachments"]
        )

    await eventually(nothing_stored, within=10)
