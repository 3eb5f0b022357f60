"""Expected business failures: typed, with their own HTTP status, never a 500.

The same body crosses every internal HTTP boundary, so the gateway turns it back into the
same exception and then into a typed GraphQL result.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec


def number_text(x: float) -> str:
    """A number as a message shows it to a person: 50,000 or 1,234.5 (`:g` would print 5e+04;
    an int has no is_integer in 3.11)."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


def euros(x: float) -> str:
    """An amount of the programme's money as a message shows it: €50,000 or €1,234.50."""
    return "€" + f"{x:,.2f}".removesuffix(".00")


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class ErrorBody(msgspec.Struct, frozen=True, omit_defaults=True):
    code: str
    message: str
    errors: list[FieldError] = []
    # Set for retryable failures (an outage, a lock): how long to wait before trying again.
    retry_after_seconds: int | None = None


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def body(self) -> ErrorBody:
        return ErrorBody(
            code=self.code, message=self.message, errors=self.errors,
            retry_after_seconds=getattr(self, "retry_after_seconds", None),
        )  # fmt: skip


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_failed"

    def __init__(self, errors: list[FieldError], message: str = "The input is not valid.") -> None:
        super().__init__(message, errors)


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class EmailNotConfirmed(DomainError):
    """The account's e-mail address is not confirmed yet (needed to submit)."""

    status_code = 403
    code = "email_not_confirmed"


class InvalidLink(DomainError):
    """An e-mailed link that is unknown, used already or expired."""

    status_code = 400
    code = "invalid_link"


class SecondFactorRequired(DomainError):
    """The password was right; the account also needs its one-time code."""

    status_code = 401
    code = "second_factor_required"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ServiceUnavailable(DomainError):
    """A dependency (database, store, NATS, another service) is down for now: retry later."""

    status_code = 503
    code = "service_unavailable"

    def __init__(
        self, message: str, errors: list[FieldError] | None = None, retry_after_seconds: int = 5
    ) -> None:
        super().__init__(message, errors)
        self.retry_after_seconds = retry_after_seconds


ERRORS_BY_CODE: dict[str, type[DomainError]] = {
    cls.code: cls
    for cls in (
        DomainError, NotAuthenticated, Forbidden, NotFound, Conflict, PayloadTooLarge,
        EmailNotConfirmed, InvalidLink, SecondFactorRequired, ServiceUnavailable,
    )
}  # fmt: skip


def error_from_body(body: ErrorBody) -> DomainError:
    if body.code == ValidationFailed.code:
        return ValidationFailed(body.errors, body.message)
    if body.code == ServiceUnavailable.code:
        return ServiceUnavailable(body.message, body.errors, body.retry_after_seconds or 5)
    cls = ERRORS_BY_CODE.get(body.code, DomainError)
    error = cls(body.message, body.errors)
    error.code = body.code  # keep e.g. "internal_error" rather than the class default
    return error


def page_errors(first: int | None, offset: int = 0, *, most: int | None = 200) -> list[FieldError]:
    """A page's size and start, named as the GraphQL arguments `first` and `offset`."""
    errors = []
    if first is not None and (first < 1 or (most is not None and first > most)):
        bound = f"between 1 and {most}" if most is not None else "1 or more"
        errors.append(FieldError("first", f"must be {bound}"))
    if offset < 0:
        errors.append(FieldError("offset", "must not be negative"))
    return errors


def too_long(values: Mapping[str, str | None], most: int) -> list[FieldError]:
    """Each text longer than `most` characters, by field (a column's or a sane bound)."""
    return [
        FieldError(field, f"must be at most {most:,} characters")
        for field, value in values.items()
        if value is not None and len(value) > most
    ]


def require(errors: list[FieldError]) -> None:
    """Raise all collected field errors at once, so a form can show every one."""
    if errors:
        raise ValidationFailed(errors)
