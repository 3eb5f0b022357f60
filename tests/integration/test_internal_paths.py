"""A GraphQL id never shapes an internal URL: a malformed one answers what a missing one
answers, without a single request to a service (`../missions` used to reach the registry's
`GET /missions`, `?x=1#` cut the path, `""` hit collection routes)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.programme import DEMO_CALL_ID
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.waiting import eventually

MALFORMED = ["../missions", f"../calls/{DEMO_CALL_ID}/applications", "?x=1#", "", "%2e%2e",
             "a,b", f"{DEMO_CALL_ID}/pool"]  # fmt: skip
SOME_ID = str(uuid.uuid4())

# (role, operation with `$id`, path of the answer, what a missing id answers)
NULL, NOT_FOUND, TOP_LEVEL = "null", "NotFound", "not_found"
OPERATIONS: list[tuple[str, str, str, str]] = [
    ("anonymous", "query($id: ID!) { call(id: $id) { id } }", "call", NULL),
    ("anonymous", "query($id: ID!) { mission(id: $id) { id } }", "mission", NULL),
    ("anonymous", "query($id: ID!) { challenge(id: $id) { id } }", "challenge", NULL),
    ("applicant", "query($id: ID!) { application(id: $id) { id } }", "application", NULL),
    ("applicant", "mutation($id: ID!) { saveApplication(id: $id, input: {}) { __typename } }",
     "saveApplication", NOT_FOUND),
    ("applicant", "mutation($id: ID!) { submitApplication(id: $id) { __typename } }",
     "submitApplication", NOT_FOUND),
    ("applicant", "mutation($id: ID!) { withdrawApplication(id: $id) { __typename } }",
     "withdrawApplication", NOT_FOUND),
    ("applicant", "mutation($id: ID!) { removeAttachment(applicationId: $id, attachmentId: $id)"
     " { __typename } }", "removeAttachment", NOT_FOUND),
    ("evaluator", "query($id: ID!) { assignment(id: $id) { id } }", "assignment", NULL),
    ("evaluator", "mutation($id: ID!) { saveEvaluation(assignmentId: $id) { __typename } }",
     "saveEvaluation", NOT_FOUND),
    ("evaluator", "mutation($id: ID!) { submitEvaluation(assignmentId: $id) { __typename } }",
     "submitEvaluation", NOT_FOUND),
    ("admin", "mutation($id: ID!) { updateCall(id: $id, input: {}) { __typename } }",
     "updateCall", NOT_FOUND),
    ("admin", "mutation($id: ID!) { publishCall(id: $id) { __typename } }", "publishCall",
     NOT_FOUND),
    ("admin", "mutation($id: ID!) { updateMission(id: $id, input: {}) { __typename } }",
     "updateMission", NOT_FOUND),
    ("admin", "query($id: ID!) { callApplications(callId: $id) { __typename } }",
     "callApplications", NOT_FOUND),
    ("admin", "query($id: ID!) { callStatistics(callId: $id) { __typename } }",
     "callStatistics", NOT_FOUND),
    ("admin", "query($id: ID!) { ranking(callId: $id) { __typename } }", "ranking", NOT_FOUND),
    ("admin", "query($id: ID!) { assignmentMatrix(callId: $id) { __typename } }",
     "assignmentMatrix", NOT_FOUND),
    ("admin", "mutation($id: ID!) { assignEvaluators(callId: $id) { __typename } }",
     "assignEvaluators", NOT_FOUND),
    ("admin", "mutation($id: ID!) { setPoolMember(callId: \"" + DEMO_CALL_ID + "\","
     " accountId: $id, capacity: 3) { __typename } }", "setPoolMember", NOT_FOUND),
    ("admin", "mutation($id: ID!) { retryMail(id: $id) { __typename } }", "retryMail",
     NOT_FOUND),
    ("admin", "query($id: ID!) { disagreements(callId: $id) { applicationId } }",
     "disagreements", TOP_LEVEL),
    ("admin", "query($id: ID!) { rankingCsv(callId: $id) }", "rankingCsv", TOP_LEVEL),
    ("admin", "query($id: ID!) { evaluatorStatistics(callId: $id) { accountId } }",
     "evaluatorStatistics", TOP_LEVEL),
]  # fmt: skip


def internal_requests(portal: Portal) -> int:
    services = portal.gateway.app.state.services
    clients = (services.registry, services.intake, services.review, services.notify)
    return sum(client.request_count for client in clients)


async def settled(portal: Portal, gql: GraphQLClient, tokens: Tokens) -> None:
    """The gateway's start-up task (the demo evaluator's place in the demo pool) has made its
    last internal call, so every request counted from here is the test's own."""
    pool = "query($c: ID!) { callPool(callId: $c) { evaluator { email } } }"

    async def demo_in_pool() -> bool:
        found = await gql(pool, {"c": DEMO_CALL_ID}, tokens.admin)
        return any(m["evaluator"]["email"] == "evaluator@demo.portal" for m in found["callPool"])

    await eventually(demo_in_pool)


def check_answer(body: dict[str, Any], field: str, expected: str, id: str) -> None:
    if expected == TOP_LEVEL:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["not_found"], body
        assert "internal" not in str(body)
        return
    assert not body.get("errors"), (id, body)
    answer = body["data"][field]
    if expected == NULL:
        assert answer is None, (id, body)
    else:
        assert answer["__typename"] == expected, (id, body)


@pytest.mark.parametrize("id", MALFORMED)
async def test_a_malformed_id_answers_as_a_missing_one_without_an_internal_request(
    portal: Portal, gql: GraphQLClient, tokens: Tokens, id: str
) -> None:
    await settled(portal, gql, tokens)
    token_of = {"anonymous": None, "applicant": tokens.applicant, "evaluator": tokens.evaluator,
                "admin": tokens.admin}  # fmt: skip
    before = internal_requests(portal)
    for role, operation, field, expected in OPERATIONS:
        response = await gql.raw(operation, {"id": id}, token_of[role])
        assert response.status_code == 200, (operation, response.text)
        check_answer(response.json(), field, expected, id)
    assert internal_requests(portal) == before


async def test_a_malformed_criterion_or_question_key_is_a_field_error_without_a_request(
    portal: Portal, gql: GraphQLClient, tokens: Tokens
) -> None:
    await settled(portal, gql, tokens)
    before = internal_requests(portal)
    consensus = await gql(
        "mutation($c: ID!, $a: ID!) { setConsensus(callId: $c, applicationId: $a,"
        ' criterion: "../../ranking", score: 3, justification: "because it is so") {'
        " __typename ... on ValidationErrors { errors { field message } } } }",
        {"c": DEMO_CALL_ID, "a": SOME_ID}, tokens.admin,
    )  # fmt: skip
    assert consensus["setConsensus"] == {
        "__typename": "ValidationErrors",
        "errors": [{"field": "criterion", "message": "is not a criterion of this call"}],
    }
    upload = await gql.upload(
        "mutation($a: ID!, $f: Upload!) { uploadAttachment(applicationId: $a,"
        ' questionKey: "x?y=1#", file: $f) { __typename'
        " ... on ValidationErrors { errors { field } } } }",
        {"a": SOME_ID}, "f", "plan.pdf", b"%PDF-1.4 " + b"x" * 300_000, tokens.applicant,
    )  # fmt: skip
    assert upload["uploadAttachment"] == {
        "__typename": "ValidationErrors", "errors": [{"field": "questionKey"}],
    }  # fmt: skip
    assert internal_requests(portal) == before


async def test_a_uuid_in_another_spelling_finds_the_same_thing(gql: GraphQLClient) -> None:
    found = await gql("query($id: ID!) { call(id: $id) { id } }", {"id": DEMO_CALL_ID.upper()})
    assert found["call"] == {"id": DEMO_CALL_ID}
