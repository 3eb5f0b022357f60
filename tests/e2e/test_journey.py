"""One journey across the whole portal, in a real browser: an applicant applies with two
files, the team assigns, three evaluators score (one declares a conflict), the team ranks
and publishes, the applicant reads the outcome."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.fixtures.apps import GraphQLClient, Portal
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import DEMO_CALL
from tests.integration.test_review_graphql import INVITE, retire_everyone

pytestmark = __import__("pytest").mark.e2e


async def open_page(browser: Browser, pages: list[Page], portal: Portal) -> Page:
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    pages.append(page)
    page.set_default_timeout(20_000)
    await page.goto(portal.gateway.url + "/")
    return page


async def sign_in(page: Page, email: str, password: str) -> None:
    await page.goto(page.url.split("#")[0] + "#/signin")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def pdf(path: Path, size: int) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + b"0" * size)
    return path


async def test_the_whole_journey(
    browser: Browser, pages: list[Page], web_portal: Portal, tmp_path: Path
) -> None:
    portal = web_portal
    gql = GraphQLClient(portal.graphql_url)
    admin_token = await gql.sign_in("admin@demo.portal")

    # The applicant signs up and fills the demo call's form.
    applicant = await open_page(browser, pages, portal)
    await applicant.goto(portal.gateway.url + "/#/signup")
    await applicant.get_by_label("Your name").fill("Camille Martin")
    email = f"camille-{uuid.uuid4().hex[:6]}@example.org"
    await applicant.get_by_label("E-mail").fill(email)
    await applicant.get_by_label("Password").fill("a-long-password")
    await applicant.get_by_role("button", name="Create account").click()
    await expect(applicant.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(
        applicant.get_by_role("link", name="Circular Futures Open Call 2027")
    ).to_be_visible()
    await applicant.get_by_role("link", name="Circular Futures Open Call 2027").click()
    await applicant.get_by_role("link", name="Apply").click()
    await expect(applicant.get_by_text("Your organisation")).to_be_visible()

    await applicant.get_by_label("Language of the questions").select_option("fr")
    await expect(applicant.get_by_label("Titre du projet *")).to_be_visible()
    await applicant.get_by_label("Language of the questions").select_option("en")
    await applicant.get_by_label("Organisation name").fill("Repair Collective")
    await applicant.get_by_label("Organisation type").select_option("ngo")
    await applicant.get_by_label("Country", exact=True).select_option("NL")
    await applicant.get_by_label("Contact person").fill("Camille Martin")
    await applicant.get_by_label("Contact e-mail").fill(email)
    await applicant.get_by_label("Project title *").fill("Fix it together")
    await applicant.get_by_label("Summary of your solution *").fill("Repair cafés in every street.")
    await applicant.get_by_label("Main value chain *").select_option("electronics_ict")
    await applicant.get_by_label("Repair").check()
    await applicant.get_by_label("Where will the project run? *").select_option("NL")
    await applicant.get_by_label("Requested amount (EUR) *").fill("40000")
    await applicant.get_by_label(re.compile("I declare that the information")).check()
    # A validation message beside the question, then fixed.
    await applicant.get_by_label("Team size *").fill("0")
    team_error = applicant.locator('[data-field="answers.team_size"] .error')
    await expect(team_error).to_have_text(re.compile("between 1 and 250"))
    await applicant.get_by_label("Team size *").fill("4")
    await expect(team_error).to_be_hidden()
    await expect(applicant.get_by_role("status").filter(has_text="Saved at")).to_be_visible()

    await applicant.get_by_label(re.compile("^Pitch deck")).set_input_files(
        str(pdf(tmp_path / "deck.pdf", 3_000_000))
    )
    await expect(applicant.locator("progress[aria-label='Uploading deck.pdf']")).to_have_attribute(
        "value", "1"
    )
    await applicant.get_by_label(re.compile("^Supporting documents")).set_input_files(
        str(pdf(tmp_path / "letter.pdf", 200_000))
    )
    await expect(
        applicant.locator("progress[aria-label='Uploading letter.pdf']")
    ).to_have_attribute("value", "1")
    await expect(applicant.get_by_text(re.compile(r"^deck\.pdf \("))).to_be_visible()
    await applicant.get_by_role("button", name="Submit application").click()
    await expect(applicant.get_by_role("heading", name="Application submitted")).to_be_visible()
    receipt = await applicant.locator("#receipt-number").inner_text()
    assert receipt.startswith("OC-")

    # The deadline passes; four evaluators are invited (and they are the whole pool).
    portal.clock.offset += timedelta(days=61)
    await retire_everyone(gql, admin_token)
    evaluators: list[tuple[str, str]] = []
    for i in range(4):
        address = f"evaluator-{i}-{uuid.uuid4().hex[:6]}@evaluators.example"
        made = await gql(
            INVITE, {"i": {"email": address, "displayName": f"Evaluator {i}"}}, admin_token
        )
        evaluators.append((address, made["inviteEvaluator"]["temporaryPassword"]))

    async def eligible() -> bool:
        ranking = await gql("query($c: ID!) { ranking(callId: $c) { ... on Ranking { total } } }",
                            {"c": DEMO_CALL}, admin_token)  # fmt: skip
        return bool(ranking["ranking"].get("total") == 1)

    await eventually(eligible, within=30)
    team = await open_page(browser, pages, portal)
    await sign_in(team, "admin@demo.portal", "circular-demo-2027")
    await team.goto(portal.gateway.url + f"/#/team/{DEMO_CALL}")
    await expect(team.locator("#live-count")).to_have_text("1")
    await team.get_by_role("button", name="Assign evaluators").click()
    await expect(team.get_by_text(re.compile("3 assignments"))).to_be_visible()

    # Three evaluators score; the first declares a conflict and the fourth takes over.
    consoles = []
    for address, password in evaluators:
        page = await open_page(browser, pages, portal)
        await sign_in(page, address, password)
        await page.goto(portal.gateway.url + "/#/evaluate")
        consoles.append(page)
    holders = []
    for page in consoles:
        await expect(page.get_by_role("heading", name="My assignments")).to_be_visible()
        if await page.get_by_role("link", name=re.compile("Circular Futures")).count():
            holders.append(page)
    assert len(holders) == 3
    conflicted = holders[0]
    await conflicted.get_by_role("link", name=re.compile("Circular Futures")).click()
    conflicted.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await conflicted.get_by_role("button", name="Declare a conflict").click()
    await expect(conflicted.get_by_text("Nothing is assigned to you.")).to_be_visible()
    newcomer = next(p for p in consoles if p not in holders)
    await newcomer.reload()
    await expect(newcomer.get_by_role("link", name=re.compile("Circular Futures"))).to_be_visible()

    for page in [*holders[1:], newcomer]:
        await page.get_by_role("link", name=re.compile("Circular Futures")).click()
        await expect(page.get_by_text("Requested: 40000 EUR", exact=False)).to_be_visible()
        for criterion in ("excellence", "impact", "implementation"):
            box = page.locator(f'[data-field="scores.{criterion}"]')
            await box.get_by_label("Score (0 to 5, half points)").select_option("4.5")
            await box.get_by_label("Comment (at least 20 characters)").fill(
                "Convincing, concrete and well planned."
            )
        await page.get_by_role("button", name="Submit evaluation").click()
        await expect(page.get_by_text("Submitted. The evaluation is now locked.")).to_be_visible()

    # The team sees the ranking and publishes.
    await team.reload()
    ranking = team.locator("#ranking")
    await expect(ranking).to_contain_text("Repair Collective")
    await expect(ranking).to_contain_text("selected")
    await team.get_by_role("button", name="Publish results").click()
    await expect(team.get_by_text("Results published")).to_be_visible()

    # The applicant reads the outcome.
    async def outcome_shown() -> Any:
        await applicant.goto(portal.gateway.url + "/#/mine")
        await applicant.wait_for_selector("h1")
        return await applicant.locator("[data-testid=decision]").count()

    await eventually(outcome_shown, within=30)
    await expect(applicant.locator("[data-testid=decision]")).to_have_text("selected")
    await gql.http.aclose()


async def test_usable_at_375_pixels_with_labelled_inputs(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    context = await browser.new_context(viewport={"width": 375, "height": 800})
    page = await context.new_page()
    pages.append(page)
    await page.goto(web_portal.gateway.url + "/#/signup")
    await expect(page.get_by_role("heading", name="Sign up to apply")).to_be_visible()
    await page.get_by_label("Your name").fill("Small Screen")
    await page.get_by_label("E-mail").fill(f"small-{uuid.uuid4().hex[:6]}@example.org")
    await page.get_by_label("Password").fill("a-long-password")
    await page.keyboard.press("Enter")  # the form works from the keyboard
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    for route in ("/#/", f"/#/apply/{DEMO_CALL}"):
        await page.goto(web_portal.gateway.url + route)
        await page.wait_for_selector("main h1")
        await page.wait_for_timeout(300)
        overflow = await page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{route} scrolls sideways by {overflow}px at 375px"
    unlabelled = await page.evaluate("""() => [...document.querySelectorAll('main input, main select, main textarea')]
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML)""")
    assert unlabelled == []
    await page.keyboard.press("Tab")
    focused = await page.evaluate(
        "getComputedStyle(document.activeElement, ':focus-visible').outlineStyle"
    )
    assert focused != "none"
