"""The audit log on a running portal: changes and staff reads leave entries with who, what,
how and from where, never a secret; history cannot be rewritten, and a change behind the
database's back is found by the chain check."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.audit import Facts, append, record
from gateway.audit.store import GroupCommit
from shared.db import new_engine, new_session_factory
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.integration.test_accounts import PASSWORD, signed_up
from tests.integration.test_intake_graphql import SAVE as SAVE_APPLICATION
from tests.integration.test_intake_graphql import SUBMIT, VALID_DRAFT, complete_application
from tests.integration.test_registry_graphql import CALL, call_input, make_mission_and_challenge
from tests.integration.test_review_graphql import MINE, SAVE, closed_call_with_assignments

LOG = """query($actor: ID, $target: String, $action: String) {
  auditLog(actorId: $actor, targetId: $target, action: $action, first: 200) { totalCount
    items { sequence at actorId actorName actorRole action targetType targetId outcome source } } }"""
CHAIN = "{ auditChain { intact entries firstBrokenSequence headHash } }"
ME = "{ me { id } }"


@pytest.fixture(scope="module")
async def engine(portal: Portal) -> AsyncIterator[AsyncEngine]:
    created = new_engine(portal.gateway.app.state.settings.database_url, pool_size=2)
    yield created
    await created.dispose()


@pytest.fixture(scope="module")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return new_session_factory(engine)


async def entries(gql: GraphQLClient, admin: str, **filters: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await gql(LOG, filters, admin))["auditLog"]["items"]
    return found


async def whole_table(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        found = await conn.scalar(text("SELECT string_agg(a::text, E'\\n') FROM audit_entry a"))
    return str(found)


async def account_of(gql: GraphQLClient, token: str) -> str:
    account: str = (await gql(ME, token=token))["me"]["id"]
    return account


async def test_an_application_s_life_is_recorded_and_no_secret_is(
    gql: GraphQLClient, tokens: Tokens, engine: AsyncEngine
) -> None:
    email, applicant = await signed_up(gql)
    account = await account_of(gql, applicant)
    draft = await complete_application(gql, applicant)
    submitted = await gql(SUBMIT, {"id": draft["id"]}, applicant)
    assert submitted["submitApplication"]["__typename"] == "SubmissionReceipt"
    found = await entries(gql, tokens.admin, target=draft["id"])
    actions = [(e["action"], e["outcome"]) for e in reversed(found)]
    assert actions == [("startApplication", "ok"), ("saveApplication", "ok"),
                       ("submitApplication", "ok")]  # fmt: skip
    submit = found[0]
    assert (submit["actorId"], submit["actorRole"], submit["actorName"]) == (
        account, "applicant", "Ana")  # fmt: skip
    assert (submit["targetType"], submit["source"]) == ("application", "127.0.0.1")
    # The upload came through the multipart route: its entry names the new attachment.
    [attachment] = draft_attachments = (await gql(
        "query($id: ID!) { application(id: $id) { attachments { id } } }", {"id": draft["id"]},
        applicant))["application"]["attachments"]  # fmt: skip
    assert draft_attachments
    [uploaded] = await entries(gql, tokens.admin, target=attachment["id"])
    assert (uploaded["action"], uploaded["actorId"]) == ("uploadAttachment", account)
    # Who signs in is the actor of their sign-in.
    [signed_in] = await entries(gql, tokens.admin, actor=account, action="signIn")
    assert (signed_in["actorRole"], signed_in["targetId"]) == ("applicant", account)
    # The applicant reading their own application is not an audit fact.
    assert not await entries(gql, tokens.admin, actor=account, action="application.read")
    # Another hub's manager asking for it is shown nothing, and the attempt is recorded.
    read = "query($id: ID!) { application(id: $id) { id } }"
    assert (await gql(read, {"id": draft["id"]}, tokens.hub_nl))["application"] is None
    hub_manager = await account_of(gql, tokens.hub_nl)
    [refused] = await entries(gql, tokens.admin, actor=hub_manager, target=draft["id"])
    assert (refused["action"], refused["outcome"]) == ("application.read", "NotFound")
    table = await whole_table(engine)
    for secret in (PASSWORD, email, "Camille", "Repair Collective", "Fix it together", "Ana"):
        assert secret not in table


async def test_staff_reads_of_applications_and_file_links_are_recorded(
    gql: GraphQLClient, tokens: Tokens
) -> None:
    _, applicant = await signed_up(gql)
    draft = await complete_application(gql, applicant)
    in_nl = {**VALID_DRAFT, "organisation": {**VALID_DRAFT["organisation"], "country": "NL",
                                             "countryPart": None},
             "answers": {**VALID_DRAFT["answers"], "country": "NL"}}  # fmt: skip
    await gql(SAVE_APPLICATION, {"id": draft["id"], "input": in_nl}, applicant)
    await gql(SUBMIT, {"id": draft["id"]}, applicant)
    admin = await account_of(gql, tokens.admin)
    read = """query($id: ID!) { application(id: $id) { id attachments { id downloadUrl } } }"""
    shown = (await gql(read, {"id": draft["id"]}, tokens.admin))["application"]
    [attachment] = shown["attachments"]
    [seen] = await entries(gql, tokens.admin, actor=admin, target=draft["id"])
    assert (seen["action"], seen["targetType"], seen["outcome"]) == (
        "application.read", "application", "ok")  # fmt: skip
    [link] = await entries(gql, tokens.admin, actor=admin, target=attachment["id"])
    assert (link["action"], link["actorRole"]) == ("attachment.link", "admin")
    # A hub manager's page of a programme-wide call: each application on it is a read.
    listed = """query($c: ID!) { callApplications(callId: $c, first: 3) {
      ... on ApplicationConnection { items { id } } } }"""
    page = await gql(listed, {"c": "00000000-0000-4000-8000-000000000003"}, tokens.hub_nl)
    items = page["callApplications"]["items"]
    assert items
    hub_manager = await account_of(gql, tokens.hub_nl)
    for item in items:
        reads = await entries(gql, tokens.admin, actor=hub_manager, target=item["id"])
        assert ("application.read", "hub_manager") in [(e["action"], e["actorRole"]) for e in reads]


async def test_a_call_change_and_an_account_change_are_recorded(
    gql: GraphQLClient, tokens: Tokens, engine: AsyncEngine
) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    made = (await gql(CALL, {"i": call_input(challenge)}, tokens.hub_nl))["createCall"]
    renamed = """mutation($id: ID!) { updateCall(id: $id, input: {title: "Renamed"}) {
      __typename } }"""
    refused = (await gql(renamed, {"id": made["id"]}, tokens.applicant))["updateCall"]
    assert refused["__typename"] in {"Forbidden", "NotFound"}
    found = await entries(gql, tokens.admin, target=made["id"])
    assert [(e["action"], e["actorRole"], e["outcome"]) for e in found] == [
        ("updateCall", "applicant", refused["__typename"]),
        ("createCall", "hub_manager", "ok"),
    ]
    _, token = await signed_up(gql)
    account = await account_of(gql, token)
    change = """mutation($c: String!, $n: String!) { changePassword(currentPassword: $c,
      newPassword: $n) { __typename } }"""
    new_password = "an-entirely-new-secret-42"
    changed = await gql(change, {"c": PASSWORD, "n": new_password}, token)
    assert changed["changePassword"]["__typename"] == "AuthPayload"
    [entry] = await entries(gql, tokens.admin, actor=account, action="changePassword")
    assert (entry["targetType"], entry["targetId"], entry["outcome"]) == (
        "account", account, "ok")  # fmt: skip
    assert new_password not in await whole_table(engine)


async def test_evaluations_and_what_evaluators_read_are_recorded(
    gql: GraphQLClient, portal: Portal, tokens: Tokens
) -> None:
    _call, [application], team = await closed_call_with_assignments(gql, portal, tokens, 1, 1)
    [evaluator] = team.values()
    [assignment] = (await gql(MINE, token=evaluator))["myAssignments"]
    one = "query($id: ID!) { assignment(id: $id) { application { applicationId } } }"
    await gql(one, {"id": assignment["id"]}, evaluator)
    saved = await gql(SAVE, {"a": assignment["id"], "s": {"impact": 4}, "c": None}, evaluator)
    assert saved["saveEvaluation"]["__typename"] == "Evaluation"
    account = await account_of(gql, evaluator)
    found = {(e["action"], e["targetType"], e["targetId"])
             for e in await entries(gql, tokens.admin, actor=account)}  # fmt: skip
    assert {
        ("evaluation.read", "assignment", assignment["id"]),
        ("application.read", "application", application),
        ("saveEvaluation", "assignment", assignment["id"]),
    } <= found


async def test_history_cannot_be_changed_or_removed(engine: AsyncEngine) -> None:
    for statement in (
        "UPDATE audit_entry SET outcome = 'ok'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
    ):
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError, match="append-only"):
                await conn.execute(text(statement))
            await conn.rollback()


async def test_a_change_behind_the_database_s_back_breaks_the_chain_there(
    gql: GraphQLClient, tokens: Tokens, engine: AsyncEngine
) -> None:
    before = (await gql(CHAIN, token=tokens.admin))["auditChain"]
    assert before["intact"] and before["firstBrokenSequence"] is None
    async with engine.connect() as conn:
        sequence, target = (await conn.execute(
            text("SELECT sequence, target_id FROM audit_entry ORDER BY sequence LIMIT 1 OFFSET 2")
        )).one()  # fmt: skip

    async def rewrite(value: str) -> None:
        async with engine.begin() as conn:  # as a superuser who switches the trigger off
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(
                text("UPDATE audit_entry SET target_id = :t WHERE sequence = :s"),
                {"t": value, "s": sequence},
            )

    await rewrite("someone-else")
    try:
        broken = (await gql(CHAIN, token=tokens.admin))["auditChain"]
    finally:
        await rewrite(target)  # the portal's other tests read this log
    assert (broken["intact"], broken["firstBrokenSequence"]) == (False, sequence)
    assert broken["entries"] >= before["entries"]
    assert (await gql(CHAIN, token=tokens.admin))["auditChain"]["intact"]


async def test_concurrent_appends_keep_one_chain(
    gql: GraphQLClient, tokens: Tokens, sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    await asyncio.gather(*(
        record(sessions, actor_id=None, actor_role="system", action="retention.run",
               target_type="call", target_id=f"concurrent-{i}")
        for i in range(30)
    ))  # fmt: skip
    check = (await gql(CHAIN, token=tokens.admin))["auditChain"]
    assert check["intact"], check
    async with sessions() as session:
        numbers = (await session.scalars(text("SELECT sequence FROM audit_entry ORDER BY 1"))).all()
        commits = await session.scalar(text(
            "SELECT count(DISTINCT at) FROM audit_entry WHERE target_id LIKE 'concurrent-%'"))  # fmt: skip
    assert list(numbers) == list(range(1, len(numbers) + 1))
    # Appends that arrive together are committed together (one instant per transaction).
    assert commits is not None and commits < 30


async def test_replicas_and_a_consumer_appending_at_once_keep_one_chain(
    portal: Portal, gql: GraphQLClient, tokens: Tokens,
) -> None:  # fmt: skip
    """Two gateways' writers (each sealing after the head it last wrote, so one's entries
    often take numbers the other just took) and a consumer appending in its transaction."""
    engine = new_engine(portal.gateway.app.state.settings.database_url, pool_size=4)
    replicas = [GroupCommit(new_session_factory(engine)) for _ in range(2)]
    sessions = new_session_factory(engine)

    def facts(i: int) -> list[Facts]:
        return [Facts(actor_id=None, actor_role="system", action="retention.run",
                      target_type="call", target_id=f"replica-{i}")]  # fmt: skip

    async def consumer(i: int) -> None:
        async with sessions() as session, session.begin():
            await append(session, facts(i))

    async def replica(i: int) -> None:
        await asyncio.sleep(0)  # not all in the first write: the replicas take turns
        await replicas[i % 2].append(facts(i))

    try:
        await asyncio.gather(*(replica(i) for i in range(40)),
                             *(consumer(i) for i in range(40, 46)))  # fmt: skip
        async with sessions() as session:
            numbers = (
                await session.scalars(text("SELECT sequence FROM audit_entry ORDER BY 1"))
            ).all()
            targets = (await session.scalars(text(
                "SELECT target_id FROM audit_entry WHERE target_id LIKE 'replica-%'"))).all()  # fmt: skip
    finally:
        await engine.dispose()
    assert sorted(targets) == sorted(f"replica-{i}" for i in range(46))
    assert list(numbers) == list(range(1, len(numbers) + 1))
    check = (await gql(CHAIN, token=tokens.admin))["auditChain"]
    assert check["intact"], check


async def test_a_writer_whose_head_is_not_in_the_table_appends_after_the_real_one(
    sessions: async_sessionmaker[AsyncSession], gql: GraphQLClient, tokens: Tokens,
) -> None:  # fmt: skip
    """A head the table does not have (it went back: a restore) is read again, not
    followed by a gap."""
    writer = GroupCommit(sessions)
    async with sessions() as session:
        last = await session.scalar(text("SELECT max(sequence) FROM audit_entry")) or 0
    writer.head = (last + 5, "f" * 64)
    [entry] = await writer.append([Facts(actor_id=None, actor_role="system",
                                         action="retention.run", target_type="call",
                                         target_id="after-a-restore")])  # fmt: skip
    assert entry.sequence == last + 1
    assert (await gql(CHAIN, token=tokens.admin))["auditChain"]["intact"]


async def test_the_log_is_the_team_s_alone(gql: GraphQLClient, tokens: Tokens) -> None:
    for token in (None, tokens.applicant, tokens.evaluator, tokens.hub_nl):
        for query in (LOG, CHAIN):
            body = (await gql.raw(query, {}, token)).json()
            codes = {e["extensions"]["code"] for e in body["errors"]}
            assert codes <= {"forbidden", "not_authenticated"} and codes, body
            assert body["data"] is None


async def test_the_csv_export(portal: Portal, gql: GraphQLClient, tokens: Tokens) -> None:
    admin = await account_of(gql, tokens.admin)
    async with httpx.AsyncClient(base_url=portal.gateway.url) as http:
        anonymous = await http.get("/audit.csv")
        applicant = await http.get(
            "/audit.csv", headers={"Authorization": f"Bearer {tokens.applicant}"}
        )
        bad = await http.get("/audit.csv", params={"since": "yesterday"},
                             headers={"Authorization": f"Bearer {tokens.admin}"})  # fmt: skip
        # Instants that do not exist in UTC: an empty 200 and a traceback in the log, once.
        unreal = [await http.get("/audit.csv", params={name: when},
                                 headers={"Authorization": f"Bearer {tokens.admin}"})
                  for name, when in (("until", "0001-01-01T00:00:00+14:00"),
                                     ("since", "9999-12-31T23:59:59-14:00"))]  # fmt: skip
        exported = await http.get("/audit.csv", params={"actorId": admin},
                                  headers={"Authorization": f"Bearer {tokens.admin}"})  # fmt: skip
    assert (anonymous.status_code, applicant.status_code) == (401, 403)
    assert bad.status_code == 422 and "since" in bad.text
    assert [(r.status_code, r.json()["code"]) for r in unreal] == [(422, "validation_failed")] * 2
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"  # once (found probing)
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:5] == ["sequence", "at", "actor_id", "actor_role", "action"]
    assert rows[1:] and all(row[2] == admin for row in rows[1:])
    # The export itself is an audit fact.
    [export] = await entries(gql, tokens.admin, actor=admin, action="auditLog.export")
    assert export["targetType"] == "audit_log"


async def test_a_failed_audit_write_is_logged_and_the_change_stands(
    gql: GraphQLClient, tokens: Tokens, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    _, challenge = await make_mission_and_challenge(gql, tokens.admin, "NL")
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE audit_entry RENAME TO audit_entry_away"))
    try:
        with caplog.at_level(logging.ERROR, logger="gateway.schema.audit.trail"):
            made = (await gql(CALL, {"i": call_input(challenge)}, tokens.admin))["createCall"]
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE audit_entry_away RENAME TO audit_entry"))
    assert made["__typename"] == "OpenCall"
    [logged] = [r for r in caplog.records if "audit entries not recorded" in r.getMessage()]
    assert f"createCall call {made['id']}" in logged.getMessage()
    assert "trace " in logged.getMessage()
