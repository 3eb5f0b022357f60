"""The one call-status rule: the registry's transitions, a copy's forward-only update, an
unknown status from a newer registry, the phase a reader sees by the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from shared.call_status import (
    TRANSITIONS,
    CallPhase,
    CallStatus,
    later_of,
    parse_status,
    phase,
    transition_error,
)

S = CallStatus
ALLOWED = {
    (S.DRAFT, S.PUBLISHED),
    (S.PUBLISHED, S.CLOSED),
    (S.CLOSED, S.IN_EVALUATION),
    (S.IN_EVALUATION, S.RESULTS_PUBLISHED),
}
IN_ORDER = [S.DRAFT, S.PUBLISHED, S.CLOSED, S.IN_EVALUATION, S.RESULTS_PUBLISHED]


def test_the_statuses_are_in_the_order_a_call_goes_through_them() -> None:
    assert list(CallStatus) == IN_ORDER
    assert [s.value for s in CallStatus] == [
        "draft", "published", "closed", "in_evaluation", "results_published",
    ]  # fmt: skip


@pytest.mark.parametrize(("current", "wanted"), list(product(CallStatus, CallStatus)))
def test_every_transition_is_allowed_or_refused_with_a_reason(
    current: CallStatus, wanted: CallStatus
) -> None:
    error = transition_error(current, wanted)
    if (current, wanted) in ALLOWED:
        assert error is None
        assert wanted in TRANSITIONS[current]
    else:
        assert error == f"a call that is {current.value} cannot become {wanted.value}"
        assert wanted not in TRANSITIONS[current]


def test_results_published_is_final() -> None:
    assert TRANSITIONS[S.RESULTS_PUBLISHED] == frozenset()


@pytest.mark.parametrize(("held", "reported"), list(product(CallStatus, CallStatus)))
def test_later_of_never_goes_back(held: CallStatus, reported: CallStatus) -> None:
    kept = later_of(held, reported)
    assert kept is max(held, reported, key=IN_ORDER.index)
    assert IN_ORDER.index(kept) >= IN_ORDER.index(held)


@pytest.mark.parametrize("reported", list(CallStatus))
def test_later_of_takes_whatever_comes_first(reported: CallStatus) -> None:
    assert later_of(None, reported) is reported


def test_a_copy_replaying_events_out_of_order_ends_at_the_latest() -> None:
    held: CallStatus | None = None
    for reported in (S.CLOSED, S.PUBLISHED, S.RESULTS_PUBLISHED, S.IN_EVALUATION, S.CLOSED):
        held = later_of(held, reported)
    assert held is S.RESULTS_PUBLISHED


@pytest.mark.parametrize("status", list(CallStatus))
def test_parse_status_reads_every_known_value(status: CallStatus) -> None:
    assert parse_status(status.value) is status


@pytest.mark.parametrize("value", ["archived", "", "DRAFT", "Published", " closed"])
def test_parse_status_of_an_unknown_value_is_none(value: str) -> None:
    assert parse_status(value) is None


OPENS = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
CLOSES = datetime(2030, 4, 1, 17, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (OPENS - SECOND, CallPhase.UPCOMING),
        (OPENS, CallPhase.OPEN),
        (CLOSES - SECOND, CallPhase.OPEN),
        (CLOSES, CallPhase.CLOSED),
        (CLOSES + timedelta(days=30), CallPhase.CLOSED),
    ],
)
def test_a_published_call_s_phase_follows_the_clock(now: datetime, expected: CallPhase) -> None:
    assert phase(S.PUBLISHED, OPENS, CLOSES, now) is expected


@pytest.mark.parametrize("status", [s for s in CallStatus if s is not S.PUBLISHED])
@pytest.mark.parametrize("now", [OPENS - SECOND, OPENS, CLOSES])
def test_any_other_status_is_its_own_phase_whatever_the_clock(
    status: CallStatus, now: datetime
) -> None:
    assert phase(status, OPENS, CLOSES, now) is CallPhase(status.value)
