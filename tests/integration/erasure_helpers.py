"""A decided call with named applicants, and the look into every service's database that
erasure and retention tests make: which tables still hold a given string."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.servers import Postgres
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import PDF, SAVE, SUBMIT, publish_call, start, upload
from tests.integration.test_review_graphql import (
    MINE,
    PUBLISH,
    RANKING,
    assigned_once_closed,
    evaluate,
    invite,
    pick_pool,
    scores,
)

PASSWORD = "a-long-password-for-erasure"


@dataclass
class Applicant:
    """Strings that are this person's only: found in a table, they are their data."""

    name: str
    email: str
    organisation: str
    contact_name: str
    contact_email: str
    token: str = ""
    application_id: str = ""

    @property
    def personal(self) -> list[str]:
        return [self.name, self.email, self.organisation, self.contact_name, self.contact_email]


def new_applicant() -> Applicant:
    tag = uuid.uuid4().hex[:10]
    return Applicant(
        name=f"Ana Erasable {tag}", email=f"ana-{tag}@erasure.example",
        organisation=f"Erasable Cooperative {tag}", contact_name=f"Contact Person {tag}",
        contact_email=f"contact-{tag}@erasure.example",
    )  # fmt: skip


async def signed_up(gql: GraphQLClient, person: Applicant) -> str:
    signed = await gql(
        "mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }",
        {"i": {"email": person.email, "password": PASSWORD, "displayName": person.name}},
    )
    assert signed["signUp"]["__typename"] == "SignUpAccepted", signed
    confirm = "mutation($t: String!) { confirmEmail(token: $t) { __typename } }"
    await gql(confirm, {"t": await gql.confirmation_token(person.email)})
    return await gql.sign_in(person.email, PASSWORD)


async def applied(gql: GraphQLClient, call: str, person: Applicant, amount: float) -> None:
    person.token = await signed_up(gql, person)
    app = await start(gql, person.token, call)
    draft = {
        "organisation": {"name": person.organisation, "type": "ngo", "country": "NL",
                         "website": f"https://{person.email.split('@')[0]}.example"},
        "contact": {"name": person.contact_name, "email": person.contact_email},
        "requestedAmount": amount, "answers": {"title": f"Project of {person.name}"},
    }  # fmt: skip
    saved = (await gql(SAVE, {"id": app["id"], "input": draft}, person.token))["saveApplication"]
    assert saved["__typename"] == "Application", saved
    uploaded = await upload(gql, person.token, app["id"], "plan", f"{person.name}.pdf", PDF)
    assert uploaded["__typename"] == "Attachment", uploaded
    submitted = (await gql(SUBMIT, {"id": app["id"]}, person.token))["submitApplication"]
    assert submitted["__typename"] == "SubmissionReceipt", submitted
    person.application_id = app["id"]


async def decided_call(
    gql: GraphQLClient, portal: Portal, tokens: Tokens, people: list[tuple[Applicant, float]],
    marks: list[dict[str, float]],
) -> str:  # fmt: skip
    """A call whose results are published: one evaluator per application scores `marks`."""
    call = await publish_call(gql, tokens, budget=100_000, maxGrant=60_000,
                              evaluatorsPerApplication=1)  # fmt: skip
    for person, amount in people:
        await applied(gql, call, person, amount)
    evaluator, evaluator_token = await invite(gql, tokens.admin, expertise=["textiles"])
    await pick_pool(gql, tokens.admin, call, [evaluator])
    with portal.clock.shifted(timedelta(days=2)):

        async def eligibility_known() -> bool:
            found = (await gql(RANKING, {"c": call}, tokens.admin))["ranking"]
            return found["__typename"] == "Ranking" and found["total"] == len(people)

        await eventually(eligibility_known)

        await assigned_once_closed(gql, call, tokens.admin)
    by_application = {p.application_id: m for (p, _), m in zip(people, marks, strict=True)}
    for work in (await gql(MINE, token=evaluator_token))["myAssignments"]:
        await evaluate(gql, evaluator_token, work["id"], by_application[work["applicationId"]])
    published = (await gql(PUBLISH, {"c": call}, tokens.admin))["publishResults"]
    assert published["__typename"] == "Ranking", published
    outcome = "query($id: ID!) { application(id: $id) { outcome { decision } } }"
    for person, _ in people:

        async def outcome_known(who: Applicant = person) -> Any:
            found = await gql(outcome, {"id": who.application_id}, who.token)
            return found["application"]["outcome"]

        await eventually(outcome_known)
    return call


STRONG, WEAK = scores(4.5, 4.5, 4.5), scores(3.5, 3.5, 3.5)


async def ranking_of(gql: GraphQLClient, call: str, admin: str) -> list[dict[str, Any]]:
    entries = (await gql(RANKING, {"c": call}, admin))["ranking"]["entries"]
    keys = ("applicationId", "rank", "decision", "weightedTotal", "scores", "thresholdsFailed")
    return [{key: entry[key] for key in keys} for entry in entries]


def engine_of(app: Any) -> AsyncEngine:
    engine: AsyncEngine = app.app.state.runtime.engine
    return engine


async def gateway_engine(postgres: Postgres, account_id: str) -> AsyncEngine:
    """The test portal's gateway database: the one holding this account."""
    catalogue = create_async_engine(postgres.url("postgres"))
    async with catalogue.connect() as connection:
        names = (
            await connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE 'gateway%'")
            )
        ).scalars()
        candidates = list(names)
    await catalogue.dispose()
    for name in candidates:
        engine = create_async_engine(postgres.url(name))
        async with engine.connect() as connection:
            held = await connection.scalar(
                text("SELECT count(*) FROM account WHERE id::text = :id"), {"id": account_id}
            )
        if held:
            return engine
        await engine.dispose()
    raise AssertionError("no gateway database holds the account")


async def tables_holding(engine: AsyncEngine, needles: list[str]) -> dict[str, list[str]]:
    """Each table (outbox bodies read as the JSON they are) with the needles found in it."""
    found: dict[str, list[str]] = {}
    async with engine.connect() as connection:
        tables = (
            await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
        ).scalars()
        for table in list(tables):
            row_text = (
                "convert_from(r.body, 'UTF8')" if table == "outbox" else "r::text"
            )  # bytea shows as hex in r::text
            for needle in needles:
                count = await connection.scalar(
                    text(f'SELECT count(*) FROM "{table}" AS r WHERE {row_text} ILIKE :p'),
                    {"p": f"%{needle}%"},
                )
                if count:
                    found.setdefault(table, []).append(needle)
    return found


def answer_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
