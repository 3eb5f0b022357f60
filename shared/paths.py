"""Internal request paths: a route template filled with ids checked before any call.

A GraphQL id is whatever a client typed. Pasted into a URL as it came, `../missions` reached
another route, `?x=1#` cut the path and `""` hit a collection. So an id is first parsed as what
the service keys by (a UUID, a registry code), a malformed one answering what a missing one
answers, and then every value is quoted as exactly one path segment.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from shared.errors import FieldError, NotFound, ValidationFailed
from shared.programme import KEY_PATTERN

# A route's parameter as Litestar writes it: `/calls/{call_id:str}`.
ROUTE_PARAMETER = re.compile(r"\{(\w+):\w+\}")
# Segments that a URL parser would resolve against the path rather than keep.
DOT_SEGMENTS = frozenset({"", ".", ".."})


def path_of(route: str, **values: str) -> str:
    """`path_of(CALL, call_id=...)`: each parameter filled in as one quoted segment."""
    missing = [name for name in ROUTE_PARAMETER.findall(route) if name not in values]
    unknown = set(values) - set(ROUTE_PARAMETER.findall(route))
    if missing or unknown:
        raise ValueError(f"route {route} takes {missing or sorted(unknown)} differently")

    def segment(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        if value in DOT_SEGMENTS:  # checked ids never are; refuse rather than resolve
            raise ValueError(f"{match.group(1)} is not a path segment")
        return quote(value, safe="")

    return ROUTE_PARAMETER.sub(segment, route)


def canonical_uuid(value: object) -> str | None:
    """The UUID `value` writes, in its canonical form; None when it writes none. ASCII only:
    uuid.UUID reads full-width and other scripts' digits as hex digits too."""
    text = str(value)
    if not text.isascii():
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def uuid_id(value: object, what: str) -> str:
    """An id the service keys by UUID, in its canonical form; anything else names nothing,
    so it answers NotFound (`what`: the thing's label, e.g. "call")."""
    found = canonical_uuid(value)
    if found is None:
        raise NotFound(f"There is no {what} with that id.")
    return found


def key_id(value: object, argument: str, problem: str) -> str:
    """A question or criterion key: one outside the registry's pattern is refused as an
    unknown key is, with a field error naming the argument (`argument`, `problem`)."""
    text = str(value)
    if not KEY_PATTERN.fullmatch(text):
        raise ValidationFailed([FieldError(argument, problem)])
    return text


def is_uuid(value: str) -> bool:
    return canonical_uuid(value) is not None
