"""The coded GraphQL controller on the gateway's real schema, without servers: every request
that is no GraphQL request is a 4xx with the portal's coded error body."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.testing import AsyncTestClient

from gateway.config import GatewaySettings
from gateway.graphql_http import NOT_AN_OBJECT, NOT_GRAPHQL_MEDIA, coded_graphql_controller
from gateway.schema import build_schema
from gateway.schema.refusal_words import in_plain_words
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


async def test_a_refused_input_is_named_without_its_value_echoed_back() -> None:
    query = "mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }"
    account = {"email": "ana@example.org", "password": "s3cret-Passw0rd", "bogus": 1}
    literal = 'mutation { signUp(input: {email: "ana@example.org", password: "s3cret-Passw0rd"}) { __typename } }'
    async with AsyncTestClient(APP) as client:
        by_variable = await client.post(
            "/graphql", json={"query": query, "variables": {"i": account}}
        )
        by_literal = await client.post("/graphql", json={"query": literal})
    assert "s3cret" not in by_variable.text + by_literal.text
    assert sorted(e["message"] for e in by_variable.json()["errors"]) == [
        "Variable '$i' has invalid value: Expected value of type 'SignUpInput' not to include unknown field 'bogus'.",
        "Variable '$i' has invalid value: Expected value of type 'SignUpInput' to include required field 'displayName'.",
    ]
    [error] = by_literal.json()["errors"]
    assert error["message"] == (
        "Expected value of type 'SignUpInput' to include required field 'displayName'."
    )
    assert error["extensions"]["code"] == "graphql_validation_failed"


async def test_an_integer_past_pythons_digit_limit_is_refused_in_plain_words() -> None:
    query = "{ myNotifications(first: " + "9" * 5000 + ") { id } }"
    async with AsyncTestClient(APP) as client:
        literal = await client.post("/graphql", json={"query": query})
        variable = await client.post("/graphql", headers={"content-type": "application/json"},
                                     content=b'{"query": "{ hubs { code } }", "variables": {"n": '
                                     + b"9" * 101 + b"}}")  # fmt: skip
    [error] = literal.json()["errors"]
    assert error["message"] == "A number in the query has too many digits to be an Int."
    assert (variable.status_code, variable.json()["message"]) == (
        400, "A number in the request's JSON has more than 100 digits."
    )  # fmt: skip


@pytest.mark.parametrize(("message", "said"), [
    ("Variable '$id' has invalid value: ID cannot represent value: <StreamedUpload instance>",
     "Variable '$id' got a file, where a value of type ID goes."),
    ("Variable '$hub' has invalid value: String cannot represent a non string value: "
     "<StreamedUpload instance>", "Variable '$hub' got a file, where a value of type String goes."),
    ("Variable '$i' has invalid value at .email: String cannot represent a non string value: "
     "<StreamedUpload instance>",
     "Variable '$i' got a file (at .email), where a value of type String goes."),
])  # fmt: skip
def test_a_file_given_for_a_variable_that_is_no_upload_is_named_a_file(
    message: str, said: str
) -> None:
    assert in_plain_words(GraphQLError(message)).message == said
