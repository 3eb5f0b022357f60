"""Requests generated from each service's OpenAPI document (schemathesis) sent to the running
service with a freshly signed identity, as an applicant and as the programme team: no answer
is a 5xx, every refusal is a coded ErrorBody and none shows the machinery."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import given, seed, settings

from shared.identity import IDENTITY_HEADER, Identity, Role, sign_identity
from tests.fixtures.apps import INTERNAL_SECRET, Portal
from tests.fuzz.answers import error_body_problems
from tests.fuzz.strategies import SPANS_MEANWHILE
from tests.fuzz.test_graphql_schema import FUZZ_SEED, FUZZ_SETTINGS

pytestmark = SPANS_MEANWHILE

ROOT = Path(__file__).parents[2]
SERVICES = ("registry", "intake", "review", "notify")
SPECS = {
    name: schemathesis.openapi.from_path(ROOT / f"services/{name}/openapi.json")
    for name in SERVICES
}
OPERATIONS = [
    (service, operation.ok())
    for service, spec in SPECS.items()
    for operation in spec.get_all_operations()
]
IDENTITIES = {
    "applicant": Identity(Role.APPLICANT, account_id=str(uuid.uuid4()), email="a@example.org"),
    "admin": Identity(Role.ADMIN, account_id=str(uuid.uuid4()), email="team@example.org"),
}
EXAMPLES = 4


# A known defect, kept as its regression test below (strict: remove the mark once fixed).


def answer_problems(status: int, response: requests.Response) -> list[str]:
    if status < 400:
        return [] if status < 500 else [f"HTTP {status}"]
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP {status} with a body that is not JSON: {response.text[:200]!r}"]
    return error_body_problems(status, body)


@pytest.mark.parametrize("role", IDENTITIES)
@pytest.mark.parametrize(
    ("service", "operation"), OPERATIONS, ids=[f"{s}:{o.label}" for s, o in OPERATIONS]
)
async def test_every_answer_is_coded_and_discreet(
    service: str, operation: schemathesis.APIOperation, role: str, fuzz_portal: Portal
) -> None:
    base_url = getattr(fuzz_portal, service).url
    identity = IDENTITIES[role]

    def fuzz() -> list[str]:
        failures: list[str] = []

        @seed(FUZZ_SEED)
        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES)
        @given(operation.as_strategy())
        def send(case: schemathesis.Case) -> None:
            # A fresh token per request: a service refuses one it has seen.
            headers = {IDENTITY_HEADER: sign_identity(identity, INTERNAL_SECRET)}
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            if problems := answer_problems(response.status_code, response):
                failures.append(
                    f"{case.method} {case.formatted_path} {case.body!r:.200}: {problems}"
                )

        send()
        return failures

    failures = await asyncio.to_thread(fuzz)
    assert not failures, "\n".join(failures[:5])


async def test_a_nul_in_a_query_parameter_is_refused_with_a_code(fuzz_portal: Portal) -> None:
    # Found by the OpenAPI fuzzer as applicant and admin: review answered 500.
    headers = {IDENTITY_HEADER: sign_identity(IDENTITIES["admin"], INTERNAL_SECRET)}
    url = f"{fuzz_portal.review.url}/evaluators/statistics"
    response = await asyncio.to_thread(
        requests.get, url, params={"call_id": "a\x00b"}, headers=headers, timeout=30
    )
    assert response.status_code == 400, response.text
    assert not answer_problems(response.status_code, response)
    assert response.json()["errors"] == [
        {"field": "call_id", "message": "must not contain NUL characters"}
    ]


async def test_a_nul_in_a_json_body_is_refused_with_a_code(fuzz_portal: Portal) -> None:
    # Found by the OpenAPI fuzzer as admin: review's POST /evaluators answered 500.
    headers = {IDENTITY_HEADER: sign_identity(IDENTITIES["admin"], INTERNAL_SECRET)}
    body = {"account_id": "a", "name": "Ö\x00", "email": "a@b.nl"}
    response = await asyncio.to_thread(
        requests.post,
        f"{fuzz_portal.review.url}/evaluators",
        json=body,
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert not answer_problems(response.status_code, response)
    assert response.json()["errors"] == [
        {"field": "body", "message": "must not contain NUL characters"}
    ]
