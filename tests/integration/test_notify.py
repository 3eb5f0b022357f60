"""Notify on real parts: events published to JetStream as their services publish them, mail
written to the outbox, sent over SMTP by the relay and read back from the Maildir."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import msgspec
import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.embedded import free_port, start_nats
from services.notify import queries
from services.notify.app import create_app
from services.notify.config import NotifySettings
from services.notify.domain.messages import shipped_languages
from services.notify.models import ApplicationCopy, AssignmentCopy, MailRow
from services.notify.usecases.applications import LONG_RECEIPT_CHARACTERS
from services.notify.usecases.reminders import send_due_reminders
from services.notify.writer import MailWriter
from shared.api.intake import Organisation, Person
from shared.api.notify import MailPage, Notification
from shared.api.registry import Form, Option, Question, QuestionType
from shared.clock import format_instant
from shared.contracts import accounts, intake, registry, review
from shared.db import new_engine, new_session_factory
from shared.events import Envelope, EventContract, encode_envelope, envelope_for
from shared.identity import IDENTITY_HEADER, Identity, Role, sign_identity
from shared.messaging import ensure_streams
from shared.programme import LANGUAGES
from tests.fixtures.apps import INTERNAL_SECRET, RunningApp, serve
from tests.fixtures.mail import Mailbox, links_in, text_of
from tests.fixtures.servers import Nats, Postgres
from tests.fixtures.waiting import eventually

PUBLIC_URL = "http://portal.test"
FORM = Form(
    questions=[
        Question(key="project_title", type=QuestionType.SHORT_TEXT, labels={"en": "Project title"}),
        Question(
            key="strategy", type=QuestionType.SINGLE_CHOICE, labels={"en": "Main strategy"},
            options=[Option("repair", {"en": "Repair and maintain"})],
        ),
        Question(key="consent", type=QuestionType.DECLARATION, labels={"en": "I agree"}),
        Question(key="pitch_deck", type=QuestionType.FILE, labels={"en": "Pitch deck"}),
    ]
)  # fmt: skip


@dataclass
class Notify:
    app: RunningApp
    settings: NotifySettings
    js: JetStreamContext
    sessions: async_sessionmaker[AsyncSession]
    writer: MailWriter

    async def publish(self, event: EventContract) -> Envelope:
        envelope = envelope_for(event)
        await self.deliver(envelope)
        return envelope

    async def deliver(self, envelope: Envelope, message_id: str | None = None) -> None:
        """`message_id` other than the envelope's: the same event delivered once more, past
        JetStream's de-duplication (as a redelivery after a lost ack would be)."""
        await self.js.publish(
            envelope.subject, encode_envelope(envelope),
            headers={"Nats-Msg-Id": message_id or envelope.id},
        )  # fmt: skip

    async def api(self, path: str, identity: Identity, method: str = "GET", **params: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.app.url) as http:
            response = await http.request(
                method, path, params=params,
                headers={IDENTITY_HEADER: sign_identity(identity, INTERNAL_SECRET)},
            )  # fmt: skip
        return response

    async def mails(self, address: str) -> list[MailRow]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(MailRow).where(MailRow.to_address == address).order_by(MailRow.created_at)
            )
            return list(rows)

    async def reminders(self, now: datetime) -> None:
        await send_due_reminders(self.sessions, self.writer, now)


ADMIN = Identity(role=Role.ADMIN, account_id="team-admin")


@pytest.fixture
async def start_notify(
    postgres: Postgres, mail_server: Mailbox, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Starts a notify on its own NATS and database (its durable consumer is its own)."""
    started: list[tuple[RunningApp, Any, Any, Any]] = []

    async def start(**overrides: Any) -> Notify:
        server = Nats(free_port(), tmp_path / f"nats-{len(started)}")
        server.process = start_nats(server.store, server.port)
        settings = NotifySettings(**{
            "database_url": await postgres.new_database("notify"), "nats_url": server.url,
            "internal_secret": INTERNAL_SECRET, "smtp_port": mail_server.port,
            "public_url": PUBLIC_URL, "scheduler_seconds": 3600, "outbox_poll_seconds": 0.1,
            "retry_base_seconds": 0.05, **overrides,
        })  # fmt: skip
        app = await serve(create_app(settings))
        client = await nats.connect(server.url)
        await ensure_streams(client.jetstream())
        engine = new_engine(settings.database_url)
        started.append((app, client, engine, server))
        sessions = new_session_factory(engine)
        return Notify(app, settings, client.jetstream(), sessions, MailWriter(PUBLIC_URL, now))

    yield start
    for app, client, engine, server in started:
        await app.stop()
        await client.close()
        await engine.dispose()
        server.process.stop()


def now() -> datetime:
    return datetime.now(UTC)


def address(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:10]}@example.org"


def person(email: str, role: str = "applicant", **fields: Any) -> accounts.AccountChanged:
    return accounts.AccountChanged(
        account_id=str(uuid.uuid4()), email=email, display_name="Ana Lima", role=role,
        email_confirmed=True, **fields,
    )  # fmt: skip


def call(**fields: Any) -> registry.CallPublished:
    start = now()
    return registry.CallPublished(**{
        "call_id": str(uuid.uuid4()), "title": "Repair cafés 2027", "hubs": ["NL"], "hub": "NL",
        "opens_at": start - timedelta(days=1), "closes_at": start + timedelta(days=10),
        "timezone": "Europe/Lisbon", "form": FORM, **fields,
    })  # fmt: skip


def submitted(applicant: accounts.AccountChanged, call_id: str) -> intake.ApplicationSubmitted:
    return intake.ApplicationSubmitted(
        application_id=str(uuid.uuid4()), call_id=call_id, applicant_id=applicant.account_id,
        applicant_email=applicant.email, version=1, receipt_number="OC-2027-00042",
        submitted_at=now(), fingerprint=uuid.uuid4().hex + uuid.uuid4().hex,
        organisation=Organisation(name="Fix It Lda", country="PT"),
        contact=Person(name="Ana Lima", email=applicant.email),
        answers={"project_title": "Repair loops", "strategy": "repair", "consent": True},
        attachments=[intake.AttachmentFacts(
            id=str(uuid.uuid4()), question_key="pitch_deck", file_name="deck.pdf",
            content_type="application/pdf", size=2048, sha256="ab" * 32,
        )],
    )  # fmt: skip


def assignment(
    evaluator: accounts.AccountChanged, call_id: str, **fields: Any
) -> review.AssignmentMade:
    return review.AssignmentMade(**{
        "assignment_id": str(uuid.uuid4()), "application_id": str(uuid.uuid4()),
        "call_id": call_id, "evaluator_id": evaluator.account_id,
        "application_title": "Application 1", "due_at": now() + timedelta(days=20),
        "call_timezone": "Europe/Lisbon", **fields,
    })  # fmt: skip


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its page streams are deflated)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    texts = []
    for stream in streams:
        try:
            texts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            texts.append(stream.decode("latin-1"))
    return "".join(texts)


async def test_a_redelivered_event_sends_one_mail_per_recipient(start_notify: Any) -> None:
    notify: Notify = await start_notify()
    evaluator_mail = address("evaluator")
    evaluator = person(evaluator_mail, "evaluator")
    opened = call()
    await notify.publish(evaluator)
    await notify.publish(opened)
    made = assignment(evaluator, opened.call_id)
    envelope = await notify.publish(made)
    await notify.deliver(envelope, message_id=str(uuid.uuid4()))  # the same event, again
    # Handled after the duplicate (one stream, in order): once its mail is in, so is the rest.
    moved = review.AssignmentMovedAway(
        assignment_id=made.assignment_id, application_id=made.application_id,
        call_id=opened.call_id, evaluator_id=evaluator.account_id, application_title="A 1",
    )  # fmt: skip
    await notify.publish(moved)
    await eventually(lambda: notify_sent(notify, evaluator_mail, 2))
    assert sorted(m.kind for m in await notify.mails(evaluator_mail)) == [
        "assignment_moved_away", "evaluation_assigned",
    ]  # fmt: skip
    [assigned] = [m for m in await notify.mails(evaluator_mail) if m.kind == "evaluation_assigned"]
    assert format_instant(made.due_at, "Europe/Lisbon") in assigned.text  # type: ignore[arg-type]
    assert f"{PUBLIC_URL}/#/evaluate" in assigned.text


async def notify_sent(notify: Notify, to: str, count: int) -> bool:
    rows = await notify.mails(to)
    return len(rows) >= count and all(r.state == "sent" for r in rows)


async def test_the_receipt_carries_the_pdf_whose_fingerprint_is_the_events(
    start_notify: Any, mail_server: Mailbox
) -> None:
    notify: Notify = await start_notify()
    applicant = person(address("applicant"))
    opened = call()
    await notify.publish(applicant)
    await notify.publish(opened)
    event = submitted(applicant, opened.call_id)
    await notify.publish(event)

    [message] = await mail_server.wait_for(applicant.email)
    body = text_of(message)
    assert event.fingerprint in body and event.receipt_number in body
    assert format_instant(event.submitted_at, "Europe/Lisbon") in body
    assert "deck.pdf" in body and "ab" * 32 in body
    assert f"{PUBLIC_URL}/#/receipt/{event.application_id}/{event.version}" in links_in(message)
    assert message["Message-ID"].startswith("<") and "@portal.localhost>" in message["Message-ID"]
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    content = pdf.get_content()
    assert content.startswith(b"%PDF")
    drawn = pdf_text(content)
    assert event.fingerprint in drawn
    # Answers under their labels, as the applicant reads them.
    for text in ("Project title", "Repair loops", "Main strategy", "Repair and maintain"):
        assert text in drawn, text
    assert "project_title" not in drawn

    # The outcome reaches the same applicant, with the link to the evaluation summary.
    await notify.publish(review.OutcomePublished(
        application_id=event.application_id, call_id=opened.call_id, decision="reserve", rank=4,
    ))  # fmt: skip
    [_, outcome] = await mail_server.wait_for(applicant.email, count=2)
    assert "on the reserve list" in text_of(outcome)
    assert f"{PUBLIC_URL}/#/mine/{event.application_id}" in links_in(outcome)


async def test_a_long_application_and_its_long_title_get_their_receipt_and_assignment(
    start_notify: Any, mail_server: Mailbox
) -> None:
    """Past LONG_RECEIPT_CHARACTERS of answers the PDF is drawn in a thread: the same receipt.
    The title (the first short-text answer) may be that long too: it failed the receipt and
    the evaluator's mail when notify kept titles as varchar(500)."""
    notify: Notify = await start_notify()
    applicant = person(address("applicant"))
    opened = call()
    await notify.publish(applicant)
    await notify.publish(opened)
    long_answer = "Repair loops " + "circular " * (LONG_RECEIPT_CHARACTERS // 9)
    event = msgspec.structs.replace(
        submitted(applicant, opened.call_id), answers={"project_title": long_answer}
    )
    await notify.publish(event)
    [message] = await mail_server.wait_for(applicant.email)
    [pdf] = list(message.iter_attachments())
    content = pdf.get_content()
    assert len(re.findall(rb"/Type /Page\b", content)) >= 5
    assert event.fingerprint in pdf_text(content) and "Repair loops" in pdf_text(content)
    evaluator = person(address("evaluator"), "evaluator")
    await notify.publish(evaluator)
    await notify.publish(assignment(
        evaluator, opened.call_id, application_id=event.application_id,
        application_title=long_answer,
    ))  # fmt: skip
    [assigned] = await mail_server.wait_for(evaluator.email)
    assert long_answer in text_of(assigned)


async def test_a_late_older_version_keeps_the_newer_title_and_no_address_keeps_the_one_known(
    start_notify: Any, mail_server: Mailbox
) -> None:
    notify: Notify = await start_notify()
    applicant = person(address("applicant"))
    opened = call()
    await notify.publish(applicant)
    await notify.publish(opened)
    first = submitted(applicant, opened.call_id)
    second = msgspec.structs.replace(
        first, version=2, answers={**first.answers, "project_title": "Repair loops, again"}
    )
    late = msgspec.structs.replace(first, applicant_email="")
    for event in (second, late):
        await notify.publish(event)
    await mail_server.wait_for(applicant.email, count=2)

    async def copy() -> ApplicationCopy | None:
        async with notify.sessions() as session:
            return await session.get(ApplicationCopy, first.application_id)

    kept = await eventually(copy)
    assert (kept.version, kept.title, kept.submitted) == (2, "Repair loops, again", True)
    assert kept.applicant_email == applicant.email and kept.applicant_id == applicant.account_id


async def test_a_language_without_templates_gets_english(
    start_notify: Any, mail_server: Mailbox
) -> None:
    missing = [code for code in LANGUAGES if code not in shipped_languages()]
    if not missing:
        pytest.skip("every language has its templates")
    notify: Notify = await start_notify()
    english, other = person(address("en")), person(address(missing[0]), language=missing[0])
    for who in (english, other):
        await notify.publish(who)
        await notify.publish(accounts.PasswordChanged(
            account_id=who.account_id, email=who.email, display_name=who.display_name,
            language=who.language, changed_at=now(),
        ))  # fmt: skip
    [in_english] = await mail_server.wait_for(english.email)
    [fallback] = await mail_server.wait_for(other.email)
    assert fallback["Subject"] == in_english["Subject"]
    # The row says what the mail is written in, not what the person chose.
    assert [m.language for m in await notify.mails(other.email)] == ["en"]


async def test_a_translated_mail_writes_its_instants_and_role_in_the_language(
    start_notify: Any, mail_server: Mailbox
) -> None:
    notify: Notify = await start_notify()
    to = address("nl")
    expires = datetime(2031, 5, 14, 8, 0, tzinfo=UTC)
    await notify.publish(accounts.LinkIssued(
        account_id=str(uuid.uuid4()), email=to, display_name="Nieuwe Beoordelaar",
        purpose=accounts.LinkPurpose.INVITATION, link=f"{PUBLIC_URL}/#/invitation/x",
        expires_at=expires, language="nl", role="evaluator",
    ))  # fmt: skip
    [message] = await mail_server.wait_for(to)
    body = text_of(message)
    assert "14 mei 2031, 10:00 CEST (Europe/Brussels)" in body
    assert "als beoordelaar" in body and "evaluator" not in body
    assert [m.language for m in await notify.mails(to)] == ["nl"]


async def test_an_event_about_a_person_not_known_yet_waits_for_them(
    start_notify: Any, mail_server: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shared.consumer")
    notify: Notify = await start_notify()
    evaluator = person(address("late"), "evaluator", language="pt")
    opened = call()
    await notify.publish(opened)
    made = assignment(evaluator, opened.call_id)
    await notify.publish(made)

    def waited() -> list[logging.LogRecord]:
        wanted = f"waits for person {evaluator.account_id}"
        return [r for r in caplog.records if wanted in r.getMessage()]

    await eventually(lambda: asyncio.sleep(0, result=waited()))
    await notify.publish(evaluator)  # its account's event arrives after the assignment
    [message] = await mail_server.wait_for(evaluator.email)
    assert made.due_at is not None
    assert format_instant(made.due_at, "Europe/Lisbon", "pt") in text_of(message)
    assert all(r.levelno == logging.INFO and r.exc_info is None for r in waited())
    assert not [r for r in caplog.records if r.name == "shared.consumer" and r.levelno > 20]


async def test_a_link_mail_goes_to_the_address_in_the_event(
    start_notify: Any, mail_server: Mailbox
) -> None:
    notify: Notify = await start_notify()
    to = address("new")
    link = f"{PUBLIC_URL}/#/confirm/{uuid.uuid4().hex}"
    await notify.publish(accounts.LinkIssued(
        account_id=str(uuid.uuid4()), email=to, display_name="New Person",
        purpose=accounts.LinkPurpose.CONFIRM_EMAIL, link=link,
        expires_at=now() + timedelta(days=7),
    ))  # fmt: skip
    [message] = await mail_server.wait_for(to)
    assert link in links_in(message)
    assert "New Person" in text_of(message)


async def test_inactive_people_and_opted_out_kinds_get_nothing(start_notify: Any) -> None:
    notify: Notify = await start_notify()
    gone = person(address("gone"), "evaluator", active=False)
    quiet = person(address("quiet"), "evaluator", evaluation_reminders=False)
    opened = call(evaluation_deadline=now() + timedelta(days=30))
    for event in (gone, quiet, opened):
        await notify.publish(event)
    for who in (gone, quiet):
        await notify.publish(assignment(who, opened.call_id))
    # Mandatory kinds reach `quiet`, never `gone`.
    await eventually(lambda: notify_sent(notify, quiet.email, 1))
    assert await notify.mails(gone.email) == []
    assert opened.evaluation_deadline is not None
    await notify.reminders(opened.evaluation_deadline - timedelta(hours=47))
    assert [m.kind for m in await notify.mails(quiet.email)] == ["evaluation_assigned"]
    assert await notify.mails(gone.email) == []


async def test_a_failing_smtp_server_is_retried_then_the_mail_is_failed_and_shown(
    start_notify: Any, mail_server: Mailbox
) -> None:
    notify: Notify = await start_notify(
        smtp_port=free_port(), smtp_password="smtp-secret-password", max_attempts=3
    )
    to = address("unlucky")
    await notify.publish(accounts.PasswordChanged(
        account_id=str(uuid.uuid4()), email=to, display_name="U", changed_at=now(),
    ))  # fmt: skip

    async def failed() -> MailPage | None:
        response = await notify.api("/mail", ADMIN, state="failed", to=to)
        page = msgspec.json.decode(response.content, type=MailPage)
        return page if page.total else None

    page = await eventually(failed)
    [mail] = page.items
    assert mail.attempts == 3 and mail.to == to and mail.last_error
    assert "smtp-secret-password" not in mail.last_error
    [row] = await notify.mails(to)
    assert row.next_attempt_at - row.created_at >= timedelta(seconds=0.05 + 0.1)  # backed off
    # Nobody but the team reads the outbox; the team may send it again.
    own = Identity(role=Role.APPLICANT, account_id="someone")
    assert (await notify.api("/mail", own)).status_code == 403
    assert (await notify.api(f"/mail/{uuid.uuid4()}", ADMIN)).status_code == 404
    retried = await notify.api(f"/mail/{mail.id}/retry", ADMIN, method="POST")
    assert retried.status_code == 200 and retried.json()["state"] == "queued"
    await eventually(lambda: failed_again(notify, to))
    assert mail_server.messages(to) == []


async def failed_again(notify: Notify, to: str) -> bool:
    [row] = await notify.mails(to)
    return row.state == "failed" and row.attempts == 3


async def test_draft_reminders_go_out_exactly_once_each_with_two_schedulers(
    start_notify: Any, mail_server: Mailbox
) -> None:
    notify: Notify = await start_notify()
    opened = call()
    applicant, done, off = (person(address(w)) for w in ("draft", "done", "off"))
    off = msgspec.structs.replace(off, draft_reminders=False)
    for event in (opened, applicant, done, off):
        await notify.publish(event)
    drafts = {}
    for who in (applicant, done, off):
        drafts[who.email] = intake.ApplicationDrafted(
            application_id=str(uuid.uuid4()), call_id=opened.call_id,
            applicant_id=who.account_id, created_at=now(),
        )  # fmt: skip
        await notify.publish(drafts[who.email])
    await notify.publish(msgspec.structs.replace(submitted(done, opened.call_id),
                                                 application_id=drafts[done.email].application_id))  # fmt: skip
    await eventually(lambda: copies_known(notify, 3, submitted=1))

    closes = opened.closes_at
    for moment in (closes - timedelta(hours=71), closes - timedelta(hours=50),
                   closes - timedelta(hours=23), closes - timedelta(hours=1)):  # fmt: skip
        await asyncio.gather(notify.reminders(moment), notify.reminders(moment))
    await notify.reminders(closes + timedelta(minutes=1))  # closed: nothing more
    # A scheduler's next look renders nothing for drafts already reminded: only the draft
    # whose applicant turned reminders off is still looked at.
    async with notify.sessions() as session:
        for kind in ("draft_reminder_72h", "draft_reminder_24h"):
            left = await queries.drafts_not_reminded(session, opened.call_id, kind)
            assert [who.email for _, who in left] == [off.email]

    kinds = sorted(m.kind for m in await notify.mails(applicant.email))
    assert kinds == ["draft_reminder_24h", "draft_reminder_72h"]
    assert [m.kind for m in await notify.mails(done.email)] == ["submission_receipt"]
    assert await notify.mails(off.email) == []
    messages = await mail_server.wait_for(applicant.email, count=2)
    link = f"{PUBLIC_URL}/#/apply/{opened.call_id}"
    assert all(link in links_in(m) for m in messages)
    assert format_instant(closes, "Europe/Lisbon") in text_of(messages[0])


async def copies_known(notify: Notify, count: int, submitted: int) -> bool:
    async with notify.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(ApplicationCopy))
        done = await session.scalar(
            select(func.count()).select_from(ApplicationCopy).where(ApplicationCopy.submitted)
        )
    return (total, done) == (count, submitted)


async def test_evaluation_reminders_count_the_work_not_submitted(start_notify: Any) -> None:
    notify: Notify = await start_notify()
    evaluator = person(address("evaluator"), "evaluator")
    opened = call(evaluation_deadline=now() + timedelta(days=30))
    await notify.publish(evaluator)
    await notify.publish(opened)
    made = [assignment(evaluator, opened.call_id) for _ in range(3)]
    for event in made:
        await notify.publish(event)
    await notify.publish(review.EvaluationSubmitted(
        assignment_id=made[0].assignment_id, application_id=made[0].application_id,
        call_id=opened.call_id, evaluator_id=evaluator.account_id,
    ))  # fmt: skip
    await eventually(lambda: submitted_assignments(notify, 1))
    deadline = opened.evaluation_deadline
    assert deadline is not None
    await notify.reminders(deadline - timedelta(hours=49))  # not yet
    await asyncio.gather(*(notify.reminders(deadline - timedelta(hours=h)) for h in (47, 47, 3)))
    [reminder] = [m for m in await notify.mails(evaluator.email) if m.kind == "evaluation_reminder"]
    assert "2" in reminder.text and format_instant(deadline, "Europe/Lisbon") in reminder.text


async def submitted_assignments(notify: Notify, count: int) -> bool:
    async with notify.sessions() as session:
        done = await session.scalar(
            select(func.count()).select_from(AssignmentCopy).where(AssignmentCopy.submitted)
        )
    return done == count


def digests_of(subject: str, digests: dict[str, str]) -> str:
    """The call a digest's subject is about."""
    return next(title for title, start in digests.items() if subject.startswith(start))


async def test_the_daily_digest_reaches_only_opted_in_team_members_once_a_day(
    start_notify: Any,
) -> None:
    notify: Notify = await start_notify()
    # Tomorrow 10:00 in the call's zone; the call is open then (and not yet now).
    zone = ZoneInfo("Europe/Lisbon")
    morning = (datetime.now(zone) + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    opened = call(opens_at=morning - timedelta(hours=1), closes_at=morning + timedelta(days=10))
    team = {
        "admin in": person(address("admin"), "admin", daily_digest=True),
        "admin out": person(address("admin"), "admin"),
        "hub in": person(address("hub-nl"), "hub_manager", hub="NL", daily_digest=True),
        "other hub": person(address("hub-de"), "hub_manager", hub="DE", daily_digest=True),
        "applicant": person(address("applicant"), daily_digest=True),
    }
    # A programme-wide call's digest counts every hub's applications: for admins only.
    wide = call(title="Programme-wide", hub=None, hubs=["NL", "DE"],
                opens_at=morning - timedelta(hours=1), closes_at=morning + timedelta(days=10))  # fmt: skip
    for event in (opened, wide, *team.values()):
        await notify.publish(event)
    for drafted_in in (opened, wide):
        await notify.publish(intake.ApplicationDrafted(
            application_id=str(uuid.uuid4()), call_id=drafted_in.call_id,
            applicant_id=team["applicant"].account_id, created_at=now(),
        ))  # fmt: skip
    await eventually(lambda: copies_known(notify, 2, submitted=0))
    early = morning.replace(hour=6)
    await notify.reminders(early.astimezone(UTC))  # before 07:00 there: nothing
    await asyncio.gather(notify.reminders(morning), notify.reminders(morning + timedelta(hours=2)))
    got = {name: sorted(m.subject for m in await notify.mails(p.email)) for name, p in team.items()}
    digests = {c.title: f"{c.title}: daily summary" for c in (opened, wide)}
    assert {name: [digests_of(s, digests) for s in subjects] for name, subjects in got.items()} == {
        "admin in": ["Programme-wide", "Repair cafés 2027"], "admin out": [],
        "hub in": ["Repair cafés 2027"], "other hub": [], "applicant": [],
    }  # fmt: skip
    await notify.reminders(morning + timedelta(days=1))  # the next day: one more each
    assert len(await notify.mails(team["admin in"].email)) == 4


async def test_a_person_reads_only_their_own_mail(start_notify: Any) -> None:
    notify: Notify = await start_notify()
    owner = person(address("owner"))
    await notify.publish(owner)
    await notify.publish(accounts.PasswordChanged(
        account_id=owner.account_id, email=owner.email, display_name="O", changed_at=now(),
    ))  # fmt: skip
    await eventually(lambda: notify_sent(notify, owner.email, 1))
    path = f"/people/{owner.account_id}/mail"
    mine = await notify.api(path, Identity(role=Role.APPLICANT, account_id=owner.account_id))
    [notification] = msgspec.json.decode(mine.content, type=list[Notification])
    assert notification.kind == "password_changed" and notification.state == "sent"
    stranger = Identity(role=Role.APPLICANT, account_id="someone-else")
    assert (await notify.api(path, stranger)).status_code == 403
    assert (await notify.api(path, ADMIN)).status_code == 200
    refused = await notify.api(path, ADMIN, first=0)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "first"
