"""An applicant deletes their account and data from their account page: the page asks for the
password, says what goes and what is kept, and signs them out after."""

from __future__ import annotations

from playwright.async_api import Browser, Dialog, Page, expect

from tests.e2e.test_journey import open_page, sign_in
from tests.fixtures.apps import GraphQLClient, Portal
from tests.integration.erasure_helpers import PASSWORD, new_applicant, signed_up

pytestmark = __import__("pytest").mark.e2e


async def test_an_applicant_deletes_their_account_and_is_signed_out(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    person = new_applicant()
    client = GraphQLClient(web_portal.graphql_url, mailbox=web_portal.mailbox)
    await signed_up(client, person)
    await client.http.aclose()
    page = await open_page(browser, pages, web_portal)
    await sign_in(page, person.email, PASSWORD)
    await page.goto(web_portal.gateway.url + "/#/account")
    erase = page.get_by_role("region", name="Delete my account and data")
    await expect(erase).to_contain_text(
        "Your name, e-mail address, organisation, answers and files"
    )
    await expect(erase).to_contain_text("the scores, decisions and ranks of applications already")

    questions: list[str] = []

    async def confirm(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    page.on("dialog", confirm)
    await erase.get_by_label("Your password").fill("not-my-password")
    await erase.get_by_role("button", name="Delete my account and data").click()
    await expect(erase).to_contain_text("the password is wrong")
    await erase.get_by_label("Your password").fill(PASSWORD)
    await erase.get_by_role("button", name="Delete my account and data").click()
    await expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    await expect(page.locator("#who").get_by_role("link", name="Sign in")).to_be_visible()
    assert questions and "cannot be undone" in questions[0]
