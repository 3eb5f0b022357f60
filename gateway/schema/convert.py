"""One generic converter from a service's contract (a msgspec Struct) to a GraphQL type:
each field of the Strawberry type takes the contract's field of the same name, nested types
and lists converted the same way. No field-by-field mappers between the two definitions."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.lazy_type import LazyType

T = TypeVar("T")


def from_contract(kind: type[T], value: Any, **given: Any) -> T:
    """`kind` built from `value`'s fields of the same names. `given` sets fields the contract
    does not have (a Private id of the parent) or overrides one; a field with a resolver is
    left to its resolver, and a field neither given nor in the contract keeps its default."""
    values: dict[str, Any] = {}
    for field in kind.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        name = field.python_name
        if name in given or field.base_resolver is not None or not hasattr(value, name):
            continue
        values[name] = _converted(field.type, getattr(value, name))
    init_names = {f.name for f in dataclasses.fields(kind) if f.init}  # type: ignore[arg-type]
    values.update({name: item for name, item in given.items() if name in init_names})
    return kind(**values)


def _converted(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, LazyType):
        kind = kind.resolve_type()
    if isinstance(kind, StrawberryOptional):
        return _converted(kind.of_type, value)
    if isinstance(kind, StrawberryList):
        return [_converted(kind.of_type, item) for item in value]
    if has_object_definition(kind):
        return from_contract(kind, value)
    return value  # scalars, enums, JSON and ID are the contract's own values
