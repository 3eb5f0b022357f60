"""Thin HTTP handlers: decode -> authorize -> domain -> persist + outbox -> encode."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, get, patch, post
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.registry.domain.calls import (
    DEFAULT_RUBRIC,
    CallDraft,
    editable_fields,
    phase,
    retention_errors,
    transition_error,
)
from services.registry.domain.missions import TITLE_MAX, challenge_errors, mission_errors
from services.registry.events import status_changed
from services.registry.models import (
    CallRow,
    ChallengeRow,
    HubRow,
    MissionRow,
    OutboxEvent,
    ValueChainRow,
)
from shared.api import registry as api
from shared.api.registry import (
    Call,
    CallCreate,
    CallStatus,
    CallTransition,
    CallUpdate,
    Challenge,
    ChallengeCreate,
    ChallengeUpdate,
    Country,
    CountryPart,
    Coverage,
    Form,
    Hub,
    LocalizedText,
    Mission,
    MissionCreate,
    MissionUpdate,
    OrganisationType,
    Rubric,
    Strategy,
    ValueChain,
)
from shared.clock import Clock, format_instant
from shared.contracts import registry as events
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed, require
from shared.events import EventContract
from shared.identity import Identity, Role
from shared.outbox import record_event
from shared.programme import (
    COUNTRIES,
    ORGANISATION_TYPE_CODES,
    ORGANISATION_TYPES,
    STRATEGIES,
    coverage_of,
)


def parse_ids(raw: str | None) -> list[uuid.UUID] | None:
    """`?ids=a,b,c` -> UUIDs; ids that are not UUIDs cannot exist, so they are dropped."""
    if raw is None:
        return None
    result = []
    for part in raw.split(","):
        try:
            result.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return result


def parse_id(raw: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(f"There is no {what} {raw}.") from None


def hub_view(row: HubRow) -> Hub:
    return Hub(
        code=row.code,
        name=row.name,
        host_organisation=row.host_organisation,
        countries=[
            Coverage(c.country_code, CountryPart(c.part) if c.part else None) for c in row.countries
        ],
    )


def mission_view(row: MissionRow) -> Mission:
    return Mission(
        id=str(row.id),
        hub=row.hub_code,
        title=row.title,
        description=row.description,
        value_chains=list(row.value_chains),
        strategies=list(row.strategies),
        created_at=row.created_at,
    )


def challenge_view(row: ChallengeRow) -> Challenge:
    return Challenge(
        id=str(row.id),
        mission_id=str(row.mission_id),
        hub=row.hub_code,
        title=row.title,
        description=row.description,
        strategies=list(row.strategies),
        created_at=row.created_at,
    )


async def all_hubs(session: AsyncSession) -> list[Hub]:
    rows = await session.scalars(
        select(HubRow).options(selectinload(HubRow.countries)).order_by(HubRow.position)
    )
    return [hub_view(r) for r in rows]


def may_manage(identity: Identity, row: CallRow) -> bool:
    if row.hub_code is None:
        return identity.is_admin
    return identity.may_manage_hub(row.hub_code)


def call_view(row: CallRow, hubs: list[str], now: datetime, identity: Identity) -> Call:
    """The call as `identity` sees it (what they may still change depends on who asks)."""
    status = CallStatus(row.status)
    return Call(
        id=str(row.id),
        title=row.title,
        description=row.description,
        title_translations=msgspec.convert(row.title_translations, list[LocalizedText]),
        description_translations=msgspec.convert(row.description_translations, list[LocalizedText]),
        hub=row.hub_code,
        hubs=hubs,
        challenge_ids=[str(c) for c in row.challenge_ids],
        budget=row.budget,
        max_grant=row.max_grant,
        currency=row.currency,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        timezone=row.timezone,
        eligible_countries=msgspec.convert(row.eligible_countries, list[Coverage]),
        organisation_types=list(row.organisation_types),
        form=msgspec.convert(row.form, Form),
        rubric=msgspec.convert(row.rubric, Rubric),
        evaluators_per_application=row.evaluators_per_application,
        blind=row.blind,
        status=status,
        phase=phase(status, row.opens_at, row.closes_at, now),
        created_at=row.created_at,
        published_at=row.published_at,
        evaluation_deadline=row.evaluation_deadline,
        retention_days=row.retention_days,
        editable_fields=editable_fields(status, may_manage(identity, row)),
    )


async def commit_with_event(session: AsyncSession, row: Any, event: EventContract) -> None:
    """The change and its event leave together: one transaction, event via the outbox."""
    await record_event(session, OutboxEvent, event)
    await session.commit()
    await session.refresh(row)


def apply_changes(row: Any, data: msgspec.Struct, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(data, name)
        if value is not None:
            setattr(row, name, value)


def mission_fields(row: MissionRow) -> dict[str, Any]:
    return {"mission_id": str(row.id), "hub": row.hub_code, "title": row.title,
            "value_chains": list(row.value_chains)}  # fmt: skip


def challenge_fields(row: ChallengeRow) -> dict[str, Any]:
    return {"challenge_id": str(row.id), "mission_id": str(row.mission_id), "title": row.title}


async def published_event(
    session: AsyncSession, row: CallRow, hubs: list[str]
) -> events.CallPublished:
    """The call's full terms, with the value chains of the missions behind its challenges."""
    chains = await session.scalars(
        select(func.unnest(MissionRow.value_chains))
        .join(ChallengeRow, ChallengeRow.mission_id == MissionRow.id)
        .where(ChallengeRow.id.in_(row.challenge_ids))
        .distinct()
    )
    settings = call_settings(row)
    return events.CallPublished(
        call_id=str(row.id), title=row.title, hubs=hubs, hub=row.hub_code,
        opens_at=row.opens_at, closes_at=row.closes_at, timezone=row.timezone,
        value_chains=sorted(chains), budget=row.budget, max_grant=row.max_grant,
        eligible_countries=settings["eligible_countries"],
        organisation_types=settings["organisation_types"], form=settings["form"],
        rubric=settings["rubric"], evaluators_per_application=row.evaluators_per_application,
        blind=row.blind, evaluation_deadline=row.evaluation_deadline,
        retention_days=row.retention_days,
    )  # fmt: skip


def hubs_of_call(row: CallRow, hub_codes: list[str]) -> list[str]:
    return [row.hub_code] if row.hub_code else hub_codes


class ReferenceController(Controller):
    """The programme's fixed data: public."""

    @get(api.HUBS.path)
    async def hubs(self, session: AsyncSession, identity: Identity) -> list[Hub]:
        return await all_hubs(session)

    @get(api.HUBS_WITHOUT_MISSION.path)
    async def hubs_without_mission(self, session: AsyncSession, identity: Identity) -> list[str]:
        with_mission = select(MissionRow.hub_code).distinct()
        rows = await session.scalars(
            select(HubRow.code).where(HubRow.code.not_in(with_mission)).order_by(HubRow.position)
        )
        return list(rows)

    @get(api.VALUE_CHAINS.path)
    async def value_chains(self, session: AsyncSession, identity: Identity) -> list[ValueChain]:
        rows = await session.scalars(select(ValueChainRow).order_by(ValueChainRow.position))
        return [ValueChain(r.code, r.name) for r in rows]

    @get(api.STRATEGIES.path, sync_to_thread=False)
    def strategies(self, identity: Identity) -> list[Strategy]:
        return STRATEGIES

    @get(api.COUNTRIES.path, sync_to_thread=False)
    def countries(self, identity: Identity) -> list[Country]:
        return COUNTRIES

    @get(api.ORGANISATION_TYPES.path, sync_to_thread=False)
    def organisation_types(self, identity: Identity) -> list[OrganisationType]:
        return ORGANISATION_TYPES


class MissionController(Controller):
    @get(api.MISSIONS.path)
    async def list_missions(
        self, session: AsyncSession, identity: Identity, hub: str | None = None,
        ids: str | None = None,
    ) -> list[Mission]:  # fmt: skip
        query = select(MissionRow).order_by(MissionRow.created_at, MissionRow.id)
        if hub is not None:
            query = query.where(MissionRow.hub_code == hub)
        wanted = parse_ids(ids)
        if wanted is not None:
            query = query.where(MissionRow.id.in_(wanted))
        return [mission_view(r) for r in await session.scalars(query)]

    @post(api.CREATE_MISSION.path)
    async def create_mission(
        self, session: AsyncSession, identity: Identity, data: MissionCreate
    ) -> Mission:
        identity.require_signed_in()
        require(mission_errors(data))
        identity.require_hub(data.hub)
        row = MissionRow(
            hub_code=data.hub,
            title=data.title.strip(),
            description=data.description,
            value_chains=data.value_chains,
            strategies=data.strategies,
            created_by=identity.account_id,
        )
        session.add(row)
        await session.flush()
        await commit_with_event(session, row, events.MissionCreated(**mission_fields(row)))
        return mission_view(row)

    @patch(api.UPDATE_MISSION.path)
    async def update_mission(
        self, session: AsyncSession, identity: Identity, mission_id: str, data: MissionUpdate
    ) -> Mission:
        row = await session.get(MissionRow, parse_id(mission_id, "mission"), with_for_update=True)
        if row is None:
            raise NotFound(f"There is no mission {mission_id}.")
        identity.require_hub(row.hub_code)
        require(mission_errors(data))
        apply_changes(row, data, ("title", "description", "value_chains", "strategies"))
        await commit_with_event(session, row, events.MissionUpdated(**mission_fields(row)))
        return mission_view(row)


class ChallengeController(Controller):
    @get(api.CHALLENGES.path)
    async def list_challenges(
        self, session: AsyncSession, identity: Identity, ids: str | None = None,
        mission_ids: str | None = None,
    ) -> list[Challenge]:  # fmt: skip
        query = select(ChallengeRow).order_by(ChallengeRow.created_at, ChallengeRow.id)
        wanted = parse_ids(ids)
        if wanted is not None:
            query = query.where(ChallengeRow.id.in_(wanted))
        missions = parse_ids(mission_ids)
        if missions is not None:
            query = query.where(ChallengeRow.mission_id.in_(missions))
        return [challenge_view(r) for r in await session.scalars(query)]

    @post(api.CREATE_CHALLENGE.path)
    async def create_challenge(
        self, session: AsyncSession, identity: Identity, data: ChallengeCreate
    ) -> Challenge:
        identity.require_signed_in()
        errors = challenge_errors(data)
        mission = None
        with contextlib.suppress(ValueError):
            mission = await session.get(MissionRow, uuid.UUID(data.mission_id))
        if mission is None:
            errors.append(FieldError("missionId", f"unknown mission {data.mission_id}"))
        require(errors)
        assert mission is not None
        identity.require_hub(mission.hub_code)
        row = ChallengeRow(
            mission_id=mission.id,
            hub_code=mission.hub_code,
            title=data.title.strip(),
            description=data.description,
            strategies=data.strategies,
            created_by=identity.account_id,
        )
        session.add(row)
        await session.flush()
        await commit_with_event(session, row, events.ChallengeCreated(**challenge_fields(row)))
        return challenge_view(row)

    @patch(api.UPDATE_CHALLENGE.path)
    async def update_challenge(
        self, session: AsyncSession, identity: Identity, challenge_id: str, data: ChallengeUpdate
    ) -> Challenge:
        row = await session.get(
            ChallengeRow, parse_id(challenge_id, "challenge"), with_for_update=True
        )
        if row is None:
            raise NotFound(f"There is no challenge {challenge_id}.")
        identity.require_hub(row.hub_code)
        require(challenge_errors(data))
        apply_changes(row, data, ("title", "description", "strategies"))
        await commit_with_event(session, row, events.ChallengeUpdated(**challenge_fields(row)))
        return challenge_view(row)


def visible_calls(identity: Identity) -> Any:
    """Drafts are seen only by those who may manage them; everything else is public."""
    not_draft = CallRow.status != CallStatus.DRAFT.value
    if identity.is_admin:
        return None
    if identity.role is Role.HUB_MANAGER and identity.hub:
        return or_(not_draft, CallRow.hub_code == identity.hub)
    return not_draft


async def check_call(
    session: AsyncSession,
    hub: str | None,
    values: dict[str, Any],
) -> tuple[list[FieldError], list[Coverage]]:
    """Validate a call's merged settings; returns the errors and its eligible countries."""
    hubs = await all_hubs(session)
    call_hubs = [h for h in hubs if hub is None or h.code == hub]
    hub_coverage = coverage_of(call_hubs)
    challenge_ids = [str(c) for c in values["challenge_ids"]]
    wanted = parse_ids(",".join(challenge_ids)) or []
    query = select(ChallengeRow.id).where(ChallengeRow.id.in_(wanted))
    if hub is not None:
        query = query.where(ChallengeRow.hub_code == hub)
    found = {str(c) for c in await session.scalars(query)}
    eligible = values["eligible_countries"]
    if eligible is None:
        eligible = hub_coverage
    draft = CallDraft(
        title=values["title"],
        description=values["description"],
        title_translations=values["title_translations"],
        description_translations=values["description_translations"],
        budget=values["budget"],
        max_grant=values["max_grant"],
        opens_at=values["opens_at"],
        closes_at=values["closes_at"],
        evaluation_deadline=values["evaluation_deadline"],
        timezone=values["timezone"],
        eligible_countries=eligible,
        hub_coverage=hub_coverage,
        organisation_types=values["organisation_types"],
        form=values["form"],
        rubric=values["rubric"],
        evaluators_per_application=values["evaluators_per_application"],
        challenge_ids=challenge_ids,
        unknown_challenges=[c for c in challenge_ids if c not in found],
        retention_days=values["retention_days"],
    )
    return draft.errors(), eligible


def call_settings(row: CallRow) -> dict[str, Any]:
    return {
        "title": row.title,
        "description": row.description,
        "title_translations": msgspec.convert(row.title_translations, list[LocalizedText]),
        "description_translations": msgspec.convert(
            row.description_translations, list[LocalizedText]
        ),
        "challenge_ids": [str(c) for c in row.challenge_ids],
        "budget": row.budget,
        "max_grant": row.max_grant,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "evaluation_deadline": row.evaluation_deadline,
        "timezone": row.timezone,
        "eligible_countries": msgspec.convert(row.eligible_countries, list[Coverage]),
        "organisation_types": list(row.organisation_types),
        "form": msgspec.convert(row.form, Form),
        "rubric": msgspec.convert(row.rubric, Rubric),
        "evaluators_per_application": row.evaluators_per_application,
        "blind": row.blind,
        "retention_days": row.retention_days,
    }


def apply_settings(row: CallRow, values: dict[str, Any], eligible: list[Coverage]) -> None:
    row.title = values["title"].strip()
    row.description = values["description"]
    row.title_translations = [
        {"lang": t.lang, "text": t.text.strip()} for t in values["title_translations"]
    ]
    row.description_translations = msgspec.to_builtins(values["description_translations"])
    row.challenge_ids = [uuid.UUID(c) for c in values["challenge_ids"]]
    row.budget = values["budget"]
    row.max_grant = values["max_grant"]
    row.opens_at = values["opens_at"]
    row.closes_at = values["closes_at"]
    row.evaluation_deadline = values["evaluation_deadline"]
    row.timezone = values["timezone"]
    row.eligible_countries = msgspec.to_builtins(eligible)
    row.organisation_types = values["organisation_types"]
    row.form = msgspec.to_builtins(values["form"])
    row.rubric = msgspec.to_builtins(values["rubric"])
    row.evaluators_per_application = values["evaluators_per_application"]
    row.blind = values["blind"]
    row.retention_days = values["retention_days"]


class CallController(Controller):
    async def _hub_codes(self, session: AsyncSession) -> list[str]:
        return list(await session.scalars(select(HubRow.code).order_by(HubRow.position)))

    async def _load(
        self, session: AsyncSession, identity: Identity, call_id: str, *, lock: bool = False
    ) -> CallRow:
        row = await session.get(CallRow, parse_id(call_id, "call"), with_for_update=lock)
        # A draft the caller may not manage is reported exactly like a missing call.
        if row is None or (row.status == CallStatus.DRAFT.value and not may_manage(identity, row)):
            raise NotFound(f"There is no call {call_id}.")
        return row

    def _require_manage(self, identity: Identity, row: CallRow) -> None:
        if row.hub_code is None:
            identity.require_admin()
        else:
            identity.require_hub(row.hub_code)

    @get(api.CALLS.path)
    async def list_calls(
        self, session: AsyncSession, identity: Identity, clock: Clock, ids: str | None = None,
        status: str | None = None, hub: str | None = None,
    ) -> list[Call]:  # fmt: skip
        query = select(CallRow).order_by(CallRow.closes_at, CallRow.id)
        visible = visible_calls(identity)
        if visible is not None:
            query = query.where(visible)
        wanted = parse_ids(ids)
        if wanted is not None:
            query = query.where(CallRow.id.in_(wanted))
        if status is not None:
            query = query.where(CallRow.status == status)
        if hub is not None:
            query = query.where(or_(CallRow.hub_code == hub, CallRow.hub_code.is_(None)))
        rows = (await session.scalars(query)).all()
        hub_codes = await self._hub_codes(session)
        now = clock()
        return [call_view(r, hubs_of_call(r, hub_codes), now, identity) for r in rows]

    @get(api.GET_CALL.path)
    async def get_call(
        self, session: AsyncSession, identity: Identity, clock: Clock, call_id: str
    ) -> Call:
        row = await self._load(session, identity, call_id)
        return call_view(row, hubs_of_call(row, await self._hub_codes(session)), clock(), identity)

    @post(api.CREATE_CALL.path)
    async def create_call(
        self, session: AsyncSession, identity: Identity, clock: Clock, data: CallCreate
    ) -> Call:
        identity.require_signed_in()
        if data.hub is None:
            identity.require_admin()
        else:
            hub_codes = await self._hub_codes(session)
            if data.hub not in hub_codes:
                raise ValidationFailed([FieldError("hub", f"unknown hub {data.hub}")])
            identity.require_hub(data.hub)
        values = {
            name: getattr(data, name)
            for name in CallUpdate.__struct_fields__
            if name not in ("eligible_countries", "organisation_types", "rubric")
        }
        values["eligible_countries"] = data.eligible_countries
        values["organisation_types"] = (
            data.organisation_types
            if data.organisation_types is not None
            else sorted(ORGANISATION_TYPE_CODES)
        )
        values["rubric"] = data.rubric or DEFAULT_RUBRIC
        errors, eligible = await check_call(session, data.hub, values)
        require(errors)
        row = CallRow(
            hub_code=data.hub, status=CallStatus.DRAFT.value, created_by=identity.account_id
        )
        return await self._create_draft(session, identity, clock, row, values, eligible)

    async def _create_draft(
        self, session: AsyncSession, identity: Identity, clock: Clock, row: CallRow,
        values: dict[str, Any], eligible: list[Coverage],
    ) -> Call:  # fmt: skip
        apply_settings(row, values, eligible)
        session.add(row)
        await session.flush()
        hubs = hubs_of_call(row, await self._hub_codes(session))
        event = events.CallCreated(call_id=str(row.id), title=row.title, hubs=hubs)
        await commit_with_event(session, row, event)
        return call_view(row, hubs, clock(), identity)

    @post(api.CLONE_CALL.path)
    async def clone_call(
        self, session: AsyncSession, identity: Identity, clock: Clock, call_id: str
    ) -> Call:
        """A new draft with every setting of the call, whatever its status, for whoever may
        create a call for its hub. Its instants are kept: the author moves them before
        publishing (publishing refuses a closing instant in the past)."""
        identity.require_signed_in()
        source = await self._load(session, identity, call_id)
        self._require_manage(identity, source)
        values = call_settings(source)
        values["title"] = f"Copy of {source.title}"[:TITLE_MAX]
        values["title_translations"] = [
            LocalizedText(t.lang, f"Copy of {t.text}"[:TITLE_MAX])
            for t in values["title_translations"]
        ]
        row = CallRow(
            hub_code=source.hub_code, status=CallStatus.DRAFT.value, currency=source.currency,
            created_by=identity.account_id,
        )  # fmt: skip
        return await self._create_draft(
            session, identity, clock, row, values, values["eligible_countries"]
        )

    @patch(api.UPDATE_CALL.path)
    async def update_call(
        self, session: AsyncSession, identity: Identity, clock: Clock, call_id: str,
        data: CallUpdate,
    ) -> Call:  # fmt: skip
        row = await self._load(session, identity, call_id, lock=True)
        self._require_manage(identity, row)
        if row.status != CallStatus.DRAFT.value:
            return await self._update_retention(session, identity, clock, row, data)
        values = call_settings(row)
        for name in CallUpdate.__struct_fields__:
            value = getattr(data, name)
            if value is not None:
                values[name] = value
        errors, eligible = await check_call(session, row.hub_code, values)
        require(errors)
        apply_settings(row, values, eligible)
        hubs = hubs_of_call(row, await self._hub_codes(session))
        event = events.CallUpdated(call_id=str(row.id), title=row.title, hubs=hubs)
        await commit_with_event(session, row, event)
        return call_view(row, hubs, clock(), identity)

    async def _update_retention(
        self, session: AsyncSession, identity: Identity, clock: Clock, row: CallRow,
        data: CallUpdate,
    ) -> Call:  # fmt: skip
        """After publication only the retention period may change, until the results."""
        given = {name for name in CallUpdate.__struct_fields__ if getattr(data, name) is not None}
        if row.status == CallStatus.RESULTS_PUBLISHED.value or given - {"retention_days"}:
            raise Conflict(
                "Only a draft call can be changed; after publication only the retention "
                "period may change, until the results are published."
            )
        if data.retention_days is not None:
            require(retention_errors(data.retention_days))
            row.retention_days = data.retention_days
        hubs = hubs_of_call(row, await self._hub_codes(session))
        event = events.CallUpdated(call_id=str(row.id), title=row.title, hubs=hubs)
        await commit_with_event(session, row, event)
        return call_view(row, hubs, clock(), identity)

    @post(api.PUBLISH_CALL.path)
    async def publish_call(
        self, session: AsyncSession, identity: Identity, clock: Clock, call_id: str
    ) -> Call:
        row = await self._load(session, identity, call_id, lock=True)
        self._require_manage(identity, row)
        problem = transition_error(CallStatus(row.status), CallStatus.PUBLISHED)
        if problem:
            raise Conflict(problem)
        now = clock()
        if row.closes_at <= now:
            shown = format_instant(row.closes_at, row.timezone)
            raise ValidationFailed(
                [FieldError("closesAt", f"the closing instant ({shown}) has passed")]
            )
        errors, _ = await check_call(session, row.hub_code, call_settings(row))
        require(errors)
        row.status = CallStatus.PUBLISHED.value
        row.published_at = now
        hubs = hubs_of_call(row, await self._hub_codes(session))
        event = await published_event(session, row, hubs)
        await commit_with_event(session, row, event)
        return call_view(row, hubs, now, identity)

    @post(api.TRANSITION_CALL.path)
    async def transition_call(
        self, session: AsyncSession, identity: Identity, clock: Clock, call_id: str,
        data: CallTransition,
    ) -> Call:  # fmt: skip
        """Moves after the deadline (closed -> in evaluation -> results published): admins."""
        row = await self._load(session, identity, call_id, lock=True)
        identity.require_admin()
        if data.status in (CallStatus.PUBLISHED, CallStatus.CLOSED):
            raise Conflict("Publish with /publish; the clock closes a call at its closing instant.")
        previous = row.status
        problem = transition_error(CallStatus(previous), data.status)
        if problem:
            raise Conflict(problem)
        row.status = data.status.value
        await commit_with_event(session, row, status_changed(row, previous))
        return call_view(row, hubs_of_call(row, await self._hub_codes(session)), clock(), identity)
