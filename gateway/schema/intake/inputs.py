"""Intake's GraphQL inputs: a partial save of an application, the team's filter."""

from __future__ import annotations

from typing import Any

import msgspec
import strawberry
from strawberry.scalars import JSON

from gateway.schema.errors import to_api
from shared.api import intake as api
from shared.api.registry import CountryPart


@strawberry.input(description="What is left out keeps its value; `countryPart: null` clears it.")
class OrganisationInput:
    name: str | None = None
    type: str | None = None
    country: str | None = None
    country_part: CountryPart | None = strawberry.UNSET
    website: str | None = None


@strawberry.input(description="As the contact, what is left out keeps its value.")
class PersonInput:
    name: str | None = None
    email: str | None = None
    role: str | None = None


@strawberry.input(description="A partial save: what is left out keeps its value.")
class ApplicationInput:
    organisation: OrganisationInput | None = None
    contact: PersonInput | None = None
    team: list[PersonInput] | None = None
    requested_amount: float | None = strawberry.field(
        default=None,
        description="For a form without a requested-amount question; where the form asks it, "
        "answer that question instead (this field is then refused).",
    )
    answers: JSON | None = strawberry.field(
        default=None, description="Answers by question key; null clears one."
    )


@strawberry.input
class ApplicationFilter:
    status: api.ApplicationStatus | None = None
    country: str | None = None
    hub: str | None = None
    value_chain: str | None = None
    organisation_type: str | None = None
    eligibility: api.Eligibility | None = None
    search: str | None = strawberry.field(
        default=None, description="In the title, the organisation's name or the receipt number."
    )


def application_update(input: ApplicationInput) -> api.ApplicationUpdate:
    update = to_api(input, api.ApplicationUpdate)
    given = input.organisation
    if given is not None and given.country_part is None and update.organisation is not None:
        # An explicit null clears the part; to_api drops nulls like fields left out.
        organisation = msgspec.structs.replace(update.organisation, country_part=None)
        update = msgspec.structs.replace(update, organisation=organisation)
    return update


def filters_of(filter: ApplicationFilter | None) -> dict[str, Any]:
    """The filter as intake's query parameters (enums by value; None: not filtered)."""
    if filter is None:
        return {}
    return {k: (v.value if hasattr(v, "value") else v) for k, v in vars(filter).items()}
