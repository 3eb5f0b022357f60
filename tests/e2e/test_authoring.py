"""Call authoring in a real browser: the programme team builds a call with a question of every
type in two languages, meets the registry's field errors beside their fields, previews it in
French, saves, clones and publishes the clone; a visitor finds it and an applicant sees its
questions. Applicants cannot open the tool; the editor fits a small screen."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Dialog, Locator, Page, expect

from tests.e2e.test_journey import assert_fits, open_page, sign_in, sign_up
from tests.fixtures.apps import GraphQLClient, Portal
from tests.integration.test_registry_graphql import make_mission_and_challenge

pytestmark = __import__("pytest").mark.e2e

PASSWORD = "circular-demo-2027"
BRUSSELS = ZoneInfo("Europe/Brussels")
# (type as the builder names it, English label, French label)
QUESTIONS = [
    ("Short text", "Project title", "Titre du projet"),
    ("Long text", "Your idea", "Votre idée"),
    ("Number", "Team size", "Taille de l'équipe"),
    ("Single choice", "Stage", "Stade"),
    ("Multiple choice", "Materials", "Matériaux"),
    ("Declaration (yes/no)", "I accept the rules", "J'accepte les règles"),
    ("Country", "Where you work", "Où vous travaillez"),
    ("Requested amount", "Amount requested", "Montant demandé"),
    ("File", "Project plan", "Plan du projet"),
]


def local(moment: datetime) -> str:
    """What a datetime-local control holds for `moment` in Brussels."""
    return moment.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M")


def question(page: Page, number: int, kind: str) -> Locator:
    return page.get_by_role("group", name=f"Question {number} · {kind}", exact=True)


async def add_options(block: Locator, labels: list[str]) -> None:
    for i, text in enumerate(labels, start=1):
        await block.get_by_role("button", name="Add option").click()
        option = block.get_by_role("group", name=f"Option {i}", exact=True)
        await option.get_by_role("group", name="Option label *").get_by_label("English").fill(text)


async def test_admin_builds_clones_and_publishes_a_call(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    gql = GraphQLClient(web_portal.graphql_url)
    admin_token = await gql.sign_in("admin@demo.portal")
    await make_mission_and_challenge(gql, admin_token, "NL")
    await gql.http.aclose()
    title = f"Repair labs {uuid.uuid4().hex[:6]}"

    page = await open_page(browser, pages, web_portal)
    await sign_in(page, "admin@demo.portal", PASSWORD)
    await page.get_by_role("link", name="Manage calls").click()
    await expect(page.get_by_role("heading", level=1, name="Calls I manage")).to_be_visible()
    await page.get_by_role("link", name="New call").click()
    await expect(page.get_by_role("heading", level=1, name="New call")).to_be_visible()

    await page.get_by_label("Add a language").select_option("fr")
    await page.get_by_role("button", name="Add language").click()
    titles = page.get_by_role("group", name="Title *")
    await titles.get_by_label("English").fill(title)
    await titles.get_by_label("French").fill(f"Ateliers {title}")
    await page.get_by_label("Run by").select_option("NL")
    await page.get_by_role("checkbox", name="A challenge").check()
    now = datetime.now(BRUSSELS)
    opens, closes = now - timedelta(days=1), now + timedelta(days=30)
    await page.get_by_label("Opens *").fill(local(opens))
    await page.get_by_label("Closes *").fill(local(closes))
    # The instant is said back in the call's zone, named by its place.
    await expect(page.get_by_text("(call's time, Brussels)", exact=False).first).to_be_visible()
    await page.get_by_label("Budget *").fill("100000")
    await page.get_by_label("Maximum grant per project *").fill("200000")  # above the budget
    # France north is the NL hub's, shown by its part.
    await expect(page.get_by_role("checkbox", name="France (north)")).to_be_checked()

    for number, (kind, english, french) in enumerate(QUESTIONS, start=1):
        await page.get_by_label("New question's type").select_option(label=kind)
        await page.get_by_role("button", name="Add question").click()
        block = question(page, number, kind)
        labels = block.get_by_role("group", name="Label *", exact=True)
        await labels.get_by_label("English").fill(english)
        await labels.get_by_label("French").fill(french)
    await add_options(question(page, 5, "Multiple choice"), ["Wood", "Metal"])
    # The single choice is left without options: the registry refuses it.

    await page.get_by_role("button", name="Save draft").click()
    max_grant = page.get_by_label("Maximum grant per project *")
    await expect(max_grant).to_have_attribute("aria-invalid", "true")
    await expect(page.locator('[data-slot="maxGrant"] > .error')).to_have_text(
        "cannot exceed the budget"
    )
    options_error = question(page, 4, "Single choice").locator(
        '[data-slot="form.questions.3.options"] > .error'
    )
    await expect(options_error).to_contain_text("at least two options")
    summary = page.get_by_role("alert").filter(has_text="Not saved")
    await expect(summary.get_by_role("link", name="Maximum grant per project")).to_be_visible()

    # Fixed one at a time: the fixed field is cleared, the other still named.
    await max_grant.fill("20000")
    await page.get_by_role("button", name="Save draft").click()
    await expect(max_grant).not_to_have_attribute("aria-invalid", "true")
    await expect(options_error).to_contain_text("at least two options")

    # The preview is the applicant's form, in the language chosen.
    preview = page.get_by_role("region", name="Preview")
    await expect(preview.get_by_text("Project title", exact=True)).to_be_visible()
    await preview.get_by_label("Preview language").select_option("fr")
    await expect(preview.get_by_text("Titre du projet", exact=True)).to_be_visible()
    await expect(preview.get_by_text("Plan du projet", exact=True)).to_be_visible()

    await add_options(question(page, 4, "Single choice"), ["Idea", "Prototype"])
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("heading", level=1, name=f"Edit call: {title}")).to_be_visible()
    await expect(page.get_by_text("Saved as a draft.")).to_be_visible()
    # Stored and read back: nine questions, the French title, the time said back.
    await expect(page.get_by_role("group", name="Question 9 · File", exact=True)).to_be_visible()
    await expect(page.get_by_role("group", name="Title *").get_by_label("French")).to_have_value(
        f"Ateliers {title}"
    )
    await expect(page.get_by_label("Closes *")).to_have_value(local(closes))

    await page.get_by_role("button", name="Clone as a new call").click()
    copy = f"Copy of {title}"
    await expect(page.get_by_role("heading", level=1, name=f"Edit call: {copy}")).to_be_visible()
    # The notice names the call copied, not the copy.
    await expect(page.get_by_text(f"This draft is a copy of “{title}”:")).to_be_visible()
    # Its dates are the original's: one already gone says what that means.
    past = re.compile("already past")
    await expect(page.get_by_label("Opens *")).to_have_accessible_description(
        re.compile("already past: the call opens as soon as it is published")
    )
    await expect(page.get_by_label("Closes *")).not_to_have_accessible_description(past)
    await page.get_by_role("button", name="Publish…").click()
    dialog = page.get_by_role("dialog", name="Publish this call?")
    await expect(dialog).to_contain_text("freezes it")
    await dialog.get_by_role("button", name="Publish now").click()
    await expect(page.get_by_role("heading", level=1, name=f"Call: {copy}")).to_be_visible()
    await expect(page.get_by_text("Published: the call is visible")).to_be_visible()
    await page.get_by_role("link", name="Back to my calls").click()
    rows = page.get_by_role("row")
    await expect(rows.filter(has_text=copy)).to_contain_text("open")
    await expect(rows.filter(has_text=title).filter(has_not_text=copy)).to_contain_text("draft")

    visitor = await open_page(browser, pages, web_portal)
    await expect(visitor.get_by_role("link", name=copy)).to_be_visible()
    await visitor.get_by_role("link", name=copy).click()
    await expect(visitor.get_by_role("heading", level=1, name=copy)).to_be_visible()
    await sign_up(visitor, "Keen Applicant", web_portal.mailbox)
    await visitor.get_by_role("link", name=copy).click()
    await visitor.get_by_role("link", name="Apply").click()
    await expect(visitor.get_by_role("heading", level=1, name=f"Apply: {copy}")).to_be_visible()
    for _, english, _ in QUESTIONS:
        await expect(visitor.locator("main").get_by_text(english, exact=True)).to_be_visible()


async def test_applicants_and_visitors_are_kept_out_of_the_tool(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    visitor = await open_page(browser, pages, web_portal)
    await expect(visitor.get_by_role("link", name="Manage calls")).to_be_hidden()
    await visitor.goto(visitor.url.split("#")[0] + "#/manage/new")
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("Sign in to manage calls")
    await sign_in(visitor, "applicant@demo.portal", PASSWORD)
    await visitor.goto(visitor.url.split("#")[0] + "#/manage")
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("Not allowed")
    await expect(visitor.get_by_role("button", name="Save draft")).to_have_count(0)


async def test_the_editor_fits_375_pixels(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal, width=375)
    await sign_in(page, "hub.nl@demo.portal", PASSWORD)
    await assert_fits(page, "#/manage/new", "New call")
    # With questions in it too: a file question has the widest settings.
    await page.get_by_label("New question's type").select_option(label="File")
    await page.get_by_role("button", name="Add question").click()
    await expect(page.get_by_role("group", name="Question 1 · File", exact=True)).to_be_visible()
    overflow = await page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the editor scrolls sideways by {overflow}px at 375px"


async def test_leaving_the_editor_with_unsaved_changes_asks_first(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal)
    await sign_in(page, "hub.nl@demo.portal", PASSWORD)
    asked: list[str] = []
    answers = iter([False, True])
    answered = asyncio.Event()

    async def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if next(answers) else dialog.dismiss())
        answered.set()

    page.on("dialog", answer)
    await page.goto(page.url.split("#")[0] + "#/manage/new")
    await expect(page.get_by_role("heading", level=1, name="New call")).to_be_visible()
    # Nothing typed yet: the visitor leaves without a question.
    await page.get_by_role("link", name="Back to my calls").click()
    await expect(page.get_by_role("heading", level=1, name="Calls I manage")).to_be_visible()
    assert asked == []

    await page.get_by_role("link", name="New call").click()
    title = page.get_by_role("group", name="Title *").get_by_label("English")
    await title.fill("Half-written call")
    await page.get_by_role("link", name="Back to my calls").click()
    # Staying keeps the page and what was typed.
    await asyncio.wait_for(answered.wait(), 10)
    assert asked[0] == "This call has changes that are not saved. Leave without saving them?"
    await expect(page.get_by_role("heading", level=1, name="New call")).to_be_visible()
    await expect(title).to_have_value("Half-written call")
    assert page.url.endswith("#/manage/new")
    # Leaving anyway goes where the link leads.
    await page.get_by_role("link", name="Back to my calls").click()
    await expect(page.get_by_role("heading", level=1, name="Calls I manage")).to_be_visible()
    assert len(asked) == 2


async def test_the_summary_names_a_translated_field_by_its_legend(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal)
    await sign_in(page, "hub.nl@demo.portal", PASSWORD)
    await page.goto(page.url.split("#")[0] + "#/manage/new")
    await page.get_by_role("button", name="Save draft").click()
    summary = page.get_by_role("alert").filter(has_text="Not saved yet")
    # Not "English: needs an English title", as a UI audit read it.
    await expect(summary.get_by_role("listitem").first).to_have_text(
        "Title (English): needs an English title"
    )
    await summary.get_by_role("link", name="Title (English)").click()
    title = page.get_by_role("group", name="Title *").get_by_label("English")
    await expect(title).to_be_focused()
    # Fixed, it leaves the list and the field as it is typed, before Save is pressed again.
    await title.fill("Repair cafés for every town")
    await expect(summary).not_to_contain_text("needs an English title")
    await expect(summary).to_contain_text("Closes")  # what is still to fix stays listed
    await expect(page.get_by_role("group", name="Title *")).not_to_contain_text(
        "needs an English title"
    )
    await expect(title).to_be_focused()  # the list's refresh leaves the typing where it is
