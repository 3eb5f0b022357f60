"""An applicant downloads all their data from their account page: the page says what the zip
holds, and the browser saves it under the archive's name with the person's own data in it."""

from __future__ import annotations

import json
import re
import zipfile

from playwright.async_api import Browser, Page, expect

from tests.e2e.test_journey import open_page, sign_in
from tests.fixtures.apps import GraphQLClient, Portal
from tests.integration.erasure_helpers import PASSWORD, new_applicant, signed_up
from tests.integration.test_intake_graphql import start

pytestmark = __import__("pytest").mark.e2e


async def test_an_applicant_downloads_all_their_data(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    person = new_applicant()
    client = GraphQLClient(web_portal.graphql_url, mailbox=web_portal.mailbox)
    application = await start(client, await signed_up(client, person))
    await client.http.aclose()
    page = await open_page(browser, pages, web_portal)
    await sign_in(page, person.email, PASSWORD)
    await page.goto(web_portal.gateway.url + "/#/account")
    data = page.get_by_role("region", name="Your data")
    await expect(data).to_contain_text("your submission receipts, and every e-mail we sent you")

    async with page.expect_download() as downloading:
        await data.get_by_role("button", name="Download all my data").click()
    download = await downloading.value
    name = download.suggested_filename
    assert re.fullmatch(r"portal-data-\d{4}-\d{2}-\d{2}\.zip", name), name
    await expect(data.get_by_role("status")).to_have_text(
        re.compile(rf"Your data is ready: {re.escape(name)} \((\d+ B|\d+\.\d [km]B)\)\.")
    )
    with zipfile.ZipFile(await download.path()) as archive:
        names = archive.namelist()
        assert json.loads(archive.read("account.json"))["email"] == person.email
        [folder] = [n for n in names if n.endswith("/application.json")]
        assert json.loads(archive.read(folder))["id"] == application["id"]
