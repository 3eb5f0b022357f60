"""Every role against every GraphQL operation: allowed or refused as DESIGN.md §3 says, and
refusals leak nothing (a hidden thing reads like a missing one)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql
import pytest

from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.integration.test_accounts import signed_up, staff
from tests.integration.test_intake_graphql import (
    DEMO_CALL,
    PDF,
    start,
    subscribe_count,
    upload,
)
from tests.integration.test_registry_graphql import CALL, call_input, make_mission_and_challenge
from tests.integration.test_review_graphql import MINE, closed_call_with_assignments

# `hub_manager` runs hub NL, which owns the test calls; `other_hub_manager` runs hub DE.
ROLES = ("anonymous", "applicant", "evaluator", "hub_manager", "other_hub_manager", "admin")
DENIED_TYPES = {"Forbidden", "NotAuthenticated"}
DENIED_CODES = {"forbidden", "not_authenticated"}


@dataclass
class World:
    tokens: dict[str, str | None]
    draft_call: str  # an NL draft call
    mission: str
    challenge: str
    application: str  # owned by `tokens["applicant"]`
    attachment: str  # on `application`
    review_call: str
    review_application: str
    assignment: str  # held by `tokens["evaluator"]`


@pytest.fixture(scope="module")
async def world(gql: GraphQLClient, portal: Portal, tokens: Tokens) -> World:
    mission, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    draft = (await gql(CALL, {"i": call_input(challenge)}, tokens.admin))["createCall"]["id"]
    applicant = await gql.sign_up()
    application = (await start(gql, applicant))["id"]
    attachment = (await upload(gql, applicant, application, "pitch_deck", "deck.pdf", PDF))["id"]
    other_hub_manager = await staff_account(gql, tokens.admin, "HUB_MANAGER", "DE")
    review_call, [review_app], team = await closed_call_with_assignments(gql, portal, tokens, 1, 3)
    evaluator_token = next(iter(team.values()))
    [assignment] = (await gql(MINE, token=evaluator_token))["myAssignments"]
    return World(
        tokens={"anonymous": None, "applicant": applicant, "evaluator": evaluator_token,
                "hub_manager": tokens.hub_nl, "other_hub_manager": other_hub_manager,
                "admin": tokens.admin},
        draft_call=draft, mission=mission, challenge=challenge, application=application,
        attachment=attachment, review_call=review_call, review_application=review_app,
        assignment=assignment["id"],
    )  # fmt: skip


async def staff_account(gql: GraphQLClient, admin: str, role: str, hub: str | None) -> str:
    _, token = await staff(gql, admin, role, hub)
    return token


@dataclass
class Operation:
    name: str
    query: str
    variables: Callable[[World], dict[str, Any]]
    allowed: set[str]
    # For reads that hide rather than refuse: how a refused caller's answer looks.
    hidden: Callable[[Any], bool] | None = None
    upload: bool = False  # sent as a GraphQL multipart request with one file, `$file`


def union(field: str, args: str = "") -> str:
    return f"{field}{args} {{ __typename ... on Error {{ message }} }}"


ALL = set(ROLES)
SIGNED_IN = ALL - {"anonymous"}
TEAM = {"admin"}
# Applicants and evaluators erase their own accounts; staff accounts are closed by the team.
PEOPLE = {"applicant", "evaluator"}
NL_STAFF = {"admin", "hub_manager"}  # the NL hub's things: its manager, not DE's
EVERY_HUB_STAFF = {"admin", "hub_manager", "other_hub_manager"}  # a programme-wide call
OPERATIONS = [
    Operation("hubs", "{ hubs { code } }", lambda w: {}, ALL),
    Operation("hub", '{ hub(code: "PT") { code } }', lambda w: {}, ALL, hidden=lambda d: d["hub"] is None),
    Operation("hubsWithoutMission", "{ hubsWithoutMission { code } }", lambda w: {}, ALL),
    Operation("valueChains", "{ valueChains { code } }", lambda w: {}, ALL),
    Operation("strategies", "{ strategies { code } }", lambda w: {}, ALL),
    Operation("countries", "{ countries { code } }", lambda w: {}, ALL),
    Operation("organisationTypes", "{ organisationTypes { code } }", lambda w: {}, ALL),
    Operation("missions", "{ missions { id } }", lambda w: {}, ALL),
    Operation("mission", "query($id: ID!) { mission(id: $id) { id } }", lambda w: {"id": w.mission}, ALL,
              hidden=lambda d: d["mission"] is None),
    Operation("challenge", "query($id: ID!) { challenge(id: $id) { id } }", lambda w: {"id": w.challenge}, ALL,
              hidden=lambda d: d["challenge"] is None),
    Operation("open call", "query($id: ID!) { call(id: $id) { id } }", lambda w: {"id": DEMO_CALL}, ALL,
              hidden=lambda d: d["call"] is None),
    Operation("me", "{ me { email } }", lambda w: {}, SIGNED_IN, hidden=lambda d: d["me"] is None),
    Operation("signUp", "mutation($i: SignUpInput!) { " + union("signUp", "(input: $i)") + " }",
              lambda w: {"i": {"email": f"new-{uuid.uuid4().hex[:8]}@example.org", "password": "a-long-password",
                               "displayName": "New"}}, ALL),
    Operation("signIn", "mutation { " + union("signIn", '(email: "applicant@demo.portal", password: "circular-demo-2027")') + " }",
              lambda w: {}, ALL),
    Operation("draft call", "query($id: ID!) { call(id: $id) { id } }", lambda w: {"id": w.draft_call},
              NL_STAFF, hidden=lambda d: d["call"] is None),
    Operation("calls list hides drafts", "{ calls { id } }", lambda w: {}, NL_STAFF,
              hidden=lambda d: True),  # checked separately below: the id is absent
    Operation("createMission NL", "mutation($i: MissionInput!) { " + union("createMission", "(input: $i)") + " }",
              lambda w: {"i": {"hub": "NL", "title": "M", "valueChains": ["textiles"]}}, NL_STAFF),
    Operation("createMission DE", "mutation($i: MissionInput!) { " + union("createMission", "(input: $i)") + " }",
              lambda w: {"i": {"hub": "DE", "title": "M", "valueChains": ["textiles"]}},
              {"admin", "other_hub_manager"}),
    Operation("updateMission", "mutation($id: ID!) { " + union("updateMission", '(id: $id, input: {title: "T"})') + " }",
              lambda w: {"id": w.mission}, NL_STAFF),
    Operation("updateChallenge", "mutation($id: ID!) { " + union("updateChallenge", '(id: $id, input: {title: "T"})') + " }",
              lambda w: {"id": w.challenge}, NL_STAFF),
    Operation("createCall NL", "mutation($i: CallInput!) { " + union("createCall", "(input: $i)") + " }",
              lambda w: {"i": call_input(w.challenge)}, NL_STAFF),
    Operation("updateCall draft", "mutation($id: ID!) { " + union("updateCall", '(id: $id, input: {title: "Renamed"})') + " }",
              lambda w: {"id": w.draft_call}, NL_STAFF,
              hidden=lambda d: d["updateCall"]["__typename"] == "NotFound"),
    Operation("transitionCall", "mutation($id: ID!) { " + union("transitionCall", "(id: $id, status: IN_EVALUATION)") + " }",
              lambda w: {"id": w.draft_call}, TEAM,
              hidden=lambda d: d["transitionCall"]["__typename"] == "NotFound"),
    Operation("createAccount", "mutation { " + union("createAccount", '(input: {email: "x@example.org", displayName: "X", role: EVALUATOR})') + " }",
              lambda w: {}, TEAM),
    Operation("startApplication", "mutation($c: ID!) { " + union("startApplication", "(callId: $c)") + " }",
              lambda w: {"c": DEMO_CALL}, {"applicant"}),
    Operation("someone's application", "query($id: ID!) { application(id: $id) { id } }",
              lambda w: {"id": w.application}, {"applicant", "admin"}, hidden=lambda d: d["application"] is None),
    Operation("saveApplication", "mutation($id: ID!) { " + union("saveApplication", '(id: $id, input: {answers: {project_title: "x"}})') + " }",
              lambda w: {"id": w.application}, {"applicant"}, hidden=lambda d: d["saveApplication"]["__typename"] == "NotFound"),
    Operation("uploadAttachment", "mutation($id: ID!, $file: Upload!) { " + union("uploadAttachment", '(applicationId: $id, questionKey: "supporting_documents", file: $file)') + " }",
              lambda w: {"id": w.application}, {"applicant"}, upload=True,
              hidden=lambda d: d["uploadAttachment"]["__typename"] == "NotFound"),
    Operation("removeAttachment", "mutation($id: ID!, $a: ID!) { " + union("removeAttachment", "(applicationId: $id, attachmentId: $a)") + " }",
              lambda w: {"id": w.application, "a": w.attachment}, {"applicant"},
              hidden=lambda d: d["removeAttachment"]["__typename"] == "NotFound"),
    Operation("callApplications", "query($c: ID!) { " + union("callApplications", "(callId: $c)") + " }",
              lambda w: {"c": DEMO_CALL}, EVERY_HUB_STAFF),
    Operation("callApplications NL call", "query($c: ID!) { " + union("callApplications", "(callId: $c)") + " }",
              lambda w: {"c": w.review_call}, NL_STAFF),
    Operation("callStatistics", "query($c: ID!) { " + union("callStatistics", "(callId: $c)") + " }",
              lambda w: {"c": DEMO_CALL}, EVERY_HUB_STAFF),
    Operation("myAssignments", "{ myAssignments { id } }", lambda w: {}, {"evaluator"},
              hidden=lambda d: d["myAssignments"] == []),
    Operation("assignment", "query($id: ID!) { assignment(id: $id) { id } }", lambda w: {"id": w.assignment},
              {"evaluator"}, hidden=lambda d: d["assignment"] is None),
    Operation("saveEvaluation", "mutation($a: ID!) { " + union("saveEvaluation", '(assignmentId: $a, scores: {impact: 3})') + " }",
              lambda w: {"a": w.assignment}, {"evaluator"}),
    Operation("declareConflict", "mutation { " + union("declareConflict", '(organisation: "Nobody Ltd")') + " }",
              lambda w: {}, {"evaluator"}),
    Operation("assignEvaluators", "mutation($c: ID!) { " + union("assignEvaluators", "(callId: $c)") + " }",
              lambda w: {"c": w.review_call}, TEAM),
    Operation("evaluationProgress", "query($c: ID!) { " + union("evaluationProgress", "(callId: $c)") + " }",
              lambda w: {"c": w.review_call}, NL_STAFF),
    Operation("ranking", "query($c: ID!) { " + union("ranking", "(callId: $c)") + " }",
              lambda w: {"c": w.review_call}, NL_STAFF),
    Operation("rankingCsv", "query($c: ID!) { rankingCsv(callId: $c) }", lambda w: {"c": w.review_call},
              NL_STAFF),
    Operation("disagreements", "query($c: ID!) { disagreements(callId: $c) { applicationId } }",
              lambda w: {"c": w.review_call}, NL_STAFF),
    Operation("evaluators", "{ evaluators { accountId } }", lambda w: {}, TEAM),
    Operation("callPool", "query($c: ID!) { callPool(callId: $c) { capacity } }", lambda w: {"c": w.review_call},
              NL_STAFF),
    Operation("assignmentMatrix", "query($c: ID!) { " + union("assignmentMatrix", "(callId: $c)") + " }",
              lambda w: {"c": w.review_call}, NL_STAFF),
    Operation("setPoolMember", "mutation($c: ID!) { " + union("setPoolMember", f'(callId: $c, accountId: "{uuid.uuid4()}", capacity: 3)') + " }",
              lambda w: {"c": w.review_call}, TEAM),
    Operation("removePoolMember", "mutation($c: ID!) { " + union("removePoolMember", f'(callId: $c, accountId: "{uuid.uuid4()}")') + " }",
              lambda w: {"c": w.review_call}, TEAM),
    Operation("moveAssignment", "mutation { " + union("moveAssignment", f'(assignmentId: "{uuid.uuid4()}", toEvaluator: "nobody")') + " }",
              lambda w: {}, TEAM),
    Operation("repairAssignments", "mutation($c: ID!) { " + union("repairAssignments", "(callId: $c)") + " }",
              lambda w: {"c": w.review_call}, TEAM),
    Operation("inviteEvaluator", "mutation { " + union("inviteEvaluator", '(input: {email: "y@example.org", displayName: "Y"})') + " }",
              lambda w: {}, TEAM),
    Operation("setConsensus", "mutation($c: ID!, $a: ID!) { " + union("setConsensus", '(callId: $c, applicationId: $a, criterion: "impact", score: 3, justification: "twenty characters at least")') + " }",
              lambda w: {"c": w.review_call, "a": w.review_application}, TEAM),
    Operation("publishResults", "mutation($c: ID!) { " + union("publishResults", "(callId: $c)") + " }",
              lambda w: {"c": w.review_call}, TEAM),
    Operation("deadLetters", "{ deadLetters { subject } }", lambda w: {}, TEAM),
    Operation("evaluatorStatistics", "query($c: ID!) { evaluatorStatistics(callId: $c) { accountId } }",
              lambda w: {"c": w.review_call}, NL_STAFF),
    Operation("removeEvaluator", f'mutation {{ removeEvaluator(accountId: "{uuid.uuid4()}") {{ assigned }} }}',
              lambda w: {}, TEAM),
    Operation("submitEvaluation", "mutation($a: ID!) { " + union("submitEvaluation", "(assignmentId: $a)") + " }",
              lambda w: {"a": w.assignment}, {"evaluator"}),
    Operation("myApplications", "{ myApplications { id } }", lambda w: {}, {"applicant"},
              hidden=lambda d: d["myApplications"] == []),
    Operation("createChallenge NL", "mutation($m: ID!) { " + union("createChallenge", '(input: {missionId: $m, title: "C"})') + " }",
              lambda w: {"m": w.mission}, NL_STAFF),
    Operation("submitApplication", "mutation($id: ID!) { " + union("submitApplication", "(id: $id)") + " }",
              lambda w: {"id": w.application}, {"applicant"},
              hidden=lambda d: d["submitApplication"]["__typename"] == "NotFound"),
    Operation("withdrawApplication", "mutation($id: ID!) { " + union("withdrawApplication", "(id: $id)") + " }",
              lambda w: {"id": w.application}, {"applicant"},
              hidden=lambda d: d["withdrawApplication"]["__typename"] == "NotFound"),
    Operation("cloneCall draft", "mutation($id: ID!) { " + union("cloneCall", "(id: $id)") + " }",
              lambda w: {"id": w.draft_call}, NL_STAFF,
              hidden=lambda d: d["cloneCall"]["__typename"] == "NotFound"),
    # Accounts (issue 9): links are refused alike for everyone; staff changes are the team's.
    Operation("confirmEmail", "mutation { " + union("confirmEmail", '(token: "not-a-link")') + " }",
              lambda w: {}, ALL),
    Operation("resendConfirmation", "mutation { " + union("resendConfirmation") + " }", lambda w: {}, SIGNED_IN),
    Operation("requestPasswordReset", "mutation($e: String!) { " + union("requestPasswordReset", "(email: $e)") + " }",
              lambda w: {"e": f"nobody-{uuid.uuid4().hex[:8]}@example.org"}, ALL),
    Operation("resetPassword", "mutation { " + union("resetPassword", '(token: "not-a-link", password: "a-long-password")') + " }",
              lambda w: {}, ALL),
    Operation("invitation", "{ " + union("invitation", '(token: "not-a-link")') + " }", lambda w: {}, ALL),
    Operation("passwordResetLink", "{ " + union("passwordResetLink", '(token: "not-a-link")') + " }", lambda w: {}, ALL),
    Operation("acceptInvitation", "mutation { " + union("acceptInvitation", '(token: "not-a-link", password: "a-long-password")') + " }",
              lambda w: {}, ALL),
    Operation("changePassword", "mutation { " + union("changePassword", '(currentPassword: "not-mine", newPassword: "a-new-long-secret")') + " }",
              lambda w: {}, SIGNED_IN),
    Operation("updatePreferences", "mutation { " + union("updatePreferences", "(input: {})") + " }", lambda w: {}, SIGNED_IN),
    Operation("setUpTwoFactor", "mutation { " + union("setUpTwoFactor") + " }", lambda w: {}, SIGNED_IN),
    Operation("enableTwoFactor", "mutation { " + union("enableTwoFactor", '(code: "000000")') + " }", lambda w: {}, SIGNED_IN),
    Operation("disableTwoFactor", "mutation { " + union("disableTwoFactor", '(code: "000000")') + " }", lambda w: {}, SIGNED_IN),
    Operation("eraseMyAccount", "mutation { " + union("eraseMyAccount", '(password: "not-mine")') + " }", lambda w: {}, PEOPLE),
    Operation("accounts", "{ accounts { id } }", lambda w: {}, TEAM),
    Operation("disableAccount", "mutation($id: ID!) { " + union("disableAccount", "(id: $id)") + " }",
              lambda w: {"id": str(uuid.uuid4())}, TEAM),
    Operation("enableAccount", "mutation($id: ID!) { " + union("enableAccount", "(id: $id)") + " }",
              lambda w: {"id": str(uuid.uuid4())}, TEAM),
    Operation("deleteAccount", "mutation($id: ID!) { " + union("deleteAccount", "(id: $id)") + " }",
              lambda w: {"id": str(uuid.uuid4())}, TEAM),
    # Notify: the team's mail outbox; every signed-in person's own notifications.
    Operation("mailOutbox", "{ mailOutbox { totalCount } }", lambda w: {}, TEAM),
    Operation("retryMail", "mutation { " + union("retryMail", f'(id: "{uuid.uuid4()}")') + " }",
              lambda w: {}, TEAM),
    Operation("myNotifications", "{ myNotifications { id } }", lambda w: {}, SIGNED_IN),
    # Audit (issue 10): the team's alone.
    Operation("auditLog", "{ auditLog { totalCount } }", lambda w: {}, TEAM),
    Operation("auditChain", "{ auditChain { intact } }", lambda w: {}, TEAM),
    # Last: it publishes the draft the operations above rely on.
    Operation("publishCall draft", "mutation($id: ID!) { " + union("publishCall", "(id: $id)") + " }",
              lambda w: {"id": w.draft_call}, NL_STAFF,
              hidden=lambda d: d["publishCall"]["__typename"] == "NotFound"),
]  # fmt: skip


async def send(
    gql: GraphQLClient, operation: Operation, world: World, token: str | None
) -> dict[str, Any]:
    variables = operation.variables(world)
    if not operation.upload:
        body: dict[str, Any] = (await gql.raw(operation.query, variables, token)).json()
        return body
    headers = {"X-Portal-Upload": "1"} | ({"Authorization": f"Bearer {token}"} if token else {})
    response = await gql.http.post(
        gql.url,
        data={"operations": json.dumps({"query": operation.query,
                                        "variables": {**variables, "file": None}}),
              "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("letter.pdf", PDF, "application/pdf")},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    uploaded: dict[str, Any] = response.json()
    return uploaded


def denied(response: dict[str, Any]) -> bool:
    if response.get("errors"):
        return any(e.get("extensions", {}).get("code") in DENIED_CODES for e in response["errors"])
    data = response["data"]
    return any(isinstance(v, dict) and v.get("__typename") in DENIED_TYPES for v in data.values())


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
async def test_each_role(gql: GraphQLClient, world: World, operation: Operation) -> None:
    if operation.name == "calls list hides drafts":
        for role, token in world.tokens.items():
            listed = {c["id"] for c in (await gql("{ calls { id } }", token=token))["calls"]}
            assert (world.draft_call in listed) is (role in operation.allowed), role
        return
    outcomes = {}
    # Refused roles first: an allowed call may use the thing up (a removal, a withdrawal), and
    # a later refusal must not pass only because nothing was left to refuse.
    for role, token in sorted(world.tokens.items(), key=lambda rt: rt[0] in operation.allowed):
        response = await send(gql, operation, world, token)
        refused = denied(response)
        if not refused and operation.hidden and not response.get("errors"):
            refused = operation.hidden(response["data"])
        outcomes[role] = "refused" if refused else "allowed"
    expected = {role: "allowed" if role in operation.allowed else "refused" for role in ROLES}
    assert outcomes == expected


async def test_refusals_say_nothing_about_what_exists(gql: GraphQLClient, world: World) -> None:
    """Someone else's application and one that does not exist get the same answer."""
    stranger = world.tokens["evaluator"]
    query = "query($id: ID!) { application(id: $id) { id } }"
    real = await gql(query, {"id": world.application}, stranger)
    missing = await gql(query, {"id": "00000000-0000-4000-8000-0000000000aa"}, stranger)
    assert real == missing == {"application": None}
    save = "mutation($id: ID!) { saveApplication(id: $id, input: {}) { __typename } }"
    assert (await gql(save, {"id": world.application}, await gql.sign_up()))["saveApplication"] == {
        "__typename": "NotFound"
    }
    count = (
        "query($c: ID!) { callApplications(callId: $c) { ... on ApplicationConnection { total } } }"
    )
    # Counts are not a side door: a refused caller gets no number at all.
    assert (await gql(count, {"c": DEMO_CALL}, world.tokens["applicant"]))["callApplications"] == {}


async def test_the_live_counter_by_role(portal: Portal, world: World) -> None:
    """The submission-count subscription of a programme-wide call: staff of any hub watch it."""
    outcomes, codes = {}, set()
    for role, token in world.tokens.items():
        ws, receive = await subscribe_count(portal, DEMO_CALL, token)
        try:
            message = await receive()
        finally:
            await ws.close()
        watching = message["type"] == "next" and not message["payload"].get("errors")
        outcomes[role] = "allowed" if watching else "refused"
        if not watching:  # a refusal is coded as every request's is
            payload = message["payload"]
            errors = payload if isinstance(payload, list) else payload["errors"]
            codes.add(errors[0]["extensions"]["code"])
    expected = {role: "allowed" if role in EVERY_HUB_STAFF else "refused" for role in ROLES}
    assert outcomes == expected
    assert codes and codes <= {"forbidden", "not_authenticated"}


async def test_signing_out_everywhere_by_role(gql: GraphQLClient, tokens: Tokens) -> None:
    """Every signed-in person may end their own sessions (fresh ones: the world's stay)."""
    sign_out = "mutation { signOutEverywhere { __typename } }"
    assert (await gql(sign_out))["signOutEverywhere"]["__typename"] == "NotAuthenticated"
    for role, hub in (("EVALUATOR", None), ("HUB_MANAGER", "NL"), ("ADMIN", None)):
        _, token = await staff(gql, tokens.admin, role, hub)
        assert (await gql(sign_out, token=token))["signOutEverywhere"]["__typename"] == "SignedOut"
    _, applicant = await signed_up(gql)
    assert (await gql(sign_out, token=applicant))["signOutEverywhere"]["__typename"] == "SignedOut"


def test_the_matrix_covers_every_operation() -> None:
    """A new query, mutation or subscription fails here until the matrix says who may use it."""
    sdl = (Path(__file__).parents[2] / "gateway" / "schema.graphql").read_text()
    schema = graphql.build_schema(sdl)
    roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
    fields = {name for root in roots if root is not None for name in root.fields}
    covered = {root_field(o.query) for o in OPERATIONS}
    covered.add("submissionCount")  # test_the_live_counter_by_role
    covered.add("signOutEverywhere")  # test_signing_out_everywhere_by_role (it ends tokens)
    assert fields - covered == set()


def root_field(query: str) -> str:
    operation = graphql.parse(query).definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    field = operation.selection_set.selections[0]
    assert isinstance(field, graphql.FieldNode)
    return field.name.value
