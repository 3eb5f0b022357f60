"""The server clock, injectable so tests can move time (deadlines, call windows), and the one
way an instant is written in a message a person reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

DEFAULT_TIMEZONE = "Europe/Brussels"


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_instant(instant: datetime, timezone: str = DEFAULT_TIMEZONE) -> str:
    """An instant as a person reads it, in the call's time zone and naming it:
    "2 Dec 2026, 06:07 CET (Europe/Brussels)". A naive instant is taken as UTC."""
    aware = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(timezone))
    zone = local.tzname() or ""
    if zone[:1] in "+-":  # zones without an abbreviation name their offset
        zone = f"UTC{zone}"
    return f"{local.day} {local:%b %Y, %H:%M} {zone} ({timezone})"
