"""Who receives which mail: nothing once inactive, an optional kind only while its preference
is on, every other kind always."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from services.notify.domain.preferences import receives
from shared.api.notify import OPTIONAL_KINDS


@dataclass
class Person:
    active: bool = True
    draft_reminders: bool = True
    evaluation_reminders: bool = True
    daily_digest: bool = True


@pytest.mark.parametrize("kind", ["submission_receipt", "outcome", *OPTIONAL_KINDS])
def test_an_inactive_person_receives_nothing(kind: str) -> None:
    assert not receives(Person(active=False), kind)


@pytest.mark.parametrize(("kind", "preference"), sorted(OPTIONAL_KINDS.items()))
def test_an_optional_kind_follows_its_own_preference_only(kind: str, preference: str) -> None:
    assert receives(Person(), kind)
    assert not receives(Person(**{preference: False}), kind)
    others = {name: False for name in set(OPTIONAL_KINDS.values()) - {preference}}
    assert receives(Person(**others), kind)


def test_a_kind_without_a_preference_always_goes_to_an_active_person() -> None:
    off = Person(draft_reminders=False, evaluation_reminders=False, daily_digest=False)
    assert receives(off, "submission_receipt") and receives(off, "password_changed")
