"""Missions and challenges in a real browser: a hub manager writes a mission (refused first
without a value chain) and a challenge under it and edits it; the team sees a hub leave the
list of hubs without a mission; a visitor reads them all without any editing control."""

from __future__ import annotations

import uuid

from playwright.async_api import Browser, Page, expect

from tests.e2e.test_journey import open_page, sign_in
from tests.fixtures.apps import Portal

pytestmark = __import__("pytest").mark.e2e

PASSWORD = "circular-demo-2027"


async def test_hub_manager_writes_a_mission_and_a_challenge(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    mission = f"Textiles back in the loop {uuid.uuid4().hex[:6]}"
    page = await open_page(browser, pages, web_portal)
    await sign_in(page, "hub.nl@demo.portal", PASSWORD)
    await page.get_by_role("link", name="Missions").click()
    await expect(
        page.get_by_role("heading", level=1, name="Missions and challenges")
    ).to_be_visible()
    await page.get_by_text("Write a new mission", exact=True).click()
    form = page.get_by_role("group", name="New mission", exact=True)
    await form.get_by_label("Title *").fill(mission)
    await form.get_by_label("Description").fill("Collect, sort and remake used clothes.")
    await form.get_by_role("checkbox", name="Repair").check()
    await form.get_by_role("button", name="Create mission").click()
    # No value chain: the registry's error stands beside the value chains.
    chains = form.get_by_role("group", name="Value chains *")
    await expect(chains.locator(":scope > .error")).to_have_text("choose at least one")
    await expect(chains.get_by_role("checkbox", name="Textiles")).to_have_attribute(
        "aria-invalid", "true"
    )
    await chains.get_by_role("checkbox", name="Textiles").check()
    await form.get_by_role("button", name="Create mission").click()
    await expect(page.get_by_role("status")).to_have_text(f"Saved “{mission}”.")

    card = page.locator("article").filter(has=page.get_by_role("heading", name=mission))
    await expect(card).to_contain_text("Value chains: Textiles")
    await expect(card).to_contain_text("Strategies: Repair targeted")
    await expect(card.get_by_role("heading", name="Challenges (0)")).to_be_visible()
    await card.get_by_text(f"New challenge under “{mission}”").click()
    await card.get_by_label("Title *").fill("Sorting hubs for used textiles")
    await card.get_by_role("checkbox", name="Recycle").check()
    await card.get_by_role("button", name="Create challenge").click()
    await expect(page.get_by_role("status")).to_have_text("Saved “Sorting hubs for used textiles”.")
    card = page.locator("article").filter(has=page.get_by_role("heading", name=mission))
    await expect(card.get_by_role("heading", name="Challenges (1)")).to_be_visible()
    await expect(card.locator("li")).to_contain_text("Sorting hubs for used textiles")

    # Edited in place: the new title is listed.
    await card.get_by_role("button", name="Edit challenge Sorting hubs for used textiles").click()
    edit = page.get_by_role("group", name="Edit challenge: Sorting hubs for used textiles")
    await edit.get_by_label("Title *").fill("Sorting hubs for used clothes")
    await edit.get_by_role("button", name="Save challenge").click()
    await expect(page.get_by_role("status")).to_have_text("Saved “Sorting hubs for used clothes”.")
    await expect(page.get_by_text("Sorting hubs for used clothes", exact=True)).to_be_visible()

    # Their own hub's mission is theirs to edit; the hub itself is not theirs to choose.
    await expect(page.get_by_role("button", name=f"Edit mission {mission}")).to_be_visible()
    await expect(page.get_by_role("combobox", name="Hub")).to_have_count(0)  # the hub is fixed

    visitor = await open_page(browser, pages, web_portal)
    await visitor.goto(visitor.url.split("#")[0] + "#/missions")
    await expect(visitor.get_by_role("heading", name=mission)).to_be_visible()
    await expect(visitor.get_by_text("Sorting hubs for used clothes", exact=True)).to_be_visible()
    await expect(visitor.get_by_role("button", name="Edit mission", exact=False)).to_have_count(0)
    await expect(visitor.get_by_text("Write a new mission", exact=True)).to_have_count(0)


async def test_team_sees_hubs_without_a_mission_shrink(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal)
    await sign_in(page, "admin@demo.portal", PASSWORD)
    await page.goto(page.url.split("#")[0] + "#/missions")
    without = page.get_by_role("region", name="Hubs still without a mission")
    await expect(without.get_by_text("East (TR)", exact=True)).to_be_visible()
    before = await without.get_by_role("listitem").count()
    await page.get_by_text("Write a new mission", exact=True).click()
    form = page.get_by_role("group", name="New mission", exact=True)
    await form.get_by_label("Hub").select_option("TR")
    await form.get_by_label("Title *").fill("Packaging that comes back")
    await form.get_by_role("checkbox", name="Packaging").check()
    await form.get_by_role("button", name="Create mission").click()
    await expect(page.get_by_role("status")).to_have_text("Saved “Packaging that comes back”.")
    await expect(without.get_by_text("East (TR)", exact=True)).to_have_count(0)
    await expect(without.get_by_role("listitem")).to_have_count(before - 1)
    east = page.get_by_role("region", name="East · Impact Hub Istanbul")
    await expect(east.get_by_role("heading", name="Packaging that comes back")).to_be_visible()
