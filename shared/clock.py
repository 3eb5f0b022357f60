"""The server clock, injectable so tests can move time (deadlines, call windows), and the one
way an instant is written in a message a person reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

DEFAULT_TIMEZONE = "Europe/Brussels"

# Short month names for the languages the portal writes mail in; any other language gets
# English, which is also what "%b" gives in the C locale (kept, other messages rely on it).
MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "pt": ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
    "it": ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_instant(
    instant: datetime, timezone: str = DEFAULT_TIMEZONE, language: str = "en"
) -> str:
    """An instant as a person reads it, in the call's time zone and naming it:
    "2 Dec 2026, 06:07 CET (Europe/Brussels)", the month in `language` (a code such as "nl")
    where known, English otherwise. A naive instant is taken as UTC."""
    aware = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(timezone))
    zone = local.tzname() or ""
    if zone[:1] in "+-":  # zones without an abbreviation name their offset
        zone = f"UTC{zone}"
    month = MONTHS.get(language, MONTHS["en"])[local.month - 1]
    return f"{local.day} {month} {local:%Y, %H:%M} {zone} ({timezone})"
