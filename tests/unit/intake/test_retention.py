"""The retention period: unfunded applications only, strictly after the period has run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.retention import retention_over

RESULTS = datetime(2027, 6, 1, tzinfo=UTC)


def over(decision: str | None, after: timedelta, published: datetime | None = RESULTS) -> bool:
    return retention_over(results_published_at=published, retention_days=30, decision=decision,
                          now=RESULTS + after)  # fmt: skip


@pytest.mark.parametrize("decision", ["not_selected", "reserve", "ineligible", None])
def test_an_unfunded_application_is_over_only_after_the_period(decision: str | None) -> None:
    assert not over(decision, timedelta(days=30))
    assert over(decision, timedelta(days=30, seconds=1))


def test_a_funded_application_is_kept() -> None:
    assert not over("selected", timedelta(days=3650))


def test_nothing_is_over_before_the_results() -> None:
    assert not over("not_selected", timedelta(days=3650), published=None)
