"""When a call's retention period has run out for an application: the results were published
more than the call's retention days ago and the application was not funded (the programme
must keep what it funds)."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.api.review import Decision


def retention_over(
    *, results_published_at: datetime | None, retention_days: int, decision: str | None,
    now: datetime,
) -> bool:  # fmt: skip
    if results_published_at is None or decision == Decision.SELECTED:
        return False
    return now - results_published_at > timedelta(days=retention_days)
