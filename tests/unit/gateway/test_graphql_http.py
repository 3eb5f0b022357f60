"""The coded GraphQL controller on the gateway's real schema, without servers: every request
that is no GraphQL request is a 4xx with the portal's coded error body."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.testing import AsyncTestClient

from gateway.config import GatewaySettings
from gateway.graphql_http import NOT_AN_OBJECT, NOT_GRAPHQL_MEDIA, coded_graphql_controller
from gateway.schema import build_schema
from shared.web import http_error_response
from tests.fuzz.answers import graphql_problems
from tests.fuzz.http_cases import BAD_REQUESTS, BadRequest

APP = Litestar(
    route_handlers=[
        coded_graphql_controller(
            build_schema(GatewaySettings()), path="/graphql", graphql_ide=None,
            allow_queries_via_get=False,
        )
    ],
    exception_handlers={HTTPException: http_error_response},
)  # fmt: skip


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=[c.name for c in BAD_REQUESTS])
async def test_a_bad_request_is_a_coded_4xx(case: BadRequest) -> None:
    async with AsyncTestClient(APP) as client:
        response = await client.request(case.method, "/graphql", **case.options)
    body = response.json()
    assert 400 <= response.status_code < 500 or body.get("errors"), response.text
    assert not graphql_problems(response.status_code, response.content), response.text


async def test_a_body_that_is_not_an_object_is_named_as_such() -> None:
    async with AsyncTestClient(APP) as client:
        response = await client.post("/graphql", json="{ hubs { code } }")
    assert (response.status_code, response.json()) == (
        400, {"code": "bad_request", "message": NOT_AN_OBJECT}
    )  # fmt: skip


@pytest.mark.parametrize("media", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_a_body_in_another_media_type_is_a_415(media: str) -> None:
    async with AsyncTestClient(APP) as client:
        response = await client.post(
            "/graphql", content=b"{ hubs { code } }", headers={"content-type": media}
        )
    assert (response.status_code, response.json()) == (
        415, {"code": "unsupported_media_type", "message": NOT_GRAPHQL_MEDIA}
    )  # fmt: skip


async def test_json_with_a_charset_is_still_graphql() -> None:
    async with AsyncTestClient(APP) as client:
        response = await client.post(
            "/graphql", content=b'{"query": "{ __typename }"}',
            headers={"content-type": "application/json; charset=utf-8"},
        )  # fmt: skip
    assert response.json() == {"data": {"__typename": "Query"}}
