"""Notify alone: N `application.submitted` events published to JetStream as intake publishes
them, each a receipt mail with its PDF, until every receipt is sent over SMTP. Notify's CPU
per receipt (psutil; PostgreSQL with its backends) beside its floor, measured in the same
run in this process: the pure work every receipt needs (its PDF, its mail rendered, the MIME
message's bytes) with no database, NATS or SMTP. What notify spends above the floor is its
plumbing: the consumer's transaction, the outbox, the relay's reads and the SMTP dialogue.

    uv run python -m bench.notify_receipts [--receipts 400] [--runs 3] [--profile FILE]

`--profile`: py-spy samples notify (the thread holding the GIL, i.e. its CPU) into FILE as
collapsed stacks (py-spy on PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import nats
from aiosmtplib.email import flatten_message

from bench.harness import ProcessUsage, running_portal
from infra.stack import Stack
from services.notify.domain.messages import render
from services.notify.domain.receipts import files_context, receipt_facts, receipt_pdf
from services.notify.models import MailAttachmentRow, MailRow
from services.notify.relay import message_of
from shared.api.intake import Organisation, Person
from shared.api.notify import MailState
from shared.api.registry import Form, Option, Question, QuestionType
from shared.contracts import accounts, intake, registry
from shared.events import EventContract, encode_envelope, envelope_for

FORM = Form(questions=[
    Question(key="project_title", type=QuestionType.SHORT_TEXT, labels={"en": "Project title"}),
    Question(key="summary", type=QuestionType.LONG_TEXT, labels={"en": "Summary"}),
    Question(key="strategy", type=QuestionType.SINGLE_CHOICE, labels={"en": "Main strategy"},
             options=[Option("repair", {"en": "Repair and maintain"})]),
    Question(key="team_size", type=QuestionType.NUMBER, labels={"en": "Team size"}),
    Question(key="consent", type=QuestionType.DECLARATION, labels={"en": "I agree"}),
    Question(key="pitch_deck", type=QuestionType.FILE, labels={"en": "Pitch deck"}),
])  # fmt: skip
SUMMARY = "We repair and resell workwear collected from three hospitals in the region. " * 3


def submitted(
    applicant: accounts.AccountChanged, call_id: str, number: int
) -> intake.ApplicationSubmitted:
    return intake.ApplicationSubmitted(
        application_id=str(uuid.uuid4()), call_id=call_id, applicant_id=applicant.account_id,
        applicant_email=applicant.email, version=1, receipt_number=f"OC-2027-{number:05d}",
        submitted_at=datetime.now(UTC), fingerprint=uuid.uuid4().hex * 2,
        organisation=Organisation(name="Fix It Lda", country="PT"),
        contact=Person(name="Ana Lima", email=applicant.email),
        answers={"project_title": "Repair loops", "summary": SUMMARY, "strategy": "repair",
                 "team_size": 4, "consent": True},
        attachments=[intake.AttachmentFacts(
            id=str(uuid.uuid4()), question_key="pitch_deck", file_name="deck.pdf",
            content_type="application/pdf", size=204_800, sha256="ab" * 32,
        )],
    )  # fmt: skip


def floor_ms(event: intake.ApplicationSubmitted, call: registry.CallPublished, runs: int) -> float:
    """CPU ms of the pure work of one receipt: the PDF, the mail rendered, the MIME bytes."""
    facts = receipt_facts(call_title=call.title, title="Repair loops", form=FORM,
                          submitted_at="14 May 2027, 15:02", event=event, language="en")  # fmt: skip
    context = {
        "call_title": call.title, "title": facts.title, "receipt_number": facts.receipt_number,
        "version": 1, "resubmission": False, "submitted_at": facts.submitted_at,
        "fingerprint": event.fingerprint, "files": files_context(facts.files),
        "link": "http://portal/#/receipt/x", "name": "Ana Lima", "portal_url": "http://portal/",
    }  # fmt: skip
    began = time.process_time()
    for _ in range(runs):
        pdf = receipt_pdf(facts)
        mail = render("submission_receipt", "en", context)
        row = MailRow(id=uuid.uuid4(), to_address=event.applicant_email, subject=mail.subject,
                      text=mail.text, html=mail.html, created_at=datetime.now(UTC))  # fmt: skip
        attachment = MailAttachmentRow(file_name="r.pdf", content_type="application/pdf",
                                       content=pdf)  # fmt: skip
        flatten_message(message_of(row, [attachment], "Portal <no-reply@portal.example>"))
    return (time.process_time() - began) * 1000 / runs


async def publish(js: Any, events: list[EventContract]) -> None:
    for event in events:
        envelope = envelope_for(event)
        await js.publish(envelope.subject, encode_envelope(envelope),
                         headers={"Nats-Msg-Id": envelope.id})  # fmt: skip


async def sent_receipts(stack: Stack) -> int:
    connection = await asyncpg.connect(stack.database_url("notify").replace("+asyncpg", ""))
    try:
        return int(await connection.fetchval(
            "SELECT count(*) FROM mail WHERE kind = 'submission_receipt' AND state = $1",
            MailState.SENT.value,
        ))  # fmt: skip
    finally:
        await connection.close()


async def one_run(
    stack: Stack, receipts: int, profile: str | None = None
) -> tuple[float, dict[str, float], float]:
    """(seconds until the last receipt was sent, CPU seconds by process, floor ms)."""
    client = await nats.connect(f"nats://127.0.0.1:{stack.ports['nats']}",
                                token=stack.secrets()["nats_token"])  # fmt: skip
    js = client.jetstream()
    applicant = accounts.AccountChanged(
        account_id=str(uuid.uuid4()), email=f"a-{uuid.uuid4().hex[:8]}@bench.example",
        display_name="Ana Lima", role="applicant", email_confirmed=True,
    )  # fmt: skip
    now = datetime.now(UTC)
    call = registry.CallPublished(
        call_id=str(uuid.uuid4()), title="Repair cafés 2027", hubs=["NL"], hub="NL",
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=10),
        timezone="Europe/Brussels", form=FORM,
    )  # fmt: skip
    before = await sent_receipts(stack)
    await publish(js, [applicant, call])
    events = [submitted(applicant, call.call_id, n) for n in range(receipts)]
    floor = floor_ms(events[0], call, 200)
    pids = {"notify": stack.pid_of("notify"), "postgres": stack.pid_of("postgres"),
            "nats": stack.pid_of("nats")}  # fmt: skip
    spy = profile and subprocess.Popen(  # noqa: ASYNC220 - started before the measured window
        ["py-spy", "record", "-p", str(pids["notify"]), "-r", "250", "-f", "raw", "-o", profile,
         "--nonblocking", "--gil"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with ProcessUsage(pids, every=None, trees=frozenset({"postgres"})) as usage:
        began = time.monotonic()
        await publish(js, events)
        while await sent_receipts(stack) < before + receipts:
            if time.monotonic() - began > 300:
                raise RuntimeError("notify did not send every receipt in time")
            await asyncio.sleep(0.05)
        took = time.monotonic() - began
    if spy:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    await client.close()
    return took, usage.cpu_seconds, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", metavar="FILE", help="py-spy notify into FILE (last run)")
    args = parser.parse_args()
    with running_portal() as stack:
        for run in range(1, args.runs + 1):
            profile = args.profile if run == args.runs else None
            took, cpu, floor = asyncio.run(one_run(stack, args.receipts, profile))
            per = {name: seconds * 1000 / args.receipts for name, seconds in cpu.items()}
            parts = ", ".join(f"{name} {ms:.2f}" for name, ms in per.items())
            print(f"run {run}: {args.receipts} receipts in {took:.1f} s"
                  f" ({args.receipts / took:.0f}/s); CPU ms per receipt: {parts}")  # fmt: skip
            print(f"  floor (PDF + mail + MIME, no I/O): {floor:.2f} ms;"
                  f" notify {per['notify'] / floor:.1f} times the floor,"
                  f" {per['notify'] - floor:.2f} ms of plumbing per receipt")  # fmt: skip


if __name__ == "__main__":
    main()
