"""The one call-status rule every service follows: a call's status only moves forward.

The registry decides a transition (`transition_error`); review, intake and notify keep a copy
built from events that may come twice or out of order, so a copy takes the later of what it
holds and what it is told (`later_of`). The phase is the status as a reader sees it by the
server clock.
"""

from __future__ import annotations

import enum
from datetime import datetime


# In the order a call goes through them.
class CallStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    IN_EVALUATION = "in_evaluation"
    RESULTS_PUBLISHED = "results_published"


class CallPhase(enum.StrEnum):
    """The status as a reader sees it: a published call is upcoming, open or closed by the clock."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    IN_EVALUATION = "in_evaluation"
    RESULTS_PUBLISHED = "results_published"


ORDER: dict[CallStatus, int] = {status: rank for rank, status in enumerate(CallStatus)}

# Which status may follow which (the scheduler moves published -> closed by the clock).
TRANSITIONS: dict[CallStatus, frozenset[CallStatus]] = {
    CallStatus.DRAFT: frozenset({CallStatus.PUBLISHED}),
    CallStatus.PUBLISHED: frozenset({CallStatus.CLOSED}),
    CallStatus.CLOSED: frozenset({CallStatus.IN_EVALUATION}),
    CallStatus.IN_EVALUATION: frozenset({CallStatus.RESULTS_PUBLISHED}),
    CallStatus.RESULTS_PUBLISHED: frozenset(),
}


def transition_error(current: CallStatus, wanted: CallStatus) -> str | None:
    """Why `current` may not become `wanted` (None: it may)."""
    if wanted in TRANSITIONS[current]:
        return None
    return f"a call that is {current.value} cannot become {wanted.value}"


def later_of(held: CallStatus | None, reported: CallStatus) -> CallStatus:
    """A copy's status after an event reports `reported`: never backwards."""
    if held is None or ORDER[reported] > ORDER[held]:
        return reported
    return held


def parse_status(value: str) -> CallStatus | None:
    """A status named in an event from a newer registry may be unknown here: None, ignored."""
    try:
        return CallStatus(value)
    except ValueError:
        return None


def phase(status: CallStatus, opens_at: datetime, closes_at: datetime, now: datetime) -> CallPhase:
    """The server clock decides whether a published call is upcoming, open or closed."""
    if status is CallStatus.PUBLISHED:
        if now < opens_at:
            return CallPhase.UPCOMING
        if now < closes_at:
            return CallPhase.OPEN
        return CallPhase.CLOSED
    return CallPhase(status.value)
