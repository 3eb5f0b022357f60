"""Each call's evaluator pool through GraphQL: assignment draws only on it, capacity counts
per call, the team reads the assignment matrix, moves work by hand (refused with the reason
when a rule forbids it) and repairs shortfalls; disagreements and assignments read as a
person needs them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import DEMO_CALL, apply_to, publish_call
from tests.integration.test_review_graphql import (
    ASSIGN,
    COMMENT,
    MINE,
    POOL_MEMBER,
    SAVE,
    SUBMIT,
    evaluate,
    invite,
    pick_pool,
    scores,
)

POOL = """query($c: ID!) { callPool(callId: $c) { evaluator { accountId } capacity assigned
  submitted } }"""
MATRIX = """query($c: ID!) { assignmentMatrix(callId: $c) { __typename
  ... on AssignmentMatrix { evaluators { accountId name capacity load }
    applications { applicationId title organisation country hub shortfall
      assignments { assignmentId evaluatorId evaluatorName status }
      conflicts { evaluatorId evaluatorName reason } } }
  ... on Error { message } } }"""
MOVE = """mutation($a: ID!, $to: ID!) { moveAssignment(assignmentId: $a, toEvaluator: $to) {
  __typename ... on MatrixCell { assignmentId evaluatorId evaluatorName status }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }"""
REPORT = "... on AssignmentReport { assigned shortfalls { applicationId reason } } ... on Error { message }"
REPAIR = "mutation($c: ID!) { repairAssignments(callId: $c) { __typename " + REPORT + " } }"
REMOVE = (
    "mutation($c: ID!, $e: ID!) { removePoolMember(callId: $c, accountId: $e) { __typename "
    + REPORT + " } }"
)  # fmt: skip


async def assign_after_deadline(
    gql: GraphQLClient, portal: Portal, admin: str, call: str, applications: int
) -> dict[str, Any]:
    with portal.clock.shifted(timedelta(days=2)):

        async def assigned() -> dict[str, Any] | None:
            report: dict[str, Any] = (await gql(ASSIGN, {"c": call}, admin))["assignEvaluators"]
            ok = report.get("applications") == applications
            return report if ok else None

        found: dict[str, Any] = await eventually(assigned)
        return found


async def matrix_of(gql: GraphQLClient, token: str, call: str) -> dict[str, Any]:
    found: dict[str, Any] = (await gql(MATRIX, {"c": call}, token))["assignmentMatrix"]
    assert found["__typename"] == "AssignmentMatrix", found
    return found


def refusal(answer: dict[str, Any]) -> str:
    assert answer["__typename"] == "ValidationErrors", answer
    [error] = answer["errors"]
    assert error["field"] == "toEvaluator"
    message: str = error["message"]
    return message


async def test_the_pool_limits_assignment_and_capacity_counts_per_call(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    admin = tokens.admin
    first = await publish_call(gql, tokens, evaluatorsPerApplication=2)
    second = await publish_call(gql, tokens, evaluatorsPerApplication=2)
    firsts = [(await apply_to(gql, first, {"name": f"Maker {i}", "type": "ngo", "country": "NL"},
                              1000, {"title": f"Kit {i}"}))[0] for i in range(2)]  # fmt: skip
    [other] = [(await apply_to(gql, second, {"name": "Fixers", "type": "ngo", "country": "BE"},
                               1000))[0]]  # fmt: skip
    busy, busy_token = await invite(gql, admin)  # capacity 1 on the first call, 5 on the second
    pair = dict([await invite(gql, admin) for _ in range(2)])
    outsider, _ = await invite(gql, admin)  # invited to the programme, in no pool
    await pick_pool(gql, admin, first, [busy], capacity=1)
    await pick_pool(gql, admin, first, pair, capacity=5)
    await pick_pool(gql, admin, second, [busy, outsider], capacity=5)

    # Bad picks name their field; only the programme team picks.
    malformed = await gql(POOL_MEMBER, {"c": first, "e": "nobody", "n": 3}, admin)
    assert malformed["setPoolMember"]["__typename"] == "NotFound", malformed  # not even asked
    for account, capacity, field in ((str(uuid.uuid4()), 3, "accountId"), (outsider, 0, "capacity"),
                                     (outsider, 1001, "capacity")):  # fmt: skip
        bad = await gql(POOL_MEMBER, {"c": first, "e": account, "n": capacity}, admin)
        assert [e["field"] for e in bad["setPoolMember"]["errors"]] == [field], bad
    hub = await gql(POOL_MEMBER, {"c": first, "e": outsider, "n": 3}, tokens.hub_nl)
    assert hub["setPoolMember"]["__typename"] == "Forbidden"

    report = await assign_after_deadline(gql, portal, admin, first, 2)
    assert (report["assigned"], report["shortfalls"]) == (4, [])
    report = await assign_after_deadline(gql, portal, admin, second, 1)
    assert (report["assigned"], report["shortfalls"]) == (2, [])

    # The first call's pool only, and `busy` at its capacity there (1), still working on the second.
    matrix = await matrix_of(gql, admin, first)
    loads = {e["accountId"]: (e["capacity"], e["load"]) for e in matrix["evaluators"]}
    assert loads.keys() == {busy, *pair} and loads[busy] == (1, 1)
    assert sorted(loads[e] for e in pair) == [(5, 1), (5, 2)]  # balanced: 4 places, k = 2
    assert outsider not in loads
    held = {a["applicationId"]: a for a in matrix["applications"]}
    assert set(held) == set(firsts)
    assert {held[a]["title"] for a in firsts} == {"Kit 0", "Kit 1"}
    assert {held[a]["organisation"] for a in firsts} == {"Maker 0", "Maker 1"}
    assert all(a["shortfall"] is None and len(a["assignments"]) == 2 for a in held.values())
    assert {e["accountId"] for e in (await matrix_of(gql, admin, second))["evaluators"]} == {
        busy,
        outsider,
    }
    busy_work = {a["applicationId"] for a in (await gql(MINE, token=busy_token))["myAssignments"]}
    assert other in busy_work and len(busy_work & set(firsts)) == 1

    # The call's hub manager reads the pool and the matrix; an evaluator reads neither.
    pool = (await gql(POOL, {"c": first}, tokens.hub_nl))["callPool"]
    assert {(m["evaluator"]["accountId"], m["capacity"], m["assigned"]) for m in pool} >= {
        (busy, 1, 1)
    }
    assert (await gql(MATRIX, {"c": first}, busy_token))["assignmentMatrix"][
        "__typename"
    ] == "Forbidden"

    # A move the rules forbid says why.
    line = next(
        a for a in held.values() if busy not in {c["evaluatorId"] for c in a["assignments"]}
    )
    cell = line["assignments"][0]
    full = await gql(MOVE, {"a": cell["assignmentId"], "to": busy}, admin)
    assert refusal(full["moveAssignment"]).endswith("is at capacity for this call (1 of 1).")
    outside = await gql(MOVE, {"a": cell["assignmentId"], "to": outsider}, admin)
    assert refusal(outside["moveAssignment"]).endswith("is not in this call's pool.")
    twice = await gql(MOVE, {"a": cell["assignmentId"], "to": line["assignments"][1]["evaluatorId"]},
                      admin)  # fmt: skip
    assert refusal(twice["moveAssignment"]).endswith("is already assigned to this application.")
    assert (await gql(MOVE, {"a": cell["assignmentId"], "to": busy}, tokens.hub_nl))[
        "moveAssignment"
    ]["__typename"] == "Forbidden"

    # With room made for them, the move moves.
    await pick_pool(gql, admin, first, [busy], capacity=2)
    moved = (await gql(MOVE, {"a": cell["assignmentId"], "to": busy}, admin))["moveAssignment"]
    assert moved["__typename"] == "MatrixCell", moved
    assert (moved["evaluatorId"], moved["status"]) == (busy, "not_started")
    after = {a["applicationId"]: a for a in (await matrix_of(gql, admin, first))["applications"]}
    assert busy in {c["evaluatorId"] for c in after[line["applicationId"]]["assignments"]}
    assert cell["evaluatorId"] not in {
        c["evaluatorId"] for c in after[line["applicationId"]]["assignments"]
    }
    gone = await gql(MOVE, {"a": cell["assignmentId"], "to": outsider}, admin)
    assert gone["moveAssignment"]["__typename"] == "NotFound"  # the old assignment is no more

    # A submitted evaluation stays with its evaluator.
    [done] = [a for a in (await gql(MINE, token=busy_token))["myAssignments"]
              if a["applicationId"] == line["applicationId"]]  # fmt: skip
    await evaluate(gql, busy_token, done["id"], scores(4, 4, 4))
    locked = (await gql(MOVE, {"a": done["id"], "to": cell["evaluatorId"]}, admin))[
        "moveAssignment"
    ]
    assert locked["__typename"] == "Conflict" and "submitted and locked" in locked["message"]

    # Removing a member repairs their unfinished work onto the others; the submitted one stays.
    removed = (await gql(REMOVE, {"c": first, "e": busy}, admin))["removePoolMember"]
    assert (removed["__typename"], removed["shortfalls"]) == ("AssignmentReport", []), removed
    after = {a["applicationId"]: a for a in (await matrix_of(gql, admin, first))["applications"]}
    assert busy in {c["evaluatorId"] for c in after[line["applicationId"]]["assignments"]}
    assert [c["status"] for c in after[line["applicationId"]]["assignments"]
            if c["evaluatorId"] == busy] == ["submitted"]  # fmt: skip
    assert busy not in {e["accountId"] for e in (await matrix_of(gql, admin, first))["evaluators"]}


async def test_conflicts_and_shortfalls_read_in_words_and_repair_fills_them(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    admin = tokens.admin
    call = await publish_call(gql, tokens)  # three evaluators per application
    name = f"Known Makers {uuid.uuid4().hex[:6]}"
    app, _ = await apply_to(gql, call, {"name": name, "type": "ngo", "country": "NL"}, 1000)
    colleague, _ = await invite(gql, admin, organisation=name)  # an automatic conflict
    pool = dict([await invite(gql, admin) for _ in range(2)])
    await pick_pool(gql, admin, call, [colleague, *pool])
    declarer, declarer_token = next(iter(pool.items()))
    declare = """mutation($a: ID!) { declareConflict(applicationId: $a, reason: "my former client") {
      __typename } }"""
    assert (await gql(declare, {"a": app}, declarer_token))["declareConflict"][
        "__typename"
    ] == "ConflictDeclared"

    report = await assign_after_deadline(gql, portal, admin, call, 1)
    assert report["assigned"] == 1
    expected = "1 of 3 evaluators: 3 in the pool, 2 conflicted, 0 at capacity"
    assert report["shortfalls"] == [
        {"applicationId": app, "needed": 3, "assigned": 1, "reason": expected}
    ]
    [line] = (await matrix_of(gql, admin, call))["applications"]
    assert line["shortfall"] == expected
    assert {c["evaluatorId"]: c["reason"] for c in line["conflicts"]} == {
        colleague: "from the applicant's organisation",
        declarer: "declared a conflict: my former client",
    }
    [cell] = line["assignments"]
    refused = await gql(MOVE, {"a": cell["assignmentId"], "to": colleague}, admin)
    assert refusal(refused["moveAssignment"]).endswith(
        "may not evaluate this application: from the applicant's organisation."
    )

    # Two more evaluators picked: the repair fills the shortfall and keeps what was assigned.
    added = dict([await invite(gql, admin) for _ in range(2)])
    await pick_pool(gql, admin, call, added)
    repaired = (await gql(REPAIR, {"c": call}, admin))["repairAssignments"]
    assert repaired == {"__typename": "AssignmentReport", "assigned": 3, "shortfalls": []}
    [line] = (await matrix_of(gql, admin, call))["applications"]
    assert line["shortfall"] is None
    assert {c["evaluatorId"] for c in line["assignments"]} == {cell["evaluatorId"], *added}
    assert (await gql(REPAIR, {"c": call}, tokens.hub_nl))["repairAssignments"][
        "__typename"
    ] == "Forbidden"
    not_yet = await publish_call(gql, tokens)

    async def refused_early() -> dict[str, Any] | None:
        found: dict[str, Any] = (await gql(REPAIR, {"c": not_yet}, admin))["repairAssignments"]
        # NotFound until review has heard of the publication.
        return None if found["__typename"] == "NotFound" else found

    early = await eventually(refused_early)
    assert early["__typename"] == "Conflict" and "Nothing is assigned yet" in early["message"]


DISAGREEMENTS = """query($c: ID!) { disagreements(callId: $c) { applicationId title criteria
  scores evaluations { evaluator scores comments } } }"""
MINE_DUE = "{ myAssignments { applicationId applicationTitle dueAt callTimezone } }"


async def test_disagreements_are_anonymous_and_assignments_know_their_title_and_due_date(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    admin = tokens.admin
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    call = await publish_call(gql, tokens, evaluatorsPerApplication=2, timezone="Europe/Lisbon",
                              evaluationDeadline=due.isoformat())  # fmt: skip
    app, _ = await apply_to(gql, call, {"name": "Loop Co", "type": "ngo", "country": "NL"}, 1000,
                            {"title": "  Repair café kits  "})  # fmt: skip
    team = dict([await invite(gql, admin, displayName=f"Named {i}") for i in range(2)])
    await pick_pool(gql, admin, call, team)
    await assign_after_deadline(gql, portal, admin, call, 1)

    for token in team.values():
        [mine] = (await gql(MINE_DUE, token=token))["myAssignments"]
        assert mine["applicationId"] == app and mine["applicationTitle"] == "Repair café kits"
        assert datetime.fromisoformat(mine["dueAt"]) == due
        assert mine["callTimezone"] == "Europe/Lisbon"

    # The first to submit is "Evaluator 1", whoever they are; their words come with the scores.
    given = [(scores(4, 1, 4), "Impact is thin: one neighbourhood, no plan to grow."),
             (scores(4, 4.5, 4), "Impact is strong: the kits travel to every café.")]  # fmt: skip
    for token, (marks, impact) in zip(team.values(), given, strict=True):
        [mine] = (await gql(MINE, token=token))["myAssignments"]
        comments = {**dict.fromkeys(marks, COMMENT), "impact": impact}
        saved = await gql(SAVE, {"a": mine["id"], "s": marks, "c": comments}, token)
        assert saved["saveEvaluation"]["__typename"] == "Evaluation"
        assert (await gql(SUBMIT, {"a": mine["id"]}, token))["submitEvaluation"]["status"] == (
            "submitted"
        )
    [found] = (await gql(DISAGREEMENTS, {"c": call}, tokens.hub_nl))["disagreements"]
    assert (found["applicationId"], found["title"], found["criteria"]) == (
        app,
        "Repair café kits",
        ["impact"],
    )
    assert found["scores"] == {"impact": [1.0, 4.5]}
    assert [(e["evaluator"], e["scores"]["impact"], e["comments"]["impact"])
            for e in found["evaluations"]] == [
        ("Evaluator 1", 1.0, given[0][1]), ("Evaluator 2", 4.5, given[1][1])
    ]  # fmt: skip
    text = str(found)
    assert not any(evaluator in text for evaluator in team) and "Named" not in text


async def test_evaluators_filter_by_expertise_and_hub_and_the_demo_evaluator_is_in_the_demo_pool(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    weaver, _ = await invite(gql, tokens.admin, expertise=["textiles"], hubs=["PT"])
    builder, _ = await invite(gql, tokens.admin, expertise=["construction_buildings"], hubs=["NL"])
    listing = (
        "query($x: String, $h: String) { evaluators(expertise: $x, hub: $h) { accountId email } }"
    )

    async def listed(**filters: str) -> dict[str, str]:
        variables = {"x": filters.get("expertise"), "h": filters.get("hub")}
        found = (await gql(listing, variables, tokens.admin))["evaluators"]
        return {e["email"]: e["accountId"] for e in found}

    textiles = await listed(expertise="textiles")
    assert weaver in textiles.values() and builder not in textiles.values()
    in_nl = await listed(expertise="textiles", hub="NL")
    assert weaver not in in_nl.values() and builder not in in_nl.values()
    demo = in_nl["evaluator@demo.portal"]  # seeded with textiles, in hub NL
    typo = (await gql.raw(listing, {"x": "textile", "h": None}, tokens.admin)).json()
    assert typo["errors"][0]["extensions"]["code"] == "validation_failed"

    async def demo_pool() -> bool:
        pool = (await gql(POOL, {"c": DEMO_CALL}, tokens.admin))["callPool"]
        return demo in {m["evaluator"]["accountId"] for m in pool}

    await eventually(demo_pool)  # so `make dev`'s console has someone to assign
