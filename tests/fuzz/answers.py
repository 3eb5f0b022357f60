"""What no answer of the portal may look like, whatever was asked: a 5xx, an internal error,
an error without a code, or text that shows the machinery (a stack, SQL, a library's words)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

# Each is a sign of an internal detail; none is something a person should read.
LEAK_MARKERS = (
    "Traceback", 'File "', '.py"', ".py:", "SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM",
    "sqlalchemy", "asyncpg", "psycopg", "msgspec", "httpx", "pydantic", "litestar",
    "strawberry", "Expected `", "object at 0x", "set_int_max_str_digits",
)  # fmt: skip


def leaks(text: str) -> list[str]:
    return [marker for marker in LEAK_MARKERS if marker in text]


def texts(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


def graphql_problems(status: int, raw: bytes) -> list[str]:
    """What is wrong with one answer of the GraphQL endpoint (an empty list: nothing)."""
    if status >= 500:
        return [f"HTTP {status}: {raw[:300]!r}"]
    try:
        body = json.loads(raw)
    except ValueError:
        return [f"HTTP {status} with a body that is not JSON: {raw[:300]!r}"]
    if not isinstance(body, dict):
        return [f"HTTP {status} with a body that is not an object: {raw[:300]!r}"]
    if "errors" not in body and "data" not in body:
        return error_body_problems(status, body)  # refused before GraphQL: an ErrorBody
    problems = [f"{marker!r} in data" for text in texts(body.get("data")) for marker in leaks(text)]
    for error in body.get("errors") or []:
        problems += graphql_error_problems(error)
    return problems


def graphql_error_problems(error: dict[str, Any]) -> list[str]:
    message = str(error.get("message"))
    code = (error.get("extensions") or {}).get("code")
    problems = [f"{marker!r} in {message!r}" for marker in leaks(message)]
    if not code:
        problems.append(f"no code: {message!r}")
    elif code == "internal_error":
        problems.append(f"internal_error at {error.get('path')}: {message!r}")
    return problems


def error_body_problems(status: int, body: Any) -> list[str]:
    """A service's or the gateway's HTTP error: 4xx, `{"code", "message", …}`, nothing inside."""
    if status >= 500:
        return [f"HTTP {status}: {body!r:.300}"]
    if status < 400:
        return []
    if not isinstance(body, dict) or not body.get("code") or "message" not in body:
        return [f"HTTP {status} without a coded error body: {body!r:.300}"]
    return [f"{marker!r} in {body!r:.300}" for text in texts(body) for marker in leaks(text)]
