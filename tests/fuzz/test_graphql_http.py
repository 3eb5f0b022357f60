"""The GraphQL endpoint's HTTP layer: whatever arrives, a 4xx with a coded error, no 500."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.apps import Portal
from tests.fuzz.answers import graphql_problems
from tests.fuzz.http_cases import BAD_REQUESTS, BadRequest


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=[c.name for c in BAD_REQUESTS])
async def test_a_bad_request_is_a_coded_4xx(case: BadRequest, fuzz_portal: Portal) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.request(case.method, fuzz_portal.graphql_url, **case.options)
    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and response.json().get("errors")
    ), (response.status_code, response.text[:300])
    assert not graphql_problems(response.status_code, response.content), response.text[:300]
