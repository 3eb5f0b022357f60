"""The fuzzer's findings, each kept as the exact request that showed it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.apps import Portal
from tests.fuzz.answers import graphql_problems
from tests.fuzz.conftest import Callers
from tests.integration.test_intake_graphql import DEMO_CALL

UPLOAD = "uploadAttachment(applicationId: $a, questionKey: $k, file: $file) { __typename }"


async def errors_of(
    callers: Callers, query: str, variables: dict[str, Any] | None = None, role: str = "applicant"
) -> list[dict[str, Any]]:
    response = await callers.client.raw(query, variables, callers.tokens[role])
    assert not graphql_problems(response.status_code, response.content), response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


async def test_a_file_written_into_the_query_is_refused_not_an_internal_error(
    callers: Callers,
) -> None:
    # Found by the schema fuzzer as the applicant: the resolver raised TypeError (500-like).
    query = f'mutation {{ uploadAttachment(applicationId: "{DEMO_CALL}", questionKey: "",'
    query += ' file: "") { __typename } }'
    [error] = await errors_of(callers, query)
    assert error["extensions"]["code"] == "graphql_validation_failed"
    assert "multipart" in error["message"]


async def test_a_file_given_as_a_json_variable_is_bad_user_input(callers: Callers) -> None:
    query = f"mutation($a: ID!, $k: String!, $file: Upload!) {{ {UPLOAD} }}"
    variables = {"a": DEMO_CALL, "k": "pitch_deck", "file": "not a file"}
    [error] = await errors_of(callers, query, variables)
    assert error["extensions"]["code"] == "bad_user_input"
    assert "$file" in error["message"] and "multipart" in error["message"]


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ hubs { code }", None, "graphql_parse_failed"),
        ("{ hubs { " + "code " * 3000 + "} }", None, "graphql_parse_failed"),  # token limit
        ("{ hub(code: 15038) { code } }", None, "graphql_validation_failed"),
        ("{ hub { code } }", None, "graphql_validation_failed"),
        ("{ hubs { nothing } }", None, "graphql_validation_failed"),
        ('{ calls(status: A) { id } }', None, "graphql_validation_failed"),
        ("query($n: Int!) { myNotifications(first: $n, offset: 0) { id } }", {"n": "x"},
         "bad_user_input"),
        ("query($n: Int!) { myNotifications(first: $n, offset: 0) { id } }", {},
         "bad_user_input"),
        ('query($s: DateTime) { auditLog(since: $s, first: 1, offset: 0) { totalCount } }',
         {"s": "yesterday"}, "bad_user_input"),
    ],
    ids=["syntax", "tokens", "literal type", "missing argument", "unknown field", "enum",
         "variable type", "variable missing", "DateTime variable"],
)  # fmt: skip
async def test_graphql_own_refusals_carry_a_code(
    query: str, variables: dict[str, Any] | None, code: str, callers: Callers
) -> None:
    # Found by the fuzzer for every role: about 40 kinds of error had no code at all.
    errors = await errors_of(callers, query, variables, role="admin")
    assert set(codes(errors)) == {code}, errors


async def test_a_subscription_sent_as_a_plain_request_is_refused(fuzz_portal: Portal) -> None:
    # It ran as a query and could not return a value: "Cannot return null for non-nullable
    # field Subscription.submissionCount" without a code.
    query = f'subscription {{ submissionCount(callId: "{DEMO_CALL}") }}'
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(fuzz_portal.graphql_url, json={"query": query})
    assert response.status_code == 400, response.text
    assert "subscriptions are not allowed" in response.text
