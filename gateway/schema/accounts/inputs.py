"""GraphQL inputs of accounts: signing up, a staff account, preferences."""

from __future__ import annotations

import strawberry

from shared.identity import Role as DomainRole


@strawberry.input
class SignUpInput:
    email: str
    password: str
    display_name: str
    language: str = "en"


@strawberry.input(description="A staff account; the person sets a password from the e-mail.")
class AccountInput:
    email: str
    display_name: str
    role: DomainRole
    hub: str | None = None
    language: str = "en"


@strawberry.input(description="Only the fields given change.")
class PreferencesInput:
    language: str | None = None
    draft_reminders: bool | None = None
    evaluation_reminders: bool | None = None
    daily_digest: bool | None = None
