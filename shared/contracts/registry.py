"""Events the registry publishes."""

from __future__ import annotations

from datetime import datetime

from shared.events import EventContract


class MissionCreated(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.mission.created.v1"
    mission_id: str
    hub: str
    title: str
    value_chains: list[str]


class MissionUpdated(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.mission.updated.v1"
    mission_id: str
    hub: str
    title: str
    value_chains: list[str]


class ChallengeCreated(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.challenge.created.v1"
    challenge_id: str
    mission_id: str
    title: str


class ChallengeUpdated(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.challenge.updated.v1"
    challenge_id: str
    mission_id: str
    title: str


class CallCreated(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.call.created.v1"
    call_id: str
    title: str
    hubs: list[str]


class CallUpdated(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.call.updated.v1"
    call_id: str
    title: str
    hubs: list[str]


class CallPublished(EventContract, frozen=True, kw_only=True):
    subject = "portal.registry.call.published.v1"
    call_id: str
    title: str
    hubs: list[str]
    opens_at: datetime
    closes_at: datetime


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
