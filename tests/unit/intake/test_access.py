"""Who may read an application and when one may still change: the rules of
services/intake/domain/access.py on plain rows, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.access import (
    ensure_editable,
    ensure_open,
    ensure_withdrawable,
    may_read,
    may_see_call,
)
from services.intake.models import ApplicationRow, KnownCall
from shared.api.intake import ApplicationStatus
from shared.call_status import CallStatus
from shared.errors import Conflict
from shared.identity import Identity, Role

OPENS = datetime(2030, 3, 1, 9, tzinfo=UTC)
CLOSES = datetime(2030, 4, 1, 12, tzinfo=UTC)


def call(status: CallStatus = CallStatus.PUBLISHED, hub: str | None = "NL") -> KnownCall:
    hubs = [hub] if hub else ["NL", "PT"]
    return KnownCall(
        call_id="c", status=status, opens_at=OPENS, closes_at=CLOSES, timezone="UTC", hub=hub,
        hubs=hubs,
    )  # fmt: skip


def application(
    status: ApplicationStatus = ApplicationStatus.DRAFT, applicant: str = "a", hub: str = "NL"
) -> ApplicationRow:
    return ApplicationRow(applicant_id=applicant, status=status, hub=hub, outcome=None)


def test_a_call_is_open_from_its_opening_to_just_before_its_closing_instant() -> None:
    ensure_open(call(), OPENS)
    ensure_open(call(), CLOSES - timedelta(microseconds=1))
    with pytest.raises(Conflict, match="opens at"):
        ensure_open(call(), OPENS - timedelta(seconds=1))
    with pytest.raises(Conflict, match="closed at"):
        ensure_open(call(), CLOSES)


@pytest.mark.parametrize("status", [s for s in CallStatus if s is not CallStatus.PUBLISHED])
def test_only_a_published_call_is_open(status: CallStatus) -> None:
    with pytest.raises(Conflict):
        ensure_open(call(status), OPENS + timedelta(days=1))


def test_a_withdrawn_application_no_longer_changes() -> None:
    now = OPENS + timedelta(days=1)
    ensure_editable(application(ApplicationStatus.SUBMITTED), call(), now)
    with pytest.raises(Conflict, match="withdrawn"):
        ensure_editable(application(ApplicationStatus.WITHDRAWN), call(), now)


def test_published_results_or_an_outcome_end_withdrawal() -> None:
    ensure_withdrawable(application(), call(CallStatus.IN_EVALUATION))
    with pytest.raises(Conflict):
        ensure_withdrawable(application(), call(CallStatus.RESULTS_PUBLISHED))
    decided = application()
    decided.outcome = {"decision": "selected"}
    with pytest.raises(Conflict):
        ensure_withdrawable(decided, call(CallStatus.IN_EVALUATION))


@pytest.mark.parametrize(
    ("who", "call_hub", "app_hub", "reads"),
    [
        (Identity(role=Role.ADMIN, account_id="x"), "PT", "PT", True),
        (Identity(role=Role.APPLICANT, account_id="a"), "PT", "PT", True),  # its applicant
        (Identity(role=Role.APPLICANT, account_id="b"), "NL", "NL", False),
        (Identity(role=Role.HUB_MANAGER, account_id="m", hub="NL"), "NL", "PT", True),
        (Identity(role=Role.HUB_MANAGER, account_id="m", hub="NL"), "PT", "NL", False),
        (Identity(role=Role.HUB_MANAGER, account_id="m", hub="NL"), None, "NL", True),
        (Identity(role=Role.HUB_MANAGER, account_id="m", hub="NL"), None, "PT", False),
        (Identity(role=Role.EVALUATOR, account_id="e"), "NL", "NL", False),
    ],
)
def test_who_reads_an_application(
    who: Identity, call_hub: str | None, app_hub: str, reads: bool
) -> None:
    assert may_read(who, application(hub=app_hub), call(hub=call_hub)) is reads


def test_a_hub_manager_sees_a_programme_wide_call_only_for_their_hub() -> None:
    manager = Identity(role=Role.HUB_MANAGER, account_id="m", hub="PT")
    admin = Identity(role=Role.ADMIN, account_id="x")
    assert may_see_call(manager, call(hub=None)) and not may_see_call(manager, call(hub="NL"))
    assert manager.hub_scope(call(hub=None).hub) == "PT"
    assert manager.hub_scope(call(hub="PT").hub) is None
    assert admin.hub_scope(call(hub=None).hub) is None
