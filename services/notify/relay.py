"""The one sender of e-mail: takes queued mail from the outbox and hands it to the SMTP server.

Replicas share the work (FOR UPDATE SKIP LOCKED); a batch goes over one SMTP connection, each
mail its own attempt. The connection is kept while mail keeps coming (at a deadline a batch is
often one receipt, and opening, greeting and quitting cost as much as the mail), for at most
MAILS_PER_CONNECTION mails (servers limit a session's messages), and closed once the outbox
has been idle for a poll. A failed send is tried again later, each time twice as late, and after
`max_attempts` the mail is marked failed with its error kept, so the team sees it. The
Message-ID comes from the mail's id: a mail sent again after a crash between the send and the
commit is recognisably the same message."""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import functools
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, parseaddr
from typing import Any

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.notify import mail_queries
from services.notify.config import NotifySettings
from services.notify.models import MailAttachmentRow, MailRow
from shared.api.notify import MailState
from shared.clock import Clock

log = logging.getLogger(__name__)

MAX_DELAY = timedelta(hours=6)
BATCH = 20  # mails per transaction
MAILS_PER_CONNECTION = 100  # then a new SMTP connection (fewer than providers' limits)


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """After the n-th failed attempt: base, 2 x base, 4 x base, ... at most MAX_DELAY."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def short_error(exc: BaseException) -> str:
    """What the team reads: the kind of failure and the server's words, never credentials
    (the settings are not part of any SMTP error)."""
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 300 else text[:297] + "..."


class FoldedOnce(BaseHeader):
    """A header object is immutable and, made by ReusedHeaders, shared by every mail that
    has it: written (folded) once per way of writing, not once per mail."""

    def fold(self, *, policy: Policy) -> str:
        key = (policy.max_line_length, policy.linesep, getattr(policy, "utf8", False))
        folds: dict[tuple[int | None, str, bool], str] = self.__dict__.setdefault("folds", {})
        if key not in folds:
            folds[key] = super().fold(policy=policy)
        return folds[key]


class ReusedHeaders(HeaderRegistry):
    """The standard registry makes a new class for every header of every message (a third of
    the time a receipt's message took to build and write); here one per header name. Most
    headers are the same in every mail (Content-Type: text/plain; charset="utf-8"): those are
    parsed once, not once per mail."""

    def __init__(self) -> None:
        super().__init__(base_class=FoldedOnce)
        self.made: dict[str, type[BaseHeader]] = {}
        self.parsed = functools.lru_cache(maxsize=256)(super().__call__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self.made:
            self.made[key] = super().__getitem__(name)
        return self.made[key]

    def __call__(self, name: str, value: Any) -> BaseHeader:
        # Only text is a key: a header may also be given as a list of addresses.
        if type(value) is str:
            return self.parsed(name, value)
        return super().__call__(name, value)


POLICY = email.policy.default.clone(header_factory=ReusedHeaders())


def message_of(row: MailRow, attachments: list[MailAttachmentRow], sender: str) -> EmailMessage:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "portal.localhost"
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = f"<{row.id}@{domain}>"
    message.set_content(row.text)
    message.add_alternative(row.html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
            filename=attachment.file_name,
        )  # fmt: skip
    # Boundaries from the mail's id, not from the `random` module as the stdlib's would be:
    # a mail sent again is the same bytes. "=_" cannot occur in base64 or quoted-printable.
    parts = [part for part in message.walk() if part.is_multipart()]
    for depth, part in enumerate(parts):
        part.set_boundary(f"=_{row.id.hex}_{depth}")
    return message


class MailRelay:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], settings: NotifySettings,
        clock: Clock,
    ) -> None:  # fmt: skip
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock
        self._wake = asyncio.Event()
        self._kept: aiosmtplib.SMTP | None = None  # the open connection, between batches
        self._sent_on_kept = 0  # mails tried on it
        self.mails_per_connection = MAILS_PER_CONNECTION

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                try:
                    # A batch not full was all that was due: the next wake or poll sends what
                    # comes.
                    while await self.send_due() >= BATCH:
                        pass
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("mail relay could not read the outbox (%s); will retry", exc)
                try:
                    await asyncio.wait_for(self._wake.wait(), self.settings.outbox_poll_seconds)
                except TimeoutError:  # idle: the server need not keep our connection open
                    await self.hang_up()
                self._wake.clear()
        finally:
            self.close()

    async def send_due(self, batch: int = BATCH) -> int:
        """Send what is due now; returns how many mails were tried."""
        async with self.session_factory() as session, session.begin():
            rows, attachments = await mail_queries.due_mails(session, self.clock(), batch)
            if rows:
                await self.send_batch(rows, attachments)
                await mail_queries.record_attempts(session, rows)
            return len(rows)

    async def _connection(self) -> aiosmtplib.SMTP:
        """The kept connection if the server still answers on it (NOOP: it may have hung up
        while we were idle, and no mail is at risk in finding out), else a new one."""
        if self._kept is not None and self._sent_on_kept >= self.mails_per_connection:
            await self.hang_up()
        if self._kept is not None:
            try:
                await self._kept.noop()
                return self._kept
            except aiosmtplib.SMTPException:
                self.close()
        settings = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=settings.smtp_host, port=settings.smtp_port,
            username=settings.smtp_username or None, password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls, use_tls=settings.smtp_tls,
            timeout=settings.smtp_timeout_seconds,
        )  # fmt: skip
        await smtp.connect()
        self._kept, self._sent_on_kept = smtp, 0
        return smtp

    async def hang_up(self) -> None:
        """QUIT the kept connection, if any."""
        if self._kept is not None and self._kept.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self._kept.quit()
        self.close()

    def close(self) -> None:
        """Drop the kept connection without a word (its server may be gone)."""
        if self._kept is not None:
            self._kept.close()
        self._kept = None

    async def send_batch(
        self, rows: Sequence[MailRow], attachments: Mapping[uuid.UUID, list[MailAttachmentRow]]
    ) -> None:
        """The mails over one connection, each its own attempt: one the server refuses is
        tried again later while the others go; when the connection cannot be opened, drops or
        times out, each mail not yet sent has failed this attempt with that error."""
        unsent = list(rows)
        try:
            smtp = await self._connection()
            while unsent:
                row = unsent[0]
                self._sent_on_kept += 1
                try:
                    await self._send(smtp, row, attachments.get(row.id, []))
                except Exception as exc:
                    if isinstance(exc, ConnectionError | TimeoutError) or not smtp.is_connected:
                        raise  # the connection is gone or in an unknown state
                    self._failed(row, exc)
                unsent.pop(0)
        except Exception as exc:
            self.close()
            for row in unsent:
                self._failed(row, exc)

    async def _send(
        self, smtp: aiosmtplib.SMTP, row: MailRow, attachments: list[MailAttachmentRow]
    ) -> None:
        message = message_of(row, attachments, self.settings.mail_from)
        # The envelope names the one recipient; never what a header may be parsed into.
        await smtp.send_message(message, recipients=[row.to_address])
        row.attempts += 1
        row.state = MailState.SENT
        row.sent_at = self.clock()

    def _failed(self, row: MailRow, exc: BaseException) -> None:
        settings = self.settings
        row.attempts += 1
        row.last_error = short_error(exc)
        if row.attempts >= settings.max_attempts:
            row.state = MailState.FAILED
            log.error("mail %s failed for good: %s", row.id, row.last_error)
        else:
            row.next_attempt_at = self.clock() + retry_delay(
                row.attempts, settings.retry_base_seconds
            )
            log.warning("mail %s not sent (attempt %s): %s", row.id, row.attempts, row.last_error)
