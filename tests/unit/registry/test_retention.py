"""A call's retention period: its bounds, and who may change it when."""

from __future__ import annotations

import pytest

from services.registry.domain.calls import (
    RETENTION_DAYS_MAX,
    RETENTION_DAYS_MIN,
    editable_fields,
    retention_errors,
)
from shared.call_status import CallStatus


@pytest.mark.parametrize("days", [RETENTION_DAYS_MIN, 365, RETENTION_DAYS_MAX])
def test_a_period_within_the_bounds_is_accepted(days: int) -> None:
    assert retention_errors(days) == []


@pytest.mark.parametrize("days", [-1, 0, RETENTION_DAYS_MIN - 1, RETENTION_DAYS_MAX + 1])
def test_a_period_outside_the_bounds_names_the_field(days: int) -> None:
    [error] = retention_errors(days)
    assert error.field == "retentionDays" and error.message == "give 30 to 3650 days"


def test_the_bounds_are_a_month_and_ten_years() -> None:
    assert (RETENTION_DAYS_MIN, RETENTION_DAYS_MAX) == (30, 3650)


def test_after_publication_only_the_retention_period_changes_until_the_results() -> None:
    assert "retentionDays" in editable_fields(CallStatus.DRAFT, True)
    for status in (CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.IN_EVALUATION):
        assert editable_fields(status, True) == ["retentionDays"]
        assert editable_fields(status, False) == []
    assert editable_fields(CallStatus.RESULTS_PUBLISHED, True) == []
