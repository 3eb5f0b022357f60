"""The registry through the gateway, as a user sees it (DESIGN.md §2 and the registry rules)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import nats

from shared.contracts import registry as events
from shared.events import decode_envelope
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.waiting import eventually

EXPECTED_COVERAGE = {
    "NL": [("NL", None), ("FR", "NORTH"), ("BE", None), ("LU", None), ("IE", None)],
    "PT": [("PT", None), ("ES", None), ("FR", "SOUTH")],
    "IT": [("IT", None), ("SI", None), ("HR", None), ("MT", None)],
    "RO": [("RO", None), ("GR", None), ("BG", None), ("CY", None), ("RS", None), ("UA", None)],
    "HU": [("HU", None), ("SK", None), ("PL", None), ("EE", None), ("LT", None), ("LV", None)],
    "DE": [("DE", None), ("DK", None), ("AT", None), ("SE", None), ("FI", None)],
    "TR": [("TR", None), ("AM", None), ("GE", None)],
}


async def test_countries_are_listed_by_name(gql: GraphQLClient) -> None:
    """Found in a UI audit: by code, Germany came before Denmark and Spain after Estonia."""
    names = [c["name"] for c in (await gql("{ countries { name } }"))["countries"]]
    assert names == sorted(names) and {"Denmark", "Germany", "Spain"} <= set(names)


async def test_hubs_have_the_programme_coverage(gql: GraphQLClient) -> None:
    data = await gql("{ hubs { code name hostOrganisation countries { code part } } }")
    hubs = {h["code"]: h for h in data["hubs"]}
    assert list(hubs) == list(EXPECTED_COVERAGE)
    for code, expected in EXPECTED_COVERAGE.items():
        assert [(c["code"], c["part"]) for c in hubs[code]["countries"]] == expected
    assert hubs["NL"]["hostOrganisation"] == "Impact Hub Amsterdam"
    assert hubs["TR"]["hostOrganisation"] == "Impact Hub Istanbul"


async def test_seven_value_chains_and_the_r_ladder(gql: GraphQLClient) -> None:
    data = await gql("{ valueChains { code name } strategies { code targeted } }")
    assert len(data["valueChains"]) == 7
    assert "Food, Water and Nutrients" in {v["name"] for v in data["valueChains"]}
    targeted = {s["code"] for s in data["strategies"] if s["targeted"]}
    assert targeted == {"reuse", "repair", "refurbish", "remanufacture"}


async def test_demo_call_is_open_with_its_form_and_rubric(gql: GraphQLClient) -> None:
    data = await gql(
        "{ calls(status: OPEN) { title status programmeWide hubs { code }"
        ' form { languages questions { key type required label(lang: "fr") } }'
        " rubric { overallThreshold criteria { key weight threshold label } } } }"
    )
    demo = next(c for c in data["calls"] if c["title"] == "Circular Futures Open Call 2027")
    assert demo["status"] == "OPEN"
    assert demo["programmeWide"] is True
    assert len(demo["hubs"]) == 7
    types = {q["type"] for q in demo["form"]["questions"]}
    assert {"SHORT_TEXT", "LONG_TEXT", "FILE", "DECLARATION", "REQUESTED_AMOUNT"} <= types
    assert demo["form"]["questions"][0]["label"] == "Titre du projet"
    assert [c["key"] for c in demo["rubric"]["criteria"]] == [
        "excellence",
        "impact",
        "implementation",
    ]
    assert demo["rubric"]["overallThreshold"] == 10


MISSION = """mutation($i: MissionInput!) { createMission(input: $i) { __typename
  ... on Mission { id title hub { code } valueChains { code } }
  ... on Error { message } ... on ValidationErrors { errors { field message } } } }"""
CHALLENGE = """mutation($i: ChallengeInput!) { createChallenge(input: $i) { __typename
  ... on Challenge { id title mission { id } hub { code } }
  ... on Error { message } ... on ValidationErrors { errors { field message } } } }"""
CALL = """mutation($i: CallInput!) { createCall(input: $i) { __typename
  ... on OpenCall { id title status lifecycle eligibleCountries { code part } hub { code } }
  ... on Error { message } ... on ValidationErrors { errors { field message } } } }"""
PUBLISH = """mutation($id: ID!) { publishCall(id: $id) { __typename
  ... on OpenCall { id status lifecycle } ... on Error { message } } }"""


def call_input(challenge_id: str, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "title": "Repair cafés for the North-West",
        "hub": "NL",
        "challengeIds": [challenge_id],
        "budget": 200000,
        "maxGrant": 40000,
        "opensAt": (now - timedelta(hours=1)).isoformat(),
        "closesAt": (now + timedelta(days=30)).isoformat(),
        "form": {"questions": [
            {"key": "title", "type": "SHORT_TEXT", "maxLength": 100,
             "labels": [{"lang": "en", "text": "Title"}, {"lang": "nl", "text": "Titel"}]},
            {"key": "plan", "type": "FILE", "allowedTypes": ["pdf"], "maxSizeBytes": 1000000,
             "maxCount": 1, "labels": [{"lang": "en", "text": "Plan"}]},
        ]},
    }  # fmt: skip
    base.update(overrides)
    return base


async def make_mission_and_challenge(gql: GraphQLClient, token: str, hub: str) -> tuple[str, str]:
    mission = await gql(
        MISSION, {"i": {"hub": hub, "title": f"Mission {hub}", "valueChains": ["textiles"]}}, token
    )
    assert mission["createMission"]["__typename"] == "Mission", mission
    mission_id = mission["createMission"]["id"]
    challenge = await gql(
        CHALLENGE, {"i": {"missionId": mission_id, "title": "A challenge"}}, token
    )
    assert challenge["createChallenge"]["__typename"] == "Challenge", challenge
    return mission_id, challenge["createChallenge"]["id"]


async def test_admin_creates_mission_challenge_and_call(gql: GraphQLClient, tokens: Tokens) -> None:
    mission_id, challenge_id = await make_mission_and_challenge(gql, tokens.admin, "NL")
    created = (await gql(CALL, {"i": call_input(challenge_id)}, tokens.admin))["createCall"]
    assert created["__typename"] == "OpenCall", created
    assert created["lifecycle"] == "DRAFT"
    assert created["hub"] == {"code": "NL"}
    # Eligible countries default to the hub's coverage: France north only.
    assert {"code": "FR", "part": "NORTH"} in created["eligibleCountries"]
    assert len(created["eligibleCountries"]) == 5

    # A draft is invisible to the public, and indistinguishable from a missing call.
    hidden = await gql("query($id: ID!) { call(id: $id) { id } }", {"id": created["id"]})
    assert hidden["call"] is None
    assert created["id"] not in {c["id"] for c in (await gql("{ calls { id } }"))["calls"]}

    published = (await gql(PUBLISH, {"id": created["id"]}, tokens.admin))["publishCall"]
    assert published == {"__typename": "OpenCall", "id": created["id"], "status": "OPEN",
                         "lifecycle": "PUBLISHED"}  # fmt: skip
    public = await gql(
        "query($id: ID!) { call(id: $id) { title challenges { id mission { id hub { code } } } } }",
        {"id": created["id"]},
    )
    assert public["call"]["challenges"] == [
        {"id": challenge_id, "mission": {"id": mission_id, "hub": {"code": "NL"}}}
    ]
    again = (await gql(PUBLISH, {"id": created["id"]}, tokens.admin))["publishCall"]
    assert again["__typename"] == "Conflict"


async def test_anonymous_and_applicants_are_refused(gql: GraphQLClient, tokens: Tokens) -> None:
    variables = {"i": {"hub": "IT", "title": "Not allowed", "valueChains": ["plastics"]}}
    anonymous = (await gql(MISSION, variables))["createMission"]
    assert anonymous["__typename"] == "NotAuthenticated"
    for token in (tokens.applicant, tokens.evaluator):
        refused = (await gql(MISSION, variables, token))["createMission"]
        assert refused["__typename"] == "Forbidden"
        assert "IT" in refused["message"]
    missions = await gql('{ missions(hub: "IT") { title } }')
    assert "Not allowed" not in {m["title"] for m in missions["missions"]}


async def test_hub_manager_acts_only_for_their_own_hub(gql: GraphQLClient, tokens: Tokens) -> None:
    own = await gql(
        MISSION,
        {"i": {"hub": "NL", "title": "Own hub", "valueChains": ["packaging"]}},
        tokens.hub_nl,
    )
    assert own["createMission"]["__typename"] == "Mission"
    other = await gql(
        MISSION,
        {"i": {"hub": "DE", "title": "Other hub", "valueChains": ["packaging"]}},
        tokens.hub_nl,
    )
    assert other["createMission"]["__typename"] == "Forbidden"

    _, nl_challenge = await make_mission_and_challenge(gql, tokens.hub_nl, "NL")
    mine = (await gql(CALL, {"i": call_input(nl_challenge)}, tokens.hub_nl))["createCall"]
    assert mine["__typename"] == "OpenCall"
    programme = (await gql(CALL, {"i": call_input(nl_challenge, hub=None)}, tokens.hub_nl))[
        "createCall"
    ]
    assert programme["__typename"] == "Forbidden"
    _, de_challenge = await make_mission_and_challenge(gql, tokens.admin, "DE")
    german = (await gql(CALL, {"i": call_input(de_challenge, hub="DE")}, tokens.hub_nl))[
        "createCall"
    ]
    assert german["__typename"] == "Forbidden"


def field_errors(result: dict[str, Any]) -> dict[str, str]:
    assert result["__typename"] == "ValidationErrors", result
    return {e["field"]: e["message"] for e in result["errors"]}


async def test_bad_calls_are_refused_with_every_reason(gql: GraphQLClient, tokens: Tokens) -> None:
    _, challenge_id = await make_mission_and_challenge(gql, tokens.admin, "NL")
    now = datetime.now(UTC)
    bad = call_input(
        challenge_id,
        opensAt=(now + timedelta(days=2)).isoformat(),
        closesAt=(now + timedelta(days=1)).isoformat(),
        maxGrant=999999999,
        eligibleCountries=[{"code": "DE"}, {"code": "FR", "part": "SOUTH"}],
        rubric={"criteria": [{"key": "impact", "weight": 0, "labels": [{"lang": "en", "text": "Impact"}]}]},
        form={"questions": [
            {"key": "a", "type": "SHORT_TEXT", "maxLength": 10, "labels": [{"lang": "en", "text": "A"}]},
            {"key": "a", "type": "LONG_TEXT", "maxWords": 10, "labels": [{"lang": "en", "text": "B"}]},
        ]},
    )  # fmt: skip
    errors = field_errors((await gql(CALL, {"i": bad}, tokens.admin))["createCall"])
    assert "close after it opens" in errors["closesAt"]
    assert "exceed the budget" in errors["maxGrant"]
    assert "outside the hubs' coverage" in errors["eligibleCountries"]
    assert "duplicate question key a" in errors["form.questions.1.key"]
    assert "positive" in errors["rubric.criteria.0.weight"]

    unknown = call_input("00000000-0000-4000-8000-00000000ffff")
    errors = field_errors((await gql(CALL, {"i": unknown}, tokens.admin))["createCall"])
    assert "unknown" in errors["challengeIds.0"]


async def test_bad_missions_name_their_fields(gql: GraphQLClient, tokens: Tokens) -> None:
    bad = {"i": {"hub": "XX", "title": " ", "valueChains": []}}
    errors = field_errors((await gql(MISSION, bad, tokens.admin))["createMission"])
    assert set(errors) == {"hub", "title", "valueChains"}
    orphan = {"i": {"missionId": "00000000-0000-4000-8000-00000000abcd", "title": "x"}}
    errors = field_errors((await gql(CHALLENGE, orphan, tokens.admin))["createChallenge"])
    assert "unknown mission" in errors["missionId"]


async def test_hubs_without_mission_shrinks_as_missions_appear(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    before = {
        h["code"] for h in (await gql("{ hubsWithoutMission { code } }"))["hubsWithoutMission"]
    }
    assert "NL" not in before  # the demo mission belongs to NL
    if "TR" in before:
        await gql(
            MISSION,
            {"i": {"hub": "TR", "title": "Bosphorus loops", "valueChains": ["textiles"]}},
            tokens.admin,
        )
    after = {
        h["code"] for h in (await gql("{ hubsWithoutMission { code } }"))["hubsWithoutMission"]
    }
    assert "TR" not in after


async def test_the_registry_reads_the_injected_clock(
    gql: GraphQLClient, tokens: Tokens, portal: Portal
) -> None:
    """The phase in every answer follows the server clock the portal was given, the same
    clock intake and review decide deadlines by."""
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    now = datetime.now(UTC)
    opens = {"opensAt": (now + timedelta(hours=1)).isoformat(),
             "closesAt": (now + timedelta(days=30)).isoformat()}  # fmt: skip
    created = (await gql(CALL, {"i": call_input(challenge, **opens)}, tokens.admin))["createCall"]
    published = (await gql(PUBLISH, {"id": created["id"]}, tokens.admin))["publishCall"]
    assert published["status"] == "UPCOMING", published
    read = "query($id: ID!) { call(id: $id) { status } }"
    with portal.clock.shifted(timedelta(hours=2)):
        assert (await gql(read, {"id": created["id"]}))["call"]["status"] == "OPEN"
        listed = {c["id"]: c["status"] for c in (await gql("{ calls { id status } }"))["calls"]}
        assert listed[created["id"]] == "OPEN"
    # A call whose closing instant has passed on that clock cannot be published.
    late = {"closesAt": (now + timedelta(hours=1)).isoformat()}
    draft = (await gql(CALL, {"i": call_input(challenge, **late)}, tokens.admin))["createCall"]
    with portal.clock.shifted(timedelta(hours=2)):
        refused = (await gql(PUBLISH, {"id": draft["id"]}, tokens.admin))["publishCall"]
    assert refused["__typename"] == "ValidationErrors", refused


OPEN_CALL_FIELDS = """id title description status lifecycle budget maxGrant opensAt closesAt
  evaluationDeadline timezone organisationTypes blind evaluatorsPerApplication editableFields
  titleTranslations { lang text } descriptionTranslations { lang text }
  hub { code } challenges { id } eligibleCountries { code part }
  form { questions { key type maxLength labels { lang text } } }
  rubric { overallThreshold criteria { key weight threshold } }"""
CALL_FULL = f"""mutation($i: CallInput!) {{ createCall(input: $i) {{ __typename
  ... on OpenCall {{ {OPEN_CALL_FIELDS} }}
  ... on Error {{ message }} ... on ValidationErrors {{ errors {{ field message }} }} }} }}"""
UPDATE = f"""mutation($id: ID!, $i: CallUpdateInput!) {{ updateCall(id: $id, input: $i) {{ __typename
  ... on OpenCall {{ {OPEN_CALL_FIELDS} }}
  ... on Error {{ message }} ... on ValidationErrors {{ errors {{ field message }} }} }} }}"""
CLONE = f"""mutation($id: ID!) {{ cloneCall(id: $id) {{ __typename
  ... on OpenCall {{ {OPEN_CALL_FIELDS} }} ... on Error {{ message }} }} }}"""
READ_CALL = f"query($id: ID!) {{ call(id: $id) {{ {OPEN_CALL_FIELDS} }} }}"
EVERY_UPDATE_FIELD = {
    "title", "description", "titleTranslations", "descriptionTranslations", "challengeIds",
    "budget", "maxGrant", "opensAt", "closesAt", "evaluationDeadline", "timezone",
    "eligibleCountries", "organisationTypes", "form", "rubric", "evaluatorsPerApplication",
    "blind", "retentionDays",
}  # fmt: skip


async def test_a_call_in_several_languages(gql: GraphQLClient, tokens: Tokens) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    translations = {
        "titleTranslations": [{"lang": "nl", "text": "Repaircafés"}, {"lang": "fr", "text": "Cafés"}],
        "descriptionTranslations": [{"lang": "nl", "text": "Samen repareren."}],
    }  # fmt: skip
    created = (await gql(CALL_FULL, {"i": call_input(challenge, **translations)}, tokens.admin))[
        "createCall"
    ]
    assert created["__typename"] == "OpenCall", created
    assert created["title"] == "Repair cafés for the North-West"  # the English text stays
    assert created["titleTranslations"] == translations["titleTranslations"]
    assert created["descriptionTranslations"] == translations["descriptionTranslations"]
    # A list given replaces the earlier one; what is left out keeps its value.
    renamed = [{"lang": "de", "text": "Reparaturcafés"}]
    updated = (
        await gql(UPDATE, {"id": created["id"], "i": {"titleTranslations": renamed}}, tokens.admin)
    )["updateCall"]
    assert updated["titleTranslations"] == renamed
    assert updated["descriptionTranslations"] == translations["descriptionTranslations"]

    bad = {"titleTranslations": [{"lang": "english", "text": "x"}, {"lang": "de", "text": " "}],
           "descriptionTranslations": [{"lang": "en", "text": "x"}]}  # fmt: skip
    errors = field_errors(
        (await gql(UPDATE, {"id": created["id"], "i": bad}, tokens.admin))["updateCall"]
    )
    assert "english" in errors["titleTranslations.0.lang"]
    assert "empty" in errors["titleTranslations.1.text"]
    assert "English is the main text" in errors["descriptionTranslations.0.lang"]


async def test_the_evaluation_deadline_follows_the_closing_instant_and_is_announced(
    gql: GraphQLClient, tokens: Tokens, nats_server: Any
) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    closes = datetime(2031, 12, 2, 5, 7, 28, tzinfo=UTC)
    window = {"closesAt": closes.isoformat()}
    early = call_input(challenge, **window, evaluationDeadline=closes.isoformat())
    errors = field_errors((await gql(CALL_FULL, {"i": early}, tokens.admin))["createCall"])
    # The closing instant in the call's zone, never raw ISO.
    assert errors == {"evaluationDeadline": "must be after the call closes "
                                            "(2 Dec 2031, 06:07 CET (Europe/Brussels))"}  # fmt: skip

    deadline = closes + timedelta(days=21)
    good = call_input(challenge, **window, evaluationDeadline=deadline.isoformat())
    created = (await gql(CALL_FULL, {"i": good}, tokens.admin))["createCall"]
    assert datetime.fromisoformat(created["evaluationDeadline"]) == deadline
    later = (
        await gql(UPDATE, {"id": created["id"], "i": {"closesAt": (deadline + timedelta(days=1)).isoformat()}}, tokens.admin)
    )["updateCall"]  # fmt: skip
    assert set(field_errors(later)) == {"evaluationDeadline"}  # closing moved past the deadline

    client = await nats.connect(nats_server.url)
    try:
        published_events = await client.subscribe(events.CallPublished.subject)
        assert (await gql(PUBLISH, {"id": created["id"]}, tokens.admin))["publishCall"][
            "lifecycle"
        ] == "PUBLISHED"

        async def announced() -> events.CallPublished | None:
            message = await published_events.next_msg(timeout=10)
            payload = decode_envelope(message.data).payload()
            assert isinstance(payload, events.CallPublished)
            return payload if payload.call_id == created["id"] else None

        event = await eventually(announced)
    finally:
        await client.close()
    assert event.evaluation_deadline == deadline
    assert event.closes_at == closes


async def test_clone_copies_every_setting_into_a_new_draft(
    gql: GraphQLClient, tokens: Tokens, portal: Portal
) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.hub_nl, "NL")
    now = datetime.now(UTC)
    settings = call_input(
        challenge, closesAt=(now + timedelta(days=2)).isoformat(),
        evaluationDeadline=(now + timedelta(days=20)).isoformat(),
        titleTranslations=[{"lang": "nl", "text": "Repaircafés"}],
        descriptionTranslations=[{"lang": "nl", "text": "Samen."}], description="Together.",
        eligibleCountries=[{"code": "BE"}, {"code": "FR", "part": "NORTH"}],
        organisationTypes=["ngo"], blind=True, evaluatorsPerApplication=2, budget=90000,
        maxGrant=30000,
        rubric={"overallThreshold": 4, "criteria": [
            {"key": "fit", "weight": 2, "threshold": 2, "labels": [{"lang": "en", "text": "Fit"}]}]},
    )  # fmt: skip
    source = (await gql(CALL_FULL, {"i": settings}, tokens.hub_nl))["createCall"]
    assert (await gql(PUBLISH, {"id": source["id"]}, tokens.hub_nl))["publishCall"][
        "lifecycle"
    ] == "PUBLISHED"

    copy = (await gql(CLONE, {"id": source["id"]}, tokens.hub_nl))["cloneCall"]
    assert copy["__typename"] == "OpenCall", copy
    assert copy["id"] != source["id"]
    assert copy["lifecycle"] == "DRAFT" and copy["status"] == "DRAFT"
    assert copy["title"] == "Copy of Repair cafés for the North-West"
    assert copy["titleTranslations"] == [{"lang": "nl", "text": "Copy of Repaircafés"}]
    same = {
        k: v
        for k, v in source.items()
        if k not in ("id", "title", "titleTranslations", "status", "lifecycle", "editableFields")
    }
    assert {k: copy[k] for k in same} == same  # fmt: skip
    assert set(copy["editableFields"]) == EVERY_UPDATE_FIELD
    # The copy is a draft: the public does not see it; the original is untouched.
    assert (await gql(READ_CALL, {"id": copy["id"]}))["call"] is None
    assert (await gql(READ_CALL, {"id": source["id"]}))["call"]["title"] == source["title"]

    # Cloned instants are kept; once they have passed, publishing refuses the copy until moved.
    with portal.clock.shifted(timedelta(days=3)):
        stale = (await gql(CLONE, {"id": source["id"]}, tokens.admin))["cloneCall"]
        refused = (await gql(PUBLISH, {"id": stale["id"]}, tokens.admin))["publishCall"]
        assert refused["__typename"] == "ValidationErrors", refused
        moved = {"closesAt": (now + timedelta(days=10)).isoformat()}
        await gql(UPDATE, {"id": stale["id"], "i": moved}, tokens.admin)
        published = (await gql(PUBLISH, {"id": stale["id"]}, tokens.admin))["publishCall"]
        assert published["lifecycle"] == "PUBLISHED", published


async def test_clone_is_for_who_may_create_a_call_for_that_hub(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "DE")
    german = (await gql(CALL, {"i": call_input(challenge, hub="DE")}, tokens.admin))["createCall"]
    await gql(PUBLISH, {"id": german["id"]}, tokens.admin)
    for token, refusal in ((tokens.hub_nl, "Forbidden"), (tokens.applicant, "Forbidden"),
                           (tokens.evaluator, "Forbidden"), (None, "NotAuthenticated")):  # fmt: skip
        refused = (await gql(CLONE, {"id": german["id"]}, token))["cloneCall"]
        assert refused["__typename"] == refusal, refused
    missing = (await gql(CLONE, {"id": str(uuid.uuid4())}, tokens.admin))["cloneCall"]
    assert missing["__typename"] == "NotFound"
    # A programme-wide call: the programme team only.
    programme = (await gql(CALL, {"i": call_input(challenge, hub=None)}, tokens.admin))[
        "createCall"
    ]
    assert (await gql(CLONE, {"id": programme["id"]}, tokens.admin))["cloneCall"][
        "__typename"
    ] == "OpenCall"
    # The NL hub manager does not see this draft: it reads like a missing call.
    hidden = (await gql(CLONE, {"id": programme["id"]}, tokens.hub_nl))["cloneCall"]
    assert hidden["__typename"] == "NotFound"


async def test_editable_fields_name_what_the_registry_accepts(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.hub_nl, "NL")
    draft = (await gql(CALL_FULL, {"i": call_input(challenge)}, tokens.hub_nl))["createCall"]
    assert set(draft["editableFields"]) == EVERY_UPDATE_FIELD
    assert (await gql(READ_CALL, {"id": draft["id"]}, tokens.admin))["call"]["editableFields"]
    await gql(PUBLISH, {"id": draft["id"]}, tokens.hub_nl)
    # Published: only the retention period, for its managers; the registry refuses any other
    # change as the list says.
    for token, editable in ((tokens.hub_nl, ["retentionDays"]), (tokens.admin, ["retentionDays"]),
                            (tokens.applicant, []), (None, [])):  # fmt: skip
        found = (await gql(READ_CALL, {"id": draft["id"]}, token))["call"]["editableFields"]
        assert found == editable, token
    change = {"description": "Changed after publication"}
    refused = (await gql(UPDATE, {"id": draft["id"], "i": change}, tokens.hub_nl))["updateCall"]
    assert refused["__typename"] == "Conflict"
    listed = {c["id"]: c["editableFields"] for c in
              (await gql("{ calls { id editableFields } }", token=tokens.hub_nl))["calls"]}  # fmt: skip
    assert listed[draft["id"]] == ["retentionDays"]


async def test_every_registry_error_names_its_input_path(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    label = [{"lang": "en", "text": "Q"}]
    bad = call_input(
        challenge, budget=1000, maxGrant=5000,
        challengeIds=[challenge, "00000000-0000-4000-8000-00000000ffff", challenge],
        form={"questions": [
            {"key": "ok", "type": "SHORT_TEXT", "maxLength": 10, "labels": label},
            {"key": "Project Title", "type": "SHORT_TEXT", "maxLength": 10, "labels": label},
            {"key": "short", "type": "SHORT_TEXT", "maxLength": 0, "labels": label},
            {"key": "pick", "type": "SINGLE_CHOICE", "labels": label},
            {"key": "ok", "type": "LONG_TEXT", "maxWords": 10, "labels": label},
            {"key": "x" * 41, "type": "DECLARATION", "labels": label},
            {"key": "amount", "type": "REQUESTED_AMOUNT", "maxValue": 900, "labels": label},
            {"key": "sizes", "type": "MULTIPLE_CHOICE", "labels": label, "options": [
                {"value": "s", "labels": label}, {"value": "s", "labels": label}]},
        ]},
        rubric={"criteria": [
            {"key": "impact", "weight": -1, "labels": label},
            {"key": "impact", "threshold": 7, "labels": [{"lang": "fr", "text": "Impact"}]},
        ], "overallThreshold": 3},
    )  # fmt: skip
    errors = field_errors((await gql(CALL_FULL, {"i": bad}, tokens.admin))["createCall"])
    assert errors.keys() == {
        "maxGrant", "challengeIds.1", "challengeIds.2", "form.questions.1.key",
        "form.questions.2.maxLength", "form.questions.3.options", "form.questions.4.key",
        "form.questions.5.key", "form.questions.7.options.1.value", "rubric.criteria.0.weight",
        "rubric.criteria.1.key", "rubric.criteria.1.threshold", "rubric.criteria.1.labels",
    }, errors  # fmt: skip
    assert "exceed the budget" in errors["maxGrant"]
    assert "duplicate question key ok" in errors["form.questions.4.key"]
    assert "40 at most" in errors["form.questions.5.key"]
    assert "two options" in errors["form.questions.3.options"]
    assert "twice" in errors["challengeIds.2"]
    # Within the budget, the requested amount may not ask beyond the max grant.
    fixed = {**bad, "budget": 100000, "maxGrant": 500, "challengeIds": [challenge]}
    errors = field_errors((await gql(CALL_FULL, {"i": fixed}, tokens.admin))["createCall"])
    assert "exceeds the max grant of €500" in errors["form.questions.6.maxValue"]


async def test_an_amount_or_an_instant_out_of_range_is_refused_by_name(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found probing: a budget of 1e308 overflowed its column and an instant past the year
    9999 in UTC the database's range: both internal_error."""
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    rich = await gql(CALL, {"i": call_input(challenge, budget=1e308)}, tokens.admin)
    assert rich["createCall"]["__typename"] == "ValidationErrors"
    assert rich["createCall"]["errors"] == [
        {"field": "budget", "message": "must be at most 1,000,000,000"}
    ]
    late = call_input(challenge, closesAt="9999-12-31T23:59:59-14:00")
    refused = (await gql.raw(CALL, {"i": late}, tokens.admin)).json()
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "bad_user_input"
    assert "closesAt" in error["message"] and "Out of range" in error["message"]
    # Found probing: one that exists in UTC but overflowed in Brussels time (a published
    # call closing then failed every public `calls` list); a call's instants are this century's.
    far = call_input(challenge, closesAt="9999-12-31T23:30:00Z", opensAt="0001-01-01T00:00:00Z")
    century = (await gql(CALL, {"i": far}, tokens.admin))["createCall"]
    assert century["__typename"] == "ValidationErrors", century
    assert century["errors"] == [
        {"field": field, "message": "give an instant from the year 2000 to 2099"}
        for field in ("opensAt", "closesAt")
    ]
    audit = '{ auditLog(since: "9999-12-31T23:59:59-14:00") { totalCount } }'
    literal = (await gql.raw(audit, token=tokens.admin)).json()
    assert literal["errors"][0]["extensions"]["code"] == "graphql_validation_failed", literal


async def test_a_call_is_never_moved_to_results_published_by_hand(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found probing: with no evaluation done the call claimed published results."""
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    call = (await gql(CALL, {"i": call_input(challenge)}, tokens.admin))["createCall"]["id"]
    moved = await gql(
        """mutation($id: ID!) { transitionCall(id: $id, status: RESULTS_PUBLISHED) {
          __typename ... on Error { message } } }""",
        {"id": call}, tokens.admin,
    )  # fmt: skip
    assert moved["transitionCall"] == {
        "__typename": "Conflict",
        "message": "Results are published with publishResults, once every application has "
        "its consensus.",
    }
