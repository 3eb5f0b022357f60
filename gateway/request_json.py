"""The JSON of a GraphQL request (a body, or a multipart request's `operations` and `map`),
refused with a message rather than a 500 when it is not UTF-8, not JSON, or nested deeper
than any operation of ours needs (what reads it next would run out of recursion); and the
operation's own shape (`query`, `variables`, `operationName`) wherever it comes from."""

from __future__ import annotations

import json
from typing import Any

MAX_NESTING = 32
MAX_DIGITS = 100  # of an integer: no value of ours has more (Python's own limit is 4,300)


class NotRequestJson(ValueError):
    pass


NESTED_TOO_DEEP = f"The request's JSON is nested more than {MAX_NESTING} levels deep."
TOO_MANY_DIGITS = f"A number in the request's JSON has more than {MAX_DIGITS} digits."


def bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise NotRequestJson(TOO_MANY_DIGITS)
    return int(text)


def request_json(data: str | bytes | bytearray) -> Any:
    try:
        # Decoded here: json.loads would take UTF-16 and UTF-32 bytes as well.
        text = data if isinstance(data, str) else data.decode("utf-8-sig")
        value = json.loads(text, parse_int=bounded_int)
    except NotRequestJson:
        raise
    except ValueError:  # UnicodeDecodeError is one
        raise NotRequestJson("The request body is not JSON in UTF-8.") from None
    except RecursionError:
        raise NotRequestJson(NESTED_TOO_DEEP) from None
    if nested_deeper(value, MAX_NESTING):
        raise NotRequestJson(NESTED_TOO_DEEP)
    return value


def nested_deeper(value: Any, most: int) -> bool:
    """Whether arrays and objects nest more than `most` levels (without recursing)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > most:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def operation_refusal(query: object, variables: object, operation_name: object) -> str | None:
    """What is wrong with an operation's parts before they reach the schema; None: nothing."""
    if not isinstance(query, str):
        return "The GraphQL operation's `query` must be a string."
    if variables is not None and not isinstance(variables, dict):
        return "The GraphQL operation's `variables` must be an object or null."
    if operation_name is not None and not isinstance(operation_name, str):
        return "The GraphQL operation's `operationName` must be a string or null."
    return None
