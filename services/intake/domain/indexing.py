"""The columns the team filters and counts by, taken from an application's content."""

from __future__ import annotations

from typing import Any

from services.intake.domain.applicant import hub_for
from services.intake.models import ApplicationRow, KnownCall
from shared.api.intake import Answer, ApplicationContent
from shared.programme import COUNTRY_CODES, HUBS, ORGANISATION_TYPE_CODES, VALUE_CHAIN_CODES


def value_chains_of(call: KnownCall, answers: dict[str, Answer]) -> list[str]:
    """The applicant's own choice when the form asks for it, else the call's value chains."""
    chosen = answers.get("value_chain")
    if isinstance(chosen, str) and chosen in VALUE_CHAIN_CODES:
        return [chosen]
    return list(call.value_chains)


def team_index(call: KnownCall, content: ApplicationContent) -> dict[str, Any]:
    """The columns' values. Only known codes go in (the columns are short and typed);
    anything else stays in the content as typed, with its warning."""
    org = content.organisation
    return {
        "country": org.country if org.country in COUNTRY_CODES else None,
        "organisation_type": org.type if org.type in ORGANISATION_TYPE_CODES else None,
        "hub": hub_for(org.country, org.country_part, HUBS),
        "value_chains": value_chains_of(call, content.answers),
    }


def index_for_team(app: ApplicationRow, call: KnownCall, content: ApplicationContent) -> None:
    for column, value in team_index(call, content).items():
        setattr(app, column, value)
