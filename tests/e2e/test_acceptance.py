"""The acceptance journey of "People run a whole call in the browser": a hub manager writes a
mission and a challenge, the programme team builds a call with every question type in two
languages, clones and publishes it; two applicants apply; the call closes by its own clock;
the team picks and assigns four evaluators it invites; they score (one disagrees); the team
settles, publishes, and each applicant reads the outcome. Every step is a person in a browser."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Dialog, Locator, Page, expect

from tests.e2e.test_journey import accept_invitation, open_page, pdf, sign_in, sign_up
from tests.fixtures.apps import Portal
from tests.fixtures.waiting import eventually

pytestmark = pytest.mark.e2e

PASSWORD = "circular-demo-2027"
ZONE = ZoneInfo("Europe/Brussels")  # the editor's default zone for a new call
# How long the published call stays open: the two applications go in meanwhile.
OPEN_FOR = timedelta(minutes=1)
CLOSED_NOTICE = "This call does not take applications now."

# (type in the builder, key, English label, French label): one question of every type.
QUESTIONS = [
    ("Short text", "project_title", "Project title", "Titre du projet"),
    ("Long text", "summary", "Summary of the solution", "Résumé de la solution"),
    ("Number", "team_size", "Team size", "Taille de l'équipe"),
    ("Single choice", "value_chain", "Main value chain", "Chaîne de valeur principale"),
    ("Multiple choice", "strategies", "Circular strategies", "Stratégies circulaires"),
    ("Declaration (yes/no)", "declaration", "I declare the information is true",
     "Je déclare que les informations sont exactes"),
    ("Country", "run_in", "Where will the project run?", "Où le projet aura-t-il lieu ?"),
    ("Requested amount", "amount", "Requested amount (EUR)", "Montant demandé (EUR)"),
    ("File", "pitch_deck", "Pitch deck", "Présentation du projet"),
]  # fmt: skip
OPTIONS = {
    "value_chain": [("textiles", "Textiles", "Textiles"), ("plastics", "Plastics", "Plastiques")],
    "strategies": [("repair", "Repair", "Réparer"), ("reuse", "Reuse", "Réutiliser")],
}


@dataclass
class Applicant:
    name: str
    title: str
    summary: str
    country: str
    amount: int
    lang: str  # the language the applicant reads the questions in
    page: Page | None = None


def wall_clock(instant: datetime) -> str:
    """What a person types into a datetime-local control, in the call's zone."""
    return instant.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def next_minute(after: timedelta) -> datetime:
    """The first whole minute at least `after` from now (the editor takes minutes)."""
    soon = datetime.now(ZONE) + after
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def fits(page: Page) -> None:
    """The page as it stands needs no sideways scrolling."""
    overflow = await page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def group(scope: Page | Locator, name: str) -> Locator:
    return scope.get_by_role("group", name=name, exact=True)


async def write_mission(page: Page, mission: str, challenge: str) -> None:
    await page.get_by_role("link", name="Missions").click()
    await expect(
        page.get_by_role("heading", level=1, name="Missions and challenges")
    ).to_be_visible()
    new = page.locator("details.new-mission")
    await new.locator("summary").click()
    await new.get_by_label("Title *").fill(mission)
    await new.get_by_label("Description").fill("Keep garments in use for longer in the region.")
    await group(new, "Value chains *").get_by_label("Textiles").check()
    await new.get_by_role("button", name="Create mission").click()
    await expect(page.get_by_role("status")).to_have_text(f"Saved “{mission}”.")
    card = page.locator("article.card").filter(has=page.get_by_role("heading", name=mission))
    details = card.locator("details").filter(has_text=f"New challenge under “{mission}”")
    await details.locator("summary").click()
    await details.get_by_label("Title *").fill(challenge)
    await details.get_by_label("Description").fill("A repair network for workwear.")
    await details.get_by_role("button", name="Create challenge").click()
    await expect(page.get_by_role("status")).to_have_text(f"Saved “{challenge}”.")
    await expect(card.get_by_role("listitem").filter(has_text=challenge)).to_be_visible()


async def add_question(page: Page, number: int, kind: str, key: str, en: str, fr: str) -> None:
    await page.get_by_label("New question's type").select_option(label=kind)
    await page.get_by_role("button", name="Add question").click()
    question = group(page, f"Question {number} · {kind}")
    await question.get_by_label("Key").fill(key)
    labels = group(question, "Label *")
    await labels.get_by_label("English").fill(en)
    await labels.get_by_label("French").fill(fr)
    for i, (value, en_option, fr_option) in enumerate(OPTIONS.get(key, []), start=1):
        await question.get_by_role("button", name="Add option").click()
        option = group(question, f"Option {i}")
        await option.get_by_label("Value (stored with the answer)").fill(value)
        option_labels = group(option, "Option label *")
        await option_labels.get_by_label("English").fill(en_option)
        await option_labels.get_by_label("French").fill(fr_option)
    if key == "team_size":
        await question.get_by_label("Lowest value").fill("1")
        await question.get_by_label("Highest value").fill("50")


async def set_title(page: Page, en: str, fr: str) -> None:
    title = group(page, "Title *")
    await title.get_by_label("English").fill(en)
    await title.get_by_label("French").fill(fr)


async def build_call(page: Page, draft_title: str, challenge: str) -> None:
    """A new draft with one question of every type, in English and French."""
    await page.get_by_role("link", name="Manage calls").click()
    await page.get_by_role("link", name="New call").click()
    await expect(page.get_by_role("heading", level=1, name="New call")).to_be_visible()
    await page.get_by_label("Add a language").select_option(label="French")
    await page.get_by_role("button", name="Add language").click()
    await set_title(page, draft_title, draft_title.replace("Call", "Appel"))
    description = group(page, "Description")
    await description.get_by_label("English").fill("Circular textiles: repair, reuse, refurbish.")
    await description.get_by_label("French").fill("Textiles circulaires : réparer, réutiliser.")
    await page.get_by_label(challenge).check()
    now = datetime.now(ZONE)
    await page.get_by_label("Opens *").fill(wall_clock(now - timedelta(hours=1)))
    await page.get_by_label("Closes *").fill(wall_clock(now + timedelta(days=30)))
    # Room for one grant of 40 000 and not a second of 30 000: one selected, one reserve.
    await page.get_by_label("Budget *").fill("60000")
    await page.get_by_label("Maximum grant per project *").fill("50000")
    for number, question in enumerate(QUESTIONS, start=1):
        await add_question(page, number, *question)
    # The preview draws the questions as applicants will see them, in either language.
    preview = page.get_by_role("form", name="Preview of the application form")
    await expect(preview.get_by_label("Pitch deck *")).to_be_visible()
    await page.get_by_label("Preview language").select_option(label="French")
    await expect(preview.get_by_label("Présentation du projet *")).to_be_visible()
    await page.get_by_role("button", name="Save draft").click()
    await expect(
        page.get_by_role("heading", level=1, name=f"Edit call: {draft_title}")
    ).to_be_visible()
    await expect(page.get_by_role("status").first).to_have_text(re.compile("^Saved as a draft"))


async def clone_and_publish(page: Page, title: str) -> tuple[str, datetime]:
    """The draft's copy, renamed, closing soon, published; its id and closing instant."""
    draft_url = page.url
    await page.get_by_role("button", name="Clone as a new call").click()
    await expect(page).not_to_have_url(draft_url)
    await expect(
        page.get_by_role("heading", level=1, name=re.compile("^Edit call: Copy of "))
    ).to_be_visible()
    await expect(page.get_by_text("This draft is a copy of")).to_be_visible()
    await set_title(page, title, title.replace("Call", "Appel"))
    closes = next_minute(OPEN_FOR)
    await page.get_by_label("Closes *").fill(wall_clock(closes))
    await page.get_by_role("button", name="Publish…").click()
    await (
        page.get_by_role("dialog", name="Publish this call?")
        .get_by_role("button", name="Publish now")
        .click()
    )
    await expect(page.get_by_role("heading", level=1, name=f"Call: {title}")).to_be_visible()
    await expect(page.get_by_text("Published: the call is visible to applicants")).to_be_visible()
    return page.url.rsplit("/", 1)[-1], closes


async def apply(page: Page, call_title: str, who: Applicant, files: Path) -> None:
    """Every question answered, the file uploaded, submitted; the receipt is shown."""
    await page.get_by_role("link", name="Calls", exact=True).click()
    await page.get_by_role("link", name=call_title).click()
    await page.get_by_role("link", name="Apply").click()
    await expect(page.get_by_role("heading", level=1, name=f"Apply: {call_title}")).to_be_visible()
    await page.get_by_label("Language of the questions").select_option(who.lang)
    label = {key: en if who.lang == "en" else fr for _, key, en, fr in QUESTIONS}
    option = {v: en if who.lang == "en" else fr for o in OPTIONS.values() for v, en, fr in o}
    await page.get_by_label("Organisation name").fill(f"{who.name} Works")
    await page.get_by_label("Organisation type").select_option("ngo")
    await page.get_by_label("Country", exact=True).select_option(who.country)
    if who.country == "FR":
        await page.get_by_label("Northern or southern France?").select_option("SOUTH")
    await page.get_by_label("Contact person").fill(who.name)
    await page.get_by_label("Contact e-mail").fill(f"{who.name.split()[0].lower()}@example.org")
    await page.get_by_label(label["project_title"] + " *").fill(who.title)
    await page.get_by_label(label["summary"] + " *").fill(who.summary)
    await page.get_by_label(label["team_size"] + " *").fill("6")
    await page.get_by_label(label["value_chain"] + " *").select_option("textiles")
    await page.get_by_label(option["repair"], exact=True).check()
    await page.get_by_label(option["reuse"], exact=True).check()
    await page.get_by_label(label["declaration"]).check()
    await page.get_by_label(label["run_in"] + " *").select_option(who.country)
    await page.get_by_label(label["amount"] + " *").fill(str(who.amount))
    deck = pdf(files / f"{who.name.split()[0].lower()}-deck.pdf", 50_000)
    await page.get_by_label(re.compile("^" + re.escape(label["pitch_deck"]))).set_input_files(
        str(deck)
    )
    await expect(page.locator(".upload").filter(has_text=deck.name)).to_contain_text("uploaded")
    await expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    await fits(page)
    await page.get_by_role("button", name="Submit application").click()
    await expect(page.get_by_role("heading", level=1, name="Application submitted")).to_be_visible()
    await expect(page.locator("#receipt-number")).to_have_text(re.compile(r"^OC-\d{4}-\d{6}$"))
    await fits(page)


async def invite(page: Page, name: str) -> str:
    """An evaluator invited from the pool page and picked into the pool; their address."""
    email = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}@evaluators.example"
    form = page.get_by_role("form", name="Invite an evaluator")
    if not await form.is_visible():
        await (
            page.locator("details")
            .filter(has_text="Invite an evaluator to the programme")
            .locator("summary")
            .click()
        )
    await form.get_by_label("E-mail").fill(email)
    await form.get_by_label("Name", exact=True).fill(name)
    await form.get_by_label("Organisation").fill("Independent")
    await group(form, "Expertise").get_by_label("Textiles").check()
    await form.get_by_role("button", name="Invite").click()
    await expect(form.get_by_role("status")).to_have_text(
        f"Invitation sent to {email}: {name} sets a password from the e-mail's link."
    )
    pick = page.get_by_role("form", name=f"Add {name}")
    await pick.get_by_label(f"Capacity of {name} for this call").fill("2")
    await pick.get_by_role("button", name="Add to pool").click()
    await expect(page.locator("#pool-status")).to_have_text(
        f"{name} joined the pool with a capacity of 2."
    )
    return email


async def visit(page: Page, route: str) -> None:
    """Opens `route` afresh; the same address again is no navigation in a one-page app, so
    it is reloaded."""
    url = page.url.split("#")[0] + route
    await (page.reload() if page.url == url else page.goto(url))
    await expect(page.get_by_role("heading", level=1)).to_be_visible()


async def until_shown(page: Page, route: str, text: Locator, within: float = 60) -> None:
    """Reload `route` as a person would until `text` shows (something happened elsewhere)."""

    async def shown() -> bool:
        await visit(page, route)
        return await text.count() > 0

    await eventually(shown, within=within)


async def test_a_whole_call_in_the_browser(
    browser: Browser, pages: list[Page], web_portal: Portal, tmp_path: Path
) -> None:
    portal = web_portal
    run = uuid.uuid4().hex[:6]
    mission, challenge = f"Textile loops {run}", f"Workwear repair network {run}"
    title = f"Repair Futures Call {run}"

    # 1. The NL hub manager writes a mission and its challenge.
    manager = await open_page(browser, pages, portal)
    await sign_in(manager, "hub.nl@demo.portal", PASSWORD)
    await write_mission(manager, mission, challenge)

    # 2. The programme team builds a call on that challenge, clones it and publishes the copy.
    team = await open_page(browser, pages, portal)
    await sign_in(team, "admin@demo.portal", PASSWORD)
    await build_call(team, f"Textile Call draft {run}", challenge)
    call, closes = await clone_and_publish(team, title)

    # 3 and 4. Two applicants apply; the team's live counter follows without a reload.
    applicants = [
        Applicant("Camille Martin", f"Mend it here {run}", "Repair cafés in every street of Utrecht.",
                  "NL", 40_000, "en"),
        Applicant("Inès Laurent", f"Fil solidaire {run}", "Un atelier de couture solidaire à Marseille.",
                  "FR", 30_000, "fr"),
    ]  # fmt: skip
    for who, width in zip(applicants, (1100, 375), strict=True):
        who.page = await open_page(browser, pages, portal, width)  # the second on a phone
        await sign_up(who.page, who.name, portal.mailbox)
    first, second = applicants
    assert first.page and second.page
    await apply(first.page, title, first, tmp_path)
    await team.goto(portal.gateway.url + f"/#/team/{call}")
    counter = team.locator("#live-count")
    await expect(counter).to_have_text("1")
    await apply(second.page, title, second, tmp_path)
    await expect(counter).to_have_text("2")

    # 5. While the call is still open, the team invites four evaluators into its pool.
    await team.get_by_role("link", name="Pool & assignments").click()
    await expect(
        team.get_by_role("heading", level=1, name=f"Pool & assignments: {title}")
    ).to_be_visible()
    names = [f"Evaluator {c} {run}" for c in "ABCD"]
    accounts = [await invite(team, name) for name in names]
    await expect(team.get_by_role("heading", name="This call's pool (4)")).to_be_visible()
    consoles: list[Page] = []
    for i, email in enumerate(accounts):
        console = await open_page(browser, pages, portal, 375 if i == 0 else 1100)
        await accept_invitation(console, portal.mailbox, email)
        consoles.append(console)

    # The first applicant has the form open again when the deadline passes.
    await first.page.goto(portal.gateway.url + f"/#/apply/{call}")
    contact = first.page.get_by_label("Contact person")
    await expect(contact).to_have_value(first.name)

    # The call closes by its own clock: its page says so once the instant has passed.
    assert datetime.now(ZONE) < closes, "the applications took longer than the call was open"
    visitor = await open_page(browser, pages, portal)
    await until_shown(visitor, f"#/call/{call}", visitor.get_by_text(CLOSED_NOTICE), within=400)
    await expect(visitor.locator("main p").filter(has_text="Closed on")).to_have_count(1)
    await expect(visitor.locator("main")).not_to_contain_text("closes")
    # The form open at the deadline goes by itself, and the notice says what counts.
    await expect(first.page.locator("#closed")).to_contain_text(
        "This call has closed: your application can no longer change; what you submitted last"
        " (receipt OC-"
    )
    await expect(first.page.get_by_label("Contact person")).to_have_count(0)
    await expect(first.page.get_by_label("Language of the questions")).to_be_hidden()

    # Once the eligibility checks are in, the team assigns, reads the matrix, moves one.
    matrix = team.locator("#matrix")
    await until_shown(team, f"#/team/{call}/pool",
                      matrix.get_by_role("row").filter(has_text=second.title))  # fmt: skip
    await expect(matrix).to_contain_text(first.title)
    await team.get_by_role("button", name="Assign evaluators").click()
    await expect(team.locator("#pool-status")).to_have_text(
        "6 assignments; loads 1\N{EN DASH}2; 0 short"
    )
    loads = team.locator("#loads")
    for name in names:
        await expect(loads.get_by_role("row", name=name)).to_contain_text(re.compile(r"[12] / 2"))
    # One of the first application's assignments moves from a busy evaluator (2 of 2) to the
    # one who has none of it (1 of 2): everyone keeps work, every load stays within capacity.
    busy = [n for n in names if "2 / 2" in await loads.get_by_role("row", name=n).inner_text()]
    moves = team.get_by_role("form", name=re.compile(f"assignment of {re.escape(first.title)}$"))
    move = moves.filter(has=team.get_by_text(re.compile(f"^({'|'.join(busy)}) →"))).first
    source = (await move.locator("span").first.inner_text()).removesuffix("→").strip()
    free = move.get_by_role("combobox").locator("option:not(:has-text('already assigned'))")
    target = (await free.inner_text()).split(" (")[0]
    await move.get_by_role("combobox").select_option(await free.get_attribute("value"))
    await move.get_by_role("button", name="Move").click()
    await expect(team.locator("#pool-status")).to_have_text(
        f"“{first.title}” moved from {source} to {target}."
    )
    await expect(loads.get_by_role("row", name=target)).to_contain_text("2 / 2")
    row = matrix.get_by_role("row").filter(has_text=first.title)
    await expect(row.get_by_role("cell", name="not started")).to_have_count(3)
    await fits(team)  # the matrix scrolls in its own box, the page does not
    narrow = await open_page(browser, pages, portal, 375)
    await sign_in(narrow, "admin@demo.portal", PASSWORD)
    for route, heading in ((f"#/team/{call}/pool", "Pool & assignments: "),
                           (f"#/manage/{call}", f"Call: {title}")):  # fmt: skip
        await narrow.goto(portal.gateway.url + "/" + route)
        await expect(narrow.get_by_role("heading", level=1, name=heading)).to_be_visible()
        await fits(narrow)

    # The evaluators were told of their work by e-mail, and read it in the portal too.
    told = consoles[1].get_by_role("heading", level=2, name=f"New evaluation for {title}")
    await until_shown(consoles[1], "#/notifications", told.first)
    # The mail's link to the portal is a link there too, and leads to the assignments.
    mail = consoles[1].locator("article").filter(has=told).first
    assignments = f"{portal.gateway.url}/#/evaluate"
    await mail.get_by_role("link", name=assignments).click()
    await expect(consoles[1].get_by_role("heading", level=1, name="My assignments")).to_be_visible()

    # 6. Each evaluator reads each application (the applicant's own words) and scores it;
    # one of the first application's evaluators rates its impact 2.5 points lower.
    by_title = {who.title: who for who in applicants}
    disagreeing: str | None = None
    for name, console in zip(names, consoles, strict=True):
        await visit(console, "#/evaluate")  # the invitation left them there, before any work
        await expect(console.get_by_role("heading", level=1, name="My assignments")).to_be_visible()
        assigned = console.get_by_role("region", name=title).get_by_role("link")
        await expect(assigned.first).to_be_visible()
        for link_title in await assigned.all_inner_texts():
            who = by_title[link_title]
            await console.get_by_role("link", name=link_title).click()
            await expect(console.get_by_role("heading", level=1, name=who.title)).to_be_visible()
            # The applicant's own words, under the questions' labels.
            application = console.get_by_role("region", name="Application")
            await expect(application).to_contain_text(who.summary)
            await expect(application).to_contain_text("Summary of the solution")
            assert "[object" not in await console.locator("main").inner_text()
            if console is consoles[0]:
                await fits(console)
            low = who is first and disagreeing is None
            for criterion in ("Excellence", "Impact", "Implementation"):
                box = console.get_by_role("group", name=re.compile(f"^{criterion} \\(weight"))
                score = "2" if low and criterion == "Impact" else "4.5" if who is first else "4"
                await box.get_by_label("Score (0 to 5, half points)").select_option(score)
                await box.get_by_label("Comment (at least 20 characters)").fill(
                    "Reaches too few people yet."
                    if score == "2"
                    else "Concrete, credible and well planned."
                )
            console.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
            await console.get_by_role("button", name="Submit evaluation").click()
            await expect(
                console.get_by_text("Submitted. The evaluation is now locked.")
            ).to_be_visible()
            disagreeing = name if low else disagreeing
            await console.go_back()
            await expect(
                console.get_by_role("heading", level=1, name="My assignments")
            ).to_be_visible()
        await expect(console.locator("main")).to_contain_text(re.compile(r"(\d) of \1 submitted"))
    assert disagreeing, "nobody evaluated the first application"

    # 7. The team sees the disagreement (anonymous, with comments), settles it, publishes.
    await team.goto(portal.gateway.url + f"/#/team/{call}")
    queue = team.get_by_role("article", name=first.title)
    impact = queue.get_by_role("table").filter(has_text="Impact: each evaluator's score")
    for i in (1, 2, 3):
        await expect(
            impact.get_by_role("row", name=re.compile(f"^Evaluator {i}\\b"))
        ).to_be_visible()
    await expect(
        impact.get_by_role("row").filter(has_text="Reaches too few people yet.")
    ).to_contain_text("2")
    await expect(team.locator("#disagreements")).not_to_contain_text(disagreeing)
    # Publishing with a consensus missing is refused at once, not after asking to confirm.
    asked_early: list[str] = []

    async def dismiss(dialog: Dialog) -> None:
        asked_early.append(dialog.message)
        await dialog.dismiss()

    team.on("dialog", dismiss)
    await team.get_by_role("button", name="Publish results").click()
    await expect(team.locator("#team-status")).to_have_text(
        "1 application still lacks a consensus; finish evaluation and moderation first."
        " Nothing was published."
    )
    team.remove_listener("dialog", dismiss)
    assert asked_early == []
    settle = team.get_by_role("form", name="Settle impact")
    await settle.get_by_label("Consensus for impact").fill("4.5")
    await settle.get_by_label("Justification for impact").fill(
        "Two of three found the reach strong."
    )
    await settle.get_by_role("button", name="Set").click()
    status = team.locator("#team-status")
    await expect(status).to_have_text(f"Consensus for Impact of “{first.title}” set to 4.5.")
    await expect(team.get_by_text("No disagreement to settle.")).to_be_visible()
    questions: list[str] = []

    async def confirm(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    team.once("dialog", confirm)
    await team.get_by_role("button", name="Publish results").click()
    await expect(status).to_have_text(re.compile("^Results published"))
    assert questions and "cannot be undone" in questions[0]

    # 8. Each applicant reads the outcome and the evaluation summary in My applications.
    reserve = (
        "On the reserve list, at rank 2: the budget went to the applications ranked above"
        " it. It may still be funded if one of them is not."
    )
    for who, decision, score, reason in (
        (first, "selected", "4.5", "Selected for funding, at rank 1."),
        (second, "reserve", "4", reserve),
    ):
        assert who.page
        outcome = who.page.get_by_role("region", name="Outcome")
        await until_shown(who.page, "#/mine", outcome)
        await expect(outcome.locator("[data-testid=decision]")).to_have_text(decision)
        # Why, in words: never the ranking's machine line ("rank 1, weighted total …").
        await expect(outcome.get_by_test_id("outcome-reason")).to_have_text(reason)
        for criterion in ("Excellence", "Impact", "Implementation"):
            await expect(outcome.get_by_role("row", name=criterion)).to_contain_text(score)
        await expect(outcome).to_contain_text("Concrete, credible and well planned.")
        await expect(outcome).not_to_contain_text(re.compile("Evaluator [A-D]"))
        # Once results are out nothing of it changes: no Withdraw, and no form to type into.
        await expect(who.page.get_by_role("button", name="Withdraw")).to_have_count(0)
        await until_shown(who.page, f"#/apply/{call}", who.page.locator("#closed"))
        await expect(who.page.locator("main input, main textarea")).to_have_count(0)
    await fits(second.page)
