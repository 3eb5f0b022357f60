"""Every long-lived client drops an idle pooled connection before the server's keep-alive
does: one reused just as uvicorn closed it failed the request (a lost sign-up in a CI run
of the surge-fault test with httpx.ReadError; ~1 gateway call in 500 before the gateway's
clients were changed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench.harness import Client
from gateway.clients.base import ServiceClient
from shared.serve import server_config
from shared.settings import ServiceSettings
from tests.fixtures.apps import GraphQLClient


def server_keep_alive() -> float:
    return float(server_config(object(), ServiceSettings()).timeout_keep_alive)


@pytest.mark.parametrize(
    "client",
    [
        lambda: GraphQLClient("http://127.0.0.1:9/graphql").http,
        lambda: Client(SimpleNamespace(ports={"gateway": 9}, mail_dir=None)).http,
    ],
    ids=["tests' GraphQL client", "benchmarks' client"],
)
async def test_test_and_bench_clients_expire_idle_connections_first(client: object) -> None:
    http = client()
    try:
        assert 0 < http._transport._pool._keepalive_expiry < server_keep_alive()
    finally:
        await http.aclose()


async def test_the_gateways_service_clients_expire_idle_connections_first() -> None:
    service = ServiceClient("intake", "http://127.0.0.1:9", "secret")
    try:
        assert 0 < service.http.connector._keepalive_timeout < server_keep_alive()
    finally:
        await service.close()
