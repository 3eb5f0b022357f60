"""Applying to a call through GraphQL, as an applicant does: drafts, files, submission,
the deadline, and what others may and may not see."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import nats
import pytest
import websockets

from shared.contracts import review as review_events
from shared.events import encode_envelope, envelope_for
from shared.identity import IDENTITY_HEADER, Identity, Role, sign_identity
from shared.logging import TRACE_HEADER
from tests.fixtures.apps import INTERNAL_SECRET, GraphQLClient, Portal, ShiftableClock, Tokens
from tests.fixtures.queries import on_a_new_connection, statements_of
from tests.fixtures.waiting import eventually
from tests.integration.test_registry_graphql import (
    CALL,
    PUBLISH,
    call_input,
    make_mission_and_challenge,
)

DEMO_CALL = "00000000-0000-4000-8000-000000000003"
PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 50 + b"%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500

APPLICATION_FIELDS = """id status answers requestedAmount hub eligibility eligibilityReasons
  hasUnsubmittedChanges warnings { field message } attachments { id questionKey fileName size sha256 }
  receipt { number version fingerprint submittedAt }"""
START = f"""mutation($call: ID!) {{ startApplication(callId: $call) {{ __typename
  ... on Application {{ {APPLICATION_FIELDS} }} ... on Error {{ message }} }} }}"""
SAVE = f"""mutation($id: ID!, $input: ApplicationInput!) {{ saveApplication(id: $id, input: $input) {{
  __typename ... on Application {{ {APPLICATION_FIELDS} }} ... on Error {{ message }} }} }}"""
UPLOAD = """mutation($id: ID!, $key: String!, $file: Upload!) {
  uploadAttachment(applicationId: $id, questionKey: $key, file: $file) { __typename
    ... on Attachment { id fileName size sha256 contentType downloadUrl }
    ... on FileTooLarge { message } ... on ValidationErrors { errors { field message } }
    ... on Error { message } } }"""
SUBMIT = f"""mutation($id: ID!, $key: String) {{ submitApplication(id: $id, idempotencyKey: $key) {{
  __typename ... on SubmissionReceipt {{ receipt {{ number version fingerprint }}
    application {{ {APPLICATION_FIELDS} }} }}
  ... on ValidationErrors {{ errors {{ field message }} }} ... on Error {{ message }} }} }}"""
WITHDRAW = """mutation($id: ID!) { withdrawApplication(id: $id) { __typename
  ... on Application { status } ... on Error { message } } }"""
REMOVE = """mutation($a: ID!, $f: ID!) { removeAttachment(applicationId: $a, attachmentId: $f) {
  __typename ... on Application { attachments { id } } ... on Error { message } } }"""
READ = f"query($id: ID!) {{ application(id: $id) {{ {APPLICATION_FIELDS} }} }}"
TEAM_LIST = """query($call: ID!, $f: ApplicationFilter) { callApplications(callId: $call, filter: $f) {
  __typename ... on ApplicationConnection { total items { id } } ... on Error { message } } }"""
STATISTICS = """query($call: ID!) { callStatistics(callId: $call) { __typename
  ... on CallStatistics { total byStatus { key count } byEligibility { key count }
    byCountry { key count } byHub { key count } byValueChain { key count }
    byOrganisationType { key count } submissionsPerHour { key count } } } }"""

VALID_DRAFT: dict[str, Any] = {
    "organisation": {"name": "Repair Collective", "type": "social_enterprise", "country": "FR",
                     "countryPart": "SOUTH", "website": "https://repair.example.org"},
    "contact": {"name": "Camille Martin", "email": "camille@repair.example.org"},
    "answers": {
        "project_title": "Fix it together", "summary": "Neighbourhood repair cafés.",
        "value_chain": "electronics_ict", "strategies": ["repair", "reuse"], "team_size": 4,
        "country": "FR", "requested_amount": 45000, "declaration_of_honour": True,
    },
}  # fmt: skip


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def start(gql: GraphQLClient, token: str, call: str = DEMO_CALL) -> dict[str, Any]:
    async def started() -> dict[str, Any] | None:
        result = (await gql(START, {"call": call}, token))["startApplication"]
        # Intake learns of a call from the registry's event: wait for it.
        return result if result["__typename"] == "Application" else None

    return await eventually(started)


async def upload(
    gql: GraphQLClient, token: str, app_id: str, key: str, name: str, content: bytes
) -> dict[str, Any]:
    data = await gql.upload(UPLOAD, {"id": app_id, "key": key}, "file", name, content, token)
    return data["uploadAttachment"]


async def complete_application(gql: GraphQLClient, token: str) -> dict[str, Any]:
    app = await start(gql, token)
    saved = (await gql(SAVE, {"id": app["id"], "input": VALID_DRAFT}, token))["saveApplication"]
    assert saved["__typename"] == "Application", saved
    deck = await upload(gql, token, app["id"], "pitch_deck", "deck.pdf", PDF)
    assert deck["__typename"] == "Attachment", deck
    return saved


async def test_a_draft_keeps_everything_and_only_warns(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    assert app["status"] == "DRAFT"
    rough = {"answers": {"project_title": "x" * 200, "strategies": ["recycle"], "team_size": 0}}
    saved = (await gql(SAVE, {"id": app["id"], "input": rough}, token))["saveApplication"]
    assert saved["__typename"] == "Application"
    assert saved["answers"]["project_title"] == "x" * 200  # kept as typed
    warned = {w["field"] for w in saved["warnings"]}
    assert {"answers.project_title", "answers.strategies", "answers.team_size"} <= warned
    again = (await gql(START, {"call": DEMO_CALL}, token))["startApplication"]
    assert again["id"] == app["id"]  # starting twice continues the same application


async def test_a_wrong_country_or_organisation_type_is_kept_and_warned_about(
    gql: GraphQLClient,
) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    # Longer than the typed columns (2 and 40 characters) and no known code.
    kind = "a cooperative of repairers, registered since 2019"
    rough = {
        "organisation": {"name": "Repair Collective", "type": kind, "country": "FRA"},
        "answers": {"value_chain": "electronics and everything around them"},
    }
    saved = (await gql(SAVE, {"id": app["id"], "input": rough}, token))["saveApplication"]
    assert saved["__typename"] == "Application", saved
    warnings = {w["field"]: w["message"] for w in saved["warnings"]}
    assert "FRA" in warnings["organisation.country"]
    assert kind in warnings["organisation.type"]
    assert "answers.value_chain" in warnings
    organisation = "query($id: ID!) { application(id: $id) { hub organisation { type country } } }"
    kept = (await gql(organisation, {"id": app["id"]}, token))["application"]
    assert kept == {"hub": None, "organisation": {"type": kind, "country": "FRA"}}
    refused = (await gql(SUBMIT, {"id": app["id"]}, token))["submitApplication"]
    assert refused["__typename"] == "ValidationErrors"
    assert {"organisation.country", "organisation.type"} <= {e["field"] for e in refused["errors"]}


async def test_a_partial_save_keeps_the_fields_it_leaves_out(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    await gql(SAVE, {"id": app["id"], "input": VALID_DRAFT}, token)
    partial = {"organisation": {"website": "https://new.example.org"}, "contact": {"role": "lead"}}
    await gql(SAVE, {"id": app["id"], "input": partial}, token)
    query = """query($id: ID!) { application(id: $id) {
      organisation { name type country countryPart website } contact { name email role } } }"""
    seen = (await gql(query, {"id": app["id"]}, token))["application"]
    assert seen["organisation"] == {
        **VALID_DRAFT["organisation"], "website": "https://new.example.org"
    }  # fmt: skip
    assert seen["contact"] == {**VALID_DRAFT["contact"], "role": "lead"}

    # Leaving France for Belgium: the page sends `countryPart: null`, which clears it.
    moved = {"organisation": {"country": "BE", "countryPart": None}}
    await gql(SAVE, {"id": app["id"], "input": moved}, token)
    seen = (await gql(query, {"id": app["id"]}, token))["application"]["organisation"]
    assert (seen["name"], seen["country"], seen["countryPart"]) == ("Repair Collective", "BE", None)


async def test_an_overlong_idempotency_key_is_refused_as_invalid(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await complete_application(gql, token)
    refused = (await gql(SUBMIT, {"id": app["id"], "key": "k" * 101}, token))["submitApplication"]
    assert refused["__typename"] == "ValidationErrors", refused
    # In the argument's own name and words (it was intake's `idempotency_key` and msgspec's).
    assert refused["errors"] == [
        {"field": "idempotencyKey", "message": "must be at most 100 characters"}
    ]
    longest = (await gql(SUBMIT, {"id": app["id"], "key": "k" * 100}, token))["submitApplication"]
    assert longest["__typename"] == "SubmissionReceipt", longest


async def test_submit_names_each_missing_answer(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    result = (await gql(SUBMIT, {"id": app["id"]}, token))["submitApplication"]
    assert result["__typename"] == "ValidationErrors"
    fields = {e["field"]: e["message"] for e in result["errors"]}
    for key in ("project_title", "summary", "pitch_deck", "declaration_of_honour"):
        assert f"answers.{key}" in fields, fields
    assert "organisation.name" in fields
    assert "answers.supporting_documents" not in fields  # optional


async def test_submission_gives_a_receipt_and_keeps_versions(
    gql: GraphQLClient, portal: Portal
) -> None:
    token = await gql.sign_up()
    app = await complete_application(gql, token)
    first = (await gql(SUBMIT, {"id": app["id"], "key": "k1"}, token))["submitApplication"]
    assert first["__typename"] == "SubmissionReceipt", first
    receipt = first["receipt"]
    assert receipt["number"].startswith("OC-") and receipt["version"] == 1
    assert len(receipt["fingerprint"]) == 64
    assert first["application"]["status"] == "SUBMITTED"
    assert first["application"]["hub"] == "PT"  # southern France belongs to Lisbon
    assert first["application"]["eligibilityReasons"] == []

    retried = (await gql(SUBMIT, {"id": app["id"], "key": "k1"}, token))["submitApplication"]
    assert retried["receipt"] == receipt
    unchanged = (await gql(SUBMIT, {"id": app["id"], "key": "k2"}, token))["submitApplication"]
    assert unchanged["receipt"] == receipt  # nothing changed: no new version

    changed = {"answers": {"project_title": "Fix it together, better"}}
    await gql(SAVE, {"id": app["id"], "input": changed}, token)
    second = (await gql(SUBMIT, {"id": app["id"], "key": "k3"}, token))["submitApplication"]
    assert second["receipt"]["version"] == 2
    assert second["receipt"]["number"] != receipt["number"]
    assert second["receipt"]["fingerprint"] != receipt["fingerprint"]


async def test_two_concurrent_submits_make_one_receipt(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await complete_application(gql, token)
    results = await asyncio.gather(
        *(gql(SUBMIT, {"id": app["id"], "key": f"tab-{i}"}, token) for i in range(4))
    )
    receipts = {r["submitApplication"]["receipt"]["number"] for r in results}
    assert len(receipts) == 1
    assert {r["submitApplication"]["receipt"]["version"] for r in results} == {1}


async def test_files_are_checked_by_content_size_and_name(
    gql: GraphQLClient, portal: Portal
) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    files_before = stored_files(portal.store_dir)

    exe = await upload(gql, token, app["id"], "pitch_deck", "deck.pdf", EXECUTABLE)
    assert exe["__typename"] == "ValidationErrors"
    assert exe["errors"][0]["field"] == "answers.pitch_deck"
    empty = await upload(gql, token, app["id"], "pitch_deck", "deck.pdf", b"")
    assert empty["__typename"] == "ValidationErrors"
    assert "empty" in empty["errors"][0]["message"]
    big = PDF + b"0" * (10 * 1024 * 1024)  # supporting documents allow 10 MB
    too_large = await upload(gql, token, app["id"], "supporting_documents", "big.pdf", big)
    assert too_large["__typename"] == "FileTooLarge", too_large
    assert "10 MB" in too_large["message"]
    assert stored_files(portal.store_dir) == files_before

    named = await upload(gql, token, app["id"], "pitch_deck", "../../etc/passwd", PDF)
    assert named["__typename"] == "Attachment"
    assert named["fileName"] == "passwd.pdf"  # the content's extension added
    assert named["contentType"] == "application/pdf"
    async with httpx.AsyncClient() as http:
        downloaded = await http.get(named["downloadUrl"])
    assert downloaded.status_code == 200
    assert downloaded.content == PDF

    second = await upload(gql, token, app["id"], "pitch_deck", "again.pdf", PDF)
    assert second["__typename"] == "ValidationErrors"
    assert "at most 1" in second["errors"][0]["message"]


async def test_a_link_cut_short_or_altered_is_refused_in_words(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    attached = await upload(gql, token, app["id"], "pitch_deck", "deck.pdf", PDF)
    link = httpx.URL(attached["downloadUrl"])
    params = dict(link.params)
    broken = [
        link.copy_with(query=None),  # the whole query lost in copying
        link.copy_remove_param("signature"),
        link.copy_set_param("expires", "abc"),
        link.copy_set_param("expires", "²"),
        link.copy_set_param("expires", str(int(params["expires"]) + 1)),
        link.copy_set_param("name", "other.pdf"),
        link.copy_set_param("expires", "9" * 5000),  # more digits than int() takes
        link.copy_set_param("signature", "é" * 64),  # letters compare_digest refuses in a str
    ]
    async with httpx.AsyncClient() as http:
        for url in broken:
            refused = await http.get(url)
            assert refused.status_code == 403, (url, refused.text)
            assert refused.json()["message"] == "This download link is not valid or has expired."
        assert (await http.get(link)).content == PDF


async def test_a_greek_file_name_is_kept_and_downloads_under_it(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    name = "Πρόταση έργου.pdf"
    attached = await upload(gql, token, app["id"], "supporting_documents", name, PDF)
    assert attached["__typename"] == "Attachment", attached
    assert attached["fileName"] == name
    async with httpx.AsyncClient() as http:
        downloaded = await http.get(attached["downloadUrl"])
    assert downloaded.status_code == 200 and downloaded.content == PDF
    disposition = downloaded.headers["content-disposition"]
    assert disposition == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''" + quote(name, safe="")
    )


async def test_multipart_without_the_csrf_header_is_refused(portal: Portal) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            portal.graphql_url,
            data={"operations": '{"query": "{ hubs { code } }"}', "map": "{}"},
            files={"0": ("a.pdf", PDF, "application/pdf")},
        )
    assert response.status_code == 400
    assert "X-Portal-Upload" in response.json()["message"]


async def test_a_part_sent_twice_is_a_bad_request_and_runs_nothing(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    """Found probing: five 'map' parts created five missions under one 200 answer."""
    title = f"Twice {uuid.uuid4().hex[:8]}"
    create = ('mutation { createMission(input: {hub: "NL", title: "' + title
              + '", valueChains: ["textiles"]}) { __typename } }')  # fmt: skip
    part = 'Content-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'
    for repeated in ("map", "operations"):
        parts = [("operations", json.dumps({"query": create})), ("map", "{}")]
        parts.insert(1, (repeated, parts[0][1] if repeated == "operations" else "{}"))
        body = "".join("--B\r\n" + part.format(n, d) for n, d in parts) + "--B--\r\n"
        async with httpx.AsyncClient() as http:
            response = await http.post(portal.graphql_url, content=body.encode(), headers={
                "X-Portal-Upload": "1", "Authorization": f"Bearer {tokens.admin}",
                "Content-Type": "multipart/form-data; boundary=B"})  # fmt: skip
        assert response.status_code == 400, response.text
        assert response.json()["message"] == f"The part '{repeated}' is sent twice."
    missions = await gql('{ hub(code: "NL") { missions { title } } }')
    assert title not in {m["title"] for m in missions["hub"]["missions"]}


ANY_UPLOAD = (
    'mutation($f: Upload!) { uploadAttachment(applicationId: "x", questionKey: "q",'
    " file: $f) { __typename } }"
)


@pytest.mark.parametrize(
    ("mapping", "sent", "message"),
    [
        ({"0": [5]}, True, "'map' names no variable at 5."),
        ({"0": ["operationName"]}, True, "'map' names no variable at operationName."),
        ({"0": ["query"]}, True, "'map' names no variable at query."),
        ({"0": ["variables"]}, True, "'map' names no variable at variables."),
        # A variable the operations do not have (it answered 200 with bad_user_input).
        ({"0": ["variables.g"]}, True, "'map' names no variable at variables.g."),
        ({"0": ["variables.f"]}, False, "The file mapped as '0' never came."),
        ({"0": ["variables.f", "variables.g"]}, True,
         "'map' puts the file 0 in several variables: send each file as its own part."),
    ],
)  # fmt: skip
async def test_a_multipart_request_that_maps_wrongly_is_a_bad_request(
    portal: Portal, tokens: Tokens, mapping: dict[str, Any], sent: bool, message: str
) -> None:
    """Found probing: these answered 500, or a retryable outage for the missing file."""
    files = {"0": ("a.pdf", PDF, "application/pdf")} if sent else {"x": ("a", b"", "text/plain")}
    async with httpx.AsyncClient() as http:
        response = await http.post(
            portal.graphql_url,
            headers={"X-Portal-Upload": "1", "Authorization": f"Bearer {tokens.applicant}"},
            data={"operations": json.dumps({"query": ANY_UPLOAD, "variables": {"f": None}}),
                  "map": json.dumps(mapping)},
            files=files,
        )  # fmt: skip
    assert response.status_code == 400, response.text
    assert response.json()["message"] in (message, "Unexpected part 'x'.")


async def test_one_file_for_two_fields_stores_the_first_and_names_the_second(
    gql: GraphQLClient, portal: Portal
) -> None:
    """Found probing: two aliases given one variable waited 5 s for chunks the first had
    taken, and answered a retryable outage though the first had stored the file."""
    token = await gql.sign_up()
    app = await start(gql, token)
    twice = f"""mutation($f: Upload!) {{
      a: uploadAttachment(applicationId: "{app["id"]}", questionKey: "pitch_deck", file: $f) {{
        __typename }}
      b: uploadAttachment(applicationId: "{app["id"]}", questionKey: "budget_sheet", file: $f) {{
        __typename ... on ValidationErrors {{ errors {{ field message }} }} }} }}"""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            portal.graphql_url,
            headers={"X-Portal-Upload": "1", "Authorization": f"Bearer {token}"},
            data={"operations": json.dumps({"query": twice, "variables": {"f": None}}),
                  "map": json.dumps({"0": ["variables.f"]})},
            files={"0": ("deck.pdf", PDF, "application/pdf")},
        )  # fmt: skip
    data = response.json()["data"]
    assert data["a"] == {"__typename": "Attachment"}
    assert data["b"] == {"__typename": "ValidationErrors", "errors": [
        {"field": "file", "message": "is already another field's upload: send each file as its own part"}
    ]}  # fmt: skip


async def test_a_map_before_its_operations_is_named_so(portal: Portal) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            portal.graphql_url, headers={"X-Portal-Upload": "1"},
            files=[("map", (None, '{"0": ["variables.f"]}')),
                   ("operations", (None, json.dumps({"query": ANY_UPLOAD, "variables": {"f": None}}))),
                   ("0", ("a.pdf", PDF, "application/pdf"))],
        )  # fmt: skip
    assert response.status_code == 400, response.text
    assert response.json()["message"] == "The 'operations' part comes before 'map'."


@pytest.mark.parametrize(
    ("file_name", "status", "message"),
    [
        ("n" * 5000 + ".pdf", 413, "A part's headers are too long."),
        ("\udcb2\udc80.pdf", 400, "Invalid multipart body: Segment header failed to decode."),
    ],
)
async def test_a_file_part_whose_headers_cannot_be_read_is_named_so(
    portal: Portal, tokens: Tokens, file_name: str, status: int, message: str
) -> None:
    """Found probing: a long name was reported as too many parts; bytes not UTF-8 in a name
    answered a Python error's text."""
    boundary = "b0undary"
    name = file_name.encode("utf-8", "surrogateescape")
    operations = json.dumps({"query": ANY_UPLOAD, "variables": {"f": None}}).encode()
    body = b"".join([
        b"--b0undary\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n", operations,
        b'\r\n--b0undary\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.f"]}',
        b'\r\n--b0undary\r\nContent-Disposition: form-data; name="0"; filename="' + name + b'"\r\n',
        b"Content-Type: application/pdf\r\n\r\n", PDF, b"\r\n--b0undary--\r\n",
    ])  # fmt: skip
    async with httpx.AsyncClient() as http:
        response = await http.post(
            portal.graphql_url, content=body,
            headers={"X-Portal-Upload": "1", "Authorization": f"Bearer {tokens.applicant}",
                     "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
    assert response.status_code == status, response.text
    assert response.json()["message"] == message


def multipart_body(operations: object, *, closed: bool = True) -> bytes:
    """operations, map and one PDF as the `b0undary` request; not `closed`: without the
    closing boundary."""
    return b"".join([
        b'--b0undary\r\nContent-Disposition: form-data; name="operations"\r\n\r\n',
        json.dumps(operations).encode(),
        b'\r\n--b0undary\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0": ["variables.f"]}',
        b'\r\n--b0undary\r\nContent-Disposition: form-data; name="0"; filename="a.pdf"\r\n',
        b"Content-Type: application/pdf\r\n\r\n", PDF, b"\r\n--b0undary--\r\n" if closed else b"",
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("operations", "closed", "message"),
    [
        ({"query": 123, "variables": {"f": None}}, True, "`query` must be a string"),
        ({"query": ["{ hubs { code } }"], "variables": {"f": None}}, True, "must be a string"),
        ({"query": ANY_UPLOAD, "variables": {"f": None}, "operationName": 5}, True,
         "`operationName` must be a string or null"),
        ({"query": ANY_UPLOAD, "variables": {"f": None}, "operationName": "Other"}, True,
         'Unknown operation named "Other".'),
        ({"query": 'subscription { submissionCount(callId: "00000000-0000-4000-8000-000000000003") }',
          "variables": {"f": None}}, True, "subscriptions are not allowed"),
        # Sent whole, but its closing boundary never comes: refused at once, not after 30 s.
        ({"query": ANY_UPLOAD, "variables": {"f": None}}, False, "Invalid multipart body"),
    ],
)  # fmt: skip
async def test_a_multipart_operation_the_json_route_refuses_is_refused_too(
    portal: Portal, tokens: Tokens, operations: object, closed: bool, message: str
) -> None:
    """Found probing: 500s (a `query` of 123, an `operationName` of 5, a subscription)."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            portal.graphql_url, content=multipart_body(operations, closed=closed),
            headers={"X-Portal-Upload": "1", "Authorization": f"Bearer {tokens.applicant}",
                     "Content-Type": "multipart/form-data; boundary=b0undary"},
        )  # fmt: skip
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_request"
    assert message.lower() in response.json()["message"].lower()


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ hub(code: "\xff") { code } }"}',  # not UTF-8
        b'{"query": "{ hubs { code } }", "variables": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
        b'{"query": "{ hubs { code } }", "variables": {"a": ' + b"[" * 40 + b"]" * 40 + b"}}",
        '{"query": "{ hubs { code } }"}'.encode("utf-16"),  # JSON, but not in UTF-8
    ],
)
async def test_a_body_not_utf8_or_nested_too_deep_is_a_bad_request(
    portal: Portal, body: bytes
) -> None:
    """Found probing: 500s (a UnicodeDecodeError, a RecursionError)."""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            portal.graphql_url, content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_request"


async def test_a_multipart_operations_part_nested_too_deep_is_a_bad_request(
    portal: Portal,
) -> None:
    operations = (
        '{"query": "{ hubs { code } }", "variables": {"a": ' + "[" * 5000 + "]" * 5000 + "}}"
    )
    async with httpx.AsyncClient() as http:
        response = await http.post(
            portal.graphql_url, headers={"X-Portal-Upload": "1"},
            data={"operations": operations, "map": "{}"},
            files={"0": ("a.pdf", PDF, "application/pdf")},
        )  # fmt: skip
    assert response.status_code == 400, response.text
    assert "nested more than 32 levels" in response.json()["message"]


async def test_a_request_of_too_many_parts_is_too_large_not_a_failure(
    portal: Portal, tokens: Tokens
) -> None:
    """Found probing: the multipart parser's part limit escaped as a 500."""
    query = (
        'mutation($f: Upload!) { uploadAttachment(applicationId: "x", questionKey: "q",'
        " file: $f) { __typename } }"
    )
    files = {str(i): (f"{i}.pdf", PDF, "application/pdf") for i in range(150)}
    data = {
        "operations": json.dumps({"query": query, "variables": {"f": None}}),
        "map": json.dumps({str(i): ["variables.f"] for i in range(150)}),
    }
    headers = {"X-Portal-Upload": "1", "Authorization": f"Bearer {tokens.applicant}"}
    async with httpx.AsyncClient() as http:
        response = await http.post(portal.graphql_url, data=data, files=files, headers=headers)
    assert response.status_code == 413, response.text
    assert response.json()["message"] == "A request carries at most 100 parts."


async def publish_call(
    gql: GraphQLClient, tokens: Tokens, status: str = "OPEN", **overrides: Any
) -> str:
    """A fresh NL call, open now and closing in a day unless told otherwise."""
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    now = datetime.now(UTC)
    values = {"closesAt": (now + timedelta(days=1)).isoformat(), **overrides}
    created = await gql(CALL, {"i": call_input(challenge, **values)}, tokens.admin)
    call_id: str = created["createCall"]["id"]
    published = await gql(PUBLISH, {"id": call_id}, tokens.admin)
    assert published["publishCall"]["status"] == status, published
    return call_id


async def test_after_the_deadline_nothing_changes(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    token = await gql.sign_up()
    app = await start(gql, token, call)
    draft = {"answers": {"title": "Before the deadline"}}
    assert (await gql(SAVE, {"id": app["id"], "input": draft}, token))["saveApplication"][
        "__typename"
    ] == "Application"
    plan = await upload(gql, token, app["id"], "plan", "plan.pdf", PDF)
    assert plan["__typename"] == "Attachment", plan
    with portal.clock.shifted(timedelta(days=2)):
        saved = await gql(SAVE, {"id": app["id"], "input": draft}, token)
        assert saved["saveApplication"]["__typename"] == "Conflict"
        uploaded = await upload(gql, token, app["id"], "plan", "plan.pdf", PDF)
        assert uploaded["__typename"] == "Conflict"
        removed = (await gql(REMOVE, {"a": app["id"], "f": plan["id"]}, token))["removeAttachment"]
        assert removed["__typename"] == "Conflict" and "closed" in removed["message"], removed
        submitted = (await gql(SUBMIT, {"id": app["id"]}, token))["submitApplication"]
        assert submitted["__typename"] == "Conflict"
        assert "closed" in submitted["message"]
        latecomer = (await gql(START, {"call": call}, await gql.sign_up()))["startApplication"]
        assert latecomer["__typename"] == "Conflict" and "closed" in latecomer["message"]
    kept = (await gql(READ, {"id": app["id"]}, token))["application"]["attachments"]
    assert [a["id"] for a in kept] == [plan["id"]]


async def test_an_application_cannot_start_before_the_call_opens(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    opens = datetime.now(UTC) + timedelta(hours=2)
    call = await publish_call(gql, tokens, status="UPCOMING", opensAt=opens.isoformat())
    token = await gql.sign_up()

    async def answered() -> dict[str, Any] | None:
        result = (await gql(START, {"call": call}, token))["startApplication"]
        # Intake learns of a call from the registry's event: until then, NotFound.
        return None if result["__typename"] == "NotFound" else result

    early = await eventually(answered)
    assert early["__typename"] == "Conflict" and "opens at" in early["message"], early
    assert (await gql("{ myApplications { id } }", token=token))["myApplications"] == []


async def test_a_large_file_refused_before_it_is_read_gets_the_reason(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    """Refusals that come before intake reads the body: the gateway still gets the answer,
    not a closed connection ("not reachable"); uvicorn reads and discards the rest."""
    call = await publish_call(gql, tokens)
    token = await gql.sign_up()
    app = await start(gql, token, call)
    large = PDF + b"0" * (5 * 1024 * 1024)
    not_a_file = await upload(gql, token, app["id"], "title", "plan.pdf", large)
    assert not_a_file["__typename"] == "ValidationErrors", not_a_file
    assert not_a_file["errors"][0]["field"] == "answers.title"
    stranger = await upload(gql, await gql.sign_up(), app["id"], "plan", "plan.pdf", large)
    assert stranger["__typename"] == "NotFound", stranger
    assert (await upload(gql, token, app["id"], "plan", "plan.pdf", PDF))[
        "__typename"
    ] == "Attachment"  # fmt: skip
    one_too_many = await upload(gql, token, app["id"], "plan", "again.pdf", large)
    assert one_too_many["__typename"] == "ValidationErrors", one_too_many
    assert "at most 1" in one_too_many["errors"][0]["message"]
    with portal.clock.shifted(timedelta(days=2)):
        late = await upload(gql, token, app["id"], "plan", "plan.pdf", large)
    assert late["__typename"] == "Conflict" and "closed" in late["message"], late


async def test_the_closing_instant_itself_is_too_late(
    gql: GraphQLClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    closes = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    call = await publish_call(gql, tokens, closesAt=closes.isoformat())
    token = await gql.sign_up()
    app = await start(gql, token, call)
    draft = {"organisation": {"name": "A", "type": "ngo", "country": "BE"},
             "contact": {"name": "Jo", "email": "jo@example.org"}, "answers": {"title": "Ours"}}  # fmt: skip

    # The shared test clock, stopped: every service reads exactly this instant.
    monkeypatch.setattr(ShiftableClock, "__call__", lambda _: closes - timedelta(microseconds=1))
    saved = (await gql(SAVE, {"id": app["id"], "input": draft}, token))["saveApplication"]
    assert saved["__typename"] == "Application", saved
    assert (await upload(gql, token, app["id"], "plan", "plan.pdf", PDF))[
        "__typename"
    ] == "Attachment"
    submitted = await gql(SUBMIT, {"id": app["id"], "key": "in-time"}, token)
    assert submitted["submitApplication"]["__typename"] == "SubmissionReceipt", submitted

    monkeypatch.setattr(ShiftableClock, "__call__", lambda _: closes)
    later = {"answers": {"title": "Too late"}}
    saved = (await gql(SAVE, {"id": app["id"], "input": later}, token))["saveApplication"]
    assert saved["__typename"] == "Conflict", saved
    uploaded = await upload(gql, token, app["id"], "plan", "plan.pdf", PDF)
    assert uploaded["__typename"] == "Conflict", uploaded
    resubmitted = (await gql(SUBMIT, {"id": app["id"], "key": "late"}, token))["submitApplication"]
    assert resubmitted["__typename"] == "Conflict", resubmitted
    kept = (await gql(READ, {"id": app["id"]}, token))["application"]
    assert kept["answers"]["title"] == "Ours" and kept["receipt"]["version"] == 1

    # A retry of the submit that made it in time (its answer was lost): the same receipt.
    retried = (await gql(SUBMIT, {"id": app["id"], "key": "in-time"}, token))["submitApplication"]
    assert retried["__typename"] == "SubmissionReceipt", retried
    assert retried["receipt"] == submitted["submitApplication"]["receipt"]
    # Withdrawing stays possible until results are published.
    withdrawn = (await gql(WITHDRAW, {"id": app["id"]}, token))["withdrawApplication"]
    assert withdrawn == {"__typename": "Application", "status": "WITHDRAWN"}, withdrawn


async def test_nobody_else_sees_or_changes_an_application(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    owner = await gql.sign_up()
    app = await start(gql, owner)
    stranger = await gql.sign_up()
    query = "query($id: ID!) { application(id: $id) { id } }"
    assert (await gql(query, {"id": app["id"]}, stranger))["application"] is None
    assert (await gql(query, {"id": app["id"]}))["application"] is None
    assert (await gql(query, {"id": app["id"]}, tokens.evaluator))["application"] is None
    saved = await gql(SAVE, {"id": app["id"], "input": VALID_DRAFT}, stranger)
    assert saved["saveApplication"]["__typename"] == "NotFound"
    # The same answer as for an id that does not exist at all.
    unknown = str(uuid.uuid4())
    missing = await gql(SAVE, {"id": unknown, "input": VALID_DRAFT}, stranger)
    assert (
        missing["saveApplication"]["message"].replace(unknown, app["id"])
        == (saved["saveApplication"]["message"])
    )
    mine = await gql("{ myApplications { id } }", token=stranger)
    assert app["id"] not in {a["id"] for a in mine["myApplications"]}
    assert (await gql(query, {"id": app["id"]}, tokens.admin))["application"]["id"] == app["id"]


async def test_someone_elses_files_are_out_of_reach_like_a_missing_application(
    gql: GraphQLClient, portal: Portal
) -> None:
    owner = await gql.sign_up()
    app_id = (await complete_application(gql, owner))["id"]
    [attachment] = (await gql(READ, {"id": app_id}, owner))["application"]["attachments"]
    stranger = await gql.sign_up()
    unknown = str(uuid.uuid4())
    files_before = stored_files(portal.store_dir)

    def same_as_missing(theirs: dict[str, Any], missing: dict[str, Any]) -> None:
        assert theirs["__typename"] == missing["__typename"] == "NotFound", (theirs, missing)
        assert theirs["message"] == missing["message"].replace(unknown, app_id)

    same_as_missing(
        await upload(gql, stranger, app_id, "supporting_documents", "x.pdf", PDF),
        await upload(gql, stranger, unknown, "supporting_documents", "x.pdf", PDF),
    )
    removed = [
        (await gql(REMOVE, {"a": target, "f": attachment["id"]}, stranger))["removeAttachment"]
        for target in (app_id, unknown)
    ]
    same_as_missing(*removed)
    # GraphQL reaches a download link only through an application one may read: ask intake.
    stranger_identity = Identity(Role.APPLICANT, str(uuid.uuid4()))
    async with httpx.AsyncClient(base_url=portal.intake.url) as http:
        theirs, missing = [
            await http.get(
                f"/applications/{target}/attachments/{attachment['id']}/link",
                # A fresh token per call: a service refuses a replayed one.
                headers={IDENTITY_HEADER: sign_identity(stranger_identity, INTERNAL_SECRET)},
            )
            for target in (app_id, unknown)
        ]
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == json.loads(missing.text.replace(unknown, app_id))

    assert stored_files(portal.store_dir) == files_before
    owned = (await gql(READ, {"id": app_id}, owner))["application"]["attachments"]
    assert owned == [attachment]


async def test_withdrawal(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await complete_application(gql, token)
    await gql(SUBMIT, {"id": app["id"]}, token)
    assert (await gql(WITHDRAW, {"id": app["id"]}, token))["withdrawApplication"][
        "status"
    ] == "WITHDRAWN"
    again = (await gql(SUBMIT, {"id": app["id"]}, token))["submitApplication"]
    assert again["__typename"] == "Conflict"


async def test_a_withdrawn_application_keeps_its_files(gql: GraphQLClient) -> None:
    token = await gql.sign_up()
    app = await complete_application(gql, token)
    await gql(SUBMIT, {"id": app["id"]}, token)
    withdrawn = (await gql(WITHDRAW, {"id": app["id"]}, token))["withdrawApplication"]
    assert withdrawn["status"] == "WITHDRAWN"
    [deck] = (await gql(READ, {"id": app["id"]}, token))["application"]["attachments"]
    removed = (await gql(REMOVE, {"a": app["id"], "f": deck["id"]}, token))["removeAttachment"]
    assert removed["__typename"] == "Conflict", removed
    assert "withdrawn" in removed["message"]
    assert (await gql(READ, {"id": app["id"]}, token))["application"]["attachments"] == [deck]


async def test_the_team_lists_filters_and_counts(gql: GraphQLClient, tokens: Tokens) -> None:
    for _ in range(3):
        token = await gql.sign_up()
        app = await complete_application(gql, token)
        await gql(SUBMIT, {"id": app["id"]}, token)
    listing = """query($call: ID!, $after: String, $f: ApplicationFilter) {
      callApplications(callId: $call, first: 2, after: $after, filter: $f) { __typename
        ... on ApplicationConnection { total nextCursor items { id status hub } }
        ... on Error { message } } }"""
    page = await gql(listing, {"call": DEMO_CALL, "f": {"status": "SUBMITTED"}}, tokens.admin)
    first = page["callApplications"]
    assert first["total"] >= 3 and len(first["items"]) == 2 and first["nextCursor"]
    rest = await gql(listing, {"call": DEMO_CALL, "after": first["nextCursor"],
                               "f": {"status": "SUBMITTED"}}, tokens.admin)  # fmt: skip
    ids = [i["id"] for i in first["items"] + rest["callApplications"]["items"]]
    assert len(ids) == len(set(ids))
    assert all(i["status"] == "SUBMITTED" for i in rest["callApplications"]["items"])

    for token in (tokens.applicant, tokens.evaluator):
        denied = (await gql(listing, {"call": DEMO_CALL}, token))["callApplications"]
        assert denied["__typename"] == "Forbidden"
    # The NL hub manager sees, in this programme-wide call, only NL's applications.
    nl = (await gql(listing, {"call": DEMO_CALL}, tokens.hub_nl))["callApplications"]
    assert all(i["hub"] == "NL" for i in nl["items"])


async def apply_to(
    gql: GraphQLClient, call: str, organisation: dict[str, Any], amount: float,
    answers: dict[str, Any] | None = None, *, submit: bool = True,
) -> tuple[str, str]:  # fmt: skip
    token = await gql.sign_up()
    app = await start(gql, token, call)
    draft = {
        "organisation": organisation, "requestedAmount": amount,
        "contact": {"name": "Jo", "email": "jo@example.org"},
        "answers": {"title": "Ours", **(answers or {})},
    }  # fmt: skip
    saved = (await gql(SAVE, {"id": app["id"], "input": draft}, token))["saveApplication"]
    assert saved["__typename"] == "Application", saved
    assert (await upload(gql, token, app["id"], "plan", "plan.pdf", PDF))[
        "__typename"
    ] == "Attachment"
    if submit:
        submitted = (await gql(SUBMIT, {"id": app["id"]}, token))["submitApplication"]
        assert submitted["__typename"] == "SubmissionReceipt", submitted
    return app["id"], token


async def listed(gql: GraphQLClient, token: str, call: str, **filters: str) -> set[str]:
    found = (await gql(TEAM_LIST, {"call": call, "f": filters}, token))["callApplications"]
    assert found["__typename"] == "ApplicationConnection", found
    assert found["total"] == len(found["items"])
    return {item["id"] for item in found["items"]}


def counts(buckets: list[dict[str, Any]]) -> dict[str, int]:
    return {b["key"]: b["count"] for b in buckets}


CHAIN_QUESTION = {
    "key": "value_chain", "type": "SINGLE_CHOICE", "required": False,
    "labels": [{"lang": "en", "text": "Main value chain"}],
    "options": [{"value": v, "labels": [{"lang": "en", "text": v}]}
                for v in ("packaging", "textiles")],
}  # fmt: skip


async def test_the_team_filters_by_each_field_and_counts_exactly(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    form = call_input("unused")["form"]
    call = await publish_call(gql, tokens, form={"questions": [*form["questions"], CHAIN_QUESTION]})
    belgian, _ = await apply_to(
        gql, call, {"name": "A", "type": "ngo", "country": "BE"}, 10_000,
        {"value_chain": "packaging"},
    )  # fmt: skip
    southern = {"name": "B", "type": "social_enterprise", "country": "FR", "countryPart": "SOUTH"}
    french, _ = await apply_to(gql, call, southern, 10_000)  # no choice: the call's chain
    german, _ = await apply_to(
        gql, call, {"name": "C", "type": "ngo", "country": "DE"}, 10_000,
        {"value_chain": "packaging"}, submit=False,
    )  # fmt: skip
    admin = tokens.admin
    assert await listed(gql, admin, call) == {belgian, french, german}
    assert await listed(gql, admin, call, country="BE") == {belgian}
    assert await listed(gql, admin, call, country="FR") == {french}
    assert await listed(gql, admin, call, hub="PT") == {french}  # southern France
    assert await listed(gql, admin, call, hub="DE") == {german}
    # What the German draft says is its applicant's own: no filter on it finds it.
    assert await listed(gql, admin, call, country="DE") == set()
    assert await listed(gql, admin, call, valueChain="packaging") == {belgian}
    assert await listed(gql, admin, call, valueChain="textiles") == {french}
    assert await listed(gql, admin, call, organisationType="ngo") == {belgian}
    assert await listed(gql, admin, call, organisationType="social_enterprise") == {french}
    assert await listed(gql, admin, call, organisationType="ngo", status="SUBMITTED") == {belgian}
    assert await listed(gql, admin, call, country="NL") == set()

    s = (await gql(STATISTICS, {"call": call}, admin))["callStatistics"]
    assert s["total"] == 3
    assert counts(s["byStatus"]) == {"draft": 1, "submitted": 2}
    assert counts(s["byCountry"]) == {"BE": 1, "FR": 1}  # nor any count by what it says
    assert counts(s["byHub"]) == {"DE": 1, "NL": 1, "PT": 1}
    assert counts(s["byValueChain"]) == {"packaging": 1, "textiles": 1}
    assert counts(s["byOrganisationType"]) == {"ngo": 1, "social_enterprise": 1}
    assert counts(s["byEligibility"]) == {"pending": 3}  # decided only when the call closes
    assert sum(counts(s["submissionsPerHour"]).values()) == 2


async def belgian_and_southern_french(
    gql: GraphQLClient, call: str
) -> tuple[tuple[str, str], tuple[str, str]]:
    """On an NL call: a submitted application from Belgium (covered) and one from southern
    France (PT's part of France, not covered); each as (id, applicant token)."""
    belgian = await apply_to(
        gql, call, {"name": "A", "type": "ngo", "country": "BE"}, amount=40_000
    )
    french = await apply_to(
        gql, call, {"name": "B", "type": "ngo", "country": "FR", "countryPart": "SOUTH"},
        amount=40_000,
    )  # fmt: skip
    return belgian, french


async def test_closing_a_call_decides_eligibility_with_reasons(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    (eligible, _), (ineligible, token) = await belgian_and_southern_french(gql, call)
    query = "query($id: ID!) { application(id: $id) { eligibility eligibilityReasons } }"
    precheck = (await gql(query, {"id": ineligible}, token))["application"]
    assert precheck["eligibility"] == "PENDING"  # before the deadline: a pre-check only
    assert any("France (south)" in r for r in precheck["eligibilityReasons"])

    with portal.clock.shifted(timedelta(days=2)):

        async def decided(app_id: str) -> dict[str, Any] | None:
            found = (await gql(query, {"id": app_id}, tokens.admin))["application"]
            return found if found["eligibility"] != "PENDING" else None

        assert (await eventually(lambda: decided(eligible))) == {
            "eligibility": "ELIGIBLE",
            "eligibilityReasons": [],
        }
        verdict = await eventually(lambda: decided(ineligible))
    assert verdict["eligibility"] == "INELIGIBLE"
    assert any("France (south)" in r and "not eligible" in r for r in verdict["eligibilityReasons"])


async def test_the_last_submission_counts_not_later_unsubmitted_edits(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    (eligible, token_a), (ineligible, token_b) = await belgian_and_southern_french(gql, call)
    # Each then edits the other way round and never submits again.
    for app_id, token, organisation in (
        (eligible, token_a, {"name": "A", "type": "ngo", "country": "FR", "countryPart": "SOUTH"}),
        (ineligible, token_b, {"name": "B", "type": "ngo", "country": "NL"}),
    ):
        edit = {"organisation": organisation}
        saved = (await gql(SAVE, {"id": app_id, "input": edit}, token))["saveApplication"]
        assert saved["__typename"] == "Application" and saved["status"] == "SUBMITTED", saved

    # The team sees the submitted versions.
    assert await listed(gql, tokens.admin, call, country="BE") == {eligible}
    assert await listed(gql, tokens.admin, call, hub="PT") == {ineligible}
    assert await listed(gql, tokens.admin, call, country="NL") == set()
    s = (await gql(STATISTICS, {"call": call}, tokens.admin))["callStatistics"]
    assert counts(s["byCountry"]) == {"BE": 1, "FR": 1}

    query = "query($id: ID!) { application(id: $id) { eligibility eligibilityReasons } }"
    with portal.clock.shifted(timedelta(days=2)):

        async def decided(app_id: str) -> dict[str, Any] | None:
            found = (await gql(query, {"id": app_id}, tokens.admin))["application"]
            return found if found["eligibility"] != "PENDING" else None

        assert await eventually(lambda: decided(eligible)) == {
            "eligibility": "ELIGIBLE", "eligibilityReasons": [],
        }  # fmt: skip
        verdict = await eventually(lambda: decided(ineligible))
    assert verdict["eligibility"] == "INELIGIBLE"
    assert any("France (south)" in r for r in verdict["eligibilityReasons"])
    s = (await gql(STATISTICS, {"call": call}, tokens.admin))["callStatistics"]
    assert counts(s["byEligibility"]) == {"eligible": 1, "ineligible": 1}
    # Closed, the applicants too read what counts, not the edits made too late (a UI audit's
    # applicant was still told to "submit again before the deadline").
    own = """query($id: ID!) { application(id: $id) { organisation { country }
      hasUnsubmittedChanges } }"""
    for app_id, token, country in ((eligible, token_a, "BE"), (ineligible, token_b, "FR")):
        assert (await gql(own, {"id": app_id}, token))["application"] == {
            "organisation": {"country": country}, "hasUnsubmittedChanges": False,
        }  # fmt: skip


async def test_the_team_sees_the_submitted_version_and_the_applicant_what_is_unsubmitted(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    call = await publish_call(gql, tokens)
    app_id, token = await apply_to(gql, call, {"name": "A", "type": "ngo", "country": "BE"}, 10_000)
    query = """query($id: ID!) { application(id: $id) { hasUnsubmittedChanges
      organisation { country } attachments { id fileName downloadUrl } } }"""
    submitted = (await gql(query, {"id": app_id}, token))["application"]
    assert submitted["hasUnsubmittedChanges"] is False
    [plan] = submitted["attachments"]

    # After the submission: another country, and the plan swapped for a new one.
    edit = {"organisation": {"country": "DE"}}
    assert (await gql(SAVE, {"id": app_id, "input": edit}, token))["saveApplication"][
        "hasUnsubmittedChanges"
    ] is True  # fmt: skip
    await gql(REMOVE, {"a": app_id, "f": plan["id"]}, token)
    assert (await upload(gql, token, app_id, "plan", "nouveau plan.pdf", PDF))[
        "__typename"
    ] == "Attachment"  # fmt: skip
    mine = (await gql(query, {"id": app_id}, token))["application"]
    assert mine["hasUnsubmittedChanges"] is True
    assert mine["organisation"]["country"] == "DE"
    assert [a["fileName"] for a in mine["attachments"]] == ["nouveau plan.pdf"]
    listed_mine = await gql("{ myApplications { id hasUnsubmittedChanges } }", token=token)
    assert {"id": app_id, "hasUnsubmittedChanges": True} in listed_mine["myApplications"]

    for reader in (tokens.admin, tokens.hub_nl):
        theirs = (await gql(query, {"id": app_id}, reader))["application"]
        assert theirs["organisation"] == {"country": "BE"}
        assert theirs["hasUnsubmittedChanges"] is False
        assert [(a["id"], a["fileName"]) for a in theirs["attachments"]] == [
            (plan["id"], "plan.pdf")
        ]  # removed since, but what was submitted
        async with httpx.AsyncClient() as http:
            downloaded = await http.get(theirs["attachments"][0]["downloadUrl"])
        assert downloaded.status_code == 200 and downloaded.content == PDF
    # The filters agree with the view.
    assert app_id in await listed(gql, tokens.admin, call, country="BE")
    assert app_id not in await listed(gql, tokens.admin, call, country="DE")

    resubmitted = (await gql(SUBMIT, {"id": app_id}, token))["submitApplication"]
    assert resubmitted["__typename"] == "SubmissionReceipt", resubmitted
    assert (await gql(query, {"id": app_id}, token))["application"][
        "hasUnsubmittedChanges"
    ] is False
    theirs = (await gql(query, {"id": app_id}, tokens.admin))["application"]
    assert theirs["organisation"] == {"country": "DE"}
    assert [a["fileName"] for a in theirs["attachments"]] == ["nouveau plan.pdf"]
    assert app_id in await listed(gql, tokens.admin, call, country="DE")


async def test_a_draft_never_submitted_is_the_applicants_own(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """Found looking at the team's pages: the draft filter listed a draft's title, and its
    page showed every answer the applicant had typed and not submitted."""
    token = await gql.sign_up()
    app = await start(gql, token)
    secret = {**VALID_DRAFT, "answers": {**VALID_DRAFT["answers"], "project_title": "Secret idea"}}
    assert (await gql(SAVE, {"id": app["id"], "input": secret}, token))["saveApplication"]
    await upload(gql, token, app["id"], "pitch_deck", "deck.pdf", PDF)
    query = """query($id: ID!) { application(id: $id) { status title answers
      organisation { name country } contact { name email } attachments { id } } }"""
    mine = (await gql(query, {"id": app["id"]}, token))["application"]
    assert mine["title"] == "Secret idea" and mine["attachments"]
    for reader in (tokens.admin,):
        theirs = (await gql(query, {"id": app["id"]}, reader))["application"]
        assert theirs == {
            "status": "DRAFT", "title": None, "answers": {},
            "organisation": {"name": "", "country": ""}, "contact": {"name": "", "email": ""},
            "attachments": [],
        }  # fmt: skip
        # It is counted and listed as a draft (the hub is known), but found by no word of it.
        assert app["id"] in await listed(gql, reader, DEMO_CALL, status="DRAFT")
        assert app["id"] not in await listed(gql, reader, DEMO_CALL, search="Secret")
        assert app["id"] not in await listed(gql, reader, DEMO_CALL, search="Repair Collective")


async def subscribe_count(
    portal: Portal, call: str, token: str
) -> tuple[Any, Callable[[], Awaitable[dict[str, Any]]]]:
    url = portal.graphql_url.replace("http://", "ws://")
    ws = await websockets.connect(
        url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    query = "subscription($c: ID!) { submissionCount(callId: $c) }"
    await ws.send(json.dumps({"id": "1", "type": "subscribe",
                              "payload": {"query": query, "variables": {"c": call}}}))  # fmt: skip

    async def receive() -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 15))
        return message

    return ws, receive


async def call_known_to_intake(gql: GraphQLClient, tokens: Tokens, **overrides: Any) -> str:
    """A fresh open call, once intake has heard of its publication."""
    call = await publish_call(gql, tokens, **overrides)
    stats = "query($c: ID!) { callStatistics(callId: $c) { __typename } }"

    async def intake_knows_the_call() -> bool:
        found = await gql(stats, {"c": call}, tokens.admin)
        return bool(found["callStatistics"]["__typename"] == "CallStatistics")

    await eventually(intake_knows_the_call)
    return call


async def test_the_team_watches_submissions_live(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    call = await call_known_to_intake(gql, tokens)
    ws, receive = await subscribe_count(portal, call, tokens.admin)
    try:
        first = await receive()
        assert first["type"] == "next" and first["payload"]["data"]["submissionCount"] == 0
        await apply_to(gql, call, {"name": "A", "type": "ngo", "country": "NL"}, amount=1000)
        update = await receive()
        assert update["payload"]["data"]["submissionCount"] == 1
    finally:
        await ws.close()

    refused, receive = await subscribe_count(portal, call, tokens.applicant)
    try:
        message = await receive()
        assert message["type"] == "error" or message["payload"].get("errors")
    finally:
        await refused.close()


async def test_a_hub_managers_counter_moves_only_for_their_hubs_submissions(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    """Found probing: in a programme-wide call another hub's submission sent the NL manager
    the same figure again, at the moment it came."""
    call = await call_known_to_intake(gql, tokens, hub=None)
    ws, receive = await subscribe_count(portal, call, tokens.hub_nl)
    try:
        assert (await receive())["payload"]["data"]["submissionCount"] == 0
        await apply_to(gql, call, {"name": "German", "type": "ngo", "country": "DE"}, amount=1000)
        await apply_to(gql, call, {"name": "Belgian", "type": "ngo", "country": "BE"}, amount=1000)
        # The next figure is the Belgian one's: nothing came for the German one.
        assert (await receive())["payload"]["data"]["submissionCount"] == 1
    finally:
        await ws.close()


async def test_a_draft_attachment_can_be_removed(gql: GraphQLClient, portal: Portal) -> None:
    token = await gql.sign_up()
    app = await start(gql, token)
    attached = await upload(gql, token, app["id"], "supporting_documents", "letter.pdf", PDF)
    assert attached["__typename"] == "Attachment"
    removed = (await gql(REMOVE, {"a": app["id"], "f": attached["id"]}, token))["removeAttachment"]
    assert removed == {"__typename": "Application", "attachments": []}
    async with httpx.AsyncClient() as http:  # never submitted: the file itself is gone too
        assert (await http.get(attached["downloadUrl"])).status_code == 404
    again = (await gql(REMOVE, {"a": app["id"], "f": attached["id"]}, token))["removeAttachment"]
    assert again["__typename"] == "NotFound"


async def publish_outcome(
    gql: GraphQLClient, nats_url: str, token: str, application_id: str
) -> dict[str, Any]:
    """Review's OutcomePublished, as results publication sends it; returns it once intake
    shows it to the applicant."""
    outcome = review_events.OutcomePublished(
        application_id=application_id, call_id=DEMO_CALL, decision="selected", rank=1,
        weighted_total=13.5, scores={"excellence": 4.5, "impact": 4.5, "implementation": 4.5},
        comments=["A clear plan."], summary="Selected for funding.",
    )  # fmt: skip
    client = await nats.connect(nats_url)
    try:
        envelope = envelope_for(outcome)
        await client.jetstream().publish(
            outcome.subject, encode_envelope(envelope), headers={"Nats-Msg-Id": envelope.id}
        )
    finally:
        await client.close()
    query = "query($id: ID!) { application(id: $id) { outcome { decision rank summary scores comments } } }"

    async def published() -> dict[str, Any] | None:
        found = (await gql(query, {"id": application_id}, token))["application"]
        return found["outcome"]

    seen: dict[str, Any] = await eventually(published)
    return seen


async def test_a_published_outcome_reaches_the_applicant(
    gql: GraphQLClient, nats_server: Any
) -> None:
    token = await gql.sign_up()
    app = await complete_application(gql, token)
    await gql(SUBMIT, {"id": app["id"]}, token)
    seen = await publish_outcome(gql, nats_server.url, token, app["id"])
    assert seen["decision"] == "selected" and seen["rank"] == 1
    assert seen["scores"]["impact"] == 4.5 and seen["comments"] == ["A clear plan."]


async def test_an_application_with_an_outcome_cannot_be_withdrawn(
    gql: GraphQLClient, nats_server: Any
) -> None:
    # The outcome is stored here before the call's results_published status reaches intake.
    token = await gql.sign_up()
    app = await complete_application(gql, token)
    await gql(SUBMIT, {"id": app["id"]}, token)
    await publish_outcome(gql, nats_server.url, token, app["id"])
    refused = (await gql(WITHDRAW, {"id": app["id"]}, token))["withdrawApplication"]
    assert refused["__typename"] == "Conflict", refused
    assert (await gql(READ, {"id": app["id"]}, token))["application"]["status"] == "SUBMITTED"


async def test_a_page_of_applications_costs_the_same_queries_whatever_its_size(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    runtime = portal.intake.app.state.runtime
    listing = """query($c: ID!, $n: Int!) { callApplications(callId: $c, first: $n) {
      ... on ApplicationConnection { items { id receipt { number } attachments { id } } } } }"""
    for _ in range(3):
        token = await gql.sign_up()
        await complete_application(gql, token)

    async def statements(first: int) -> int:
        trace = uuid.uuid4().hex
        with statements_of(runtime.engine, trace) as seen:
            response = await on_a_new_connection(
                gql.url, {"query": listing, "variables": {"c": DEMO_CALL, "n": first}},
                {"Authorization": f"Bearer {tokens.admin}", TRACE_HEADER: trace},
            )  # fmt: skip
        assert len(response.json()["data"]["callApplications"]["items"]) == first
        return len(seen)

    assert await statements(1) == await statements(3) > 0


async def test_a_submission_is_written_in_seven_statements_with_its_receipt_number(
    gql: GraphQLClient, portal: Portal
) -> None:
    """The deadline's hot path: the call and the application locked, their versions and
    files read, the application updated, the submission inserted with the number the
    sequence gives it, and its event into the outbox."""
    runtime = portal.intake.app.state.runtime
    tokens = [await gql.sign_up() for _ in range(2)]
    apps = [await complete_application(gql, token) for token in tokens]
    numbers = []
    for app, token in zip(apps, tokens, strict=True):
        trace = uuid.uuid4().hex
        with statements_of(runtime.engine, trace) as seen:
            response = await on_a_new_connection(
                gql.url, {"query": SUBMIT, "variables": {"id": app["id"]}},
                {"Authorization": f"Bearer {token}", TRACE_HEADER: trace},
            )  # fmt: skip
        numbers.append(response.json()["data"]["submitApplication"]["receipt"]["number"])
        assert len(seen) == 7, "\n".join(seen)
    assert all(re.fullmatch(r"OC-20\d\d-\d{6}", number) for number in numbers), numbers
    first, second = (int(number.rpartition("-")[2]) for number in numbers)
    assert second == first + 1  # one number per submission, none taken twice


async def test_messages_show_instants_in_the_calls_time_zone(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    opens = datetime(2031, 12, 2, 5, 7, 28, tzinfo=UTC)
    upcoming = await publish_call(
        gql, tokens, status="UPCOMING", opensAt=opens.isoformat(),
        closesAt=(opens + timedelta(days=5)).isoformat(),
    )  # fmt: skip

    async def answered(call: str, token: str) -> dict[str, Any] | None:
        result = (await gql(START, {"call": call}, token))["startApplication"]
        return None if result["__typename"] == "NotFound" else result  # intake learns late

    early = await eventually(lambda: answered(upcoming, tokens.applicant))
    assert early == {"__typename": "Conflict",
                     "message": "The call opens at 2 Dec 2031, 06:07 CET (Europe/Brussels)."}  # fmt: skip

    closes = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    call = await publish_call(gql, tokens, closesAt=closes.isoformat(), timezone="Europe/Istanbul")
    token = await gql.sign_up()
    app = await start(gql, token, call)
    with portal.clock.shifted(timedelta(days=2)):
        late = await gql(SAVE, {"id": app["id"], "input": {"answers": {}}}, token)
    message = late["saveApplication"]["message"]
    local = closes.astimezone(ZoneInfo("Europe/Istanbul"))
    expected = f"{local.day} {local:%b %Y, %H:%M} UTC+03 (Europe/Istanbul)"
    assert message == f"The call closed at {expected}; nothing can change now."


async def test_the_team_page_counts_agree_for_each_viewer(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    """callStatistics.submitted and evaluationProgress.applications count the same
    applications (submitted, not withdrawn, in the viewer's scope); total counts every one
    started, as byStatus does."""
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    created = await gql(CALL, {"i": call_input(challenge, hub=None)}, tokens.admin)
    call = created["createCall"]["id"]
    assert (await gql(PUBLISH, {"id": call}, tokens.admin))["publishCall"]["status"] == "OPEN"
    belgian = {"name": "Belgian", "type": "ngo", "country": "BE"}
    await apply_to(gql, call, belgian, 10_000)
    await apply_to(gql, call, belgian, 10_000, submit=False)
    withdrawn, withdrawer = await apply_to(gql, call, belgian, 10_000)
    await gql(WITHDRAW, {"id": withdrawn}, withdrawer)
    await apply_to(gql, call, {"name": "German", "type": "ngo", "country": "DE"}, 10_000)

    page = """query($c: ID!) {
      callStatistics(callId: $c) { ... on CallStatistics { total submitted byStatus { key count } } }
      evaluationProgress(callId: $c) { ... on EvaluationProgress { applications } }
      callApplications(callId: $c, filter: {status: SUBMITTED}) {
        ... on ApplicationConnection { total totalCount } } }"""
    for token, started, submitted in ((tokens.hub_nl, 3, 1), (tokens.admin, 4, 2)):

        async def settled(token: str = token, submitted: int = submitted) -> dict[str, Any] | None:
            seen = await gql(page, {"c": call}, token)
            # Review counts from intake's events: wait until it has them all.
            progress = seen["evaluationProgress"].get("applications")
            return seen if progress == submitted else None

        seen = await eventually(settled)
        statistics = seen["callStatistics"]
        assert statistics["submitted"] == seen["evaluationProgress"]["applications"] == submitted
        assert statistics["total"] == started == sum(counts(statistics["byStatus"]).values())
        listing = seen["callApplications"]
        assert listing["totalCount"] == listing["total"] == submitted


async def test_a_draft_refuses_keys_no_question_has_and_bodies_past_the_limit(
    gql: GraphQLClient, portal: Portal
) -> None:
    """Found probing: three saves of 9 MB under made-up keys made a 37 MB draft."""
    token = await gql.sign_up()
    app = await start(gql, token)
    saving = """mutation($id: ID!, $input: ApplicationInput!) { saveApplication(id: $id, input: $input) {
      __typename ... on ValidationErrors { errors { field message } } } }"""
    junk = {"answers": {"junk1": "x", "project_title": "Kept?"}}
    refused = (await gql(saving, {"id": app["id"], "input": junk}, token))["saveApplication"]
    assert refused == {"__typename": "ValidationErrors",
                       "errors": [{"field": "answers.junk1", "message": "is not a question of this form"}]}  # fmt: skip
    read = "query($id: ID!) { application(id: $id) { answers } }"
    assert (
        "project_title" not in (await gql(read, {"id": app["id"]}, token))["application"]["answers"]
    )
    # The form asks the amount as a question: the field given beside it would be dropped.
    aside = {"requestedAmount": 30000, "answers": {"requested_amount": 45000}}
    refused = (await gql(saving, {"id": app["id"], "input": aside}, token))["saveApplication"]
    assert refused["errors"] == [
        {
            "field": "requestedAmount",
            "message": "is asked by the question requested_amount: answer it",
        }
    ]
    # A number past a float's range was read as infinity, sent on as null, and cleared the
    # answer (found probing): in a variable (1e400, -Infinity) or a literal, it is refused.
    kept = {"answers": {"team_size": 6}}
    assert (await gql(saving, {"id": app["id"], "input": kept}, token))["saveApplication"] == {
        "__typename": "Application"
    }
    body = '{"query": %s, "variables": {"id": "%s", "input": {"answers": {"team_size": 1e400}}}}'
    literal = saving.replace("$input: ApplicationInput!", "").replace(
        "input: $input", "input: {answers: {team_size: -1e400}}"
    )
    for response in (
        await gql.http.post(gql.url, content=body % (json.dumps(saving), app["id"]),
                            headers={"Authorization": f"Bearer {token}",
                                     "Content-Type": "application/json"}),
        await gql.http.post(gql.url, content=body.replace("1e400", "-Infinity") % (json.dumps(saving), app["id"]),
                            headers={"Authorization": f"Bearer {token}",
                                     "Content-Type": "application/json"}),
        await gql.raw(literal, {"id": app["id"]}, token),
    ):  # fmt: skip
        [error] = response.json()["errors"]
        assert "not finite" in error["message"], error
    assert (await gql(read, {"id": app["id"]}, token))["application"]["answers"]["team_size"] == 6
    big = {"answers": {"summary": "x" * (3 * 1024 * 1024)}}
    response = await gql.raw(saving, {"id": app["id"], "input": big}, token)
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "payload_too_large"
