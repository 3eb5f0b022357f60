"""What an evaluator's profile must hold to be invited, and the codes a filter may name: an
unknown value chain or hub code would silently match nothing when assignment prefers them."""

from __future__ import annotations

from services.review.domain.pools import MAX_CAPACITY
from shared.errors import FieldError, too_long
from shared.programme import HUB_CODES, VALUE_CHAIN_CODES

NAME_MAX = 200  # the columns' length
KNOWN_CODES = {"expertise": VALUE_CHAIN_CODES, "hubs": HUB_CODES, "hub": HUB_CODES}


def code_errors(given: dict[str, list[str]]) -> list[FieldError]:
    """Value chain and hub codes, by field: each unknown one named, with the known ones."""
    errors = []
    for field, codes in given.items():
        known = KNOWN_CODES[field]
        if unknown := sorted(set(codes) - known):
            errors.append(FieldError(field, f"unknown: {', '.join(unknown)}; known: "
                                     f"{', '.join(sorted(known))}"))  # fmt: skip
    return errors


def invitation_errors(
    *, name: str, organisation: str, capacity: int, expertise: list[str], hubs: list[str]
) -> list[FieldError]:
    errors = too_long({"name": name, "organisation": organisation}, NAME_MAX)
    if not name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if not 1 <= capacity <= MAX_CAPACITY:
        errors.append(FieldError("capacity", f"must be between 1 and {MAX_CAPACITY}"))
    errors.extend(code_errors({"expertise": expertise, "hubs": hubs}))
    return errors
