"""Rows to the registry's contracts (shared.api.registry), and a call's settings to its row."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from services.registry.domain.calls import editable_fields, may_manage
from services.registry.models import CallRow, ChallengeRow, HubRow, MissionRow
from shared.api.registry import (
    Call,
    Challenge,
    CountryPart,
    Coverage,
    Form,
    Hub,
    LocalizedText,
    Mission,
    Rubric,
)
from shared.call_status import phase
from shared.identity import Identity


def hub_view(row: HubRow) -> Hub:
    countries = [
        Coverage(c.country_code, CountryPart(c.part) if c.part else None) for c in row.countries
    ]
    return Hub(row.code, row.name, row.host_organisation, countries)


def mission_view(row: MissionRow) -> Mission:
    return Mission(
        id=str(row.id), hub=row.hub_code, title=row.title, description=row.description,
        value_chains=list(row.value_chains), strategies=list(row.strategies),
        created_at=row.created_at,
    )  # fmt: skip


def challenge_view(row: ChallengeRow) -> Challenge:
    return Challenge(
        id=str(row.id), mission_id=str(row.mission_id), hub=row.hub_code, title=row.title,
        description=row.description, strategies=list(row.strategies), created_at=row.created_at,
    )  # fmt: skip


def hubs_of_call(row: CallRow, hub_codes: list[str]) -> list[str]:
    """A hub's call is run by that hub; a programme-wide one by all of them."""
    return [row.hub_code] if row.hub_code else hub_codes


def call_settings(row: CallRow) -> dict[str, Any]:
    """What a call's author sets (the CallUpdate fields), as the contract's types."""
    return {
        "title": row.title,
        "description": row.description,
        "title_translations": msgspec.convert(row.title_translations, list[LocalizedText]),
        "description_translations": msgspec.convert(
            row.description_translations, list[LocalizedText]
        ),
        "challenge_ids": [str(c) for c in row.challenge_ids],
        "budget": row.budget,
        "max_grant": row.max_grant,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "evaluation_deadline": row.evaluation_deadline,
        "timezone": row.timezone,
        "eligible_countries": msgspec.convert(row.eligible_countries, list[Coverage]),
        "organisation_types": list(row.organisation_types),
        "form": msgspec.convert(row.form, Form),
        "rubric": msgspec.convert(row.rubric, Rubric),
        "evaluators_per_application": row.evaluators_per_application,
        "blind": row.blind,
        "retention_days": row.retention_days,
    }


def apply_settings(row: CallRow, values: dict[str, Any], eligible: list[Coverage]) -> None:
    row.title = values["title"].strip()
    row.description = values["description"]
    row.title_translations = [
        {"lang": t.lang, "text": t.text.strip()} for t in values["title_translations"]
    ]
    row.description_translations = msgspec.to_builtins(values["description_translations"])
    row.challenge_ids = [uuid.UUID(c) for c in values["challenge_ids"]]
    row.eligible_countries = msgspec.to_builtins(eligible)
    row.form = msgspec.to_builtins(values["form"])
    row.rubric = msgspec.to_builtins(values["rubric"])
    for name in ("budget", "max_grant", "opens_at", "closes_at", "evaluation_deadline",
                 "timezone", "organisation_types", "evaluators_per_application", "blind",
                 "retention_days"):  # fmt: skip
        setattr(row, name, values[name])


def call_view(row: CallRow, hubs: list[str], now: datetime, identity: Identity) -> Call:
    """The call as `identity` sees it (what they may still change depends on who asks)."""
    return Call(
        **call_settings(row), id=str(row.id), hub=row.hub_code, hubs=hubs,
        currency=row.currency, status=row.status,
        phase=phase(row.status, row.opens_at, row.closes_at, now),
        created_at=row.created_at, published_at=row.published_at,
        editable_fields=editable_fields(row.status, may_manage(identity, row.hub_code)),
    )  # fmt: skip
