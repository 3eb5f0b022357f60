"""The applicant's data archive: one zip of everything held about them (account, applications
with their answers by label, files, receipts, outcome, mails), and nobody else's."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import httpx
from sqlalchemy import text

from shared.api.intake import PERSON_EXPORT, PERSON_EXPORT_FILE
from shared.identity import IDENTITY_HEADER, Identity, Role, sign_identity
from shared.paths import path_of
from tests.fixtures.apps import INTERNAL_SECRET, GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Postgres
from tests.fixtures.waiting import eventually
from tests.integration.erasure_helpers import (
    STRONG,
    WEAK,
    Applicant,
    decided_call,
    gateway_engine,
    new_applicant,
)
from tests.integration.test_intake_graphql import PDF

ME = "{ me { id } }"


async def archive_of(portal: Portal, token: str | None, path: str = "/me/archive.zip") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.get(f"{portal.gateway.url}{path}", headers=headers)


def entries(response: httpx.Response) -> dict[str, bytes]:
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def one(found: dict[str, bytes], suffix: str) -> tuple[str, bytes]:
    [match] = [(n, b) for n, b in found.items() if n.endswith(suffix)]
    return match


async def archive_with_receipt(portal: Portal, person: Applicant) -> dict[str, bytes]:
    """The archive once notify has written the receipt mail (with its PDF)."""

    async def ready() -> dict[str, bytes] | None:
        found = entries(await archive_of(portal, person.token))
        return found if any(n.startswith("receipts/") for n in found) else None

    result: dict[str, bytes] = await eventually(ready, within=20)
    return result


async def test_an_applicant_downloads_everything_held_about_them_and_nothing_else(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, postgres: Postgres
) -> None:
    mine, theirs = new_applicant(), new_applicant()
    await decided_call(gql, portal, tokens, [(mine, 50_000), (theirs, 40_000)], [STRONG, WEAK])
    found = await archive_with_receipt(portal, mine)
    everything = b"".join(found.values()).decode("utf-8", "replace")

    assert {"README.txt", "account.json", "mail.json", "evaluation.json"} <= set(found)
    account = json.loads(found["account.json"])
    assert account["email"] == mine.email and account["display_name"] == mine.name
    assert account["two_factor_sign_in"] is False and account["email_confirmed_at"]
    assert "argon2" not in everything and "password_hash" not in found["account.json"].decode()

    folder, facts = one(found, "/application.json")
    application = json.loads(facts)
    assert application["id"] == mine.application_id and application["status"] == "submitted"
    assert application["receipt_number"].startswith("OC-")
    title = {"key": "title", "label": "Title", "answer": f"Project of {mine.name}",
             "answer_label": None}  # fmt: skip
    assert title in application["answers"]
    assert application["organisation"]["name"] == mine.organisation
    assert application["outcome"]["decision"] == "selected" and application["outcome"]["rank"]
    assert [v["receipt"]["number"] for v in application["versions"]] == [
        application["receipt_number"]
    ]
    # The uploaded file, byte for byte, under its question's label and its own name.
    [file] = application["files"]
    stored = found[file["path_in_archive"]]
    assert file["path_in_archive"] == folder.replace(
        "application.json", f"files/Plan/{mine.name}.pdf"
    )
    assert stored == PDF and hashlib.sha256(stored).hexdigest() == file["sha256"]

    [(receipt_name, receipt)] = [(n, b) for n, b in found.items() if n.startswith("receipts/")]
    assert receipt.startswith(b"%PDF") and application["receipt_number"] in receipt_name
    mails = json.loads(found["mail.json"])["mails"]
    receipt_mail = next(m for m in mails if m["attachments"])
    assert application["receipt_number"] in receipt_mail["subject"]
    assert receipt_mail["attachments"][0]["path_in_archive"] == receipt_name
    assert all(m["to"] == mine.email for m in mails)
    assert "made on" in found["README.txt"].decode() and mine.email in found["README.txt"].decode()
    review_copy = json.loads(found["evaluation.json"])["applications"]
    assert [a["application_id"] for a in review_copy] == [mine.application_id]

    # Nobody else's data: not the other applicant's, not the evaluator's.
    for other in (*theirs.personal, theirs.application_id, "@evaluators.example"):
        assert other not in everything, other
    # The download is in the audit log, without personal data.
    account_id = (await gql(ME, token=mine.token))["me"]["id"]
    engine = await gateway_engine(postgres, account_id)
    async with engine.connect() as connection:
        actions = (
            await connection.execute(
                text("SELECT action, actor_id FROM audit_entry WHERE target_id = :id"),
                {"id": account_id},
            )
        ).all()
    await engine.dispose()
    assert ("account.archive", account_id) in actions


async def test_only_the_person_or_the_team_gets_an_archive(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    anonymous = await archive_of(portal, None)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    forged = await archive_of(portal, "not-a-token")
    assert forged.status_code == 401 and forged.json()["code"] == "not_authenticated"

    applicant = await gql.sign_up()
    applicant_id = (await gql(ME, token=applicant))["me"]["id"]
    other_id = (await gql(ME, token=await gql.sign_up()))["me"]["id"]
    refused = await archive_of(portal, applicant, f"/people/{other_id}/archive.zip")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # A person with nothing yet gets an archive of their account alone.
    own = entries(await archive_of(portal, applicant))
    assert json.loads(own["account.json"])["id"] == applicant_id
    assert "no applications" in own["README.txt"].decode()
    # The team answers a request made by letter.
    by_team = entries(await archive_of(portal, tokens.admin, f"/people/{applicant_id}/archive.zip"))
    assert json.loads(by_team["account.json"])["id"] == applicant_id
    for bad in ("not-a-uuid", "00000000-0000-4000-8000-00000000dead", "..%2F..%2Fmissions"):
        missing = await archive_of(portal, tokens.admin, f"/people/{bad}/archive.zip")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found", bad


async def test_each_service_hands_out_only_the_persons_own_data(
    portal: Portal, gql: GraphQLClient
) -> None:
    """Defence in depth: intake refuses another person's export even with a valid identity."""
    person = (await gql(ME, token=await gql.sign_up()))["me"]["id"]
    other = (await gql(ME, token=await gql.sign_up()))["me"]["id"]
    identity = Identity(role=Role.APPLICANT, account_id=person)
    async with httpx.AsyncClient(base_url=portal.intake.url, timeout=10) as http:

        async def get(path: str) -> httpx.Response:
            signed = sign_identity(identity, INTERNAL_SECRET)
            return await http.get(path, headers={IDENTITY_HEADER: signed})

        own = await get(path_of(PERSON_EXPORT.path, account_id=person))
        assert own.json()["applications"] == []
        for path in (
            path_of(PERSON_EXPORT.path, account_id=other),
            path_of(PERSON_EXPORT_FILE.path, account_id=other, attachment_id=other),
        ):
            answer = await get(path)
            assert answer.status_code == 403 and answer.json()["code"] == "forbidden", path
        missing = await get(path_of(PERSON_EXPORT_FILE.path, account_id=person, attachment_id="x"))
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"
