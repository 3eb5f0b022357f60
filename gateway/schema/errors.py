"""Typed errors every mutation can return, so forms show field errors and denials clearly."""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import msgspec
import strawberry

from gateway.plain_words import camel, in_plain_words
from shared import errors as domain

T = TypeVar("T")
R = TypeVar("R")


@strawberry.interface(description="A failure the client can show to the user.")
class Error:
    message: str


@strawberry.type(description="Signed in, but not allowed to do this.")
class Forbidden(Error):
    pass


@strawberry.type(description="Sign in first (or the access token has expired).")
class NotAuthenticated(Error):
    pass


@strawberry.type
class NotFound(Error):
    pass


@strawberry.type(description="The action does not fit the current state (e.g. a published call).")
class Conflict(Error):
    pass


@strawberry.type(description="Confirm the account's e-mail address first (the link was e-mailed).")
class EmailNotConfirmed(Error):
    pass


@strawberry.type(description="The e-mailed link is unknown, was used already or has expired.")
class InvalidLink(Error):
    pass


@strawberry.type(description="The password was right; send the authenticator's code as well.")
class SecondFactorRequired(Error):
    pass


@strawberry.type(description="Too many failed attempts: wait before trying again.")
class TooManyAttempts(Error):
    retry_after_seconds: int = strawberry.field(description="Seconds until a new try is taken.")
    retry_at: datetime


@strawberry.type
class FieldError:
    field: str = strawberry.field(
        description="The input field, e.g. `title` or `form.questions[2].key`."
    )
    message: str


@strawberry.type(description="The input was refused; every problem is listed with its field.")
class ValidationErrors(Error):
    errors: list[FieldError]


# A refusal names what it refuses, not all of it: found probing, messages that quoted back an
# input of 5,000 characters ("unknown: 9999…").
SHOWN_MOST = 300


def shown(text: str) -> str:
    return text if len(text) <= SHOWN_MOST else text[: SHOWN_MOST - 1] + "…"


def typed_error(exc: domain.DomainError) -> Error:
    if isinstance(exc, domain.ValidationFailed):
        return ValidationErrors(
            message=shown(exc.message),
            errors=[FieldError(field=shown(e.field), message=shown(e.message)) for e in exc.errors],
        )
    if isinstance(exc, domain.TooManyAttempts):
        seconds = exc.retry_after_seconds
        return TooManyAttempts(
            message=exc.message, retry_after_seconds=seconds,
            retry_at=datetime.now(UTC) + timedelta(seconds=seconds),
        )  # fmt: skip
    for source, target in (
        (domain.EmailNotConfirmed, EmailNotConfirmed),
        (domain.InvalidLink, InvalidLink),
        (domain.SecondFactorRequired, SecondFactorRequired),
        (domain.Forbidden, Forbidden),
        (domain.NotAuthenticated, NotAuthenticated),
        (domain.NotFound, NotFound),
        (domain.Conflict, Conflict),
    ):
        if isinstance(exc, source):
            return target(message=exc.message)
    raise exc


async def attempt(action: Callable[[], Awaitable[T]], convert: Callable[[T], R]) -> Any:
    """Run a service call; expected failures become typed results, anything else stays an error."""
    try:
        value = await action()
    except domain.DomainError as exc:
        return typed_error(exc)
    return convert(value)


LOCALISED_FIELDS = {"labels", "help", "guidance"}


def input_to_builtins(value: Any) -> Any:
    """A Strawberry input as plain data for msgspec: unset fields dropped, [{lang, text}] -> dict."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None or item is strawberry.UNSET:
                continue
            if f.name in LOCALISED_FIELDS:
                result[f.name] = {t.lang: t.text for t in item}
            else:
                result[f.name] = input_to_builtins(item)
        return result
    if isinstance(value, list):
        return [input_to_builtins(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def to_api(value: Any, target: type[T], *, strict: bool = False) -> T:
    """`strict`: free JSON, whose values must be of the type itself (not "4" for 4)."""
    try:
        return msgspec.convert(input_to_builtins(value), target, strict=strict)
    except msgspec.ValidationError as exc:
        raise domain.ValidationFailed([invalid_field(str(exc))]) from exc


def invalid_field(message: str) -> domain.FieldError:
    """msgspec's "Expected `int` <= 9223372036854775807 - at `$.form.questions[0].max_size_bytes`"
    as the field the client sent (form.questions.0.maxSizeBytes); a map's key msgspec does not
    say (`[...]`) ends the path there."""
    what, _, where = message.partition(" - at `$")
    steps = re.findall(r"\.(\w+)|\[(\d+)\]", where.split("[...]")[0])
    field = ".".join(camel(name) if name else index for name, index in steps)
    return domain.FieldError(field or "input", in_plain_words(what))
