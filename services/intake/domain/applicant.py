"""Who applies: the organisation, its contact and team; the hub their country decides."""

from __future__ import annotations

import re

from shared.api.intake import Organisation, Person
from shared.api.registry import CountryPart, Hub
from shared.errors import FieldError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEBSITE = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)


def _person_errors(errors: list[FieldError], at: str, p: Person, *, required: bool) -> None:
    if required and not p.name.strip():
        errors.append(FieldError(f"{at}.name", "is required"))
    if required and not p.email.strip():
        errors.append(FieldError(f"{at}.email", "is required"))
    elif p.email.strip() and not EMAIL.match(p.email.strip()):
        errors.append(FieldError(f"{at}.email", "is not an e-mail address"))


def applicant_errors(
    organisation: Organisation,
    contact: Person,
    team: list[Person],
    *,
    strict: bool,
    organisation_types: frozenset[str],
    country_codes: frozenset[str],
    split_countries: frozenset[str],
) -> list[FieldError]:
    errors: list[FieldError] = []
    org = organisation
    if strict and not org.name.strip():
        errors.append(FieldError("organisation.name", "is required"))
    if org.type and org.type not in organisation_types:
        errors.append(FieldError("organisation.type", f"unknown organisation type {org.type}"))
    elif strict and not org.type:
        errors.append(FieldError("organisation.type", "is required"))
    if org.country and org.country not in country_codes:
        errors.append(FieldError("organisation.country", f"unknown country {org.country}"))
    elif strict and not org.country:
        errors.append(FieldError("organisation.country", "is required"))
    if org.country_part is not None and org.country and org.country not in split_countries:
        errors.append(FieldError("organisation.countryPart", f"{org.country} is not split"))
    if strict and org.country in split_countries and org.country_part is None:
        errors.append(
            FieldError("organisation.countryPart", "say whether it is in the north or the south")
        )
    if org.website and not WEBSITE.match(org.website):
        errors.append(FieldError("organisation.website", "must start with http:// or https://"))
    _person_errors(errors, "contact", contact, required=strict)
    for i, member in enumerate(team):
        _person_errors(errors, f"team[{i}]", member, required=False)
        if strict and not member.name.strip():
            errors.append(FieldError(f"team[{i}].name", "is required"))
    return errors


def hub_for(country: str, part: CountryPart | None, hubs: list[Hub]) -> str | None:
    """The hub covering the organisation; in a split country its part decides."""
    for hub in hubs:
        for cov in hub.countries:
            if cov.code == country and (cov.part is None or cov.part == part):
                return hub.code
    return None
