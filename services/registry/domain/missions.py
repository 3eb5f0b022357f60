"""Rules for missions and challenges."""

from __future__ import annotations

from shared.api.registry import ChallengeCreate, ChallengeUpdate, MissionCreate, MissionUpdate
from shared.errors import FieldError
from shared.programme import HUB_CODES, STRATEGY_CODES, VALUE_CHAIN_CODES

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000


def check_text(errors: list[FieldError], field: str, value: str | None, *, required: bool) -> None:
    if value is None:
        return
    limit = TITLE_MAX if field == "title" else DESCRIPTION_MAX
    if required and not value.strip():
        errors.append(FieldError(field, "must not be empty"))
    elif len(value) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters"))


def check_codes(
    errors: list[FieldError],
    field: str,
    values: list[str] | None,
    known: frozenset[str],
    *,
    at_least_one: bool,
) -> None:
    if values is None:
        return
    if at_least_one and not values:
        errors.append(FieldError(field, "choose at least one"))
    unknown = sorted(set(values) - known)
    if unknown:
        errors.append(FieldError(field, f"unknown: {', '.join(unknown)}"))
    if len(set(values)) != len(values):
        errors.append(FieldError(field, "lists a value twice"))


def mission_errors(body: MissionCreate | MissionUpdate) -> list[FieldError]:
    errors: list[FieldError] = []
    if isinstance(body, MissionCreate) and body.hub not in HUB_CODES:
        errors.append(FieldError("hub", f"unknown hub {body.hub}"))
    check_text(errors, "title", body.title, required=True)
    check_text(errors, "description", body.description, required=False)
    check_codes(errors, "valueChains", body.value_chains, VALUE_CHAIN_CODES, at_least_one=True)
    check_codes(errors, "strategies", body.strategies, STRATEGY_CODES, at_least_one=False)
    return errors


def challenge_errors(body: ChallengeCreate | ChallengeUpdate) -> list[FieldError]:
    errors: list[FieldError] = []
    check_text(errors, "title", body.title, required=True)
    check_text(errors, "description", body.description, required=False)
    check_codes(errors, "strategies", body.strategies, STRATEGY_CODES, at_least_one=False)
    return errors
