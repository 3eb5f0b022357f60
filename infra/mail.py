"""The embedded mode's SMTP server: aiosmtpd delivering every message into a Maildir, so
`make dev` (and the tests) send real SMTP and anyone can read what was sent."""

from __future__ import annotations

import email
import email.policy
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class RawMaildir:
    """An aiosmtpd handler writing each message into the Maildir as it came (line ends made
    Unix ones), after the envelope's trace headers aiosmtpd's own `Mailbox` adds (X-Peer,
    X-MailFrom, X-RcptTo). That handler parses and writes out every message again: most of
    the server's CPU in a deadline surge, on the cores the portal runs on."""

    def __init__(self, root: Path) -> None:
        self.box = mailbox.Maildir(root)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        trace = (f"X-Peer: {session.peer}\nX-MailFrom: {envelope.mail_from}\n"
                 f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\n")  # fmt: skip
        self.box.add(trace.encode() + envelope.content.replace(b"\r\n", b"\n"))
        return "250 OK"


class MaildirSmtp:
    """An SMTP server on 127.0.0.1:`port` (its own thread) writing into the Maildir `root`."""

    def __init__(self, root: Path, port: int, host: str = "127.0.0.1") -> None:
        self.root = root
        self.host = host
        self.port = port
        # Maildir makes its cur/new/tmp folders only when the folder itself is new.
        root.parent.mkdir(parents=True, exist_ok=True)
        for folder in ("cur", "new", "tmp"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        self.controller = Controller(RawMaildir(root), hostname=host, port=port)

    def start(self) -> MaildirSmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class MaildirReader:
    """Reads a Maildir as messages arrive: each file is parsed once, however often it is read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._parsed: dict[str, tuple[float, EmailMessage]] = {}

    def messages(self) -> list[EmailMessage]:
        """Every message delivered so far, oldest first, parsed with the modern e-mail API."""
        if not self.root.exists():
            return []
        box = mailbox.Maildir(self.root, create=False)
        for key in box.iterkeys():
            if key not in self._parsed:
                raw = box.get_bytes(key)
                parsed = email.message_from_bytes(raw, policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                self._parsed[key] = (box.get_message(key).get_date(), parsed)
        return [message for _, message in sorted(self._parsed.values(), key=lambda p: p[0])]


def read_maildir(root: Path) -> list[EmailMessage]:
    return MaildirReader(root).messages()
