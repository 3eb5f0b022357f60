"""Events the gateway publishes about people: who they are and which links they were sent.

Notify keeps its own copy of each person (`AccountChanged`) to address, word and filter the
mail it sends; it never reads the gateway's tables."""

from __future__ import annotations

import enum
from datetime import datetime

from shared.events import EventContract


class LinkPurpose(enum.StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"
    INVITATION = "invitation"
    # Someone signed up with an address that has an account: its owner is told, the
    # person signing up sees the same answer as for a new address.
    SIGN_UP_REPEATED = "sign_up_repeated"


class AccountChanged(EventContract, frozen=True, kw_only=True):
    """The whole current state of a person, sent on every change (upsert by account_id)."""

    subject = "portal.gateway.account.changed.v1"
    account_id: str
    email: str
    display_name: str
    role: str
    hub: str | None = None
    language: str = "en"
    email_confirmed: bool = False
    active: bool = True
    # Optional notifications this person receives (see shared.api.notify.OPTIONAL_KINDS).
    draft_reminders: bool = True
    evaluation_reminders: bool = True
    daily_digest: bool = False


class LinkIssued(EventContract, frozen=True, kw_only=True):
    """A single-use link to e-mail to one person. The link is the credential: it travels
    only inside the platform (this stream) and to the person's mailbox."""

    subject = "portal.gateway.link.issued.v1"
    account_id: str
    email: str
    display_name: str
    language: str = "en"
    purpose: LinkPurpose
    link: str
    expires_at: datetime
    role: str = "applicant"


class PasswordChanged(EventContract, frozen=True, kw_only=True):
    """A security notice to the owner: every earlier sign-in was ended."""

    subject = "portal.gateway.password.changed.v1"
    account_id: str
    email: str
    display_name: str
    language: str = "en"
    changed_at: datetime


class AccountErased(EventContract, frozen=True, kw_only=True):
    """The person asked to be forgotten (or the team did, on their written request): every
    service anonymises what it holds about them. Their applications follow as intake's
    `ApplicationAnonymised`; scores, decisions and audit facts stay. Carries only the id."""

    subject = "portal.gateway.account.erased.v1"
    account_id: str
    erased_at: datetime
