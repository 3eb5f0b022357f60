"""What an audit entry says about one GraphQL field: its target, the safe part of its
arguments, how it ended. Only ids, enum values and numbers are ever taken from arguments:
never text (passwords, codes, tokens, names, e-mail addresses) nor input objects (answers)."""

from __future__ import annotations

import enum
import re
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLScalarType,
    get_named_type,
)

from gateway.schema.errors import Error
from shared.errors import DomainError

# Refused by name as well, whatever their type may become.
SECRET_ARGUMENTS = frozenset({
    "password", "newPassword", "currentPassword", "code", "token", "recoveryCode", "answers",
    "email", "displayName", "input", "file", "justification", "reason", "organisation",
})  # fmt: skip
SAFE_SCALARS = frozenset({"ID", "Int", "Float", "Boolean"})
# The thing an id argument names; the most specific one present is the entry's target.
ID_ARGUMENTS = {
    "attachmentId": "attachment", "assignmentId": "assignment", "applicationId": "application",
    "accountId": "account", "toEvaluator": "account", "callId": "call",
}  # fmt: skip
# A person's changes of their own account (or, signed out, of the one a link or address names).
OWN_ACCOUNT_CHANGES = frozenset({
    "signUp", "signIn", "confirmEmail", "resendConfirmation", "requestPasswordReset",
    "resetPassword", "acceptInvitation", "changePassword", "signOutEverywhere",
    "updatePreferences", "setUpTwoFactor", "enableTwoFactor", "disableTwoFactor",
    "eraseMyAccount",
})  # fmt: skip
# What a mutation answers with, when it is a thing of its own (a creation names its target).
RETURNED_TARGETS = {
    "OpenCall": "call", "Application": "application", "Attachment": "attachment",
    "Account": "account", "Mission": "mission", "Challenge": "challenge",
}  # fmt: skip


def safe_arguments(field: GraphQLField, arguments: dict[str, Any]) -> dict[str, str]:
    """The arguments an entry may keep: ids, enum values, numbers and flags."""
    kept: dict[str, str] = {}
    for name, value in arguments.items():
        definition = field.args.get(name)
        if definition is None or name in SECRET_ARGUMENTS or value is None:
            continue
        kind = get_named_type(definition.type)
        safe = isinstance(kind, GraphQLEnumType) or (
            isinstance(kind, GraphQLScalarType) and kind.name in SAFE_SCALARS
        )
        if safe:
            kept[name] = plain(value)
    return kept


def plain(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(plain(v) for v in value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def noun_of(field_name: str) -> str:
    """`updateCall` changes a call, `retryMail` a mail: the field name's last word."""
    words = re.findall(r"[A-Z][a-z]*", field_name)
    return words[-1].lower() if words else field_name


def target_of(
    field_name: str, arguments: dict[str, str], value: Any, caller: str | None = None
) -> tuple[str, str]:
    """The entry's target: the thing answered with (a creation), else the most specific id
    argument, else the caller's own account for a change of it, else what the field name says
    with no id (e.g. a failed sign-in: the address tried is not kept)."""
    returned = RETURNED_TARGETS.get(type(value).__name__)
    if returned is not None:
        return returned, str(getattr(value, "id", ""))
    invited = getattr(value, "evaluator", None)
    if invited is not None:
        return "account", str(getattr(invited, "account_id", ""))
    signed_in = getattr(value, "account", None)
    if signed_in is not None and hasattr(signed_in, "id"):
        return "account", str(signed_in.id)
    if "id" in arguments:
        return noun_of(field_name), arguments["id"]
    for name, target_type in ID_ARGUMENTS.items():
        if name in arguments:
            return target_type, arguments[name]
    if field_name in OWN_ACCOUNT_CHANGES:
        return "account", caller or ""
    return noun_of(field_name), ""


def signed_in_as(value: Any) -> tuple[str, str] | None:
    """Who a sign-in (or an accepted invitation) made the caller: they are its actor."""
    account = getattr(value, "account", None)
    role = getattr(account, "role", None)
    if account is None or role is None:
        return None
    return str(account.id), plain(role)


def outcome_of(value: Any) -> str:
    """ "ok", or the name of the typed error answered (Forbidden, ValidationErrors, ...)."""
    return type(value).__name__ if isinstance(value, Error) else "ok"


def outcome_of_exception(exc: BaseException) -> str:
    """A domain error by its name (Forbidden, ServiceUnavailable); anything else as the
    client sees it, internal_error."""
    return type(exc).__name__ if isinstance(exc, DomainError) else "internal_error"
