"""The applicant's pages in a real browser: opening a form creates nothing, the submit summary
follows the fixes, messages name questions by their labels, instants are formatted, and an
application can be withdrawn."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.e2e.test_journey import open_page, pdf, sign_up
from tests.e2e.test_live import open_call
from tests.fixtures.apps import GraphQLClient, Portal
from tests.integration.test_intake_graphql import DEMO_CALL

pytestmark = __import__("pytest").mark.e2e
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
DECLARATION = "I declare that the information given is true and complete."


async def saved(page: Page) -> None:
    await expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()


async def no_raw_instant(page: Page) -> None:
    text = await page.locator("main").inner_text()
    assert not ISO_INSTANT.search(text), text


async def test_a_draft_begins_with_the_first_answer_and_can_be_withdrawn(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal)
    await sign_up(page, "Careful Applicant", web_portal.mailbox)
    base = web_portal.gateway.url + "/#"
    await page.goto(f"{base}/apply/{DEMO_CALL}")
    await expect(page.get_by_text("Your application begins with your first answer")).to_be_visible()
    closes = page.locator("main p").filter(has_text=re.compile("^Closes "))
    await expect(closes).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    await no_raw_instant(page)
    # Only looking: My applications stays empty.
    await page.goto(f"{base}/mine")
    await expect(page.get_by_text("You have not applied yet.")).to_be_visible()

    await page.goto(f"{base}/call/{DEMO_CALL}")
    await page.get_by_role("link", name="Apply", exact=True).click()
    await page.get_by_label("Project title *").fill("Repair Café Network")
    await saved(page)
    # The summary names the declaration as a sentence, without its full stop before the colon.
    await page.get_by_role("button", name="Submit application").click()
    summary = page.get_by_role("alert").filter(has_text="Please fix")
    await expect(summary).to_contain_text(f"{DECLARATION.removesuffix('.')}: must be accepted")
    # What would make it ineligible at the close is said on the form, before submitting
    # (a UI audit asked for more than the maximum grant and heard of it only afterwards).
    precheck = page.locator("#precheck")
    await expect(precheck).to_contain_text("Before you submit, check:")
    await expect(precheck).not_to_contain_text("maximum grant")
    await page.get_by_label("Requested amount (EUR)").fill("70000")
    await expect(precheck).to_contain_text(
        "the requested amount of €70,000 exceeds the maximum grant of €60,000"
    )
    await page.get_by_label("Requested amount (EUR)").fill("20000")
    await expect(precheck).not_to_contain_text("maximum grant")
    await page.goto(f"{base}/mine")
    card = page.locator("article").filter(has_text="Circular Futures Open Call 2027")
    await expect(card.get_by_test_id("status")).to_have_text("draft")
    # The pre-check names the declaration as the form words it, never by its key.
    await expect(card).to_contain_text(f"the declaration “{DECLARATION}” is not accepted")
    await expect(card).not_to_contain_text("declaration_of_honour")
    await expect(card).to_contain_text(re.compile(r"last saved \w"))
    await no_raw_instant(page)
    # Leaving right after an edit: the next page is read once the edit is saved (a UI audit
    # found My applications read before it, telling of a declaration already accepted).
    await page.goto(f"{base}/call/{DEMO_CALL}")
    await page.get_by_role("link", name="Continue your application").click()
    await page.get_by_label(DECLARATION).check()
    await page.get_by_role("link", name="My applications").click()
    await expect(card.get_by_test_id("status")).to_have_text("draft")
    await expect(card).not_to_contain_text(f"the declaration “{DECLARATION}” is not accepted")

    # Withdrawing asks first; dismissed, nothing happens.
    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.dismiss()))
    await card.get_by_role("button", name="Withdraw").click()
    await expect(card.get_by_test_id("status")).to_have_text("draft")
    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await card.get_by_role("button", name="Withdraw").click()
    await expect(card.get_by_test_id("status")).to_have_text("withdrawn")
    await expect(card.get_by_role("button", name="Withdraw")).to_have_count(0)
    await page.goto(f"{base}/apply/{DEMO_CALL}")
    await expect(page.get_by_text("Your application to this call is withdrawn.")).to_be_visible()
    # The call's page no longer offers to apply to a page that can only say so.
    await page.goto(f"{base}/call/{DEMO_CALL}")
    await expect(page.locator("main .notice")).to_have_text(
        "You have withdrawn your application to this call."
    )
    await expect(page.locator("main a.button")).to_have_count(0)


# What the browser does before closing or reloading the tab: a page that cancels the event
# makes it ask the visitor first.
CLOSING_ASKS = """() => { const closing = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(closing); return closing.defaultPrevented; }"""


async def test_closing_the_tab_with_an_edit_not_yet_saved_asks_first(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal)
    await sign_up(page, "Hasty Applicant", web_portal.mailbox)
    await page.goto(f"{web_portal.gateway.url}/#/apply/{DEMO_CALL}")
    title = page.get_by_label("Project title *")
    await title.fill("Repair Café Network")
    await saved(page)
    assert await page.evaluate(CLOSING_ASKS) is False  # everything is saved
    # The network gone, the edit cannot be saved: closing the tab would lose it.
    await page.context.set_offline(True)
    await title.fill("Repair Café Network North")
    await expect(page.get_by_role("status").filter(has_text="Not saved")).to_be_visible()
    assert await page.evaluate(CLOSING_ASKS) is True
    # Back online, the retry saves it and closing asks nothing.
    await page.context.set_offline(False)
    await saved(page)
    assert await page.evaluate(CLOSING_ASKS) is False
    await page.reload()
    await expect(title).to_have_value("Repair Café Network North")


async def test_the_submit_summary_follows_the_fixes_and_goes(
    browser: Browser, pages: list[Page], web_portal: Portal, tmp_path: Path
) -> None:
    gql = GraphQLClient(web_portal.graphql_url)
    call = await open_call(gql, await gql.sign_in("admin@demo.portal"))
    await gql.http.aclose()
    page = await open_page(browser, pages, web_portal)
    await sign_up(page, "Hasty Applicant", web_portal.mailbox)
    await page.goto(web_portal.gateway.url + f"/#/apply/{call}")
    await page.get_by_role("button", name="Submit application").click()
    summary = page.get_by_role("alert").filter(has_text="Please fix")
    await expect(summary).to_contain_text("Please fix 7 problems")
    await expect(summary).to_contain_text("Title: is required")
    # In the order of the page: the organisation's fields first, then the questions.
    lines = await summary.get_by_role("listitem").all_inner_texts()
    fields = [line.split(":")[0] for line in lines]
    assert (
        fields.index("Organisation name") < fields.index("Contact e-mail") < fields.index("Title")
    )
    await expect(summary).not_to_contain_text("answers.")

    await page.get_by_label("Title *").fill("Mending together")
    await saved(page)
    await expect(summary).to_contain_text("Please fix 6 problems")
    await expect(summary).not_to_contain_text("Title:")
    await expect(page.get_by_label("Title *")).not_to_have_attribute("aria-invalid", "true")

    # What a submission needs is marked "*", as the required questions are (the stylesheet
    # draws it after the label's words).
    organisation = page.get_by_role("group", name="Your organisation")
    marks = await organisation.locator("label").evaluate_all(
        "labels => labels.map((l) => [l.textContent, getComputedStyle(l, '::after').content])"
    )
    assert dict(marks) == {
        "Organisation name": '" *"', "Organisation type": '" *"', "Country": '" *"',
        "Northern or southern France?": '" *"', "Website": "none", "Contact person": '" *"',
        "Contact e-mail": '" *"',
    }  # fmt: skip
    for name in ("Organisation name", "Organisation type", "Country", "Contact e-mail"):
        await expect(page.get_by_label(name, exact=True)).to_have_attribute("aria-required", "true")
    await page.get_by_label("Organisation name").fill("Menders")
    await page.get_by_label("Organisation type").select_option("ngo")
    await page.get_by_label("Country", exact=True).select_option("NL")
    await page.get_by_label("Contact person").fill("Jo Mender")
    await page.get_by_label("Contact e-mail").fill("jo@menders.example")
    await saved(page)
    await expect(summary).to_contain_text("Please fix 1 problem ")
    await expect(summary).to_contain_text("Plan: attach a file")
    await page.get_by_label("Plan *").set_input_files(str(pdf(tmp_path / "plan.pdf", 2000)))
    await expect(page.get_by_role("listitem").filter(has_text="plan.pdf")).to_be_visible()
    await expect(summary).to_have_count(0)

    await page.get_by_role("button", name="Submit application").click()
    await expect(page.get_by_role("heading", name="Application submitted")).to_be_visible()
    await expect(page.locator("#submitted-at")).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    await no_raw_instant(page)

    # Resubmitted, each version keeps its own receipt: version 1's link shows version 1's.
    first = await page.locator("#receipt-number").inner_text()
    application = page.url.split("#/receipt/")[1].split("/")[0]
    await page.goto(web_portal.gateway.url + f"/#/apply/{call}")
    await page.get_by_label("Title *").fill("Mending together, again")
    await saved(page)
    await page.get_by_role("button", name="Submit again").click()
    await expect(page.locator("#receipt-number")).not_to_have_text(first)
    second = await page.locator("#receipt-number").inner_text()
    await page.goto(web_portal.gateway.url + f"/#/mine/{application}")
    await page.locator("#receipts").get_by_role("link", name=first).click()
    await expect(page.get_by_role("heading", name="Receipt of version 1")).to_be_visible()
    await expect(page.locator("#receipt-number")).to_have_text(first)
    await expect(page.get_by_role("status")).to_contain_text(f"receipt {second}), is the one")


async def test_an_outcome_is_explained_in_the_applicants_words(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    """What My applications writes under each decision, from the page's own code (a decision
    needs a whole evaluated call; test_acceptance reads the selected and reserve ones)."""
    page = await open_page(browser, pages, web_portal)
    reasons = await page.evaluate("""async () => {
      const { outcomeReason } = await import("/js/pages/mine.js");
      const rubric = { overallThreshold: 10, criteria: [] };
      const reason = (decision, scores, total, extra = {}) => outcomeReason(
        { outcome: { decision, rank: extra.rank ?? null, summary: "machine line" },
          call: extra.noRubric ? null : { rubric } }, scores, total);
      return [
        reason("not_selected", [["Excellence", 2.5, 3], ["Impact", 4, 3], ["Scope", 1, null]], 7.5),
        reason("not_selected", [["Excellence", 3.5, 3]], 9.5),
        reason("not_selected", [["Excellence", 4, 3]], 12),
        reason("ineligible", [], 0),
        reason("not_selected", [], 0),
        reason("not_selected", [["Excellence", 2, 3]], 2, { noRubric: true }),
        reason("selected", [], 0, { rank: 4 }),
      ];
    }""")
    assert reasons == [
        "Not selected: Excellence scored 2.5, below its threshold of 3; the total of 7.5 is"
        " below the overall threshold of 10.",
        "Not selected: the total of 9.5 is below the overall threshold of 10.",
        "machine line",
        "Not eligible for this call, so it was not evaluated.",
        "machine line",
        "machine line",
        "Selected for funding, at rank 4.",
    ]
