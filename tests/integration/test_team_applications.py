"""The team's list of a call's applications: search, the eligibility filter, titles and every
submitted version, always as last submitted (never an applicant's unsubmitted edits)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import (
    SAVE,
    SUBMIT,
    apply_to,
    call_known_to_intake,
    publish_call,
)

SEARCH = """query($call: ID!, $f: ApplicationFilter) { callApplications(callId: $call, filter: $f) {
  __typename ... on ApplicationConnection { total items { id title versions { version number } } }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }"""


async def search(gql: GraphQLClient, token: str, call: str, **filters: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await gql(SEARCH, {"call": call, "f": filters}, token))[
        "callApplications"
    ]
    return found


async def titles(gql: GraphQLClient, token: str, call: str, **filters: Any) -> set[str]:
    found = await search(gql, token, call, **filters)
    assert found["__typename"] == "ApplicationConnection", found
    return {item["title"] for item in found["items"]}


async def test_the_team_searches_titles_organisations_and_receipt_numbers(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    gent, gent_token = await apply_to(
        gql, call, {"name": "Kringloop Gent", "type": "ngo", "country": "BE"}, 40_000,
        {"title": "Repair café 50% off"},
    )  # fmt: skip
    await apply_to(
        gql, call, {"name": "Atelier Lyon", "type": "ngo", "country": "FR", "countryPart": "NORTH"},
        40_000, {"title": "Textile loop"},
    )  # fmt: skip
    both = {"Repair café 50% off", "Textile loop"}
    assert await titles(gql, tokens.admin, call) == both
    assert await titles(gql, tokens.admin, call, search="REPAIR CAF") == {"Repair café 50% off"}
    assert await titles(gql, tokens.admin, call, search="atelier") == {"Textile loop"}
    # LIKE's wildcards are searched for as themselves.
    assert await titles(gql, tokens.admin, call, search="50%") == {"Repair café 50% off"}
    assert await titles(gql, tokens.admin, call, search="_") == set()

    listed = await search(gql, tokens.admin, call, search="Repair")
    [number] = [v["number"] for v in listed["items"][0]["versions"]]
    assert await titles(gql, tokens.admin, call, search=number) == {"Repair café 50% off"}

    # An unsubmitted edit is not what the team searches; once resubmitted it is.
    edit = {"answers": {"title": "Repair hub"}}
    saved = (await gql(SAVE, {"id": gent, "input": edit}, gent_token))["saveApplication"]
    assert saved["__typename"] == "Application", saved
    assert await titles(gql, tokens.admin, call, search="Repair hub") == set()
    resubmitted = (await gql(SUBMIT, {"id": gent}, gent_token))["submitApplication"]
    assert resubmitted["__typename"] == "SubmissionReceipt", resubmitted
    assert await titles(gql, tokens.admin, call, search="Repair hub") == {"Repair hub"}
    [entry] = (await search(gql, tokens.admin, call, search="Repair hub"))["items"]
    assert [v["version"] for v in entry["versions"]] == [2, 1]
    assert entry["versions"][1]["number"] == number
    # The first receipt's number still finds it (the applicant quotes their first mail), and
    # the title it had then no longer does.
    assert await titles(gql, tokens.admin, call, search=number) == {"Repair hub"}
    assert await titles(gql, tokens.admin, call, search="50% off") == set()

    # A NUL is refused at the gateway's door, naming where it was.
    variables = {"call": call, "f": {"search": "a\u0000b"}}
    refused = (await gql.raw(SEARCH, variables, tokens.admin)).json()["errors"][0]
    assert refused["extensions"] == {"code": "validation_failed", "fields": ["variables.f.search"]}


async def test_the_team_filters_by_eligibility_after_the_deadline(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    await apply_to(
        gql, call, {"name": "A", "type": "ngo", "country": "BE"}, 40_000, {"title": "In"}
    )
    await apply_to(
        gql, call, {"name": "B", "type": "ngo", "country": "FR", "countryPart": "SOUTH"}, 40_000,
        {"title": "Out"},
    )  # fmt: skip
    assert await titles(gql, tokens.admin, call, eligibility="PENDING") == {"In", "Out"}
    with portal.clock.shifted(timedelta(days=2)):

        async def decided() -> set[str] | None:
            found = await titles(gql, tokens.admin, call, eligibility="ELIGIBLE")
            return found or None

        assert await eventually(decided) == {"In"}
        assert await titles(gql, tokens.admin, call, eligibility="INELIGIBLE") == {"Out"}


async def test_pages_with_a_negative_or_huge_size_are_refused_by_name(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    call = await call_known_to_intake(gql, tokens)
    apps = """query($c: ID!, $f: Int!) { callApplications(callId: $c, first: $f) { __typename
      ... on ValidationErrors { errors { field message } } } }"""
    for first in (0, -5, 100_000_000):
        refused = (await gql(apps, {"c": call, "f": first}, tokens.admin))["callApplications"]
        assert refused["__typename"] == "ValidationErrors", refused
        assert refused["errors"] == [{"field": "first", "message": "must be between 1 and 200"}]
    ranking = """query($c: ID!, $f: Int, $o: Int!) { ranking(callId: $c, first: $f, offset: $o) {
      __typename ... on ValidationErrors { errors { field } } } }"""
    for first, offset, fields in (
        (-1, 0, ["first"]),
        (None, -3, ["offset"]),
        (0, -1, ["first", "offset"]),
    ):
        refused = (await gql(ranking, {"c": call, "f": first, "o": offset}, tokens.admin))[
            "ranking"
        ]
        assert refused == {
            "__typename": "ValidationErrors",
            "errors": [{"field": f} for f in fields],
        }

    async def whole_ranking() -> bool:  # once review has heard of the call
        fine = await gql(ranking, {"c": call, "f": 100_000_000, "o": 0}, tokens.admin)
        return bool(fine["ranking"]["__typename"] == "Ranking")

    await eventually(whole_ranking)
