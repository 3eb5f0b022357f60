"""Evaluation through GraphQL, from assignment to published results, as the team, the
evaluators and the applicants live it."""

from __future__ import annotations

import asyncio
import statistics
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from bench.review_data import seed_scored_call
from services.review.models import ApplicationCopy
from shared.api.intake import Eligibility
from shared.objectstore import content_disposition
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.waiting import eventually
from tests.integration.test_accounts import accepted_invitation
from tests.integration.test_intake_graphql import PDF, apply_to, publish_call

INVITE = """mutation($i: EvaluatorInput!) { inviteEvaluator(input: $i) { __typename
  ... on EvaluatorInvitation { invitationSentTo evaluator { accountId email } }
  ... on Error { message } } }"""
ASSIGN = """mutation($c: ID!) { assignEvaluators(callId: $c) { __typename
  ... on AssignmentReport { applications assigned evaluators minLoad maxLoad
    shortfalls { applicationId needed assigned reason } } ... on Error { message } } }"""
MINE = "{ myAssignments { id applicationId callTitle evaluation { status } } }"
ONE = """query($id: ID!) { assignment(id: $id) { id applicationId rubric { criteria { key } }
  application { blind organisation { name } contact { email } answers
    attachments { fileName downloadUrl } } evaluation { status scores } } }"""
SAVE = """mutation($a: ID!, $s: JSON, $c: JSON) { saveEvaluation(assignmentId: $a, scores: $s, comments: $c) {
  __typename ... on Evaluation { status scores } ... on ValidationErrors { errors { field message } }
  ... on Error { message } } }"""
SUBMIT = """mutation($a: ID!) { submitEvaluation(assignmentId: $a) { __typename
  ... on Evaluation { status } ... on ValidationErrors { errors { field message } }
  ... on Error { message } } }"""
RANKING = """query($c: ID!) { ranking(callId: $c) { __typename ... on Ranking { total resultsPublished
  entries { applicationId rank decision weightedTotal scores thresholdsFailed tieBreak explanation } }
  ... on Error { message } } }"""
PROGRESS = """query($c: ID!) { evaluationProgress(callId: $c) { ... on EvaluationProgress {
  applications inEvaluation completeApplications flaggedApplications } } }"""
SETTLE = """mutation($c: ID!, $a: ID!, $k: String!, $j: String!) { setConsensus(callId: $c,
  applicationId: $a, criterion: $k, score: 4, justification: $j) { __typename
  ... on RankingEntry { rank decision } ... on ValidationErrors { errors { field message } }
  ... on Error { message } } }"""
PUBLISH = "mutation($c: ID!) { publishResults(callId: $c) { __typename ... on Error { message } } }"
DECLARE_ORGANISATION = """mutation($o: String!) { declareConflict(organisation: $o) { __typename
  ... on ConflictDeclared { reassigned } ... on Error { message } } }"""
STATISTICS = (
    """query($c: ID!) { evaluatorStatistics(callId: $c) { accountId evaluations meanDeviation } }"""
)
COMMENT = "A specific, well-argued comment on this criterion."
JUSTIFICATION = "The panel agreed the impact case is convincing."


async def retire_everyone(gql: GraphQLClient, admin: str) -> None:
    """Remove every evaluator from the programme (so from every call's pool)."""
    remove = "mutation($e: ID!) { removeEvaluator(accountId: $e) { assigned } }"
    for evaluator in (await gql("{ evaluators { accountId active } }", token=admin))["evaluators"]:
        if evaluator["active"]:
            await gql(remove, {"e": evaluator["accountId"]}, admin)


POOL_MEMBER = """mutation($c: ID!, $e: ID!, $n: Int!) { setPoolMember(callId: $c, accountId: $e,
  capacity: $n) { __typename ... on PoolMember { capacity } ... on ValidationErrors {
  errors { field message } } ... on Error { message } } }"""


async def assigned_once_closed(gql: GraphQLClient, call: str, admin: str) -> dict[str, Any]:
    """The assignment report, once review has heard of the close: it may hear of the
    eligibility verdicts (intake's stream) before the close itself (the registry's)."""

    async def assigned() -> dict[str, Any] | None:
        report: dict[str, Any] = (await gql(ASSIGN, {"c": call}, admin))["assignEvaluators"]
        if report["__typename"] == "AssignmentReport":
            return report
        assert report["message"] == "Evaluators are assigned once the call has closed.", report
        return None

    found: dict[str, Any] = await eventually(assigned)
    return found


async def pick_pool(
    gql: GraphQLClient, admin: str, call: str, account_ids: Iterable[str], capacity: int = 30
) -> None:
    """Assignment draws only on a call's pool: pick these evaluators into it."""
    for account_id in account_ids:
        variables = {"c": call, "e": account_id, "n": capacity}

        async def picked(variables: dict[str, Any] = variables) -> dict[str, Any] | None:
            # The call reaches review by its event: until then it is not there to evaluate.
            answer: dict[str, Any] = (await gql(POOL_MEMBER, variables, admin))["setPoolMember"]
            if answer["__typename"] == "NotFound" and "yet" in answer["message"]:
                return None
            return answer

        assert await eventually(picked) == {"__typename": "PoolMember", "capacity": capacity}


async def invite(gql: GraphQLClient, admin: str, **extra: Any) -> tuple[str, str]:
    email = f"ev-{uuid.uuid4().hex[:8]}@evaluators.example"
    made = await gql(INVITE, {"i": {"email": email, "displayName": "Evaluator", **extra}}, admin)
    invitation = made["inviteEvaluator"]
    assert invitation["__typename"] == "EvaluatorInvitation", invitation
    assert invitation["invitationSentTo"] == email
    # The evaluator sets a password from the invitation mail's link.
    token = await accepted_invitation(gql, email)
    return invitation["evaluator"]["accountId"], token


def scores(e: float, i: float, m: float) -> dict[str, float]:
    return {"excellence": e, "impact": i, "implementation": m}


async def evaluate(
    gql: GraphQLClient, token: str, assignment: str, given: dict[str, float]
) -> None:
    comments = dict.fromkeys(given, COMMENT)
    saved = (await gql(SAVE, {"a": assignment, "s": given, "c": comments}, token))["saveEvaluation"]
    assert saved["__typename"] == "Evaluation", saved
    submitted = (await gql(SUBMIT, {"a": assignment}, token))["submitEvaluation"]
    assert submitted == {"__typename": "Evaluation", "status": "submitted"}


def settling(call: str, application: str) -> dict[str, str]:
    return {"c": call, "a": application, "k": "impact", "j": JUSTIFICATION}


async def test_from_assignment_to_published_results(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens, blind=True, budget=100_000, maxGrant=60_000)
    strong, strong_token = await apply_to(
        gql, call, {"name": "Strong Co", "type": "ngo", "country": "NL"}, 60_000
    )
    modest, modest_token = await apply_to(
        gql, call, {"name": "Modest Co", "type": "ngo", "country": "BE"}, 50_000
    )
    outside, _ = await apply_to(
        gql, call, {"name": "Far Co", "type": "ngo", "country": "DE"}, 1_000
    )

    evaluators = [await invite(gql, tokens.admin, expertise=["textiles"]) for _ in range(4)]
    tokens_by_id = dict(evaluators)
    await pick_pool(gql, tokens.admin, call, tokens_by_id)

    refused = (await gql(ASSIGN, {"c": call}, tokens.admin))["assignEvaluators"]
    assert refused["__typename"] == "Conflict"  # not before the deadline

    with portal.clock.shifted(timedelta(days=2)):

        async def eligibility_known() -> bool:
            found = (await gql(RANKING, {"c": call}, tokens.admin))["ranking"]
            return found["__typename"] == "Ranking" and found["total"] == 3

        await eventually(eligibility_known)
        report = await assigned_once_closed(gql, call, tokens.admin)
    assert report["applications"] == 2 and report["assigned"] == 6 and report["shortfalls"] == []
    assert report["maxLoad"] - report["minLoad"] <= 1
    for token in (tokens.hub_nl, tokens.applicant, tokens.evaluator):
        assert (await gql(ASSIGN, {"c": call}, token))["assignEvaluators"][
            "__typename"
        ] == "Forbidden"

    assignments = {ev: (await gql(MINE, token=t))["myAssignments"] for ev, t in evaluators}
    # One evaluator knows the strong applicant: the assignment moves to the fourth evaluator.
    conflicted = next(
        ev for ev, mine in assignments.items() if any(a["applicationId"] == strong for a in mine)
    )
    declare = """mutation($a: ID!) { declareConflict(applicationId: $a, reason: "former colleague") {
      __typename ... on ConflictDeclared { reassigned } } }"""
    declared = (await gql(declare, {"a": strong}, tokens_by_id[conflicted]))["declareConflict"]
    # The evaluator hears of their own work only: the calls' reports (other applications'
    # ids, the pool's size and conflicts) are the team's (found probing: they were in it).
    assert declared == {"__typename": "ConflictDeclared", "reassigned": 1}
    assignments = {ev: (await gql(MINE, token=t))["myAssignments"] for ev, t in evaluators}
    assert strong not in {a["applicationId"] for a in assignments[conflicted]}
    holders = [
        ev for ev, mine in assignments.items() if any(a["applicationId"] == strong for a in mine)
    ]
    assert len(holders) == 3 and conflicted not in holders

    # Nothing to settle before the evaluations are in.
    too_soon = (await gql(SETTLE, settling(call, strong), tokens.admin))["setConsensus"]
    assert too_soon["__typename"] == "Conflict" and "0 of 3" in too_soon["message"]

    # Blind: no identity, neutral file names, files still readable.
    first_id = next(a["id"] for a in assignments[holders[0]] if a["applicationId"] == strong)
    seen = (await gql(ONE, {"id": first_id}, tokens_by_id[holders[0]]))["assignment"]
    assert seen["application"]["blind"] is True
    assert seen["application"]["organisation"] is None and seen["application"]["contact"] is None
    [attachment] = seen["application"]["attachments"]
    assert attachment["fileName"] == "plan-1"
    async with httpx.AsyncClient() as http:
        downloaded = await http.get(attachment["downloadUrl"])
    assert downloaded.content == PDF
    # Every byte the evaluator reaches is neutral, the download's own name too.
    assert downloaded.headers["content-disposition"] == content_disposition("plan.pdf")
    other = next(ev for ev in tokens_by_id if ev not in holders)
    assert (await gql(ONE, {"id": first_id}, tokens_by_id[other]))["assignment"] is None

    # Bad scores are refused with the criterion named; a submitted evaluation is locked.
    bad = (await gql(SAVE, {"a": first_id, "s": {"impact": 3.25}}, tokens_by_id[holders[0]]))[
        "saveEvaluation"
    ]
    assert bad["errors"] == [{"field": "scores.impact", "message": "must be 0 to 5 in half points"}]
    # Not numbers at all: still typed errors naming each criterion, not a GraphQL error.
    garbled = {"impact": "high", "excellence": None, "implementation": [4], "relevance": "4"}
    wrong = (await gql(SAVE, {"a": first_id, "s": garbled}, tokens_by_id[holders[0]]))[
        "saveEvaluation"
    ]
    assert wrong["__typename"] == "ValidationErrors"
    assert {e["field"]: e["message"] for e in wrong["errors"]} == {
        "scores.impact": "must be a number, not text",
        "scores.excellence": "must be a number, not null",
        "scores.implementation": "must be a number, not a list",
        "scores.relevance": "must be a number, not text",  # "4" is text, not a score
    }
    not_an_object = (await gql(SAVE, {"a": first_id, "s": 4}, tokens_by_id[holders[0]]))[
        "saveEvaluation"
    ]
    assert [e["field"] for e in not_an_object["errors"]] == ["scores"]
    # Someone else's assignment reads exactly like one that does not exist.
    missing = str(uuid.uuid4())
    for operation, variables in ((SAVE, {"s": {"impact": 4}}), (SUBMIT, {})):
        foreign = await gql(operation, {"a": first_id, **variables}, tokens_by_id[other])
        unknown = await gql(operation, {"a": missing, **variables}, tokens_by_id[other])
        [foreign_answer], [unknown_answer] = foreign.values(), unknown.values()
        assert foreign_answer["__typename"] == unknown_answer["__typename"] == "NotFound"
        assert foreign_answer["message"].replace(first_id, missing) == unknown_answer["message"]
    empty = (await gql(SUBMIT, {"a": first_id}, tokens_by_id[holders[0]]))["submitEvaluation"]
    assert empty["__typename"] == "ValidationErrors"

    given_by: dict[str, dict[str, dict[str, float]]] = {}
    for ev, mine in assignments.items():
        for a in mine:
            # The three on `strong` disagree by 2 on impact; `modest` is scored low.
            if a["applicationId"] == strong:
                given = scores(4.5, 2.5 if ev == holders[0] else 4.5, 4.5)
            else:
                given = scores(3, 3.5, 3.5)
            await evaluate(gql, tokens_by_id[ev], a["id"], given)
            given_by.setdefault(ev, {})[a["applicationId"]] = given
    again = (await gql(SUBMIT, {"a": first_id}, tokens_by_id[holders[0]]))["submitEvaluation"]
    assert again["__typename"] == "Conflict"

    queue = await gql("query($c: ID!) { disagreements(callId: $c) { applicationId criteria } }",
                      {"c": call}, tokens.admin)  # fmt: skip
    assert queue["disagreements"] == [{"applicationId": strong, "criteria": ["impact"]}]
    ranking = (await gql(RANKING, {"c": call}, tokens.admin))["ranking"]
    decisions = {e["applicationId"]: e["decision"] for e in ranking["entries"]}
    assert decisions == {strong: "pending", modest: "selected", outside: "ineligible"}
    # The ineligible one is submitted but never assigned: not "in evaluation", not incomplete.
    progress = (await gql(PROGRESS, {"c": call}, tokens.admin))["evaluationProgress"]
    assert progress == {"applications": 3, "inEvaluation": 2, "completeApplications": 1,
                        "flaggedApplications": 1}  # fmt: skip
    early = (await gql(PUBLISH, {"c": call}, tokens.admin))["publishResults"]
    assert early["__typename"] == "Conflict" and "consensus" in early["message"]

    # The moderator settles a disagreement, with reasons, and nothing else.
    agreed = (await gql(SETTLE, {**settling(call, strong), "k": "excellence"}, tokens.admin))[
        "setConsensus"
    ]
    assert (
        agreed["__typename"] == "Conflict" and "do not disagree on excellence" in agreed["message"]
    )
    terse = (await gql(SETTLE, {**settling(call, strong), "j": "Fine."}, tokens.admin))[
        "setConsensus"
    ]
    assert terse["__typename"] == "ValidationErrors"
    assert [e["field"] for e in terse["errors"]] == ["justification"]
    # Six moderators settling it at once (found probing: a duplicate key, internal_error).
    burst = [gql(SETTLE, settling(call, strong), tokens.admin) for _ in range(6)]
    for settled in await asyncio.gather(*burst):
        assert settled["setConsensus"] == {
            "__typename": "RankingEntry",
            "rank": 1,
            "decision": "selected",
        }
    ranking = (await gql(RANKING, {"c": call}, tokens.admin))["ranking"]
    lines = {e["applicationId"]: e for e in ranking["entries"]}
    agreed_scores = {strong: scores(4.5, 4, 4.5), modest: scores(3, 3.5, 3.5)}
    assert lines[strong]["scores"] == agreed_scores[strong]
    assert lines[strong]["explanation"].endswith(f"; Impact settled by moderator: {JUSTIFICATION}")
    assert lines[modest]["decision"] == "reserve"  # 60,000 + 50,000 > 100,000
    assert lines[modest]["explanation"].endswith(
        "reserve: requests €50,000; only €40,000 left after higher ranks"
    )

    # Each evaluator's mean distance from the consensus, over every criterion they scored.
    expected = {
        ev: statistics.fmean(abs(given[k] - agreed_scores[app][k])
                             for app, given in mine.items() for k in given)
        for ev, mine in given_by.items()
    }  # fmt: skip
    assert expected[holders[0]] > 0  # the one who scored impact 2.5
    found = (await gql(STATISTICS, {"c": call}, tokens.admin))["evaluatorStatistics"]
    assert {r["accountId"]: r["meanDeviation"] for r in found} == pytest.approx(expected)
    assert {r["accountId"]: r["evaluations"] for r in found} == {
        ev: len(mine) for ev, mine in given_by.items()
    }
    csv = await gql("query($c: ID!) { rankingCsv(callId: $c) }", {"c": call}, tokens.hub_nl)
    assert csv["rankingCsv"].splitlines()[0].startswith("rank,application_id,organisation")

    published = (await gql(PUBLISH, {"c": call}, tokens.admin))["publishResults"]
    assert published["__typename"] == "Ranking"
    outcome = (
        "query($id: ID!) { application(id: $id) { outcome { decision rank scores comments } } }"
    )

    async def applicant_sees(app_id: str, token: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = (await gql(outcome, {"id": app_id}, token))["application"][
            "outcome"
        ]
        return found

    mine = await eventually(lambda: applicant_sees(strong, strong_token))
    assert mine["decision"] == "selected" and mine["rank"] == 1
    assert all("Evaluator" not in c for c in mine["comments"])
    assert (await eventually(lambda: applicant_sees(modest, modest_token)))["decision"] == "reserve"

    lifecycle = "query($c: ID!) { call(id: $c) { lifecycle } }"

    async def results_published() -> bool:
        return bool((await gql(lifecycle, {"c": call}))["call"]["lifecycle"] == "RESULTS_PUBLISHED")

    await eventually(results_published)


async def closed_call_with_assignments(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, applications: int, evaluators: int
) -> tuple[str, list[str], dict[str, str]]:
    call = await publish_call(gql, tokens)
    apps = [
        (await apply_to(gql, call, {"name": f"Org {i}", "type": "ngo", "country": "NL"}, 1000))[0]
        for i in range(applications)
    ]
    team = dict([await invite(gql, tokens.admin) for _ in range(evaluators)])
    await pick_pool(gql, tokens.admin, call, team)
    with portal.clock.shifted(timedelta(days=2)):

        async def assigned() -> dict[str, Any] | None:
            report = (await gql(ASSIGN, {"c": call}, tokens.admin))["assignEvaluators"]
            ok = (
                report["__typename"] == "AssignmentReport"
                and report["applications"] == applications
            )
            return report if ok else None

        await eventually(assigned)
    return call, apps, team


TEAM_VIEWS = """query($c: ID!) {
  ranking(callId: $c) { ... on Ranking { total entries { organisation } } }
  rankingCsv(callId: $c)
  assignmentMatrix(callId: $c) { ... on AssignmentMatrix {
    applications { organisation } evaluators { load } } }
  callPool(callId: $c) { assigned submitted }
  disagreements(callId: $c) { applicationId }
  evaluatorStatistics(callId: $c) { evaluations } }"""


async def test_a_hub_manager_sees_only_their_hubs_applications_of_a_programme_wide_call(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    """As intake lists and counts them: the ranking, its CSV, the assignment matrix, the
    pool's loads, the disagreements and the evaluators' statistics hold the hub's
    applications alone."""
    call = await publish_call(gql, tokens, hub=None)
    for name, country in (("Belgian", "BE"), ("German", "DE")):  # hubs NL and DE
        await apply_to(gql, call, {"name": name, "type": "ngo", "country": country}, 10_000)
    team = dict([await invite(gql, tokens.admin) for _ in range(3)])
    await pick_pool(gql, tokens.admin, call, team)
    with portal.clock.shifted(timedelta(days=2)):

        async def both_assigned() -> bool:  # once review holds both eligibility verdicts
            return bool((await assigned_once_closed(gql, call, tokens.admin))["applications"] == 2)

        await eventually(both_assigned)
    for token in team.values():
        for assignment in (await gql(MINE, token=token))["myAssignments"]:
            await evaluate(gql, token, assignment["id"], scores(4, 4, 4))
    for token, seen in ((tokens.admin, {"Belgian", "German"}), (tokens.hub_nl, {"Belgian"})):
        views = await gql(TEAM_VIEWS, {"c": call}, token)
        assert views["ranking"]["total"] == len(seen)
        assert {e["organisation"] for e in views["ranking"]["entries"]} == seen
        assert ("German" in views["rankingCsv"]) is ("German" in seen)
        assert {a["organisation"] for a in views["assignmentMatrix"]["applications"]} == seen
        statistics_seen = sum(s["evaluations"] for s in views["evaluatorStatistics"])
        assert statistics_seen == 3 * len(seen)  # three evaluators for each application
        # The evaluators' loads count the same applications: no trace of other hubs' work.
        assert [e["load"] for e in views["assignmentMatrix"]["evaluators"]] == [len(seen)] * 3
        pool = views["callPool"]
        assert [(m["assigned"], m["submitted"]) for m in pool] == [(len(seen), len(seen))] * 3


async def test_conflicts_after_submitting_removals_and_statistics(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call, _apps, team = await closed_call_with_assignments(gql, portal, tokens, 2, 4)
    mine = {ev: (await gql(MINE, token=t))["myAssignments"] for ev, t in team.items()}
    done_by, done = next((ev, a[0]) for ev, a in mine.items() if a)
    await evaluate(gql, team[done_by], done["id"], scores(4, 4, 4))
    declare = """mutation($a: ID!) { declareConflict(applicationId: $a) { __typename ... on Error { message } } }"""
    late = (await gql(declare, {"a": done["applicationId"]}, team[done_by]))["declareConflict"]
    assert late["__typename"] == "Conflict" and "already submitted" in late["message"]
    # An id no call holds (a typo) is refused by name rather than kept as a conflict.
    typo = """mutation($a: ID!) { declareConflict(applicationId: $a) { __typename
      ... on ValidationErrors { errors { field message } } } }"""
    unknown = (await gql(typo, {"a": str(uuid.uuid4())}, team[done_by]))["declareConflict"]
    assert unknown == {
        "__typename": "ValidationErrors",
        "errors": [
            {"field": "applicationId", "message": "is not an application submitted to a call"}
        ],
    }
    # The same for the organisation behind it, however its name is written.
    organisation = f"org {_apps.index(done['applicationId'])} B.V."
    late = (await gql(DECLARE_ORGANISATION, {"o": organisation}, team[done_by]))["declareConflict"]
    assert late["__typename"] == "Conflict" and "already submitted" in late["message"]

    leaving = next(ev for ev, a in mine.items() if ev != done_by and a)
    remove = """mutation($e: ID!) { removeEvaluator(accountId: $e) { assigned shortfalls { applicationId } } }"""
    refused = await gql.raw(remove, {"e": leaving}, tokens.hub_nl)
    assert refused.json()["errors"][0]["extensions"]["code"] == "forbidden"
    [report] = (await gql(remove, {"e": leaving}, tokens.admin))["removeEvaluator"]
    assert report == {"assigned": 6, "shortfalls": []}
    assert (await gql(MINE, token=team[leaving]))["myAssignments"] == []

    rows = (await gql(STATISTICS, {"c": call}, tokens.admin))["evaluatorStatistics"]
    assert rows == [{"accountId": done_by, "evaluations": 1, "meanDeviation": None}]


async def test_an_organisation_conflict_declared_before_assignment_is_honoured(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    name = f"Known Makers {uuid.uuid4().hex[:6]}"
    app, _ = await apply_to(
        gql, call, {"name": f"{name} B.V.", "type": "ngo", "country": "NL"}, 1000
    )
    team = dict([await invite(gql, tokens.admin) for _ in range(3)])
    await pick_pool(gql, tokens.admin, call, team)
    knows, knows_token = next(iter(team.items()))
    declared = (await gql(DECLARE_ORGANISATION, {"o": name.lower()}, knows_token))[
        "declareConflict"
    ]
    assert declared == {"__typename": "ConflictDeclared", "reassigned": 0}  # nothing assigned yet
    with portal.clock.shifted(timedelta(days=2)):

        async def assigned() -> dict[str, Any] | None:
            report = (await gql(ASSIGN, {"c": call}, tokens.admin))["assignEvaluators"]
            return report if report.get("applications") == 1 else None

        report = await eventually(assigned)
    # Three evaluators, k = 3, one conflicted: two assigned and the shortfall says why.
    assert report["assigned"] == 2
    [short] = report["shortfalls"]
    assert (short["applicationId"], short["needed"], short["assigned"]) == (app, 3, 2)
    assert "1 conflicted" in short["reason"]
    assert (await gql(MINE, token=knows_token))["myAssignments"] == []
    for evaluator, token in team.items():
        if evaluator != knows:
            [mine] = (await gql(MINE, token=token))["myAssignments"]
            assert mine["applicationId"] == app
            await evaluate(gql, token, mine["id"], scores(4, 4, 4))
    # Both evaluations it has are in, yet the call promises three: not ranked on two.
    [line] = (await gql(RANKING, {"c": call}, tokens.admin))["ranking"]["entries"]
    assert (line["decision"], line["rank"], line["scores"]) == ("pending", None, {})
    assert line["explanation"] == (
        "consensus is not complete: short of evaluators: 2 of 3 assigned, 2 submitted"
    )


async def test_results_wait_for_every_eligibility_check(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    sessions = portal.review.app.state.runtime.session_factory
    call = await seed_scored_call(sessions, 2, evaluators=3, seed=11)  # ranked, all agreed
    unchecked = str(uuid.uuid4())
    async with sessions() as session, session.begin():
        session.add(ApplicationCopy(
            application_id=unchecked, call_id=call, version=1,
            content={"organisation": {"name": "Late"}}, attachments=[], value_chains=[],
            withdrawn=False, eligibility=Eligibility.PENDING,
        ))  # fmt: skip
    refused = (await gql(PUBLISH, {"c": call}, tokens.admin))["publishResults"]
    assert refused["__typename"] == "Conflict"
    assert refused["message"].startswith("1 application still awaits the eligibility check")

    async with sessions() as session, session.begin():  # intake's verdict arrives
        await session.execute(
            update(ApplicationCopy)
            .where(ApplicationCopy.application_id == unchecked)
            .values(eligibility=Eligibility.INELIGIBLE)
        )
    published = (await gql(PUBLISH, {"c": call}, tokens.admin))["publishResults"]
    assert published["__typename"] == "Ranking"
    outcome = await gql(RANKING, {"c": call}, tokens.admin)
    decisions = {e["applicationId"]: e["decision"] for e in outcome["ranking"]["entries"]}
    assert len(decisions) == 3 and decisions[unchecked] == "ineligible"


async def test_an_evaluator_sees_no_other_scores_and_a_short_comment_is_named(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call, [app], team = await closed_call_with_assignments(gql, portal, tokens, 1, 3)
    (_, first_token), (_, second_token), _ = team.items()
    [mine] = (await gql(MINE, token=first_token))["myAssignments"]
    [theirs] = (await gql(MINE, token=second_token))["myAssignments"]
    assert mine["applicationId"] == theirs["applicationId"] == app

    # A comment too short for one criterion: the submission names it and stays a draft.
    terse = {"excellence": COMMENT, "impact": "Too short.", "implementation": COMMENT}
    saved = await gql(SAVE, {"a": mine["id"], "s": scores(4.5, 1, 4.5), "c": terse}, first_token)
    assert saved["saveEvaluation"]["__typename"] == "Evaluation"
    refused = (await gql(SUBMIT, {"a": mine["id"]}, first_token))["submitEvaluation"]
    assert refused["__typename"] == "ValidationErrors"
    assert refused["errors"] == [
        {"field": "comments.impact", "message": "write at least 20 characters"}
    ]
    await evaluate(gql, first_token, mine["id"], scores(4.5, 1, 4.5))

    # The co-evaluator, before submitting, finds the first one's scores nowhere.
    own = (await gql(ONE, {"id": theirs["id"]}, second_token))["assignment"]
    assert own["evaluation"] == {"status": "not_started", "scores": {}}
    assert (await gql(ONE, {"id": mine["id"]}, second_token))["assignment"] is None
    assert [a["id"] for a in (await gql(MINE, token=second_token))["myAssignments"]] == [
        theirs["id"]
    ]
    ranking = (await gql(RANKING, {"c": call}, second_token))["ranking"]
    assert ranking["__typename"] == "Forbidden"
    progress = "query($c: ID!) { evaluationProgress(callId: $c) { __typename } }"
    assert (await gql(progress, {"c": call}, second_token))["evaluationProgress"] == {
        "__typename": "Forbidden"
    }
    for query in (
        "query($c: ID!) { disagreements(callId: $c) { applicationId scores } }",
        "query($c: ID!) { evaluatorStatistics(callId: $c) { accountId meanDeviation } }",
        "query($c: ID!) { rankingCsv(callId: $c) }",
    ):
        body = (await gql.raw(query, {"c": call}, second_token)).json()
        assert body["data"] is None, body
        assert body["errors"][0]["extensions"]["code"] == "forbidden"


async def test_an_invitation_with_unknown_codes_is_refused_and_leaves_no_account(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    email = f"ev-{uuid.uuid4().hex[:8]}@evaluators.example"
    typo = {"email": email, "displayName": "Eva", "expertise": ["textile"], "hubs": ["NL", "XX"]}
    refused = (await gql(INVITE_ERRORS, {"i": typo}, tokens.admin))["inviteEvaluator"]
    assert refused["__typename"] == "ValidationErrors"
    messages = {e["field"]: e["message"] for e in refused["errors"]}
    assert messages.keys() == {"expertise", "hubs"}
    assert messages["expertise"].startswith("unknown: textile; known: ")
    assert "textiles" in messages["expertise"]
    assert messages["hubs"].startswith("unknown: XX; known: ")
    # A code of 5,000 characters is quoted back in part, not whole.
    long = {**typo, "expertise": ["9" * 5000], "hubs": ["NL"]}
    [quoted] = (await gql(INVITE_ERRORS, {"i": long}, tokens.admin))["inviteEvaluator"]["errors"]
    assert quoted["message"].startswith("unknown: 999") and quoted["message"].endswith("…")
    assert len(quoted["message"]) == 300
    # The refusal kept no account: the same e-mail is invited once the codes are right.
    fixed = {**typo, "expertise": ["textiles"], "hubs": ["NL"]}
    invited = (await gql(INVITE, {"i": fixed}, tokens.admin))["inviteEvaluator"]
    assert invited["__typename"] == "EvaluatorInvitation", invited


INVITE_ERRORS = """mutation($i: EvaluatorInput!) { inviteEvaluator(input: $i) { __typename
  ... on ValidationErrors { errors { field message } } } }"""
