"""Who may use a field, as Strawberry permission classes. A refusal is the field's typed
answer rather than a top-level GraphQL error: a mutation's union gets `NotAuthenticated` or
`Forbidden`, a query that lists gets `[]` and one that looks up gets `null` (use `quiet`).

    @strawberry.mutation(extensions=[allow(SignedIn, Staff)])
    @strawberry.field(extensions=[quiet(Evaluator)])
    @strawberry.field(extensions=[refuse(SignedIn, Admin)])

A field with neither a typed refusal nor an answer that could pass for "none" (a page, the
team's account list) raises instead: `refuse` gives a GraphQL error with the domain's code.

The services check every rule again; these keep a refused caller from reaching them at all.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension

from gateway.schema.errors import Forbidden, NotAuthenticated
from shared import errors
from shared.identity import Role

STAFF = frozenset({Role.ADMIN, Role.HUB_MANAGER})


def _role(info: Any) -> Role:
    return info.context.identity.role


class TypedPermission(BasePermission):
    """A permission whose refusal is a typed error object returned as the field's value."""

    def on_unauthorized(self) -> Any:
        return self.refusal(message=self.message or "You may not do this.")

    refusal: type[Any] = Forbidden
    error: type[errors.DomainError] = errors.Forbidden


class SignedIn(TypedPermission):
    message = "Sign in first."
    refusal = NotAuthenticated
    error = errors.NotAuthenticated

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return _role(info) is not Role.ANONYMOUS


class Staff(TypedPermission):
    message = "Only the programme team and hub managers may do this."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return _role(info) in STAFF


class Admin(TypedPermission):
    message = "Only the programme team may do this."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return _role(info) is Role.ADMIN


class Evaluator(TypedPermission):
    message = "Only evaluators may do this."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return _role(info) is Role.EVALUATOR


def allow(*permissions: type[BasePermission]) -> PermissionExtension:
    """Refusals answer the first failing permission's typed error (checked in order, so put
    SignedIn before a role)."""
    return PermissionExtension(permissions=[p() for p in permissions], use_directives=False)


def quiet(*permissions: type[BasePermission]) -> PermissionExtension:
    """Refusals answer `null` (or `[]` for a list), as a missing thing would."""
    return PermissionExtension(
        permissions=[p() for p in permissions], use_directives=False, fail_silently=True
    )


class RaisingPermissions(PermissionExtension):
    def _on_unauthorized(self, permission: BasePermission) -> Any:
        assert isinstance(permission, TypedPermission)
        raise permission.error(permission.message or "You may not do this.")


def refuse(*permissions: type[BasePermission]) -> PermissionExtension:
    """Refusals raise the first failing permission's domain error (a top-level GraphQL error
    with its code), for fields whose answer has no typed refusal."""
    return RaisingPermissions(permissions=[p() for p in permissions], use_directives=False)
