"""A portal of its own for the fuzzers (own NATS, own databases): what they create, change or
sign out must not reach the other tests' portal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from infra.embedded import free_port, start_nats
from tests.fixtures.apps import GraphQLClient, Portal, start_portal
from tests.fixtures.mail import Mailbox
from tests.fixtures.servers import Nats, Postgres


@pytest.fixture(scope="session")
async def fuzz_portal(
    postgres: Postgres, mail_server: Mailbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Portal]:
    root = tmp_path_factory.mktemp("fuzz")
    nats = Nats(free_port(), root / "jetstream")
    nats.process = start_nats(nats.store, nats.port, log_file=root / "nats.log")
    portal = await start_portal(postgres, nats, root / "objects", mailbox=mail_server)
    yield portal
    await portal.stop()
    nats.process.stop()


@dataclass
class Callers:
    """Who the fuzzers ask as: no token, the demo applicant, the demo admin."""

    client: GraphQLClient
    tokens: dict[str, str | None]

    async def refresh(self, role: str) -> None:
        """A new token for `role` (a fuzzed signOutEverywhere revokes the old one)."""
        if role != "anonymous":
            self.tokens[role] = await self.client.sign_in(f"{role}@demo.portal")


@pytest.fixture(scope="session")
async def callers(fuzz_portal: Portal) -> AsyncIterator[Callers]:
    client = GraphQLClient(fuzz_portal.graphql_url, mailbox=fuzz_portal.mailbox)
    found = Callers(client, {"anonymous": None})
    for role in ("applicant", "admin"):
        await found.refresh(role)
    yield found
    await client.http.aclose()
