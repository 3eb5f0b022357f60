"""Open calls: listed and read by whoever may see them, drafted, cloned and changed by those
who manage them, published, and moved through evaluation by the programme team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import queries
from services.registry.domain.calls import (
    DEFAULT_RUBRIC,
    CallDraft,
    may_manage,
    retention_errors,
)
from services.registry.domain.missions import TITLE_MAX
from services.registry.events import call_event, published_event, status_changed
from services.registry.models import CallRow
from services.registry.usecases import commit_with_event
from services.registry.views import (
    apply_settings,
    call_settings,
    call_view,
    hub_view,
    hubs_of_call,
)
from shared.api.registry import Call, CallCreate, CallUpdate, Coverage, LocalizedText
from shared.call_status import CallStatus, transition_error
from shared.clock import format_instant
from shared.contracts import registry as events
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed, require
from shared.identity import Identity
from shared.programme import ORGANISATION_TYPE_CODES, coverage_of

UPDATE_NAMES = tuple(CallUpdate.__struct_fields__)
# The settings CallDraft checks as given: challenges and countries are resolved first, and
# `blind` needs no check.
CHECKED_AS_GIVEN = [
    n for n in UPDATE_NAMES if n not in ("challenge_ids", "eligible_countries", "blind")
]


async def calls(
    session: AsyncSession, identity: Identity, now: datetime, *, ids: list[uuid.UUID] | None,
    status: CallStatus | None, hub: str | None,
) -> list[Call]:  # fmt: skip
    rows = await queries.calls(session, identity, ids=ids, status=status, hub=hub)
    hub_codes = await queries.hub_codes(session)
    return [call_view(r, hubs_of_call(r, hub_codes), now, identity) for r in rows]


async def get_call(session: AsyncSession, identity: Identity, now: datetime, call_id: str) -> Call:
    row = await load(session, identity, call_id)
    return await answer(session, row, now, identity)


async def create_call(
    session: AsyncSession, identity: Identity, now: datetime, data: CallCreate
) -> Call:
    identity.require_signed_in()
    if data.hub is None:
        identity.require_admin()
    else:
        if data.hub not in await queries.hub_codes(session):
            raise ValidationFailed([FieldError("hub", f"unknown hub {data.hub}")])
        identity.require_hub(data.hub)
    values = {name: getattr(data, name) for name in UPDATE_NAMES}
    if data.organisation_types is None:
        values["organisation_types"] = sorted(ORGANISATION_TYPE_CODES)
    values["rubric"] = data.rubric or DEFAULT_RUBRIC
    errors, eligible = await check_call(session, data.hub, values)
    require(errors)
    row = CallRow(hub_code=data.hub, status=CallStatus.DRAFT, created_by=identity.account_id)
    return await create_draft(session, identity, now, row, values, eligible)


async def clone_call(
    session: AsyncSession, identity: Identity, now: datetime, call_id: str
) -> Call:
    """A new draft with every setting of the call, whatever its status, for whoever may
    create a call for its hub. Its instants are kept: the author moves them before
    publishing (publishing refuses a closing instant in the past)."""
    identity.require_signed_in()
    source = await load(session, identity, call_id)
    require_manage(identity, source)
    values = call_settings(source)
    values["title"] = f"Copy of {source.title}"[:TITLE_MAX]
    values["title_translations"] = [
        LocalizedText(t.lang, f"Copy of {t.text}"[:TITLE_MAX]) for t in values["title_translations"]
    ]
    row = CallRow(
        hub_code=source.hub_code, status=CallStatus.DRAFT, currency=source.currency,
        created_by=identity.account_id,
    )  # fmt: skip
    return await create_draft(session, identity, now, row, values, values["eligible_countries"])


async def update_call(
    session: AsyncSession, identity: Identity, now: datetime, call_id: str, data: CallUpdate
) -> Call:
    row = await load(session, identity, call_id, lock=True)
    require_manage(identity, row)
    if row.status is not CallStatus.DRAFT:
        update_retention(row, data)
    else:
        values = call_settings(row)
        values.update({n: getattr(data, n) for n in UPDATE_NAMES if getattr(data, n) is not None})
        errors, eligible = await check_call(session, row.hub_code, values)
        require(errors)
        apply_settings(row, values, eligible)
    hubs = hubs_of_call(row, await queries.hub_codes(session))
    await commit_with_event(session, row, call_event(events.CallUpdated, row, hubs))
    return call_view(row, hubs, now, identity)


async def publish_call(
    session: AsyncSession, identity: Identity, now: datetime, call_id: str
) -> Call:
    row = await load(session, identity, call_id, lock=True)
    require_manage(identity, row)
    problem = transition_error(row.status, CallStatus.PUBLISHED)
    if problem:
        raise Conflict(problem)
    if row.closes_at <= now:
        shown = format_instant(row.closes_at, row.timezone)
        raise ValidationFailed(
            [FieldError("closesAt", f"the closing instant ({shown}) has passed")]
        )
    errors, _ = await check_call(session, row.hub_code, call_settings(row))
    require(errors)
    row.status = CallStatus.PUBLISHED
    row.published_at = now
    hubs = hubs_of_call(row, await queries.hub_codes(session))
    await commit_with_event(session, row, await published_event(session, row, hubs))
    return call_view(row, hubs, now, identity)


async def transition_call(
    session: AsyncSession, identity: Identity, now: datetime, call_id: str, status: CallStatus
) -> Call:
    """Moves after the deadline (closed -> in evaluation -> results published): admins."""
    row = await load(session, identity, call_id, lock=True)
    identity.require_admin()
    if status in (CallStatus.PUBLISHED, CallStatus.CLOSED):
        raise Conflict("A call is published with publishCall, and closes by itself at its "
                       "closing instant.")  # fmt: skip
    if status is CallStatus.RESULTS_PUBLISHED:  # only review knows whether they are ready
        raise Conflict("Results are published with publishResults, once every application "
                       "has its consensus.")  # fmt: skip
    previous = row.status
    problem = transition_error(previous, status)
    if problem:
        raise Conflict(problem)
    row.status = status
    await commit_with_event(session, row, status_changed(row, previous))
    return await answer(session, row, now, identity)


async def load(
    session: AsyncSession, identity: Identity, call_id: str, *, lock: bool = False
) -> CallRow:
    row = await queries.by_id(session, CallRow, call_id, "call", lock=lock)
    # A draft the caller may not manage is reported exactly like a missing call.
    if row.status is CallStatus.DRAFT and not may_manage(identity, row.hub_code):
        raise NotFound(f"There is no call {call_id}.")
    return row


def require_manage(identity: Identity, row: CallRow) -> None:
    if row.hub_code is None:
        identity.require_admin()
    else:
        identity.require_hub(row.hub_code)


async def answer(session: AsyncSession, row: CallRow, now: datetime, identity: Identity) -> Call:
    return call_view(row, hubs_of_call(row, await queries.hub_codes(session)), now, identity)


async def create_draft(
    session: AsyncSession, identity: Identity, now: datetime, row: CallRow,
    values: dict[str, Any], eligible: list[Coverage],
) -> Call:  # fmt: skip
    apply_settings(row, values, eligible)
    await queries.add(session, row)
    hubs = hubs_of_call(row, await queries.hub_codes(session))
    await commit_with_event(session, row, call_event(events.CallCreated, row, hubs))
    return call_view(row, hubs, now, identity)


def update_retention(row: CallRow, data: CallUpdate) -> None:
    """After publication only the retention period may change, until the results."""
    given = {name for name in UPDATE_NAMES if getattr(data, name) is not None}
    if row.status is CallStatus.RESULTS_PUBLISHED or given - {"retention_days"}:
        raise Conflict(
            "Only a draft call can be changed; after publication only the retention "
            "period may change, until the results are published."
        )
    if data.retention_days is not None:
        require(retention_errors(data.retention_days))
        row.retention_days = data.retention_days


async def check_call(
    session: AsyncSession, hub: str | None, values: dict[str, Any]
) -> tuple[list[FieldError], list[Coverage]]:
    """Validate a call's merged settings; returns the errors and its eligible countries."""
    call_hubs = [hub_view(h) for h in await queries.hubs(session) if hub is None or h.code == hub]
    hub_coverage = coverage_of(call_hubs)
    challenge_ids = [str(c) for c in values["challenge_ids"]]
    wanted = queries.parse_ids(",".join(challenge_ids)) or []
    found = await queries.known_challenges(session, wanted, hub)
    eligible = values["eligible_countries"]
    if eligible is None:
        eligible = hub_coverage
    draft = CallDraft(
        **{name: values[name] for name in CHECKED_AS_GIVEN},
        challenge_ids=challenge_ids, eligible_countries=eligible, hub_coverage=hub_coverage,
        unknown_challenges=[c for c in challenge_ids if c not in found],
    )  # fmt: skip
    return draft.errors(), eligible
