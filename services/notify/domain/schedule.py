"""When the scheduled mails are due. Instants are aware datetimes; the call's time zone
matters only where a local clock does (the digest goes out from 07:00 call-local)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# Nearest first: the first window the time left falls in names the reminder.
DRAFT_REMINDERS = (
    (timedelta(hours=24), "draft_reminder_24h"),
    (timedelta(hours=72), "draft_reminder_72h"),
)
EVALUATION_REMINDER_BEFORE = timedelta(hours=48)
DIGEST_HOUR = 7


def draft_reminder_due(closes_at: datetime, now: datetime) -> str | None:
    """The reminder a draft is due for now: the 24 h one within 24 h of closing, the 72 h one
    within 72 h (its mail says "within 3 days"); none once the call has closed. A scheduler
    that first looks in the last day sends only the 24 h one."""
    left = closes_at - now
    if left <= timedelta(0):
        return None
    return next((kind for window, kind in DRAFT_REMINDERS if left <= window), None)


def evaluation_reminder_due(deadline: datetime, now: datetime) -> bool:
    """Within 48 h of the evaluation deadline, and not past it."""
    return timedelta(0) < deadline - now <= EVALUATION_REMINDER_BEFORE


def digest_date(now: datetime, timezone: str) -> str | None:
    """The call-local date ("YYYY-MM-DD") whose digest is due, once it is 07:00 there."""
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    local = now.astimezone(ZoneInfo(timezone))
    return local.date().isoformat() if local.hour >= DIGEST_HOUR else None
