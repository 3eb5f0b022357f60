"""The relay sends a batch over one SMTP connection, each mail its own attempt: a mail the
server refuses is tried again later while the others go; a connection that cannot be opened
or drops is a failed attempt for every mail not yet sent. The connection is kept for the next
batch while the server still answers on it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from infra.embedded import free_port
from services.notify.config import NotifySettings
from services.notify.models import MailAttachmentRow, MailRow
from services.notify.relay import MailRelay
from shared.api.notify import MailState

NOW = datetime(2025, 5, 14, 13, 0, tzinfo=UTC)


class Server:
    """Accepts mail, refuses the addresses that say so, hangs up where asked."""

    def __init__(self) -> None:
        self.connections = 0
        self.quits = 0
        self.delivered: list[str] = []
        self.transports: list[Any] = []

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:  # fmt: skip
        self.connections += 1
        self.transports.append((asyncio.get_running_loop(), server.transport))
        session.host_name = hostname
        return responses

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        self.quits += 1
        return "221 Bye"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:  # fmt: skip
        if address.startswith("unknown"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        [address] = envelope.rcpt_tos
        if address.startswith("spam"):
            return "554 refused as spam"
        if address.startswith("hangup"):
            server.transport.close()
            return "250 never heard"
        self.delivered.append(address)
        return "250 OK"


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    handler, port = Server(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


async def closed(transport: Any) -> None:
    transport.close()


@pytest.fixture
async def sender(server: tuple[Server, int]) -> AsyncIterator[MailRelay]:
    """A relay sending to `server`; its kept connection closed afterwards."""
    kept = relay(server[1])
    yield kept
    kept.close()


def relay(port: int, max_attempts: int = 8) -> MailRelay:
    settings = NotifySettings(smtp_port=port, max_attempts=max_attempts, retry_base_seconds=10)
    return MailRelay(None, settings, lambda: NOW)  # type: ignore[arg-type]  # no outbox read here


def mails(*addresses: str) -> list[MailRow]:
    return [
        MailRow(id=uuid.uuid4(), to_address=address, subject="Your receipt", text="Plain",
                html="<p>Rich</p>", created_at=NOW, attempts=0, state=MailState.QUEUED,
                next_attempt_at=NOW)
        for address in addresses
    ]  # fmt: skip


async def test_a_batch_goes_over_one_connection_with_its_attachments(
    server: tuple[Server, int],
    sender: MailRelay,
) -> None:
    handler, _ = server
    rows = mails("ana@example.org", "ben@example.org", "cleo@example.org")
    pdf = MailAttachmentRow(file_name="r.pdf", content_type="application/pdf", content=b"%PDF-1")
    await sender.send_batch(rows, {rows[0].id: [pdf]})
    assert handler.connections == 1
    assert handler.delivered == ["ana@example.org", "ben@example.org", "cleo@example.org"]
    assert {(row.state, row.attempts, row.sent_at) for row in rows} == {(MailState.SENT, 1, NOW)}


async def test_a_refused_mail_is_tried_later_while_the_others_go(
    server: tuple[Server, int],
    sender: MailRelay,
) -> None:
    handler, _ = server
    rows = mails("unknown@example.org", "ana@example.org", "spam@example.org", "ben@example.org")
    await sender.send_batch(rows, {})
    assert handler.connections == 1
    assert handler.delivered == ["ana@example.org", "ben@example.org"]
    unknown, ana, spam, ben = rows
    assert ana.state == ben.state == MailState.SENT
    for refused, kind in ((unknown, "SMTPRecipientsRefused"), (spam, "SMTPDataError")):
        assert refused.state == MailState.QUEUED and refused.attempts == 1
        assert refused.next_attempt_at == NOW + timedelta(seconds=10)
        assert refused.last_error is not None and refused.last_error.startswith(kind)


async def test_a_dropped_connection_fails_this_attempt_of_the_mails_not_yet_sent(
    server: tuple[Server, int],
    sender: MailRelay,
) -> None:
    handler, _ = server
    rows = mails("ana@example.org", "hangup@example.org", "ben@example.org")
    rows[2].attempts = 7
    await sender.send_batch(rows, {})
    ana, hangup, ben = rows
    assert handler.delivered == ["ana@example.org"] and ana.state == MailState.SENT
    assert hangup.state == MailState.QUEUED and hangup.attempts == 1 and hangup.last_error
    assert ben.state == MailState.FAILED and ben.attempts == 8  # its last attempt
    assert ben.last_error == hangup.last_error


async def test_a_server_that_cannot_be_reached_fails_this_attempt_of_every_mail() -> None:
    rows = mails("ana@example.org", "ben@example.org")
    rows[1].attempts = 2
    await relay(free_port(), max_attempts=3).send_batch(rows, {})
    ana, ben = rows
    assert ana.state == MailState.QUEUED and ana.attempts == 1
    assert ana.next_attempt_at == NOW + timedelta(seconds=10)
    assert ben.state == MailState.FAILED and ben.attempts == 3
    assert ana.last_error and ana.last_error == ben.last_error
    assert ana.last_error.startswith("SMTPConnect")


async def test_the_next_batch_goes_over_the_same_connection_until_the_relay_hangs_up(
    server: tuple[Server, int],
    sender: MailRelay,
) -> None:
    handler, _ = server
    await sender.send_batch(mails("ana@example.org"), {})
    await sender.send_batch(mails("ben@example.org"), {})
    assert (handler.connections, handler.quits) == (1, 0)
    await sender.hang_up()  # what the relay does once the outbox is idle
    assert handler.quits == 1
    rows = mails("cleo@example.org")
    await sender.send_batch(rows, {})
    assert handler.connections == 2
    assert handler.delivered == ["ana@example.org", "ben@example.org", "cleo@example.org"]
    assert rows[0].state == MailState.SENT


async def test_a_kept_connection_the_server_dropped_is_replaced_and_costs_no_attempt(
    server: tuple[Server, int],
    sender: MailRelay,
) -> None:
    handler, _ = server
    await sender.send_batch(mails("ana@example.org"), {})
    # The server's idle timeout: the connection closed in the server's own thread.
    loop, transport = handler.transports[0]
    asyncio.run_coroutine_threadsafe(closed(transport), loop).result(timeout=5)
    rows = mails("ben@example.org", "cleo@example.org")
    await sender.send_batch(rows, {})
    assert handler.connections == 2
    assert handler.delivered == ["ana@example.org", "ben@example.org", "cleo@example.org"]
    assert {(row.state, row.attempts, row.last_error) for row in rows} == {
        (MailState.SENT, 1, None)
    }


async def test_a_kept_connection_is_renewed_after_its_share_of_mails(
    server: tuple[Server, int],
    sender: MailRelay,
) -> None:
    handler, _ = server
    sender.mails_per_connection = 2
    for address in ("ana@example.org", "ben@example.org", "cleo@example.org"):
        await sender.send_batch(mails(address), {})
    assert (handler.connections, handler.quits) == (2, 1)
    assert len(handler.delivered) == 3
