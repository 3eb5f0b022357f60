"""The evaluator's console in a real browser: the application read under its questions' labels
(in either language), its amount, country, hub and files; a score error beside its criterion;
a conflict declared with the evaluator's own reason."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from playwright.async_api import Browser, Dialog, Page, expect

from tests.e2e.test_journey import accept_invitation, open_page
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import apply_to, publish_call
from tests.integration.test_review_graphql import ASSIGN, INVITE, pick_pool

pytestmark = __import__("pytest").mark.e2e
COMMENT = "Clear, concrete and well planned."
SUMMARY = "We mend kettles and bicycles with our neighbours every Saturday."
REASON = "I advised this applicant on the proposal last spring."


def texts(en: str, fr: str) -> list[dict[str, str]]:
    return [{"lang": "en", "text": en}, {"lang": "fr", "text": fr}]


FORM = {"questions": [
    {"key": "title", "type": "SHORT_TEXT", "maxLength": 100, "labels": texts("Project title", "Titre du projet")},
    {"key": "summary", "type": "LONG_TEXT", "maxWords": 200, "labels": texts("What will you do?", "Que ferez-vous ?")},
    {"key": "sector", "type": "SINGLE_CHOICE", "labels": texts("Main sector", "Secteur principal"),
     "options": [{"value": "repair", "labels": texts("Repair and reuse", "Réparation et réemploi")},
                 {"value": "textiles", "labels": texts("Textiles", "Textiles")}]},
    {"key": "honour", "type": "DECLARATION", "labels": texts("I declare this is true", "Je le déclare")},
    {"key": "plan", "type": "FILE", "allowedTypes": ["pdf"], "maxSizeBytes": 1000000, "maxCount": 1,
     "labels": texts("Work plan", "Plan de travail")},
]}  # fmt: skip
ANSWERS = {"title": "Repair Café Network", "summary": SUMMARY, "sector": "repair", "honour": True}
MATRIX = """query($c: ID!) { assignmentMatrix(callId: $c) { __typename ... on AssignmentMatrix {
  applications { conflicts { evaluatorName reason } } } } }"""


async def assigned_call(gql: GraphQLClient, portal: Portal, admin: str) -> tuple[str, list[Any]]:
    """A closed call with one application and two evaluators assigned to it."""
    call = await publish_call(gql, Tokens(admin, "", "", ""), form=FORM)
    organisation = {"name": "Repair Collective", "type": "ngo", "country": "NL"}
    await apply_to(gql, call, organisation, 12_500, ANSWERS)
    evaluators = []
    for i in range(2):
        email = f"console-{i}-{call[:8]}@evaluators.example"
        made = await gql(INVITE, {"i": {"email": email, "displayName": f"Evaluator {i}"}}, admin)
        evaluators.append((made["inviteEvaluator"]["evaluator"]["accountId"], email))
    await pick_pool(gql, admin, call, [account for account, _ in evaluators])
    with portal.clock.shifted(timedelta(days=2)):

        async def assigned() -> bool:
            report = (await gql(ASSIGN, {"c": call}, admin))["assignEvaluators"]
            return bool(report["__typename"] == "AssignmentReport" and report["applications"] == 1)

        await eventually(assigned)
    return call, evaluators


async def console(browser: Browser, pages: list[Page], portal: Portal, email: str) -> Page:
    """The invited evaluator sets a password from the e-mail and lands on the assignments."""
    page = await open_page(browser, pages, portal)
    await accept_invitation(page, portal.mailbox, email)
    await expect(page.get_by_role("heading", level=1, name="My assignments")).to_be_visible()
    return page


async def test_the_evaluator_reads_the_answers_scores_and_declares_a_conflict(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    gql = GraphQLClient(web_portal.graphql_url, mailbox=web_portal.mailbox)
    admin = await gql.sign_in("admin@demo.portal")
    call, [(_, first), (_, second)] = await assigned_call(gql, web_portal, admin)
    hub = (await gql('{ hub(code: "NL") { name } }'))["hub"]["name"]

    page = await console(browser, pages, web_portal, first)
    group = page.get_by_role("region", name="Repair cafés for the North-West")
    await expect(group).to_contain_text("No due date")
    await expect(group).to_contain_text("0 of 1 submitted")
    await group.get_by_role("link", name="Repair Café Network").click()
    await expect(page.get_by_role("heading", level=1, name="Repair Café Network")).to_be_visible()

    application = page.get_by_role("region", name="Application")
    answers = application.locator("dl.answers")
    for label, answer in (
        ("Project title", "Repair Café Network"),
        ("What will you do?", SUMMARY),
        ("Main sector", "Repair and reuse"),
        ("I declare this is true", "Accepted"),
        ("Work plan", "plan.pdf"),
    ):
        term = answers.locator("dt", has_text=label)
        await expect(term).to_have_count(1)
        await expect(answers.locator(f"dt:has-text({label!r}) + dd")).to_contain_text(answer)
    await expect(application.get_by_role("link", name="plan.pdf")).to_have_attribute(
        "href", re.compile("^http")
    )
    facts = application.locator("dl.facts")
    await expect(facts).to_contain_text("€12,500")
    await expect(facts).to_contain_text("Netherlands")
    await expect(facts).to_contain_text(hub)
    text = await page.locator("main").inner_text()
    assert "[object" not in text and "honour" not in text, text

    # The language of the questions is the evaluator's choice too.
    languages = page.get_by_label("Language of the questions").locator("option")
    await expect(languages).to_have_text(["English", "Français"])  # as each language writes itself
    await page.get_by_label("Language of the questions").select_option("fr")
    await expect(answers).to_contain_text("Que ferez-vous ?")
    await expect(answers).to_contain_text("Réparation et réemploi")
    await expect(answers).to_contain_text(SUMMARY)  # the answer itself as written

    # A comment too short: said beside that criterion, and gone once fixed.
    for criterion in ("excellence", "impact", "implementation"):
        await page.locator(f'[data-field="scores.{criterion}"] select').select_option("4")
        comment = "Too short." if criterion == "impact" else COMMENT
        await page.locator(f'[data-field="comments.{criterion}"] textarea').fill(comment)
    # What submitting would refuse is said before the evaluator is asked to lock it.
    asked: list[str] = []

    async def refuse(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", refuse)
    await page.get_by_role("button", name="Submit evaluation").click()
    impact = page.locator('[data-field="comments.impact"]')
    await expect(impact.get_by_role("alert")).to_have_text("write at least 20 characters")
    await expect(impact.locator("textarea")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator('[data-field="comments.excellence"] [role=alert]')).to_be_hidden()
    await expect(page.get_by_role("alert").filter(has_text="Please fix 1 problem")).to_contain_text(
        "Impact, comment: write at least 20 characters"
    )
    page.remove_listener("dialog", refuse)
    assert asked == []
    await impact.locator("textarea").fill(COMMENT)
    # Submitting locks it: the evaluator is asked first, and may think again.
    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.dismiss()))
    await page.get_by_role("button", name="Submit evaluation").click()
    await expect(page.get_by_text("Saved; not submitted.")).to_be_visible()
    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await page.get_by_role("button", name="Submit evaluation").click()
    await expect(page.get_by_text("Submitted. The evaluation is now locked.")).to_be_visible()
    await expect(impact.get_by_role("alert")).to_be_hidden()
    assert await impact.locator("textarea").get_attribute("aria-invalid") is None

    # The co-evaluator's comment, typed and not saved: leaving asks first (a UI audit lost
    # one without a word), staying keeps it; once saved, leaving asks nothing.
    other = await console(browser, pages, web_portal, second)
    await other.get_by_role("link", name="Repair Café Network").click()
    comment = other.locator('[data-field="comments.excellence"] textarea')
    await comment.fill(COMMENT)
    asked: list[str] = []
    answered = asyncio.Event()

    async def stay(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()
        answered.set()

    other.once("dialog", stay)
    assignments = other.get_by_role("navigation", name="Main").get_by_role("link", name="Evaluate")
    await assignments.click()
    await asyncio.wait_for(answered.wait(), 10)
    assert asked == ["Your scores or comments are not saved. Leave without saving them?"]
    await expect(other.get_by_role("heading", level=1, name="Repair Café Network")).to_be_visible()
    await expect(comment).to_have_value(COMMENT)
    await other.get_by_role("button", name="Save draft").click()
    await expect(other.get_by_text("Draft saved.")).to_be_visible()
    await assignments.click()  # a question now would be dismissed, and the page kept
    await expect(other.get_by_role("heading", level=1, name="My assignments")).to_be_visible()
    await other.get_by_role("link", name="Repair Café Network").click()
    await expect(comment).to_have_value(COMMENT)
    assert len(asked) == 1

    # The co-evaluator declares a conflict, in their own words (the comment typed since is
    # not asked about: the assignment is no longer theirs).
    await comment.fill(COMMENT + " More.")
    await other.get_by_role("button", name="Declare a conflict").click()
    dialog = other.get_by_role("form", name="Declare a conflict of interest")
    await dialog.get_by_role("button", name="Declare the conflict").click()
    await expect(dialog.get_by_role("alert")).to_have_text("Say why, in a few words.")
    await dialog.get_by_label("Why can you not evaluate this application?").fill(REASON)
    await dialog.get_by_role("button", name="Declare the conflict").click()
    await expect(other.get_by_text("Nothing is assigned to you.")).to_be_visible()
    # Told what it did (a UI audit found only an empty list, without a word).
    await expect(other.locator("#conflict-declared")).to_have_text(
        "Your conflict is recorded: 1 assignment is taken off your list."
    )
    matrix = (await gql(MATRIX, {"c": call}, admin))["assignmentMatrix"]
    recorded = {"evaluatorName": "Evaluator 1", "reason": f"declared a conflict: {REASON}"}
    assert recorded in matrix["applications"][0]["conflicts"]
    await gql.http.aclose()
