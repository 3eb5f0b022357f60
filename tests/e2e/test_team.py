"""The team's pages in a real browser: who may open them, publishing only when confirmed,
assignment shortfalls with their reasons, the applications list and the read-only view, the
evaluator pool and the assignment matrix, the disagreement queue."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Dialog, Page, expect

from tests.e2e.test_journey import open_page, sign_in
from tests.fixtures.apps import GraphQLClient, Portal, Tokens, demo_tokens
from tests.fixtures.waiting import eventually
from tests.integration import test_review_graphql as review
from tests.integration.test_intake_graphql import SAVE, SUBMIT, apply_to, publish_call
from tests.integration.test_registry_graphql import call_input
from tests.integration.test_review_graphql import (
    INVITE,
    assigned_once_closed,
    invite,
    pick_pool,
)

pytestmark = pytest.mark.e2e

PASSWORD = "circular-demo-2027"
MATRIX = """query($c: ID!) { assignmentMatrix(callId: $c) { ... on AssignmentMatrix {
  evaluators { accountId name capacity load }
  applications { applicationId title shortfall assignments { assignmentId evaluatorId evaluatorName } } } } }"""
RANKED = "query($c: ID!) { ranking(callId: $c) { __typename ... on Ranking { total resultsPublished } } }"
RECEIPT = "query($id: ID!) { application(id: $id) { receipt { number } } }"
# A form with a long answer besides the title and the plan.
SUMMARY_QUESTION = {"key": "summary", "type": "LONG_TEXT", "maxWords": 200, "required": False,
                    "labels": [{"lang": "en", "text": "Summary of the solution"}]}  # fmt: skip


@pytest.fixture(scope="module")
async def api(web_portal: Portal) -> AsyncIterator[GraphQLClient]:
    client = GraphQLClient(web_portal.graphql_url, mailbox=web_portal.mailbox)
    yield client
    await client.http.aclose()


@pytest.fixture(scope="module")
async def staff(api: GraphQLClient) -> Tokens:
    return await demo_tokens(api)


async def team_page(browser: Browser, pages: list[Page], portal: Portal, route: str,
                    email: str = "admin@demo.portal", width: int = 1100) -> Page:  # fmt: skip
    page = await open_page(browser, pages, portal, width)
    await sign_in(page, email, PASSWORD)
    await page.goto(portal.gateway.url + "/" + route)
    return page


@contextmanager
def closed(portal: Portal) -> Iterator[None]:
    """Two days on: every call published by `publish_call` has closed."""
    with portal.clock.shifted(timedelta(days=2)):
        yield


async def ranked(api: GraphQLClient, admin: str, call: str, total: int) -> None:
    """Review has every application's eligibility verdict (the deadline has passed)."""

    async def known() -> bool:
        found = (await api(RANKED, {"c": call}, admin))["ranking"]
        return bool(found["__typename"] == "Ranking" and found["total"] == total)

    await eventually(known, within=30)


async def test_only_the_team_sees_the_team_pages(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    visitor = await open_page(browser, pages, web_portal)
    for route in ("#/team", "#/team/00000000-0000-4000-8000-000000000003/pool"):
        await visitor.goto(web_portal.gateway.url + "/" + route)
        main = visitor.locator("main")
        await expect(main).to_contain_text("This page is for the programme team and hub managers")
        await expect(main.get_by_role("link", name="Sign in")).to_be_visible()
        await expect(main.get_by_role("table")).to_have_count(0)
    applicant = await team_page(browser, pages, web_portal, "#/team", "applicant@demo.portal")
    await expect(applicant.locator("main")).to_contain_text(
        "This page is for the programme team and hub managers"
    )
    await expect(applicant.get_by_role("heading", name="Calls")).to_have_count(0)
    await expect(applicant.get_by_role("table")).to_have_count(0)
    # And the evaluators' page tells a hub manager whose it is, not "nothing assigned".
    manager = await team_page(browser, pages, web_portal, "#/evaluate", "hub.nl@demo.portal")
    await expect(manager.locator("main")).to_contain_text("This page is for evaluators")
    await expect(manager.locator("main")).not_to_contain_text("Nothing is assigned to you")


async def test_publishing_asks_first_and_a_dismissal_publishes_nothing(
    browser: Browser, pages: list[Page], web_portal: Portal, api: GraphQLClient, staff: Tokens
) -> None:
    call = await publish_call(api, staff)
    # Outside the NL call's coverage: ineligible, so it has its outcome without evaluation.
    await apply_to(api, call, {"name": "Far Co", "type": "ngo", "country": "DE"}, 1000)
    with closed(web_portal):
        await ranked(api, staff.admin, call, 1)
        page = await team_page(browser, pages, web_portal, f"#/team/{call}")
        questions: list[str] = []

        def answer(accept: bool) -> Any:
            async def handle(dialog: Dialog) -> None:
                questions.append(dialog.message)
                await (dialog.accept() if accept else dialog.dismiss())

            return handle

        status = page.locator("#team-status")
        page.once("dialog", answer(False))
        await page.get_by_role("button", name="Publish results").click()
        await expect(status).to_have_text("Publish results: cancelled, nothing changed.")
        assert questions and "cannot be undone" in questions[0]
        unpublished = (await api(RANKED, {"c": call}, staff.admin))["ranking"]
        assert unpublished["resultsPublished"] is False
        await expect(page.get_by_text("Results are published.")).to_have_count(0)

        page.once("dialog", answer(True))
        await page.get_by_role("button", name="Publish results").click()
        await expect(status).to_have_text(re.compile("^Results published"))
        assert (await api(RANKED, {"c": call}, staff.admin))["ranking"]["resultsPublished"]
        # Nothing left to do there (found probing: both buttons stayed, on reload too).
        for stays_away in (page, await team_page(browser, pages, web_portal, f"#/team/{call}")):
            await expect(stays_away.get_by_text("Results are published.")).to_have_count(1)
            for label in ("Publish results", "Assign evaluators"):
                await expect(stays_away.get_by_role("button", name=label)).to_have_count(0)


async def test_the_call_page_names_each_count_and_each_shortfall_with_its_reason(
    browser: Browser, pages: list[Page], web_portal: Portal, api: GraphQLClient, staff: Tokens
) -> None:
    call = await publish_call(api, staff)
    titles = ("Bike kitchen", "Seed library")
    for title in titles:
        await apply_to(api, call, {"name": title + " NGO", "type": "ngo", "country": "NL"}, 1000,
                       {"title": title})  # fmt: skip
    # Outside the NL call's coverage: submitted, never assigned, so not in evaluation.
    await apply_to(api, call, {"name": "Far Co", "type": "ngo", "country": "DE"}, 1000)
    lone, _ = await invite(api, staff.admin)
    await pick_pool(api, staff.admin, call, [lone])  # one evaluator where three are asked for
    # While the call is open nothing is in evaluation, and neither action is offered (a UI
    # audit found "Applications in evaluation: 1" and both buttons, each only refused).
    page = await team_page(browser, pages, web_portal, f"#/team/{call}")
    await expect(page.get_by_role("heading", name="Submitted applications: 3")).to_be_visible()
    await expect(page.locator("#submitted-applications")).to_contain_text("Netherlands")
    await expect(page.locator("#evaluation-progress")).to_have_count(0)
    for label in ("Publish results", "Assign evaluators"):
        await expect(page.get_by_role("button", name=label)).to_have_count(0)
    with closed(web_portal):
        await ranked(api, staff.admin, call, 3)
        page = await team_page(browser, pages, web_portal, f"#/team/{call}")
        await expect(page.get_by_role("heading", name="Submitted applications: 3")).to_be_visible()
        async with page.expect_response(
            lambda r: "assignEvaluators" in (r.request.post_data or "")
        ) as answered:
            await page.get_by_role("button", name="Assign evaluators").click()
        report = (await (await answered.value).json())["data"]["assignEvaluators"]
        status = page.locator("#team-status")
        await expect(status).to_contain_text("2 assignments; loads 2\u20132; 2 short")
        matrix = (await api(MATRIX, {"c": call}, staff.admin))["assignmentMatrix"]
        title_of = {a["applicationId"]: a["title"] for a in matrix["applications"]}
        assert set(title_of.values()) == set(titles)
        assert len(report["shortfalls"]) == 2, report
        # Each short application by its title, with the reason the API gave.
        for short in report["shortfalls"]:
            title = title_of[short["applicationId"]]
            item = status.get_by_role("listitem").filter(has_text=title)
            await expect(item).to_have_text(f"{title}: {short['reason']}")
        # Evaluation counts what is assigned; each count says what it counts.
        await expect(
            page.get_by_role("heading", name="Applications in evaluation: 2")
        ).to_be_visible()
        progress = page.locator("#evaluation-progress")
        await expect(progress).to_contain_text("0 of 2 applications in evaluation are complete")
        await expect(progress).to_contain_text("Not evaluated: 1 application (ineligible")
        await expect(page.locator("main")).not_to_contain_text(re.compile(r"\d{4}-\d\d-\d\dT"))


async def test_the_team_filters_and_searches_the_applications_and_reads_one(
    browser: Browser, pages: list[Page], web_portal: Portal, api: GraphQLClient, staff: Tokens
) -> None:
    form = call_input("unused")["form"]
    call = await publish_call(
        api, staff, form={"questions": [*form["questions"], SUMMARY_QUESTION]}
    )
    summary = "Repair cafés in every street of Antwerp, run by neighbours."
    belgian, belgian_token = await apply_to(
        api, call, {"name": "Fixers BE", "type": "ngo", "country": "BE"}, 10_000,
        {"title": "Antwerp repair streets", "summary": summary},
    )  # fmt: skip
    await apply_to(api, call, {"name": "Loop NL", "type": "ngo", "country": "NL"}, 10_000,
                   {"title": "Amsterdam bottle loop"})  # fmt: skip
    first = (await api(RECEIPT, {"id": belgian}, belgian_token))["application"]["receipt"]
    edit = {"answers": {"summary": summary + " Now with a tool library."}}
    assert (await api(SAVE, {"id": belgian, "input": edit}, belgian_token))["saveApplication"][
        "__typename"
    ] == "Application"
    assert (await api(SUBMIT, {"id": belgian}, belgian_token))["submitApplication"][
        "__typename"
    ] == "SubmissionReceipt"
    second = (await api(RECEIPT, {"id": belgian}, belgian_token))["application"]["receipt"]

    page = await team_page(browser, pages, web_portal, f"#/team/{call}")
    await page.get_by_role("link", name="Applications", exact=True).click()
    table = page.locator("#applications")
    await expect(table).to_contain_text("Amsterdam bottle loop")
    await page.get_by_label("Country").select_option("BE")
    await expect(page.locator("#application-count")).to_have_text("1 application matches.")
    await expect(table).to_contain_text("Antwerp repair streets")
    await expect(table).not_to_contain_text("Amsterdam bottle loop")
    # The filters live in the address: a reload keeps them.
    await page.reload()
    await expect(page.get_by_label("Country")).to_have_value("BE")
    await expect(page.locator("#application-count")).to_have_text("1 application matches.")
    await page.get_by_role("button", name="Clear filters").click()
    await expect(page.locator("#application-count")).to_have_text("2 applications match.")
    await page.get_by_label(re.compile("^Search")).fill("bottle")
    await page.get_by_role("button", name="Search", exact=True).click()
    await expect(page.locator("#application-count")).to_have_text("1 application matches.")
    await expect(table).to_contain_text("Amsterdam bottle loop")
    await expect(table).not_to_contain_text("Antwerp repair streets")

    # The read-only view: the last submitted answer under its label, both receipts.
    await page.get_by_role("button", name="Clear filters").click()
    await page.get_by_role("link", name="Antwerp repair streets").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Antwerp repair streets")
    answer = page.locator("dl.answers dt", has_text="Summary of the solution").locator(
        "xpath=following-sibling::dd[1]"
    )
    await expect(answer).to_have_text(summary + " Now with a tool library.")
    plan = page.locator("dl.answers dt", has_text="Plan").locator("xpath=following-sibling::dd[1]")
    await expect(plan.get_by_role("link", name="plan.pdf")).to_be_visible()
    versions = page.locator("#versions")
    await expect(versions).to_contain_text(first["number"])
    await expect(versions).to_contain_text(second["number"])
    await expect(page.locator("main")).to_contain_text("Fixers BE")
    await expect(page.locator("main")).not_to_contain_text(re.compile(r"\d{4}-\d\d-\d\dT"))


async def test_the_pool_and_the_assignment_matrix(
    browser: Browser, pages: list[Page], web_portal: Portal, api: GraphQLClient, staff: Tokens
) -> None:
    call = await publish_call(api, staff)
    for title in ("Bike kitchen", "Seed library"):
        await apply_to(api, call, {"name": title + " NGO", "type": "ngo", "country": "NL"}, 1000,
                       {"title": title})  # fmt: skip
    tag = uuid.uuid4().hex[:6]
    names = [f"Pool {tag} {n}" for n in ("Ana", "Ben", "Cleo")]
    for name in names:
        address = f"{name.replace(' ', '.').lower()}@evaluators.example"
        made = await api(INVITE, {"i": {"email": address, "displayName": name,
                                        "expertise": ["plastics"], "hubs": ["PT"]}}, staff.admin)  # fmt: skip
        assert made["inviteEvaluator"]["__typename"] == "EvaluatorInvitation", made

    page = await team_page(browser, pages, web_portal, f"#/team/{call}")
    await page.get_by_role("link", name="Pool & assignments").click()
    await expect(page.get_by_role("heading", name="This call's pool (0)")).to_be_visible()
    # The fourth is invited here; the page says where the invitation went (no password).
    await page.get_by_text("Invite an evaluator to the programme").click()
    invitation = page.get_by_role("form", name="Invite an evaluator")
    fourth = f"Pool {tag} Dara"
    await invitation.get_by_label("E-mail").fill(f"dara.{tag}@evaluators.example")
    await invitation.get_by_label("Name").fill(fourth)
    await invitation.get_by_label("Plastics").check()
    await invitation.get_by_label("South-West").check()
    await invitation.get_by_role("button", name="Invite").click()
    await expect(invitation.get_by_role("status")).to_have_text(
        f"Invitation sent to dara.{tag}@evaluators.example: {fourth} sets a password from the"
        " e-mail's link."
    )
    names.append(fourth)

    # Filtered by expertise and hub, then picked into the pool with a capacity of 2 each.
    await page.get_by_label("Expertise (value chain)").select_option("plastics")
    await page.get_by_label("Hub", exact=True).select_option("PT")
    found = page.locator("#programme-evaluators")
    await expect(found).not_to_have_attribute("aria-busy", "true")  # the newest filter's answer
    await expect(found.get_by_role("row")).to_have_count(5)  # a header and the four
    for name in names:
        picker = found.get_by_role("form", name=f"Add {name}")
        await picker.get_by_label(f"Capacity of {name} for this call").fill("2")
        await picker.get_by_role("button", name="Add to pool").click()
        await expect(page.locator("#pool-status")).to_have_text(
            f"{name} joined the pool with a capacity of 2."
        )
    await expect(page.get_by_role("heading", name="This call's pool (4)")).to_be_visible()

    with closed(web_portal):
        await ranked(api, staff.admin, call, 2)
        await page.reload()
        await page.get_by_role("button", name="Assign evaluators").click()
        await expect(page.locator("#pool-status")).to_have_text(
            re.compile("^6 assignments; loads 1\u20132; 0 short")
        )
        loads = page.locator("#loads")
        matrix = (await api(MATRIX, {"c": call}, staff.admin))["assignmentMatrix"]
        for evaluator in matrix["evaluators"]:
            await expect(loads.get_by_role("row", name=evaluator["name"])).to_contain_text(
                f"{evaluator['load']} / 2"
            )
        # A hand move to someone with room; then one to an evaluator already on it.
        light = next(e for e in matrix["evaluators"] if e["load"] == 1)
        application = next(
            a for a in matrix["applications"]
            if light["accountId"] not in {c["evaluatorId"] for c in a["assignments"]}
        )  # fmt: skip
        moving = application["assignments"][0]
        mover = page.get_by_role(
            "form", name=f"Move {moving['evaluatorName']}'s assignment of {application['title']}"
        )
        await mover.get_by_role("combobox").select_option(light["accountId"])
        await mover.get_by_role("button", name="Move").click()
        await expect(page.locator("#pool-status")).to_have_text(
            f"“{application['title']}” moved from {moving['evaluatorName']} to {light['name']}."
        )
        await expect(loads.get_by_role("row", name=light["name"])).to_contain_text("2 / 2")
        kept = next(c for c in application["assignments"] if c is not moving)
        refused = page.get_by_role(
            "form", name=f"Move {kept['evaluatorName']}'s assignment of {application['title']}"
        )
        # A choice the move would refuse says why, and cannot be picked.
        blocked = refused.get_by_role(
            "option", name=f"{light['name']} (2 / 2) — already assigned, full"
        )
        await expect(blocked).to_be_disabled()
        free = refused.locator("option:not([disabled])")
        await expect(free).not_to_have_count(0)
        await expect(free.first).not_to_contain_text("—")

    # At 375 px the matrix scrolls inside its box, not the page.
    small = await team_page(browser, pages, web_portal, f"#/team/{call}/pool", width=375)
    await expect(small.locator("#matrix")).to_contain_text("Bike kitchen")
    overflow = await small.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the pool page scrolls sideways by {overflow}px at 375px"


async def test_the_disagreement_queue_shows_each_evaluator_anonymised(
    browser: Browser, pages: list[Page], web_portal: Portal, api: GraphQLClient, staff: Tokens
) -> None:
    call = await publish_call(api, staff)
    application, _ = await apply_to(
        api, call, {"name": "Glass Works", "type": "ngo", "country": "NL"}, 1000,
        {"title": "Glass return scheme"},
    )  # fmt: skip
    team = dict([await invite(api, staff.admin, displayName=f"Reviewer {n}") for n in "XYZ"])
    await pick_pool(api, staff.admin, call, team)
    low = "The impact case rests on one pilot and is hard to scale."
    with closed(web_portal):
        await ranked(api, staff.admin, call, 1)
        report = await assigned_once_closed(api, call, staff.admin)
        assert report["assigned"] == 3, report
        for i, token in enumerate(team.values()):
            [mine] = (await api("{ myAssignments { id } }", token=token))["myAssignments"]
            impact = 1.5 if i == 2 else 4.5
            comments = {k: "Convincing, concrete and well planned." for k in
                        ("excellence", "impact", "implementation")}  # fmt: skip
            if i == 2:
                comments["impact"] = low
            given = {"excellence": 4, "impact": impact, "implementation": 4}
            saved = await api(review.SAVE, {"a": mine["id"], "s": given, "c": comments}, token)
            assert saved["saveEvaluation"]["__typename"] == "Evaluation", saved
            submitted = await api(review.SUBMIT, {"a": mine["id"]}, token)
            assert submitted["submitEvaluation"]["__typename"] == "Evaluation", submitted

        page = await team_page(browser, pages, web_portal, f"#/team/{call}", "hub.nl@demo.portal")
        queue = page.locator("#disagreements")
        entry = queue.get_by_role("article", name="Glass return scheme")
        scores = entry.get_by_role("table", name=re.compile("^Impact"))
        evaluators = scores.get_by_role("row", name=re.compile(r"^Evaluator \d"))
        await expect(evaluators).to_have_count(3)
        await expect(scores.get_by_role("row").filter(has_text=low)).to_contain_text(
            re.compile(r"^Evaluator [123]\s*1\.5")
        )
        await expect(queue).not_to_contain_text("Reviewer")  # never an evaluator's name
        await expect(page.get_by_role("button", name="Set")).to_have_count(0)
        await entry.get_by_role("link", name="Glass return scheme").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Glass return scheme")
        assert application in page.url

        # A submitted evaluation is not offered to move: the page says it stays.
        admin = await team_page(browser, pages, web_portal, f"#/team/{call}/pool")
        moves = admin.locator(".moves")
        await expect(moves).to_contain_text("Reviewer X: evaluation submitted, it stays.")
        await expect(moves.get_by_role("button", name="Move")).to_have_count(0)
