"""The relay's pure parts: the backoff, the error the team reads, the message it builds."""

from __future__ import annotations

import email
import email.policy
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
    """The header classes are made once per name and the boundaries come from the mail's id:
    what is written is what the standard policy writes, the same bytes every time."""
    row = MailRow(
        id=uuid.uuid4(), to_address="Ana Łukasz <ana@example.org>",
        subject="Ihre Bestätigung — a subject long enough to be folded over two lines or more",
        text="Plain ünïcode", html="<p>Rich</p>", created_at=datetime.now(UTC),
    )  # fmt: skip
    pdf = MailAttachmentRow(file_name="rés umé.pdf", content_type="application/pdf", content=b"%")
    ours = message_of(row, [pdf], "Portal <no-reply@portal.example>").as_bytes()
    standard = email.message_from_bytes(ours, policy=email.policy.default)
    assert isinstance(standard, EmailMessage)
    assert ours == standard.as_bytes()
    # The second message reuses the classes the first one made, and is the same bytes.
    assert message_of(row, [pdf], "Portal <no-reply@portal.example>").as_bytes() == ours
    boundaries = [part.get_boundary() for part in standard.walk() if part.is_multipart()]
    assert boundaries == [f"=_{row.id.hex}_0", f"=_{row.id.hex}_1"]
    other = MailRow(**{**{c: getattr(row, c) for c in ("to_address", "subject", "text",
                                                       "html", "created_at")},
                       "id": uuid.uuid4()})  # fmt: skip
    assert row.id.hex not in message_of(other, [pdf], "Portal <p@portal.example>").as_string()


def test_a_header_shared_by_mails_is_written_as_each_policy_writes_it() -> None:
    """Headers are parsed and folded once and shared: a narrower policy still folds its own."""
    row = MailRow(
        id=uuid.uuid4(), to_address="Ana Łukasz <ana@example.org>",
        subject="Ihre Bestätigung — a subject long enough to be folded over two lines or more",
        text="Plain", html="<p>Rich</p>", created_at=datetime.now(UTC),
    )  # fmt: skip
    narrow = email.policy.default.clone(max_line_length=40)
    for _ in range(2):
        ours = message_of(row, [], "Portal <no-reply@portal.example>")
        standard = email.message_from_bytes(ours.as_bytes(), policy=email.policy.default)
        assert ours.as_string(policy=narrow) == standard.as_string(policy=narrow)
        assert ours.as_bytes(policy=email.policy.SMTP) == standard.as_bytes(
            policy=email.policy.SMTP
        )
