"""The GraphQL endpoint's HTTP layer: whatever arrives, a 4xx with a coded error, no 500."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.apps import Portal
from tests.fuzz.answers import graphql_problems
from tests.fuzz.http_cases import BAD_REQUESTS, PLAIN_TEXT_TODAY, BadRequest

WIRING = "gateway/app.py still serves Strawberry's plain controller (use coded_graphql_controller)"


def marked(case: BadRequest) -> object:
    if case.name in PLAIN_TEXT_TODAY:
        return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=WIRING))
    return case


@pytest.mark.parametrize(
    "case", [marked(c) for c in BAD_REQUESTS], ids=[c.name for c in BAD_REQUESTS]
)
async def test_a_bad_request_is_a_coded_4xx(case: BadRequest, fuzz_portal: Portal) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.request(case.method, fuzz_portal.graphql_url, **case.options)
    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and response.json().get("errors")
    ), (response.status_code, response.text[:300])
    assert not graphql_problems(response.status_code, response.content), response.text[:300]
