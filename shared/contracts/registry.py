"""Events the registry publishes."""

from __future__ import annotations

from datetime import datetime

from shared.api.registry import Coverage, Form, Rubric
from shared.events import EventContract


class MissionFacts(EventContract, frozen=True, kw_only=True):
    mission_id: str
    hub: str
    title: str
    value_chains: list[str]


class MissionCreated(MissionFacts, frozen=True, kw_only=True):
    subject = "portal.registry.mission.created.v1"


class MissionUpdated(MissionFacts, frozen=True, kw_only=True):
    subject = "portal.registry.mission.updated.v1"


class ChallengeFacts(EventContract, frozen=True, kw_only=True):
    challenge_id: str
    mission_id: str
    title: str


class ChallengeCreated(ChallengeFacts, frozen=True, kw_only=True):
    subject = "portal.registry.challenge.created.v1"


class ChallengeUpdated(ChallengeFacts, frozen=True, kw_only=True):
    subject = "portal.registry.challenge.updated.v1"


class CallFacts(EventContract, frozen=True, kw_only=True):
    call_id: str
    title: str
    hubs: list[str]


class CallCreated(CallFacts, frozen=True, kw_only=True):
    subject = "portal.registry.call.created.v1"


class CallUpdated(CallFacts, frozen=True, kw_only=True):
    subject = "portal.registry.call.updated.v1"


class CallPublished(CallFacts, frozen=True, kw_only=True):
    """Carries the call's terms, so intake and review never need to ask the registry.
    A published call cannot change, so this snapshot stays true."""

    subject = "portal.registry.call.published.v1"
    opens_at: datetime
    closes_at: datetime
    timezone: str = "Europe/Brussels"
    hub: str | None = None
    value_chains: list[str] = []
    budget: float = 0.0
    max_grant: float = 0.0
    eligible_countries: list[Coverage] = []
    organisation_types: list[str] = []
    form: Form = Form(questions=[])
    rubric: Rubric = Rubric(criteria=[])
    evaluators_per_application: int = 3
    blind: bool = False
    # When evaluations are due (evaluators' reminders and due dates); None: not set.
    evaluation_deadline: datetime | None = None
    # Days after the results until unfunded applications are anonymised (may still change
    # until the results: CallStatusChanged to results_published carries the last word).
    retention_days: int = 365


class CallOpened(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.call.opened.v1"
    call_id: str
    opens_at: datetime
    closes_at: datetime


class CallClosed(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.call.closed.v1"
    call_id: str
    closes_at: datetime


class CallStatusChanged(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.call.status_changed.v1"
    call_id: str
    previous: str
    status: str
    # Sent with results_published: the call's retention period as it stands for good.
    retention_days: int | None = None
