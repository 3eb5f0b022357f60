"""The team's list of a call's applications: its cursor and its search text."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

from shared.db import contains_pattern
from shared.errors import FieldError, ValidationFailed


def encode_cursor(created_at: datetime, application_id: uuid.UUID) -> str:
    """After this application, in (created_at, id) order."""
    raw = f"{created_at.isoformat()}|{application_id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor names; a forged one (no time zone, an instant PostgreSQL cannot
    hold once in UTC, which answered 500) is refused as one this list never gave out."""
    try:
        created, _, last = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        instant, application_id = datetime.fromisoformat(created), uuid.UUID(last)
        if instant.tzinfo is None or not 1 < instant.astimezone(UTC).year < 9999:
            raise ValueError(created)
        return instant, application_id
    except (ValueError, OverflowError):
        raise ValidationFailed([FieldError("after", "not a cursor this list gave out")]) from None


def search_pattern(text: str) -> str:
    """A LIKE pattern (escaped with a backslash) matching what contains `text`."""
    if "\x00" in text or len(text) > 200:
        raise ValidationFailed(
            [FieldError("search", "must be at most 200 characters, without NUL")]
        )
    return contains_pattern(text)
