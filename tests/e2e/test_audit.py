"""The audit log page in a real browser, on a phone's width: the team reads the entry of
something just done in words, narrows the log to one thing, and downloads it as CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.test_journey import open_page, sign_in
from tests.fixtures.apps import GraphQLClient, Portal, demo_tokens
from tests.integration.test_registry_graphql import MISSION

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def api(web_portal: Portal) -> AsyncIterator[GraphQLClient]:
    client = GraphQLClient(web_portal.graphql_url, mailbox=web_portal.mailbox)
    yield client
    await client.http.aclose()


async def test_the_team_reads_what_was_just_done(
    browser: Browser, pages: list[Page], web_portal: Portal, api: GraphQLClient, tmp_path: Path
) -> None:
    tokens = await demo_tokens(api)
    made = await api(MISSION, {"i": {"hub": "NL", "title": "Audited mission",
                                     "valueChains": ["textiles"]}}, tokens.hub_nl)  # fmt: skip
    mission = made["createMission"]["id"]
    page = await open_page(browser, pages, web_portal, width=375)
    await sign_in(page, "admin@demo.portal", "circular-demo-2027")
    await page.goto(web_portal.gateway.url + "/#/team")
    await page.get_by_role("link", name="Audit log").click()
    await expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    await expect(page.locator("#chain")).to_contain_text("History intact:")

    # Nothing found reads as such, and nothing else (an empty table once showed as "null").
    await page.get_by_label("Thing (id)").fill("nothing-was-done-to-this")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator("#audit")).to_have_text("No entry matches.")

    await page.get_by_label("Thing (id)").fill(mission)
    await page.get_by_role("button", name="Search").click()
    entry = page.locator("#audit-entries tbody tr")
    await expect(entry).to_have_count(1)
    await expect(entry).to_contain_text("Created a mission")
    await expect(entry).to_contain_text("Hub Manager Amsterdam (demo)")
    await expect(entry).to_contain_text("Hub manager")
    await expect(entry).to_contain_text("Done")
    await expect(entry).to_contain_text("127.0.0.1")
    # Readable on a phone: the page itself does not scroll sideways (the table may).
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375

    async with page.expect_download() as download:
        await page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "audit.csv"
    await (await download.value).save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("sequence,at,actor_id,actor_role,action")
    assert len(lines) == 2 and "createMission" in lines[1] and mission in lines[1]
