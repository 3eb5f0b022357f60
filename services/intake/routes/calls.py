"""HTTP handlers of a call's applications as the team sees them: the list, the counts."""

from __future__ import annotations

from litestar import get
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.usecases import calls
from shared.api import intake as api
from shared.identity import Identity
from shared.web import READS_ONLY


@get(api.CALL_APPLICATIONS.path, opt=READS_ONLY)
async def call_applications(
    session: AsyncSession, identity: Identity, call_id: str,
    status: api.ApplicationStatus | None = None, country: str | None = None,
    hub: str | None = None, value_chain: str | None = None,
    organisation_type: str | None = None, eligibility: api.Eligibility | None = None,
    search: str | None = None, after: str | None = None, limit: int = 50,
) -> api.ApplicationPage:  # fmt: skip
    filters = {
        "status": status, "country": country, "hub": hub, "value_chain": value_chain,
        "organisation_type": organisation_type, "eligibility": eligibility,
    }  # fmt: skip
    return await calls.call_applications(session, identity, call_id, filters, search, after, limit)


@get(api.STATISTICS.path, opt=READS_ONLY)
async def statistics(session: AsyncSession, identity: Identity, call_id: str) -> api.CallStatistics:
    return await calls.statistics(session, identity, call_id)


@get(api.SUBMISSION_COUNT.path, opt=READS_ONLY)
async def submission_count(
    session: AsyncSession, identity: Identity, call_id: str
) -> api.SubmissionCount:
    return await calls.submission_count(session, identity, call_id)


ROUTES = [call_applications, statistics, submission_count]
