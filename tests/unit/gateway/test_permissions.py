"""The permission classes against every role: `allow` answers the first failing permission's
typed error as the field's value, `quiet` answers null or [] as a missing thing would, `refuse`
raises the domain error (its code in the GraphQL error)."""

# Strawberry's decorators are untyped (as in gateway.schema, see pyproject's mypy overrides).
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pytest
import strawberry

from gateway.schema.errors import Forbidden, NotAuthenticated
from gateway.schema.permissions import Admin, Evaluator, SignedIn, Staff, allow, quiet, refuse
from shared.errors import DomainError
from shared.identity import Identity, Role


@strawberry.type
class Done:
    ok: bool = True


Outcome = Annotated[Done | NotAuthenticated | Forbidden, strawberry.union("Outcome")]


@strawberry.type
class Query:
    @strawberry.field(extensions=[quiet(Evaluator)])
    def assigned(self) -> list[str]:
        return ["a1"]

    @strawberry.field(extensions=[quiet(SignedIn, Staff)])
    def report(self) -> str | None:
        return "report"

    @strawberry.field(extensions=[refuse(SignedIn, Admin)])
    def accounts(self) -> list[str]:
        return ["everyone"]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=[allow(SignedIn)])
    def signed_in(self) -> Outcome:
        return Done()

    @strawberry.mutation(extensions=[allow(SignedIn, Staff)])
    def staff(self) -> Outcome:
        return Done()

    @strawberry.mutation(extensions=[allow(SignedIn, Admin)])
    def admin(self) -> Outcome:
        return Done()

    @strawberry.mutation(extensions=[allow(SignedIn, Evaluator)])
    def evaluator(self) -> Outcome:
        return Done()


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)


@dataclass
class Context:
    identity: Identity


def run(query: str, role: Role) -> dict[str, Any]:
    result = SCHEMA.execute_sync(query, context_value=Context(Identity(role=role)))
    assert result.errors is None
    assert result.data is not None
    return result.data


OUTCOME = "{ __typename ... on Error { message } }"
ALLOWED = {
    "signedIn": {Role.APPLICANT, Role.EVALUATOR, Role.HUB_MANAGER, Role.ADMIN},
    "staff": {Role.HUB_MANAGER, Role.ADMIN},
    "admin": {Role.ADMIN},
    "evaluator": {Role.EVALUATOR},
}
REFUSALS = {
    "staff": "Only the programme team and hub managers may do this.",
    "admin": "Only the programme team may do this.",
    "evaluator": "Only evaluators may do this.",
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("field", list(ALLOWED))
def test_allow_answers_the_typed_refusal(field: str, role: Role) -> None:
    answer = run(f"mutation {{ {field} {OUTCOME} }}", role)[field]
    if role in ALLOWED[field]:
        assert answer == {"__typename": "Done"}
    elif role is Role.ANONYMOUS:  # SignedIn is checked first: anonymous is told to sign in
        assert answer == {"__typename": "NotAuthenticated", "message": "Sign in first."}
    else:
        assert answer == {"__typename": "Forbidden", "message": REFUSALS[field]}


@pytest.mark.parametrize("role", list(Role))
def test_quiet_answers_an_empty_list_or_null(role: Role) -> None:
    data = run("{ assigned report }", role)
    assert data["assigned"] == (["a1"] if role is Role.EVALUATOR else [])
    assert data["report"] == ("report" if role in {Role.HUB_MANAGER, Role.ADMIN} else None)


@pytest.mark.parametrize("role", list(Role))
def test_refuse_raises_the_domain_error(role: Role) -> None:
    result = SCHEMA.execute_sync("{ accounts }", context_value=Context(Identity(role=role)))
    if role is Role.ADMIN:
        assert result.errors is None
        assert result.data == {"accounts": ["everyone"]}
        return
    assert result.data is None
    assert result.errors is not None
    [error] = result.errors
    original = error.original_error
    assert isinstance(original, DomainError)
    if role is Role.ANONYMOUS:
        assert (original.code, original.message) == ("not_authenticated", "Sign in first.")
    else:
        assert (original.code, original.message) == ("forbidden", REFUSALS["admin"])
