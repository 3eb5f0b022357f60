"""The calls intake knows (kept from the registry's events: saving, the deadline and
eligibility never wait on the registry) and their applications as the team sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import queries, team_queries
from services.intake.domain.access import may_see_call
from services.intake.domain.eligibility import eligibility_reasons
from services.intake.domain.paging import decode_cursor, encode_cursor, search_pattern
from services.intake.models import KnownCall, OutboxEvent
from services.intake.views import application_views, form_of, terms_of
from shared.api.intake import (
    ApplicationContent,
    ApplicationPage,
    CallStatistics,
    Eligibility,
    SubmissionCount,
)
from shared.call_status import CallStatus, later_of, parse_status
from shared.contracts import intake as events
from shared.contracts import registry as registry_events
from shared.errors import Forbidden, NotFound, page_errors, require
from shared.identity import Identity
from shared.outbox import record_event

# ---- the team's views -------------------------------------------------------------------


async def team_call(session: AsyncSession, identity: Identity, call_id: str) -> KnownCall:
    identity.require_signed_in()
    call = await session.get(KnownCall, call_id)
    if call is None:
        raise NotFound(f"There is no call {call_id}.")
    if not may_see_call(identity, call):
        raise Forbidden("Only the programme team and the call's hub managers see applications.")
    return call


async def call_applications(
    session: AsyncSession, identity: Identity, call_id: str, filters: dict[str, Any],
    search: str | None, after: str | None, limit: int,
) -> ApplicationPage:  # fmt: skip
    """`filters`: column name to value (None: not filtered)."""
    require(page_errors(limit))
    call = await team_call(session, identity, call_id)
    conditions = team_queries.call_scope(call.call_id, identity.hub_scope(call.hub))
    conditions += team_queries.filter_conditions(filters)
    if search is not None and search.strip():
        pattern = search_pattern(search.strip())
        conditions.append(team_queries.search_condition(form_of(call), pattern))
    total = await team_queries.count_applications(session, conditions)
    cursor = decode_cursor(after) if after else None
    rows = await team_queries.page_of_applications(session, conditions, cursor, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    items = await application_views(session, identity, [(r, call) for r in rows])
    last = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return ApplicationPage(items=items, total=total, next_cursor=last)


async def submission_count(
    session: AsyncSession, identity: Identity, call_id: str
) -> SubmissionCount:
    call = await team_call(session, identity, call_id)
    scope = team_queries.call_scope(call.call_id, identity.hub_scope(call.hub))
    return SubmissionCount(
        call_id=call_id, submitted=await team_queries.count_submitted(session, scope)
    )


async def statistics(session: AsyncSession, identity: Identity, call_id: str) -> CallStatistics:
    call = await team_call(session, identity, call_id)
    scope = team_queries.call_scope(call.call_id, identity.hub_scope(call.hub))
    shared = team_queries.submitted_ever(scope)  # what a draft says is its applicant's own
    by = {
        f"by_{name}": await team_queries.buckets(session, where, name)
        for name, where in (("status", scope), ("eligibility", scope), ("country", shared),
                            ("hub", scope), ("organisation_type", shared))
    }  # fmt: skip
    return CallStatistics(
        call_id=call_id, total=await team_queries.count_applications(session, scope),
        submitted=await team_queries.count_submitted(session, scope),
        by_value_chain=await team_queries.value_chain_buckets(session, shared),
        submissions_per_hour=await team_queries.first_submissions_per_hour(session, scope), **by,
    )  # fmt: skip


# ---- the registry's call lifecycle ------------------------------------------------------


async def call_published(session: AsyncSession, event: registry_events.CallPublished) -> None:
    values = {
        "title": event.title, "hub": event.hub, "hubs": event.hubs, "opens_at": event.opens_at,
        "closes_at": event.closes_at, "timezone": event.timezone,
        "value_chains": event.value_chains,
        "max_grant": event.max_grant,
        "eligible_countries": msgspec.to_builtins(event.eligible_countries),
        "organisation_types": event.organisation_types, "form": msgspec.to_builtins(event.form),
        "retention_days": event.retention_days,
    }  # fmt: skip
    held = await session.get(KnownCall, event.call_id)
    # A late redelivery after the call closed leaves it closed.
    values["status"] = later_of(held.status if held else None, CallStatus.PUBLISHED)
    await queries.upsert_call(session, event.call_id, values)


async def call_closed(session: AsyncSession, call_id: str) -> None:
    """The deadline has passed: decide every submitted application's eligibility, from its
    last submission (the live draft may hold edits that were never submitted). The call is
    locked exclusively: a submit, save or upload holds it in share mode until it commits, so
    none is in flight while the submitted applications are read."""
    call = await session.get(KnownCall, call_id, with_for_update=True)
    if call is None:
        return
    call.status = later_of(call.status, CallStatus.CLOSED)
    terms = terms_of(call)
    for app, submission in await queries.submitted_in_call(session, call.call_id):
        submitted = msgspec.convert(submission.snapshot, ApplicationContent)
        reasons = eligibility_reasons(
            terms, submitted.organisation, submitted.requested_amount, submitted.answers
        )
        app.eligibility = Eligibility.INELIGIBLE if reasons else Eligibility.ELIGIBLE
        app.eligibility_reasons = reasons
        ids = {"application_id": str(app.id), "call_id": app.call_id}
        checked: events.ApplicationEligible | events.ApplicationIneligible = (
            events.ApplicationIneligible(**ids, reasons=reasons)
            if reasons
            else events.ApplicationEligible(**ids)
        )
        await record_event(session, OutboxEvent, checked)


async def call_status_changed(
    session: AsyncSession, event: registry_events.CallStatusChanged, occurred_at: datetime
) -> None:
    """The copy only moves forward: an event redelivered late changes nothing."""
    reported = parse_status(event.status)
    call = await session.get(KnownCall, event.call_id, with_for_update=True)
    if call is None or reported is None:
        return
    call.status = later_of(call.status, reported)
    if reported is CallStatus.RESULTS_PUBLISHED:
        # The retention period counts from here, as it stood when the results came out.
        call.results_published_at = call.results_published_at or occurred_at
        if event.retention_days is not None:
            call.retention_days = event.retention_days
