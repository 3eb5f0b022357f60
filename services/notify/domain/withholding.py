"""Who reads a mail's body: outside dev mode, a mail whose link is a credential (it confirms,
resets or sets a password) is readable by its recipient only, so no admin can take over an
account from the outbox."""

from __future__ import annotations

from shared.identity import Identity

CREDENTIAL_KINDS = frozenset({"confirm_email", "reset_password", "invitation"})
WITHHELD = "(Withheld: this message carries a personal link that only its recipient may use.)"


def body_withheld(kind: str, recipient_id: str | None, reader: Identity, is_dev: bool) -> bool:
    return kind in CREDENTIAL_KINDS and not is_dev and reader.account_id != recipient_id
