"""Which mail a person receives: nothing once inactive, an optional kind only while its
preference (shared.api.notify.OPTIONAL_KINDS) is on."""

from __future__ import annotations

from typing import Protocol

from shared.api.notify import OPTIONAL_KINDS


class Preferences(Protocol):
    """A person as notify keeps them (models.Person)."""

    active: bool
    draft_reminders: bool
    evaluation_reminders: bool
    daily_digest: bool


def receives(person: Preferences, kind: str) -> bool:
    preference = OPTIONAL_KINDS.get(kind)
    return person.active and (preference is None or bool(getattr(person, preference)))
