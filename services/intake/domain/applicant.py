"""Who applies: the organisation, its contact and team; the hub their country decides."""

from __future__ import annotations

import re
from typing import TypeVar
from urllib.parse import urlsplit

import msgspec

from shared.api.intake import Organisation, Person
from shared.api.registry import CountryPart, Hub
from shared.errors import FieldError
from shared.programme import country_name

S = TypeVar("S", bound=msgspec.Struct)


def merged(current: S, update: msgspec.Struct) -> S:
    """`current` with what `update` gives: a field left at its default (None, or UNSET where
    None means "none") was not given and keeps its value."""
    given = {
        f.name: getattr(update, f.name)
        for f in msgspec.structs.fields(update)
        if getattr(update, f.name) is not f.default
    }
    return msgspec.structs.replace(current, **given)


# Deliberately loose: the real test of an address is the mail that reaches it.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _is_website(url: str) -> bool:
    """A public http(s) address: reviewers follow it, so no other scheme and no bare host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return (
        parts.scheme.lower() in {"http", "https"}
        and host is not None
        and "." in host.strip(".")
        and not any(ch.isspace() for ch in url)
    )


def _person_errors(p: Person, at: str, *, name: bool, email: bool) -> list[FieldError]:
    """`name`/`email`: whether each is required."""
    errors = []
    if name and not p.name.strip():
        errors.append(FieldError(f"{at}.name", "is required"))
    address = p.email.strip()
    if email and not address:
        errors.append(FieldError(f"{at}.email", "is required"))
    elif address and not EMAIL.match(address):
        errors.append(FieldError(f"{at}.email", "is not an e-mail address"))
    return errors


def _organisation_errors(
    org: Organisation,
    *,
    strict: bool,
    organisation_types: frozenset[str],
    country_codes: frozenset[str],
    split_countries: frozenset[str],
) -> list[FieldError]:
    errors = []
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
    part = "organisation.countryPart"
    if org.country_part is not None and org.country and org.country not in split_countries:
        errors.append(
            FieldError(part, f"{country_name(org.country)} is not split into parts; leave it empty")
        )
    elif strict and org.country in split_countries and org.country_part is None:
        # France is split between two hubs: the part decides which one looks after them.
        errors.append(
            FieldError(
                part,
                "say whether the organisation is in the north or south of "
                + country_name(org.country),
            )
        )
    if org.website.strip() and not _is_website(org.website.strip()):
        errors.append(
            FieldError(
                "organisation.website", "must be a web address starting with http:// or https://"
            )
        )
    return errors


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
    """strict=False (a draft): only wrong values. strict=True (submit): also what is missing."""
    errors = _organisation_errors(
        organisation,
        strict=strict,
        organisation_types=organisation_types,
        country_codes=country_codes,
        split_countries=split_countries,
    )
    errors += _person_errors(contact, "contact", name=strict, email=strict)
    for i, member in enumerate(team):
        # A team member's e-mail is optional; a nameless member says nothing.
        errors += _person_errors(member, f"team[{i}]", name=strict, email=False)
    return errors


def hub_for(country: str, part: CountryPart | None, hubs: list[Hub]) -> str | None:
    """The hub covering the organisation; in a split country its part decides (no part: None)."""
    for hub in hubs:
        for cov in hub.countries:
            if cov.code == country and (cov.part is None or cov.part == part):
                return hub.code
    return None
