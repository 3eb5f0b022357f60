"""One journey across the whole portal, in a real browser: an applicant applies with two
files (one refused), the team assigns, three evaluators score (one declares a conflict, one
disagrees), the team settles the disagreement, ranks and publishes, the applicant reads the
outcome."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Locator, Page, Route, WebSocket, expect

from tests.fixtures.apps import GraphQLClient, Portal
from tests.fixtures.mail import Mailbox, links_in
from tests.fixtures.waiting import eventually
from tests.integration.test_intake_graphql import DEMO_CALL, SAVE, apply_to
from tests.integration.test_registry_graphql import (
    CALL,
    PUBLISH,
    call_input,
    make_mission_and_challenge,
)
from tests.integration.test_review_graphql import INVITE, pick_pool, retire_everyone

pytestmark = __import__("pytest").mark.e2e


async def open_page(browser: Browser, pages: list[Page], portal: Portal, width: int = 1100) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    pages.append(page)
    page.set_default_timeout(20_000)
    await page.goto(portal.gateway.url + "/")
    return page


async def sign_in(page: Page, email: str, password: str) -> None:
    await page.goto(page.url.split("#")[0] + "#/signin")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#who").get_by_role("button", name="Sign out")).to_be_visible()


async def sign_out(page: Page) -> None:
    await page.locator("#who").get_by_role("button", name="Sign out").click()
    await expect(page.locator("#who").get_by_role("link", name="Sign in")).to_be_visible()


async def open_link(page: Page, mailbox: Mailbox, to: str, subject: str, route: str) -> str:
    """Opens the `#/<route>/…` link of the mail to `to` whose subject has `subject`, as the
    recipient would (on this page's portal); returns the link."""
    [message] = await mailbox.wait_for(to, subject)
    link = next(link for link in links_in(message) if f"/#/{route}/" in link)
    await page.goto(page.url.split("#")[0] + "#" + link.split("#", 1)[1])
    return link


async def sign_up(page: Page, name: str, mailbox: Mailbox) -> str:
    """A new applicant, signed up from the keyboard, who confirms the address through the
    link in the e-mail; returns the address."""
    await page.goto(page.url.split("#")[0] + "#/signup")
    await expect(page.get_by_role("heading", name="Sign up to apply")).to_be_visible()
    await page.get_by_label("Your name").fill(name)
    email = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}@example.org"
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill("a-long-password")
    await page.keyboard.press("Enter")  # the form works from the keyboard
    await expect(
        page.get_by_text(f"Check your mailbox: we sent a link to {email}.")
    ).to_be_visible()
    await expect(page.locator("#who").get_by_role("button", name="Sign out")).to_be_visible()
    await open_link(page, mailbox, email, "Confirm", "confirm")
    await expect(page.get_by_text(f"Your e-mail address {email} is confirmed.")).to_be_visible()
    await page.get_by_role("link", name="See the open calls").click()  # the next step
    await expect(page.get_by_role("heading", level=1, name="Open calls")).to_be_visible()
    return email


INVITED = re.compile("^Welcome .+, you are invited as ")


async def accept_invitation(
    page: Page, mailbox: Mailbox, email: str, password: str = "an-evaluator-password",
    welcome: str | re.Pattern[str] = INVITED,
) -> None:  # fmt: skip
    """The invited person opens the e-mail's link and sets a password; signed in after."""
    await open_link(page, mailbox, email, "invited", "invitation")
    await expect(page.get_by_text(welcome)).to_be_visible()
    await page.get_by_label("New password", exact=True).fill(password)
    await page.get_by_label("Repeat the new password").fill(password)
    await page.get_by_role("button", name="Set my password").click()
    await expect(page.locator("#who").get_by_role("button", name="Sign out")).to_be_visible()
    # The page they land on says what just happened, once.
    await expect(page.locator("#flash")).to_have_text("Your password is set and you are signed in.")


def pdf(path: Path, size: int) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + b"0" * size)
    return path


def assigned_link(page: Page) -> Locator:
    """The evaluator's assignment in the demo call (listed under the call's title)."""
    return page.get_by_role("region", name=re.compile("Circular Futures")).get_by_role("link")


def luminance(css_colour: str) -> float:
    """The relative luminance (WCAG) of an `rgb(r, g, b)` colour."""
    channels = [int(v) / 255 for v in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


async def assert_fits(page: Page, route: str, heading: str) -> None:
    """The page at `route` needs no sideways scrolling."""
    await page.goto(page.url.split("#")[0] + route)
    await expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    overflow = await page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{route} scrolls sideways by {overflow}px at 375px"


async def test_usable_at_375_pixels_with_labelled_inputs(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    """Runs before the journey, which closes the demo call: the form must still be open."""
    page = await open_page(browser, pages, web_portal, width=375)
    await sign_up(page, "Small Screen", web_portal.mailbox)
    for route, heading in (
        ("#/", "Open calls"), ("#/account", "Your account"), (f"#/apply/{DEMO_CALL}", "Apply: "),
    ):  # fmt: skip
        await assert_fits(page, route, heading)
        unlabelled = await page.evaluate("""() => [...document.querySelectorAll('main input, main select, main textarea')]
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map((el) => el.outerHTML)""")
        assert unlabelled == [], route
    # Focus reached with the keyboard is drawn, in a colour that stands out on white.
    await page.keyboard.press("Tab")
    focus = await page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return { tag: document.activeElement.tagName, style: s.outlineStyle,
                 width: parseFloat(s.outlineWidth), colour: s.outlineColor }; }""")
    assert focus["tag"] not in ("BODY", "MAIN"), focus
    assert focus["style"] != "none" and focus["width"] > 0, focus
    assert 1.05 / (luminance(focus["colour"]) + 0.05) >= 3, focus

    # The receipt (a 64-character fingerprint) and the other roles' pages fit too. The
    # receipt is for a call of its own: the journey counts the demo call's submissions.
    gql = GraphQLClient(web_portal.graphql_url, mailbox=web_portal.mailbox)
    admin = await gql.sign_in("admin@demo.portal")
    _, challenge = await make_mission_and_challenge(gql, admin, "NL")
    created = await gql(CALL, {"i": call_input(challenge)}, admin)
    await gql(PUBLISH, {"id": created["createCall"]["id"]}, admin)
    organisation = {"name": "Small Screen Works", "type": "ngo", "country": "BE"}
    application, token = await apply_to(gql, created["createCall"]["id"], organisation, 10_000)
    me = (await gql("{ me { id email displayName role hub } }", token=token))["me"]
    await page.evaluate(
        """([token, me]) => { localStorage.setItem('portal.token', token);
                              localStorage.setItem('portal.account', JSON.stringify(me)); }""",
        [token, me],
    )
    await assert_fits(page, f"#/receipt/{application}", "Application submitted")
    # An edit after the receipt counts only once submitted again: the applicant is told.
    edit = {"organisation": {"name": "Small Screen Works (renamed)"}}
    saved = await gql(SAVE, {"id": application, "input": edit}, token)
    assert saved["saveApplication"]["__typename"] == "Application", saved
    await gql.http.aclose()
    await assert_fits(page, "#/mine", "My applications")
    await expect(page.get_by_text("You have changes that are not submitted yet")).to_be_visible()
    evaluator = await open_page(browser, pages, web_portal, width=375)
    await sign_in(evaluator, "evaluator@demo.portal", "circular-demo-2027")
    await assert_fits(evaluator, "#/evaluate", "My assignments")
    team = await open_page(browser, pages, web_portal, width=375)
    await sign_in(team, "admin@demo.portal", "circular-demo-2027")
    await assert_fits(team, "#/team", "Calls")
    await assert_fits(team, f"#/team/{DEMO_CALL}", "Circular Futures Open Call 2027")


async def test_skip_to_content_moves_the_focus_and_keeps_the_page(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal)
    await page.goto(web_portal.gateway.url + "/#/missions")
    heading = page.get_by_role("heading", name="Missions and challenges")
    await expect(heading).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    await expect(heading).to_be_visible()
    await expect(page.get_by_text("Not found")).to_have_count(0)
    assert page.url.endswith("#/missions")


async def test_a_link_cut_short_shows_not_found_without_an_error(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    """Found probing: a malformed escape in the hash threw and left the page before it."""
    page = await open_page(browser, pages, web_portal)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(web_portal.gateway.url + "/#/missions")
    await expect(page.get_by_role("heading", name="Missions and challenges")).to_be_visible()
    await page.goto(web_portal.gateway.url + "/#/team/%E0%A4%A")
    await expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert errors == []


async def test_submit_problems_link_to_the_questions_they_name(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    """Runs before the journey too: the demo call must be open."""
    page = await open_page(browser, pages, web_portal)
    await sign_up(page, "Quick Submitter", web_portal.mailbox)
    await page.goto(web_portal.gateway.url + f"/#/apply/{DEMO_CALL}")
    await expect(page).to_have_title(re.compile(r"^Apply: Circular Futures Open Call 2027 · "))
    title = page.get_by_label("Project title *")
    await expect(title).to_have_attribute("aria-required", "true")
    await page.get_by_role("button", name="Submit application").click()
    summary = page.get_by_role("alert").filter(has_text="Please fix")
    # Each problem by the question's label, never by its key.
    link = summary.get_by_role("link", name="Project title", exact=True)
    await expect(link).to_be_visible()
    await expect(summary).not_to_contain_text("answers.")
    await expect(summary).to_contain_text("Organisation name: is required")
    await link.click()
    await expect(title).to_be_focused()
    await expect(title).to_have_attribute("aria-invalid", "true")
    await expect(title).to_have_accessible_description(re.compile("is required$"))
    # Fixed and saved: the mark and the description go.
    await title.fill("A project")
    await expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    assert await title.get_attribute("aria-invalid") is None
    await expect(title).not_to_have_accessible_description(re.compile("required"))


async def test_an_expired_session_signs_the_header_out(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    page = await open_page(browser, pages, web_portal)
    await sign_in(page, "applicant@demo.portal", "circular-demo-2027")
    # A token the gateway no longer accepts (expired, or signed with a rotated key): a 401.
    await page.evaluate("localStorage.setItem('portal.token', 'expired')")
    await page.goto(web_portal.gateway.url + "/#/mine")
    # Said as what it is, with the way back (a UI audit read "Something went wrong").
    await expect(page.get_by_role("heading", level=1)).to_have_text("Signed out")
    await expect(page.locator("main")).to_contain_text("Your session has ended. Sign in again.")
    await page.locator("main").get_by_role("link", name="Sign in again").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    header = page.locator("#who")
    await expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    await expect(header.get_by_role("button", name="Sign out")).to_have_count(0)


async def test_a_call_page_counts_down(
    browser: Browser, pages: list[Page], web_portal: Portal
) -> None:
    """Runs before the journey, which closes the demo call: a closed call has no countdown."""
    gql = GraphQLClient(web_portal.graphql_url)
    call = await gql("query($id: ID!) { call(id: $id) { closesAt } }", {"id": DEMO_CALL})
    await gql.http.aclose()
    closes = datetime.fromisoformat(call["call"]["closesAt"])
    context = await browser.new_context()
    page = await context.new_page()
    pages.append(page)
    # The browser's clock stands still 25 hours before the deadline until the test moves it.
    await page.clock.install(time=closes - timedelta(hours=26))
    await page.clock.pause_at(closes - timedelta(hours=25))
    await page.goto(web_portal.gateway.url + f"/#/call/{DEMO_CALL}")
    # Who may apply is said before anyone does, in names (the demo call takes all of France,
    # both hubs' parts of it).
    countries = page.locator("#eligible-countries")
    await expect(countries).to_contain_text("Organisations based in: Netherlands, France, Belgium")
    await expect(countries).to_contain_text("Armenia, Georgia.")
    types = page.locator("#eligible-types")
    await expect(types).to_contain_text("Social enterprise")
    await expect(types).to_contain_text("Informal group or citizens' initiative")
    assert "social_enterprise" not in await types.inner_text()
    countdown = page.locator("main [data-countdown]")
    await expect(countdown).to_have_text("1 d 1 h left")
    # The browser is on UTC: the call's own time is named by its place, not only "GMT+1".
    await expect(page.locator("main")).to_contain_text("(call's time, Brussels)")
    await page.clock.run_for("02:00:00")
    await expect(countdown).to_have_text("23 h 0 min left")


async def test_the_whole_journey(
    browser: Browser, pages: list[Page], web_portal: Portal, tmp_path: Path
) -> None:
    portal = web_portal
    gql = GraphQLClient(portal.graphql_url)
    admin_token = await gql.sign_in("admin@demo.portal")

    # The applicant signs up and fills the demo call's form.
    applicant = await open_page(browser, pages, portal)
    await applicant.goto(portal.gateway.url + "/#/signup")
    await applicant.get_by_label("Your name").fill("Camille Martin")
    email = f"camille-{uuid.uuid4().hex[:6]}@example.org"
    await applicant.get_by_label("E-mail").fill(email)
    await applicant.get_by_label("Password").fill("a-long-password")
    await applicant.get_by_role("button", name="Create account").click()
    await expect(applicant.locator("#who").get_by_role("button", name="Sign out")).to_be_visible()
    # Drafting starts before the address is confirmed; submitting waits for it.
    await applicant.get_by_role("link", name="See the open calls").click()
    await expect(
        applicant.get_by_role("link", name="Circular Futures Open Call 2027")
    ).to_be_visible()
    await applicant.get_by_role("link", name="Circular Futures Open Call 2027").click()
    await applicant.get_by_role("link", name="Apply").click()
    await expect(applicant.get_by_text("Your organisation")).to_be_visible()

    language = applicant.get_by_label("Language of the questions")
    await language.select_option("fr")
    await expect(applicant.get_by_label("Titre du projet *")).to_be_visible()
    # A translated label says which language it is in, for screen readers' pronunciation.
    await expect(
        applicant.locator("label span[lang=fr]", has_text="Titre du projet")
    ).to_be_visible()
    await language.select_option("en")
    await applicant.get_by_label("Organisation name").fill("Repair Collective")
    await applicant.get_by_label("Organisation type").select_option("ngo")
    await applicant.get_by_label("Country", exact=True).select_option("NL")
    await applicant.get_by_label("Contact person").fill("Camille Martin")
    await applicant.get_by_label("Contact e-mail").fill(email)
    await applicant.get_by_label("Project title *").fill("Fix it together")
    summary = applicant.get_by_label("Summary of your solution *")
    await summary.fill("Repair cafés in every street.")
    await expect(summary).to_have_accessible_description(re.compile("5 of at most 300 words$"))
    await applicant.get_by_label("Main value chain *").select_option("electronics_ict")
    # Three strategies at most: the fourth box is disabled until one is cleared.
    for strategy in ("Repair", "Reuse", "Refurbish"):
        await applicant.get_by_label(strategy, exact=True).check()
    remanufacture = applicant.get_by_label("Remanufacture", exact=True)
    await expect(remanufacture).to_be_disabled()
    await expect(applicant.get_by_text("You have chosen 3, the most allowed")).to_be_visible()
    await applicant.get_by_label("Reuse", exact=True).uncheck()
    await expect(remanufacture).to_be_enabled()
    await applicant.get_by_label("Where will the project run? *").select_option("NL")
    await applicant.get_by_label("Requested amount (EUR) *").fill("40000")
    await applicant.get_by_label(re.compile("I declare that the information")).check()
    # A validation message beside the question, then fixed.
    team_size = applicant.get_by_label("Team size *")
    await team_size.fill("0")
    team_error = applicant.locator('[data-field="answers.team_size"] .error')
    await expect(team_error).to_have_text(re.compile("between 1 and 250"))
    # The field is marked invalid and described by the message, until it is fixed.
    await expect(team_size).to_have_attribute("aria-invalid", "true")
    await expect(team_size).to_have_accessible_description(re.compile("between 1 and 250"))
    await team_size.fill("4")
    await expect(team_error).to_be_hidden()
    assert await team_size.get_attribute("aria-invalid") is None
    await expect(team_size).not_to_have_accessible_description(re.compile("between 1 and 250"))
    saved = applicant.get_by_role("status").filter(has_text="Saved at")
    await expect(saved).to_be_visible()
    await expect(applicant.locator("main")).not_to_contain_text(re.compile(r"\bnull\b|undefined"))

    # An autosave that cannot reach the server says so, and retries until it can.
    async def drop_saves(route: Route) -> None:
        if "saveApplication" in (route.request.post_data or ""):
            await route.abort()
        else:
            await route.continue_()

    await applicant.route("**/graphql", drop_saves)
    await applicant.get_by_label("Website").fill("https://repair.example")
    await expect(
        applicant.get_by_role("status").filter(has_text="Not saved — retrying")
    ).to_be_visible()
    await applicant.unroute("**/graphql", drop_saves)
    await expect(saved).to_be_visible()

    await applicant.get_by_label(re.compile("^Pitch deck")).set_input_files(
        str(pdf(tmp_path / "deck.pdf", 3_000_000))
    )
    await expect(applicant.locator("progress[aria-label='Uploading deck.pdf']")).to_have_attribute(
        "value", "1"
    )
    # Two documents at once: the one of a type the question refuses fails on its own line.
    notes = tmp_path / "notes.txt"
    notes.write_text("Plain text is not a type this question takes.")
    documents = applicant.get_by_label(re.compile("^Supporting documents"))
    await documents.set_input_files([str(pdf(tmp_path / "letter.pdf", 200_000)), str(notes)])
    letter_line = applicant.locator(".upload").filter(has_text="letter.pdf")
    notes_line = applicant.locator(".upload").filter(has_text="notes.txt")
    await expect(notes_line.get_by_role("alert")).to_have_text(
        re.compile(r"^notes\.txt: this file is not one of: pdf, png, jpeg")
    )
    await expect(notes_line.get_by_role("progressbar")).to_have_count(0)  # refused: no full bar
    await expect(letter_line.get_by_role("progressbar")).to_have_attribute("value", "1")
    await expect(letter_line).to_contain_text("uploaded")
    await expect(letter_line.get_by_role("alert")).to_be_hidden()
    await expect(applicant.get_by_role("button", name="Remove letter.pdf")).to_be_visible()
    await expect(applicant.get_by_role("button", name="Remove notes.txt")).to_have_count(0)

    # A proxy's HTML 413 becomes a readable message beside the file.
    async def too_large(route: Route) -> None:
        await route.fulfill(status=413, content_type="text/html", body="<h1>413</h1>")

    await applicant.route("**/graphql", too_large)
    await documents.set_input_files(str(pdf(tmp_path / "huge.pdf", 1_000)))
    await expect(
        applicant.locator(".upload").filter(has_text="huge.pdf").get_by_role("alert")
    ).to_have_text("huge.pdf: The file is too large.")
    await expect(notes_line).to_have_count(0)  # a new choice of files has its own lines
    await applicant.unroute("**/graphql", too_large)

    # Switching language keeps the upload lines, and the focus on the language control.
    await language.focus()
    await language.select_option("fr")
    await expect(applicant.get_by_label("Titre du projet *")).to_be_visible()
    await expect(language).to_be_focused()
    await expect(applicant.locator("progress[aria-label='Uploading deck.pdf']")).to_be_visible()
    huge_line = applicant.locator(".upload").filter(has_text="huge.pdf")
    await expect(huge_line.get_by_role("alert")).to_be_visible()
    await language.select_option("en")

    await expect(applicant.get_by_text(re.compile(r"^deck\.pdf \("))).to_be_visible()
    # Not confirmed yet: the submission waits, the draft stays; the link comes again.
    await applicant.get_by_role("button", name="Submit application").click()
    refusal = applicant.get_by_role("alert").filter(
        has_text="Confirm your e-mail address to submit."
    )
    await expect(refusal).to_contain_text("Your draft is kept.")
    await refusal.get_by_role("button", name="Send the link again").click()
    await expect(refusal.get_by_role("status")).to_have_text(
        f"Check your mailbox: we sent a new link to {email}."
    )
    [*_, latest] = await portal.mailbox.wait_for(email, "Confirm", count=2)
    link = next(link for link in links_in(latest) if "/#/confirm/" in link)
    await applicant.goto(portal.gateway.url + "/#" + link.split("#", 1)[1])
    await expect(
        applicant.get_by_text(f"Your e-mail address {email} is confirmed.")
    ).to_be_visible()
    await applicant.get_by_role(
        "link", name="Continue your application to Circular Futures"
    ).click()
    await expect(applicant.get_by_label("Project title *")).to_have_value("Fix it together")
    await applicant.get_by_role("button", name="Submit application").click()
    await expect(applicant.get_by_role("heading", name="Application submitted")).to_be_visible()
    await expect(applicant).to_have_title(re.compile("^Application submitted · "))
    await expect(applicant.locator("#receipt-number")).to_have_text(re.compile(r"^OC-\d{4}-\d{6}$"))
    # Which call, and that the receipt is on its way by mail.
    await expect(applicant.locator("#receipt-call")).to_have_text("Circular Futures Open Call 2027")
    await expect(applicant.get_by_role("status")).to_contain_text("is on its way to your e-mail")
    await expect(applicant.locator("#fingerprint")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    submitted_at = applicant.locator("#submitted-at")
    await expect(submitted_at).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
    )
    await expect(submitted_at).to_have_text(re.compile(r"\d{1,2}:\d\d"))

    # The deadline passes; four evaluators are invited (and they are the whole pool).
    portal.clock.offset += timedelta(days=61)
    await retire_everyone(gql, admin_token)
    evaluators: list[str] = []
    invited: list[str] = []
    for i in range(4):
        address = f"evaluator-{i}-{uuid.uuid4().hex[:6]}@evaluators.example"
        made = await gql(
            INVITE, {"i": {"email": address, "displayName": f"Evaluator {i}"}}, admin_token
        )
        evaluators.append(address)
        invited.append(made["inviteEvaluator"]["evaluator"]["accountId"])
    await pick_pool(gql, admin_token, DEMO_CALL, invited)  # assignment draws on the pool only

    async def eligible() -> bool:
        ranking = await gql("query($c: ID!) { ranking(callId: $c) { ... on Ranking { total } } }",
                            {"c": DEMO_CALL}, admin_token)  # fmt: skip
        return bool(ranking["ranking"].get("total") == 1)

    await eventually(eligible, within=30)
    team = await open_page(browser, pages, portal)
    await sign_in(team, "admin@demo.portal", "circular-demo-2027")
    await team.goto(portal.gateway.url + f"/#/team/{DEMO_CALL}")
    await expect(team.locator("#live-count")).to_have_text("1")
    await team.get_by_role("button", name="Assign evaluators").click()
    status = team.locator("#team-status")
    await expect(status).to_have_text(re.compile("^3 assignments"))
    # The page was re-read after the action: progress counts the new assignments.
    await expect(team.locator("#evaluation-progress")).to_contain_text(
        "0 of 3 evaluations submitted"
    )

    # Three evaluators score; the first declares a conflict and the fourth takes over.
    consoles = []
    for address in evaluators:
        page = await open_page(browser, pages, portal)
        await accept_invitation(page, portal.mailbox, address)  # lands on their assignments
        consoles.append(page)
    holders = []
    for page in consoles:
        await expect(page.get_by_role("heading", name="My assignments")).to_be_visible()
        if await assigned_link(page).count():
            holders.append(page)
    assert len(holders) == 3
    conflicted = holders[0]
    await assigned_link(conflicted).click()
    await conflicted.get_by_role("button", name="Declare a conflict").click()
    declaring = conflicted.get_by_role("form", name="Declare a conflict of interest")
    await declaring.get_by_label("Why can you not evaluate this application?").fill(
        "I know the applicant personally."
    )
    await declaring.get_by_role("button", name="Declare the conflict").click()
    await expect(conflicted.get_by_text("Nothing is assigned to you.")).to_be_visible()
    newcomer = next(p for p in consoles if p not in holders)
    await newcomer.reload()
    await expect(assigned_link(newcomer)).to_be_visible()

    # The newcomer rates impact far lower than the others: a disagreement to settle.
    for page in [*holders[1:], newcomer]:
        await assigned_link(page).click()
        facts = page.get_by_role("region", name="Application").locator("dl.facts")
        await expect(facts).to_contain_text("€40,000")
        for criterion in ("excellence", "impact", "implementation"):
            score = "2" if page is newcomer and criterion == "impact" else "4.5"
            box = page.locator(f'[data-field="scores.{criterion}"]')
            await box.get_by_label("Score (0 to 5, half points)").select_option(score)
            box = page.locator(f'[data-field="comments.{criterion}"]')
            await box.get_by_label("Comment (at least 20 characters)").fill(
                "Convincing, concrete and well planned."
            )
        page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await page.get_by_role("button", name="Submit evaluation").click()
        await expect(page.get_by_text("Submitted. The evaluation is now locked.")).to_be_visible()
        await expect(page.get_by_role("button", name="Submit evaluation")).to_be_disabled()

    # The NL hub manager (the call runs in every hub) sees the disagreement, read-only.
    manager = await open_page(browser, pages, portal)
    await sign_in(manager, "hub.nl@demo.portal", "circular-demo-2027")
    await manager.goto(portal.gateway.url + f"/#/team/{DEMO_CALL}")
    await expect(manager.get_by_role("heading", name="Disagreements")).to_be_visible()
    await expect(manager.get_by_text(re.compile(r"Impact scored .*\b2\b"))).to_be_visible()
    await expect(manager.get_by_text("Only the programme team settles")).to_be_visible()
    await expect(manager.get_by_role("button", name="Set")).to_have_count(0)
    await expect(manager.get_by_role("button", name="Assign evaluators")).to_have_count(0)

    # The team settles the disagreement (a blank score is refused), sees the ranking and
    # the score distributions, and publishes.
    sockets: list[WebSocket] = []
    team.on("websocket", lambda socket: sockets.append(socket))
    await team.reload()
    await expect(team.locator("#live-count")).to_have_text("1")
    ranking = team.locator("#ranking")
    await expect(ranking).to_contain_text("pending")
    # No weighted total before the consensus: said in words, not a bare dash.
    await expect(ranking.get_by_role("row").filter(has_text="pending")).to_contain_text("not yet")
    settle = team.get_by_role("form", name="Settle impact")
    await settle.get_by_role("button", name="Set").click()
    await expect(settle.get_by_role("alert")).to_have_text(
        "Enter a score from 0 to 5 in half points."
    )
    await settle.get_by_label("Consensus for impact").fill("4.5")
    await settle.get_by_label("Justification for impact").fill("Two of three found it strong.")
    await settle.get_by_role("button", name="Set").click()
    await expect(status).to_have_text(re.compile(r"^Consensus for Impact .* set to 4\.5"))
    await expect(team.get_by_text("No disagreement to settle.")).to_be_visible()
    await expect(ranking).to_contain_text("Repair Collective")
    await expect(ranking).to_contain_text("selected")
    # The ranking's file is named after the call; each organisation opens its application.
    async with team.expect_download() as download:
        await team.get_by_role("button", name="Download CSV").click()
    assert (
        await download.value
    ).suggested_filename == "ranking-circular-futures-open-call-2027.csv"
    organisation = ranking.get_by_role("link", name="Repair Collective")
    await expect(organisation).to_have_attribute("href", re.compile(r"^#/team/.+/applications/"))
    await expect(team.get_by_role("figure", name="Total scores")).to_contain_text("13.5")
    await expect(team.get_by_role("figure", name="Consensus scores: impact")).to_contain_text("4.5")
    # Codes read as names: the value chain and the hub of the applicant's country.
    by_chain = team.get_by_role("figure", name="By value chain")
    await expect(by_chain).to_contain_text("Electronics and ICT")
    await expect(by_chain).not_to_contain_text("electronics_ict")
    # Publishing cannot be undone: the page asks first.
    team.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await team.get_by_role("button", name="Publish results").click()
    await expect(status).to_have_text(re.compile("^Results published"))
    await expect(team.get_by_text("Results are published.")).to_be_visible()
    # One live subscription for the visit (refreshes open none), closed on leaving.
    await team.goto(portal.gateway.url + "/#/team")
    await expect(team.get_by_role("heading", name="Calls")).to_be_visible()
    assert len(sockets) == 1
    if not sockets[0].is_closed():
        await sockets[0].wait_for_event("close")

    # The applicant reads the outcome and the evaluation summary.
    async def outcome_shown() -> Any:
        await applicant.goto(portal.gateway.url + "/#/mine")
        await applicant.wait_for_selector("h1")
        return await applicant.locator("[data-testid=decision]").count()

    await eventually(outcome_shown, within=30)
    outcome = applicant.get_by_role("region", name="Outcome")
    await expect(outcome.locator("[data-testid=decision]")).to_have_text("selected")
    # Each score beside its threshold, the total beside the overall one; each comment under
    # its criterion.
    for criterion in ("Excellence", "Impact", "Implementation"):
        row = outcome.get_by_role("row", name=criterion)
        await expect(row.get_by_role("cell")).to_have_text(["4.5", "3"])
        comments = outcome.get_by_role("region", name=f"Comments on {criterion}")
        await expect(comments.get_by_role("heading", level=5)).to_have_text(criterion)
        await expect(
            comments.get_by_role("listitem").filter(
                has_text="Convincing, concrete and well planned."
            )
        ).not_to_have_count(0)
    await expect(outcome.get_by_role("row", name="Total").get_by_role("cell")).to_have_text(
        ["13.5", "10"]
    )
    # The outcome mail links to the application's own page: the receipt and the summary.
    await open_link(applicant, portal.mailbox, email, "Results of", "mine")
    await expect(applicant.get_by_role("heading", level=1)).to_have_text(
        "Your application: Fix it together"
    )
    await expect(applicant.locator("#receipts")).to_contain_text("Version 1: receipt OC-")
    await expect(applicant.get_by_role("region", name="Outcome")).to_contain_text("selected")
    # And what the application says, in the applicant's own words, as the evaluators read it.
    said = applicant.get_by_role("region", name="What it says")
    await expect(said.get_by_role("heading", level=2)).to_have_text("What it says")
    answers = said.locator("dl.answers")
    await expect(answers.locator("dt:has-text('Project title') + dd")).to_have_text(
        "Fix it together"
    )
    await expect(answers).to_contain_text("Repair cafés in every street.")
    await expect(said.locator("dl.facts")).to_contain_text("Repair Collective")
    assert "[object" not in await said.inner_text()
    await gql.http.aclose()
