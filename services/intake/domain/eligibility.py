"""Eligibility: decided once the deadline has passed, shown as a pre-check before."""

from __future__ import annotations

import msgspec

from shared.api.intake import Answer, Organisation
from shared.api.registry import Coverage, Form, QuestionType


class CallTerms(msgspec.Struct, frozen=True, kw_only=True):
    eligible_countries: list[Coverage]
    organisation_types: list[str]
    max_grant: float
    form: Form


def _admitted(eligible: list[Coverage], country: str, part: object) -> bool:
    return any(c.code == country and (c.part is None or c.part == part) for c in eligible)


def eligibility_reasons(
    terms: CallTerms,
    organisation: Organisation,
    requested: float | None,
    answers: dict[str, Answer],
) -> list[str]:
    """Why the application is not eligible; empty when it is."""
    reasons: list[str] = []
    country = organisation.country
    if not _admitted(terms.eligible_countries, country, organisation.country_part):
        where = country or "no country"
        if organisation.country_part:
            where += f" ({organisation.country_part.value})"
        reasons.append(f"the organisation's country, {where}, is not eligible for this call")
    if organisation.type not in terms.organisation_types:
        kind = organisation.type or "not given"
        reasons.append(f"the organisation type ({kind}) is not allowed in this call")
    if requested is None:
        reasons.append("no amount is requested")
    elif requested > terms.max_grant:
        reasons.append(
            f"the requested amount of {requested:,.0f} exceeds the maximum grant of "
            f"{terms.max_grant:,.0f}"
        )
    for q in terms.form.questions:
        if q.type is QuestionType.DECLARATION and q.required and answers.get(q.key) is not True:
            reasons.append(f"declaration {q.key} not accepted")
    return reasons
