"""Outside dev mode, a mail whose link is a credential is readable by its recipient only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.notify.config import NotifySettings
from services.notify.domain.withholding import WITHHELD
from services.notify.models import MailRow
from services.notify.usecases.mails import mail_of, withheld
from shared.api.notify import MailState
from shared.identity import Identity, Role

PRODUCTION = NotifySettings(environment="production", internal_secret="a-real-secret-0123456789")
DEV = NotifySettings()
ADMIN = Identity(role=Role.ADMIN, account_id="admin-1")
OWNER = Identity(role=Role.APPLICANT, account_id="person-1")


def mail(kind: str) -> MailRow:
    return MailRow(
        id=uuid.uuid4(), recipient_id="person-1", to_address="p@example.org", kind=kind,
        language="en", subject="Reset your password", text="https://portal/#/reset/secret",
        html="<a href='https://portal/#/reset/secret'>Reset</a>", state=MailState.SENT, attempts=1,
        created_at=datetime.now(UTC),
    )  # fmt: skip


def test_the_team_never_sees_a_reset_or_invitation_link_outside_dev() -> None:
    for kind in ("reset_password", "invitation", "confirm_email"):
        row = mail(kind)
        assert withheld(row, ADMIN, PRODUCTION)
        view = mail_of(row, [], withheld(row, ADMIN, PRODUCTION))
        assert "secret" not in view.text + view.html and view.text == WITHHELD
        assert view.subject == "Reset your password"  # what and to whom stays visible


def test_the_recipient_and_dev_mode_read_the_whole_mail() -> None:
    row = mail("reset_password")
    assert not withheld(row, OWNER, PRODUCTION)
    assert not withheld(row, ADMIN, DEV)


def test_mail_without_a_credential_stays_readable_by_the_team() -> None:
    for kind in ("submission_receipt", "outcome", "sign_up_repeated", "evaluation_assigned"):
        assert not withheld(mail(kind), ADMIN, PRODUCTION)
