"""Submitting needs a confirmed e-mail address; drafting, saving and uploading do not.

Intake trusts the gateway's signed identity (`email_confirmed`): its rule is tested over
intake's own HTTP API with identities as the gateway signs them, and end to end through
GraphQL with an account that confirms its address by the link it was sent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.intake.models import ApplicationRow, OutboxEvent
from shared.contracts import intake as intake_events
from shared.events import decode_envelope
from shared.identity import IDENTITY_HEADER, Identity, Role, sign_identity
from tests.fixtures.apps import INTERNAL_SECRET, GraphQLClient, Portal
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import (
    DEMO_CALL,
    PDF,
    READ,
    SAVE,
    SUBMIT,
    VALID_DRAFT,
    start,
    upload,
)

NOT_CONFIRMED = (
    "Confirm your e-mail address before you submit: use the link we e-mailed you, "
    "or ask for a new one."
)
COMPLETE_DRAFT: dict[str, Any] = {
    "organisation": {"name": "Repair Collective", "type": "social_enterprise", "country": "FR",
                     "country_part": "south"},
    "contact": {"name": "Camille Martin", "email": "camille@repair.example.org"},
    "answers": {
        "project_title": "Fix it together", "summary": "Neighbourhood repair cafés.",
        "value_chain": "electronics_ict", "strategies": ["repair", "reuse"], "team_size": 4,
        "country": "FR", "requested_amount": 45000, "declaration_of_honour": True,
    },
}  # fmt: skip


class Applicant:
    """One applicant calling intake as the gateway would, confirmed or not."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.account_id = str(uuid.uuid4())
        self.email = f"applicant-{self.account_id[:8]}@example.org"
        self.confirmed = False

    def headers(self) -> dict[str, str]:
        identity = Identity(
            Role.APPLICANT, self.account_id, email=self.email, email_confirmed=self.confirmed
        )
        return {IDENTITY_HEADER: sign_identity(identity, INTERNAL_SECRET)}

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, path, headers=self.headers(), **kwargs)

    async def submit(self, app_id: str, key: str) -> httpx.Response:
        return await self.call(
            "POST", f"/applications/{app_id}/submit", json={"idempotency_key": key}
        )


@pytest.fixture
async def applicant(portal: Portal) -> AsyncIterator[Applicant]:
    async with httpx.AsyncClient(base_url=portal.intake.url, timeout=30) as http:
        yield Applicant(http)


async def complete_draft(applicant: Applicant) -> str:
    """Started, saved and with its file: everything but the submission."""

    async def started() -> httpx.Response | None:
        response = await applicant.call("POST", "/applications", json={"call_id": DEMO_CALL})
        return response if response.status_code == 201 else None  # the call reached intake

    app_id: str = (await eventually(started)).json()["id"]
    saved = await applicant.call("PATCH", f"/applications/{app_id}", json=COMPLETE_DRAFT)
    assert saved.status_code == 200, saved.text
    uploaded = await applicant.call(
        "PUT", f"/applications/{app_id}/attachments/pitch_deck", params={"filename": "deck.pdf"},
        content=PDF,
    )  # fmt: skip
    assert uploaded.status_code == 200, uploaded.text
    return app_id


async def stored(portal: Portal, app_id: str) -> tuple[str, int]:
    async with portal.intake.app.state.runtime.session_factory() as session:
        app = await session.get(ApplicationRow, uuid.UUID(app_id))
    assert app is not None
    return app.status, app.version


async def submissions_published(portal: Portal, app_id: str) -> list[int]:
    """The versions intake announced as submitted or resubmitted for this application."""
    subjects = [c.subject for c in (intake_events.ApplicationSubmitted,
                                    intake_events.ApplicationResubmitted)]  # fmt: skip
    async with portal.intake.app.state.runtime.session_factory() as session:
        bodies = await session.scalars(
            select(OutboxEvent.body).where(OutboxEvent.subject.in_(subjects))
        )
        found = [decode_envelope(body).payload() for body in bodies]
    return sorted(e.version for e in found if e.application_id == app_id)


def refused_as_unconfirmed(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert (body["code"], body["message"]) == ("email_not_confirmed", NOT_CONFIRMED)


async def test_an_unconfirmed_applicant_drafts_but_submits_only_once_confirmed(
    portal: Portal, applicant: Applicant
) -> None:
    app_id = await complete_draft(applicant)  # drafting, saving, uploading: all allowed

    refused_as_unconfirmed(await applicant.submit(app_id, "first"))
    assert await stored(portal, app_id) == ("draft", 0)
    assert await submissions_published(portal, app_id) == []

    applicant.confirmed = True
    # The refused key is not used up: the same one now submits.
    submitted = await applicant.submit(app_id, "first")
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["receipt"]["version"] == 1
    assert await stored(portal, app_id) == ("submitted", 1)
    assert await submissions_published(portal, app_id) == [1]


async def test_a_resubmission_needs_a_confirmed_address_too(
    portal: Portal, applicant: Applicant
) -> None:
    applicant.confirmed = True
    app_id = await complete_draft(applicant)
    assert (await applicant.submit(app_id, "first")).status_code == 201

    # Say the address changed and awaits its confirmation: edits are kept, not submitted.
    applicant.confirmed = False
    edit = {"answers": {"project_title": "Fix it together, again"}}
    assert (await applicant.call("PATCH", f"/applications/{app_id}", json=edit)).is_success
    refused_as_unconfirmed(await applicant.submit(app_id, "second"))
    assert await stored(portal, app_id) == ("submitted", 1)
    assert await submissions_published(portal, app_id) == [1]
    read = (await applicant.call("GET", f"/applications/{app_id}")).json()
    assert read["has_unsubmitted_changes"] is True
    assert read["receipt"]["version"] == 1


# ---- through GraphQL: sign up, draft, refused, confirm by the e-mailed link, submitted ----

SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) { __typename
  ... on SignUpAccepted { email } ... on Error { message } } }"""
SIGN_IN = """mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { __typename
  ... on AuthPayload { token } ... on Error { message } } }"""
CONFIRM = """mutation($t: String!) { confirmEmail(token: $t) { __typename
  ... on EmailConfirmed { email } ... on Error { message } } }"""
PASSWORD = "lantern-harbour-thistle-93"


async def test_through_graphql_a_submit_waits_for_the_confirmed_address(
    gql: GraphQLClient, portal: Portal
) -> None:
    email = f"applicant-{uuid.uuid4().hex[:10]}@example.org"
    person = {"email": email, "password": PASSWORD, "displayName": "Camille"}
    signed_up = (await gql(SIGN_UP, {"i": person}))["signUp"]
    assert signed_up["__typename"] == "SignUpAccepted", signed_up
    signed_in = (await gql(SIGN_IN, {"e": email, "p": PASSWORD}))["signIn"]
    assert signed_in["__typename"] == "AuthPayload", signed_in
    token = signed_in["token"]

    app_id = (await start(gql, token))["id"]
    saved = (await gql(SAVE, {"id": app_id, "input": VALID_DRAFT}, token))["saveApplication"]
    assert saved["__typename"] == "Application", saved
    assert (await upload(gql, token, app_id, "pitch_deck", "deck.pdf", PDF))[
        "__typename"
    ] == "Attachment"
    refused = (await gql(SUBMIT, {"id": app_id, "key": "k"}, token))["submitApplication"]
    assert refused == {"__typename": "EmailNotConfirmed", "message": NOT_CONFIRMED}
    application = (await gql(READ, {"id": app_id}, token))["application"]
    assert (application["status"], application["receipt"]) == ("DRAFT", None)
    assert await submissions_published(portal, app_id) == []

    # The link as the confirmation e-mail carries it, read back from the SMTP server.
    link_token = await gql.confirmation_token(email)
    confirmed = (await gql(CONFIRM, {"t": link_token}))["confirmEmail"]
    assert confirmed == {"__typename": "EmailConfirmed", "email": email}
    # The same sign-in: the gateway reads the account as it is now on every request.
    submitted = (await gql(SUBMIT, {"id": app_id, "key": "k"}, token))["submitApplication"]
    assert submitted["__typename"] == "SubmissionReceipt", submitted
    assert submitted["receipt"]["version"] == 1
    assert await submissions_published(portal, app_id) == [1]
