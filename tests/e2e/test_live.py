"""The team's live submission counter, in a real browser: it moves when someone submits, and
it recovers by itself when its socket drops."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.test_journey import open_page, sign_in
from tests.fixtures.apps import GraphQLClient, Portal
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import apply_to
from tests.integration.test_registry_graphql import (
    CALL,
    PUBLISH,
    call_input,
    make_mission_and_challenge,
)

pytestmark = __import__("pytest").mark.e2e
ORGANISATION = {"name": "Live Works", "type": "ngo", "country": "NL"}


async def open_call(gql: GraphQLClient, admin: str) -> str:
    """A call of its own (the other tests count the demo call's submissions), once intake
    knows it."""
    _, challenge = await make_mission_and_challenge(gql, admin, "NL")
    call: str = (await gql(CALL, {"i": call_input(challenge)}, admin))["createCall"]["id"]
    await gql(PUBLISH, {"id": call}, admin)
    stats = "query($c: ID!) { callStatistics(callId: $c) { __typename } }"

    async def intake_knows_it() -> bool:
        found = await gql(stats, {"c": call}, admin)
        return bool(found["callStatistics"]["__typename"] == "CallStatistics")

    await eventually(intake_knows_it)
    return call


async def test_the_counter_moves_without_reload_and_survives_a_dropped_socket(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    gql = GraphQLClient(web_portal.graphql_url, mailbox=web_portal.mailbox)
    admin = await gql.sign_in("admin@demo.portal")
    call = await open_call(gql, admin)
    await apply_to(gql, call, ORGANISATION, 1000)

    team = await open_page(browser, pages, web_portal)
    # Every socket the page opens passes through here, so the test can drop one.
    sockets: list[WebSocketRoute] = []

    def through(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    await team.route_web_socket(re.compile(r"/graphql$"), through)
    await sign_in(team, "admin@demo.portal", "circular-demo-2027")
    await team.goto(web_portal.gateway.url + f"/#/team/{call}")
    counter = team.locator("#live-count")
    await expect(counter).to_have_text("1")

    await apply_to(gql, call, ORGANISATION, 1000)
    await expect(counter).to_have_text("2", timeout=2000)
    # The counts below follow by themselves (found looking: "1" live above "…: 0").
    submitted = team.get_by_role("heading", name="Submitted applications: 2")
    await expect(submitted).to_be_visible(timeout=10_000)

    # The socket drops (a proxy, a gateway restart): the page reconnects by itself.
    await sockets[0].close(code=1001, reason="going away")

    async def reconnected() -> bool:
        return len(sockets) == 2

    await eventually(reconnected)
    await expect(counter).to_have_text("2")  # the current count, sent first on the new socket
    await apply_to(gql, call, ORGANISATION, 1000)
    await expect(counter).to_have_text("3", timeout=2000)
    await gql.http.aclose()
