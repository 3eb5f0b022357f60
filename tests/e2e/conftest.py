"""A dedicated portal (own NATS, own databases, own clock) and Debian's Chromium."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from infra.embedded import free_port, start_nats
from tests.fixtures.apps import Portal, start_portal
from tests.fixtures.mail import Mailbox
from tests.fixtures.servers import Nats, Postgres

ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
async def web_portal(
    postgres: Postgres, mail_server: Mailbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Portal]:
    root = tmp_path_factory.mktemp("e2e")
    nats = Nats(free_port(), root / "jetstream")
    nats.process = start_nats(nats.store, nats.port)
    portal = await start_portal(postgres, nats, root / "objects", mailbox=mail_server)
    yield portal
    await portal.stop()
    nats.process.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()


class OpenedPages(list[Page]):
    """The pages a test opens, each watched for what the gateway's Content-Security-Policy
    refused (a script, style, image or connection of the pages' own that it blocks)."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    def append(self, page: Page) -> None:
        super().append(page)
        page.on("console", self.note_refusal)

    def note_refusal(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)


@pytest.fixture
async def pages(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[list[Page]]:
    """Pages the test opens; each one's screenshot is kept when the test fails, and none may
    have had anything refused by the pages' security policy."""
    opened = OpenedPages()
    yield opened
    assert opened.refused == [], opened.refused
    if request.node.stash.get(FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        for i, page in enumerate(opened):
            await page.screenshot(
                path=str(ARTIFACTS / f"{request.node.name}-{i}.png"), full_page=True
            )
    for page in opened:
        await page.context.close()
