"""The relay's pure parts: the backoff, the error the team reads, the message it builds."""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from services.notify.models import MailAttachmentRow, MailRow
from services.notify.relay import MAX_DELAY, message_of, retry_delay, short_error


def test_each_retry_waits_twice_as_long_up_to_a_limit() -> None:
    delays = [retry_delay(n, 10).total_seconds() for n in (1, 2, 3, 4)]
    assert delays == [10, 20, 40, 80]
    assert retry_delay(40, 10) == MAX_DELAY


def test_the_error_kept_is_short_and_names_its_kind() -> None:
    kept = short_error(ConnectionRefusedError("x" * 1000))
    assert kept.startswith("ConnectionRefusedError: ") and len(kept) == 300


def test_the_message_has_text_html_attachments_and_an_id_from_the_mail() -> None:
    row = MailRow(
        id=uuid.uuid4(), to_address="ana@example.org", subject="Your receipt", text="Plain",
        html="<p>Rich</p>", created_at=datetime.now(UTC) - timedelta(minutes=1),
    )  # fmt: skip
    pdf = MailAttachmentRow(file_name="r.pdf", content_type="application/pdf", content=b"%PDF-1")
    message = message_of(row, [pdf], "Portal <no-reply@portal.example>")
    assert message["Message-ID"] == f"<{row.id}@portal.example>"
    assert message["To"] == "ana@example.org" and message["Subject"] == "Your receipt"
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and rich is not None and "Rich" in rich.get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "r.pdf" and attached.get_content() == b"%PDF-1"


def test_the_message_is_written_as_the_standard_policy_writes_it() -> None:
    """The header classes are made once per name; what is written does not change."""
    row = MailRow(
        id=uuid.uuid4(), to_address="Ana Łukasz <ana@example.org>",
        subject="Ihre Bestätigung — a subject long enough to be folded over two lines or more",
        text="Plain ünïcode", html="<p>Rich</p>", created_at=datetime.now(UTC),
    )  # fmt: skip
    pdf = MailAttachmentRow(file_name="rés umé.pdf", content_type="application/pdf", content=b"%")
    ours = message_of(row, [pdf], "Portal <no-reply@portal.example>")
    standard = email.message_from_bytes(ours.as_bytes(), policy=email.policy.default)
    assert isinstance(standard, EmailMessage)
    for _ in range(2):  # the second message reuses the classes the first one made
        again = message_of(row, [pdf], "Portal <no-reply@portal.example>")
        assert without_boundaries(again.as_bytes()) == without_boundaries(standard.as_bytes())
    assert type(again["Subject"]) is type(ours["Subject"])


def without_boundaries(raw: bytes) -> bytes:
    return re.sub(rb"={15}\d+==", b"BOUNDARY", raw)
