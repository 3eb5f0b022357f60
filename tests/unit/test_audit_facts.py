"""What an audit entry keeps of a GraphQL field's arguments and answer, on the real schema:
ids, enum values and numbers; never a password, code, token, name, address or answer."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLField

from gateway.config import GatewaySettings
from gateway.schema import build_schema
from gateway.schema.audit.facts import (
    noun_of,
    outcome_of,
    outcome_of_exception,
    safe_arguments,
    signed_in_as,
    target_of,
)
from gateway.schema.errors import Forbidden, ValidationErrors
from shared.errors import NotFound
from shared.identity import Role

SCHEMA = build_schema(GatewaySettings())._schema


def mutation(name: str) -> GraphQLField:
    assert SCHEMA.mutation_type is not None
    return SCHEMA.mutation_type.fields[name]


@pytest.mark.parametrize(
    ("field", "arguments"),
    [
        ("signIn", {"email": "ana@example.org", "password": "secret-1", "code": "123456"}),
        ("changePassword", {"currentPassword": "secret-1", "newPassword": "secret-2"}),
        ("resetPassword", {"token": "a-link-token", "password": "secret-2"}),
        ("acceptInvitation", {"token": "a-link-token", "password": "secret-2"}),
        ("signUp", {"input": {"email": "ana@example.org", "password": "x", "displayName": "Ana"}}),
        ("saveApplication", {"input": {"answers": {"title": "mine"}}}),
        ("declareConflict", {"organisation": "Repair Collective", "reason": "my sister"}),
        ("enableTwoFactor", {"code": "123456"}),
        ("requestPasswordReset", {"email": "ana@example.org"}),
    ],
)
def test_no_secret_or_personal_argument_is_kept(field: str, arguments: dict[str, Any]) -> None:
    kept = safe_arguments(mutation(field), arguments)
    assert set(kept) <= {"id"}


def test_ids_enum_values_and_numbers_are_kept() -> None:
    kept = safe_arguments(
        mutation("setPoolMember"), {"callId": "c-1", "accountId": "a-1", "capacity": 4}
    )
    assert kept == {"callId": "c-1", "accountId": "a-1", "capacity": "4"}
    assert safe_arguments(mutation("transitionCall"), {"id": "c-1", "status": "closed"}) == {
        "id": "c-1", "status": "closed"}  # fmt: skip


def test_the_target_is_the_most_specific_id() -> None:
    assert target_of("updateCall", {"id": "c-1"}, None) == ("call", "c-1")
    assert target_of("setConsensus", {"callId": "c-1", "applicationId": "a-1"}, None) == (
        "application", "a-1")  # fmt: skip
    assert target_of("moveAssignment", {"assignmentId": "s-1", "toEvaluator": "e-1"}, None) == (
        "assignment", "s-1")  # fmt: skip
    assert target_of("retryMail", {"id": "m-1"}, None) == ("mail", "m-1")


def test_a_change_of_one_s_own_account_targets_it() -> None:
    assert target_of("enableTwoFactor", {}, None, "acc-1") == ("account", "acc-1")
    # Signed out: the account a link or an address names stays unknown (neither is kept).
    assert target_of("requestPasswordReset", {}, None, None) == ("account", "")
    assert noun_of("publishResults") == "results"


def test_a_creation_names_what_it_made() -> None:
    class OpenCall:
        id = "new-call"

    assert target_of("createCall", {}, OpenCall()) == ("call", "new-call")


def test_a_sign_in_names_who_signed_in() -> None:
    class Account:
        id = "acc-1"
        role = Role.EVALUATOR

    class AuthPayload:
        account = Account()

    assert signed_in_as(AuthPayload()) == ("acc-1", "evaluator")
    assert target_of("signIn", {}, AuthPayload()) == ("account", "acc-1")
    assert signed_in_as(Forbidden(message="no")) is None


def test_outcomes() -> None:
    assert outcome_of(object()) == "ok"
    assert outcome_of(Forbidden(message="no")) == "Forbidden"
    assert outcome_of(ValidationErrors(message="bad", errors=[])) == "ValidationErrors"
    assert outcome_of_exception(NotFound("gone")) == "NotFound"
    assert outcome_of_exception(RuntimeError("SELECT * FROM account")) == "internal_error"
