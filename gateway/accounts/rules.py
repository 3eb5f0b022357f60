"""The rules of an account's entries and role, as plain functions (no I/O): what a name,
language, hub and password must be, and who must sign in with a second factor."""

from __future__ import annotations

from gateway.auth import CONTROL_CHARACTERS, HUB_CODES, email_errors
from gateway.config import GatewaySettings
from gateway.models import Account
from gateway.passwords import password_problem
from shared.errors import FieldError
from shared.identity import Role
from shared.programme import LANGUAGES


def password_errors(
    password: str, *, email: str, display_name: str, field: str = "password"
) -> list[FieldError]:
    problem = password_problem(password, email=email, display_name=display_name)
    return [FieldError(field, problem)] if problem else []


MAX_NAME_LENGTH = 200  # the column's size


def language_errors(language: str) -> list[FieldError]:
    if language in LANGUAGES:
        return []
    return [FieldError("language", f"choose one of {', '.join(LANGUAGES)}")]


def person_errors(email: str, display_name: str, language: str) -> list[FieldError]:
    errors = email_errors(email) + language_errors(language)
    if not display_name.strip():
        errors.append(FieldError("displayName", "must not be empty"))
    elif len(display_name) > MAX_NAME_LENGTH:
        errors.append(FieldError("displayName", f"use at most {MAX_NAME_LENGTH} characters"))
    elif CONTROL_CHARACTERS.search(display_name):
        errors.append(FieldError("displayName", "must not contain control characters"))
    return errors


def hub_errors(role: Role, hub: str | None) -> list[FieldError]:
    if role is Role.HUB_MANAGER and not hub:
        return [FieldError("hub", "a hub manager needs a hub")]
    if role is Role.HUB_MANAGER and hub not in HUB_CODES:
        return [FieldError("hub", f"there is no hub {hub}; hubs are {', '.join(HUB_CODES)}")]
    return []


TEAM_MADE = frozenset({Role.EVALUATOR, Role.HUB_MANAGER, Role.ADMIN})


def team_made_errors(role: Role, hub: str | None) -> list[FieldError]:
    """What the team may not create (found probing: an applicant account was made, and an
    admin's hub dropped without a word)."""
    if role not in TEAM_MADE:  # an "anonymous" account could never sign in, yet held the address
        return [FieldError("role", "applicants sign up themselves; create an evaluator, a "
                           "hub manager or an admin")]  # fmt: skip
    if hub and role is not Role.HUB_MANAGER:
        return [FieldError("hub", "only a hub manager has a hub")]
    return []


def two_factor_required(account: Account, settings: GatewaySettings) -> bool:
    return not settings.is_dev and account.role in (Role.ADMIN, Role.HUB_MANAGER)


def end_every_session(account: Account) -> None:
    account.token_version += 1
