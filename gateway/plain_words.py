"""msgspec's refusals ("Expected `int`, got `str`") in the words a client's user can read
("must be a whole number, not text"). Pure; a message not known here is kept as it is."""

from __future__ import annotations

import re
from collections.abc import Callable

TYPES = {
    "int": "a whole number", "float": "a number", "str": "text", "bool": "true or false",
    "array": "a list", "object": "an object", "null": "null", "bytes": "bytes",
    "datetime": "a date and time", "date": "a date", "uuid": "a UUID",
}  # fmt: skip
BOUNDS = {"<=": "at most", ">=": "at least", "<": "below", ">": "above"}


def camel(name: str) -> str:
    """A field as the GraphQL client names it: `max_size_bytes` -> `maxSizeBytes`."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def kinds(names: str) -> str:
    """`bool | float | null` -> "true or false, a number or null"."""
    words = [TYPES.get(name.strip(), name.strip()) for name in names.split("|")]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def length(kind: str, bound: str, size: str) -> str:
    unit = "character" if kind == "str" else "item"
    return f"must have {BOUNDS[bound]} {size} {unit}{'' if size == '1' else 's'}"


RULES: list[tuple[re.Pattern[str], Callable[..., str]]] = [
    (re.compile(r"Expected `([^`]+)`, got `(\w+)`"),
     lambda expected, got: f"must be {kinds(expected)}, not {kinds(got)}"),
    (re.compile(r"Expected `(str|array|object)` of length (<=|>=) (\d+)"), length),
    (re.compile(r"Expected `\w+` (<=|>=|<|>) (\S+)"),
     lambda bound, limit: f"must be {BOUNDS[bound]} {number(limit)}"),
    (re.compile(r"Expected `str` matching regex '(.*)'"),
     lambda pattern: f"must match the pattern {pattern}"),
    (re.compile(r"Invalid RFC3339 encoded datetime"),
     lambda: "must be a date and time with its offset, such as 2027-03-31T17:00:00Z"),
    (re.compile(r"Invalid RFC3339 encoded date"), lambda: "must be a date such as 2027-03-31"),
    (re.compile(r"Invalid UUID"), lambda: "must be a UUID"),
    (re.compile(r"Invalid enum value (.+)"), lambda value: f"{value} is not one of the choices"),
    (re.compile(r"Object missing required field `(\w+)`"), lambda name: f"needs its {camel(name)}"),
    (re.compile(r"Object contains unknown field `(\w+)`"), lambda name: f"has no field {camel(name)}"),
]  # fmt: skip


def in_plain_words(message: str) -> str:
    for pattern, words in RULES:
        found = pattern.fullmatch(message)
        if found:
            return words(*found.groups())
    return message
