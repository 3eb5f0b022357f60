"""When the scheduled mails are due, at the edges of their windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notify.domain.schedule import digest_date, draft_reminder_due, evaluation_reminder_due

CLOSES = datetime(2025, 5, 30, 15, 0, tzinfo=UTC)
HOUR, SECOND = timedelta(hours=1), timedelta(seconds=1)


@pytest.mark.parametrize(
    ("before_closing", "due"),
    [
        (72 * HOUR + SECOND, None),
        (72 * HOUR, "draft_reminder_72h"),
        (48 * HOUR, "draft_reminder_72h"),
        (24 * HOUR + SECOND, "draft_reminder_72h"),
        (24 * HOUR, "draft_reminder_24h"),
        (SECOND, "draft_reminder_24h"),
        (timedelta(0), None),  # closed at its instant
        (-HOUR, None),
    ],
)
def test_draft_reminders_at_their_edges(before_closing: timedelta, due: str | None) -> None:
    assert draft_reminder_due(CLOSES, CLOSES - before_closing) == due


def test_the_instant_counts_not_the_zone_it_is_written_in() -> None:
    brussels = CLOSES.astimezone(ZoneInfo("Europe/Brussels"))
    assert draft_reminder_due(brussels, CLOSES - 24 * HOUR) == "draft_reminder_24h"


@pytest.mark.parametrize(
    ("before_deadline", "due"),
    [
        (48 * HOUR + SECOND, False),
        (48 * HOUR, True),
        (SECOND, True),
        (timedelta(0), False),
        (-HOUR, False),
    ],
)
def test_the_evaluation_reminder_within_48_hours(before_deadline: timedelta, due: bool) -> None:
    assert evaluation_reminder_due(CLOSES, CLOSES - before_deadline) is due


@pytest.mark.parametrize(
    ("now", "zone", "date"),
    [
        (datetime(2025, 5, 14, 4, 59, 59, tzinfo=UTC), "Europe/Brussels", None),  # 06:59:59
        (datetime(2025, 5, 14, 5, 0, tzinfo=UTC), "Europe/Brussels", "2025-05-14"),  # 07:00
        (datetime(2025, 5, 14, 21, 59, tzinfo=UTC), "Europe/Brussels", "2025-05-14"),  # 23:59
        (datetime(2025, 5, 14, 22, 0, tzinfo=UTC), "Europe/Brussels", None),  # next day, 00:00
        (datetime(2025, 5, 14, 3, 59, tzinfo=UTC), "Europe/Istanbul", None),  # 06:59, UTC+3
        (datetime(2025, 5, 14, 4, 0, tzinfo=UTC), "Europe/Istanbul", "2025-05-14"),
        (datetime(2025, 5, 14, 5, 59, tzinfo=UTC), "Europe/Lisbon", None),  # 06:59, UTC+1
        (datetime(2025, 5, 14, 6, 0, tzinfo=UTC), "Europe/Lisbon", "2025-05-14"),
        (datetime(2025, 5, 14, 5, 30, tzinfo=UTC), "UTC", None),
    ],
)
def test_the_digest_from_seven_call_local(now: datetime, zone: str, date: str | None) -> None:
    assert digest_date(now, zone) == date


def test_the_digest_hour_follows_daylight_saving_time() -> None:
    # Brussels moves to summer time on 30 March 2025: 07:00 is 06:00 UTC the day before, 05:00 on it.
    assert digest_date(datetime(2025, 3, 29, 5, 30, tzinfo=UTC), "Europe/Brussels") is None
    assert digest_date(datetime(2025, 3, 29, 6, 0, tzinfo=UTC), "Europe/Brussels") == "2025-03-29"
    assert digest_date(datetime(2025, 3, 30, 5, 0, tzinfo=UTC), "Europe/Brussels") == "2025-03-30"
    # Back to winter time on 26 October 2025: 07:00 is 05:00 UTC the day before, 06:00 on it.
    assert digest_date(datetime(2025, 10, 25, 5, 0, tzinfo=UTC), "Europe/Brussels") == "2025-10-25"
    assert digest_date(datetime(2025, 10, 26, 5, 30, tzinfo=UTC), "Europe/Brussels") is None
    assert digest_date(datetime(2025, 10, 26, 6, 0, tzinfo=UTC), "Europe/Brussels") == "2025-10-26"


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        digest_date(datetime(2025, 5, 14, 9, 0), "Europe/Brussels")
