"""A database that is down is an outage, not a bug: every service and the gateway answer a
typed, retryable 503 `service_unavailable` with a retry hint and no internal detail, and
serve again once the database is back (the pool recovers on its own)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from shared.api.registry import MISSIONS
from shared.identity import ANONYMOUS, IDENTITY_HEADER, sign_identity
from tests.fixtures.apps import INTERNAL_SECRET, TEAM_EMAIL, TEAM_PASSWORD
from tests.fixtures.outage import OnOwnPostgres, on_own_postgres, own_postgres
from tests.fixtures.waiting import eventually

__all__ = ["on_own_postgres", "own_postgres"]

SIGN_IN = """mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) {
  __typename ... on AuthPayload { token } ... on Error { message } } }"""
# What an answer must never carry: the library's and the driver's own words.
INTERNALS = ("asyncpg", "sqlalchemy", "connect call", "errno", "traceback", "127.0.0.1")


async def missions(http: httpx.AsyncClient) -> httpx.Response:
    headers = {IDENTITY_HEADER: sign_identity(ANONYMOUS, INTERNAL_SECRET)}
    return await http.get(MISSIONS.path, headers=headers)


async def sign_in(http: httpx.AsyncClient) -> dict[str, Any]:
    variables = {"e": TEAM_EMAIL, "p": TEAM_PASSWORD}
    response = await http.post("/graphql", json={"query": SIGN_IN, "variables": variables})
    body: dict[str, Any] = response.json()
    return body


def assert_unavailable(response: httpx.Response) -> None:
    body = response.json()
    assert response.status_code == 503, body
    assert body["code"] == "service_unavailable"
    assert body["retry_after_seconds"] == 5 and response.headers["retry-after"] == "5"
    assert not any(word in response.text.lower() for word in INTERNALS), body


async def test_a_database_outage_answers_503_and_the_service_recovers(
    on_own_postgres: OnOwnPostgres,
) -> None:
    async with (
        httpx.AsyncClient(base_url=on_own_postgres.registry.url, timeout=30) as registry,
        httpx.AsyncClient(base_url=on_own_postgres.gateway.url, timeout=30) as gateway,
    ):
        assert (await missions(registry)).status_code == 200
        token = (await sign_in(gateway))["data"]["signIn"]["token"]
        on_own_postgres.postgres.stop()
        try:
            assert_unavailable(await missions(registry))
            # The gateway's own database: the signed-in person's row is read for every request.
            me = await gateway.post(
                "/graphql", json={"query": "{ me { email } }"},
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
            assert_unavailable(me)
            # A resolver that reads accounts: a typed GraphQL error, never internal_error.
            answered = await sign_in(gateway)
            codes = [error["extensions"]["code"] for error in answered.get("errors", [])]
            assert codes == ["service_unavailable"], answered
            assert not any(word in json.dumps(answered).lower() for word in INTERNALS)
        finally:
            on_own_postgres.postgres.start()

        async def serving() -> bool:
            return (await missions(registry)).status_code == 200

        await eventually(serving, within=20)
        assert (await sign_in(gateway))["data"]["signIn"]["__typename"] == "AuthPayload"
