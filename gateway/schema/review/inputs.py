"""GraphQL inputs of review, and the free JSON a resolver turns into review's bodies."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from gateway.schema.errors import to_api
from shared.errors import FieldError, ValidationFailed, require

T = TypeVar("T")


@strawberry.input
class EvaluatorInput:
    email: str
    display_name: str
    organisation: str = ""
    expertise: list[str] = strawberry.field(default_factory=list)
    hubs: list[str] = strawberry.field(default_factory=list)
    languages: list[str] = strawberry.field(default_factory=lambda: ["en"])
    capacity: int = 30


def by_criterion(name: str, given: object, kind: type[T]) -> dict[str, T]:
    """Free JSON keyed by criterion, converted entry by entry so that every bad one is
    named as the review service names it (`scores.impact`)."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise ValidationFailed([FieldError(name, "must be an object keyed by criterion")])
    converted: dict[str, T] = {}
    errors: list[FieldError] = []
    for key, value in given.items():
        try:
            converted[key] = to_api(value, kind, strict=True)
        except ValidationFailed as exc:
            errors.extend(FieldError(f"{name}.{key}", e.message) for e in exc.errors)
    require(errors)
    return converted
