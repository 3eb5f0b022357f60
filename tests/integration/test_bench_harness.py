"""The benchmarks' applicants confirm their address from the mail as delivered over SMTP
into the stack's Maildir: the harness finds each recipient's confirmation token there."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from pathlib import Path

from bench.harness import confirmation_tokens_in
from infra.embedded import free_port
from infra.mail import MaildirSmtp, read_maildir


def mail(port: int, to: str, text: str) -> None:
    message = EmailMessage()
    message["From"] = "Open-call portal <portal@demo.portal>"
    message["To"] = to
    message["Subject"] = "Confirm your e-mail address"
    message.set_content(text)
    message.add_alternative(f"<p>{text}</p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(message)


async def test_each_recipient_s_confirmation_token_is_read_from_the_maildir(
    tmp_path: Path,
) -> None:
    root = tmp_path / "mail"
    server = MaildirSmtp(root, free_port()).start()
    try:
        assert confirmation_tokens_in(root) == {}
        sent = [
            ("Ana <ANA@bench.example>", "Open http://127.0.0.1:8000/#/confirm/tok-A_1 to confirm."),
            ("bo@bench.example", "Confirm: http://127.0.0.1:8000/#/confirm/tokB2\nThanks."),
            ("cy@bench.example", "Reset: http://127.0.0.1:8000/#/reset/not-a-confirmation"),
        ]
        for to, text in sent:
            await asyncio.to_thread(mail, server.port, to, text)
        found = confirmation_tokens_in(root)
    finally:
        server.stop()
    assert found == {"ana@bench.example": "tok-A_1", "bo@bench.example": "tokB2"}


async def test_a_message_is_kept_as_it_came_with_the_envelope_s_trace(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    server = MaildirSmtp(root, free_port()).start()
    try:
        text = "Grüße: a line of text\n.a line that began with a dot\n"
        await asyncio.to_thread(mail, server.port, "Ana <ana@bench.example>", text)
        [message] = read_maildir(root)
    finally:
        server.stop()
    assert message["X-RcptTo"] == "ana@bench.example"
    assert message["X-MailFrom"] == "portal@demo.portal"
    assert message["X-Peer"].startswith("('127.0.0.1',")
    assert message["To"] == "Ana <ana@bench.example>"
    plain = message.get_body(("plain",))
    assert plain is not None and plain.get_content() == text
