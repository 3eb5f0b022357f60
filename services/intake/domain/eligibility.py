"""Eligibility: decided once the deadline has passed, shown as a pre-check before."""

from __future__ import annotations

import msgspec

from shared.api.intake import Answer, Organisation
from shared.api.registry import CountryPart, Coverage, Form, Question, QuestionType
from shared.errors import euros
from shared.programme import country_name


class CallTerms(msgspec.Struct, frozen=True, kw_only=True):
    """What of a call decides eligibility; intake keeps it from the registry's events."""

    eligible_countries: list[Coverage]
    organisation_types: list[str]
    max_grant: float
    form: Form


def _admitted(eligible: list[Coverage], country: str, part: CountryPart | None) -> bool:
    # A whole country admits each part; a part admits only itself, never a country without part.
    return any(c.code == country and (c.part is None or c.part == part) for c in eligible)


def _label(q: Question) -> str:
    """The question's English label (the one every form has), else any label it has."""
    return q.labels.get("en") or next(iter(q.labels.values()), "") or "a required declaration"


def _country_reason(terms: CallTerms, org: Organisation) -> str | None:
    country, part = org.country, org.country_part
    if not country:
        return "the organisation's country is not given"
    if _admitted(terms.eligible_countries, country, part):
        return None
    if part is None and any(c.code == country for c in terms.eligible_countries):
        return (
            f"only part of {country_name(country)} is eligible for this call, and the "
            "organisation does not say whether it is in the north or the south"
        )
    return (
        f"the organisation's country, {country_name(country, part)}, is not eligible for this call"
    )


def eligibility_reasons(
    terms: CallTerms,
    organisation: Organisation,
    requested: float | None,
    answers: dict[str, Answer],
) -> list[str]:
    """Why the application is not eligible; empty when it is."""
    reasons: list[str] = []
    country = _country_reason(terms, organisation)
    if country:
        reasons.append(country)
    kind = organisation.type
    if not kind:
        reasons.append("the organisation type is not given")
    elif kind not in terms.organisation_types:
        reasons.append(f"the organisation type {kind} is not allowed in this call")
    if requested is None:
        reasons.append("no amount is requested")
    elif requested <= 0:
        reasons.append("the requested amount must be more than 0")
    elif requested > terms.max_grant:
        reasons.append(
            f"the requested amount of {euros(requested)} exceeds the maximum grant of "
            f"{euros(terms.max_grant)}"
        )
    for q in terms.form.questions:
        if q.type is QuestionType.DECLARATION and q.required and answers.get(q.key) is not True:
            # A person reads this: the declaration as the form words it, never its key.
            reasons.append(f"the declaration “{_label(q)}” is not accepted")
    return reasons
