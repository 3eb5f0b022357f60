"""Thin HTTP handlers of review: decode -> authorize -> domain -> persist + outbox -> encode."""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from sqlalchemy import ColumnElement, Float, any_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.domain import export
from services.review.domain.assignment import (
    Applicant,
    Candidate,
    plan_assignments,
    same_organisation_name,
)
from services.review.domain.pool import anonymous_labels, application_title
from services.review.domain.scoring import (
    Consensus,
    CriterionSummary,
    Decision,
    Ranked,
    RankInput,
    Settlement,
    consensus_from,
    moderation_refusal,
    rank_call,
    score_errors,
    summarise,
)
from services.review.models import (
    ApplicationCopy,
    AssignmentRow,
    ConflictRow,
    EvaluationRow,
    EvaluatorRow,
    KnownCall,
    ModerationRow,
    OutboxEvent,
    PoolMemberRow,
)
from shared.api.intake import Organisation, Person
from shared.api.registry import Form, Rubric
from shared.api.review import (
    ApplicationForReview,
    Assignment,
    AssignmentReport,
    ConflictCreate,
    ConsensusSet,
    Disagreement,
    DisagreementEvaluation,
    Evaluation,
    EvaluationDraft,
    Evaluator,
    EvaluatorCreate,
    EvaluatorStatistics,
    Progress,
    Ranking,
    RankingEntry,
    Shortfall,
    SnapshotAttachment,
)
from shared.clock import Clock
from shared.contracts import review as events
from shared.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    page_errors,
    require,
)
from shared.identity import Identity, Role, sign_attachment_grant
from shared.outbox import record_event, record_events
from shared.programme import HUB_CODES, VALUE_CHAIN_CODES
from shared.web import Runtime

# ---- loading and checking ---------------------------------------------------------------


def rubric_of(call: KnownCall) -> Rubric:
    return msgspec.convert(call.rubric, Rubric)


async def load_call(session: AsyncSession, call_id: str, *, lock: bool = False) -> KnownCall:
    """Locked, the call serialises whatever changes its assignments or results."""
    call = await session.get(KnownCall, call_id, with_for_update=lock)
    if call is None or not call.terms_known:  # a stub knows a status, not the call
        raise NotFound(f"Review knows no call {call_id}.")
    return call


def require_team(identity: Identity, call: KnownCall, *, write: bool) -> None:
    """The programme team does everything; a call's hub managers may look, never decide."""
    identity.require_signed_in()
    if identity.is_admin:
        return
    if not write and identity.role is Role.HUB_MANAGER and identity.hub in call.hubs:
        return
    raise Forbidden("Only the programme team may do this." if write else
                    "Only the programme team and the call's hub managers see this.")  # fmt: skip


async def require_evaluator(session: AsyncSession, identity: Identity) -> EvaluatorRow:
    account = identity.require_signed_in()
    if identity.role is not Role.EVALUATOR:
        raise Forbidden("Only evaluators score applications.")
    evaluator = await session.get(EvaluatorRow, account)
    if evaluator is None or not evaluator.active:
        raise Forbidden("You have no evaluator profile (yet).")
    return evaluator


def evaluator_view(row: EvaluatorRow) -> Evaluator:
    return Evaluator(
        account_id=row.account_id, name=row.name, email=row.email, organisation=row.organisation,
        expertise=list(row.expertise), hubs=list(row.hubs), languages=list(row.languages),
        capacity=row.capacity, active=row.active,
    )  # fmt: skip


def email_domain(email: str | None) -> str:
    return (email or "").rpartition("@")[2].lower()


def applicant_of(app: ApplicationCopy) -> Applicant:
    contact_email = str(app.contact.get("email", ""))
    return Applicant(
        id=app.application_id, value_chains=frozenset(app.value_chains), hub=app.hub,
        organisation=str(app.organisation.get("name", "")),
        email_domains=frozenset(d for d in (email_domain(app.applicant_email),
                                            email_domain(contact_email)) if d),
    )  # fmt: skip


def pool_candidate(row: EvaluatorRow, capacity: int) -> Candidate:
    """An evaluator as one call's assignment sees them: with their capacity for that call."""
    return Candidate(
        id=row.account_id, capacity=capacity, expertise=frozenset(row.expertise),
        hubs=frozenset(row.hubs), organisation=row.organisation,
        email_domain=email_domain(row.email),
    )  # fmt: skip


async def eligible_applications(
    session: AsyncSession, call_id: str, *, lock: bool = True
) -> list[ApplicationCopy]:
    """Share-locked: a withdrawal arriving meanwhile waits for the assignment to commit (and
    then deactivates what it made), or the assignment waits for it and leaves it out."""
    query = select(ApplicationCopy).where(
        ApplicationCopy.call_id == call_id,
        ApplicationCopy.eligibility == "eligible",
        ApplicationCopy.withdrawn.is_(False),
        ApplicationCopy.version > 0,
    )
    rows = await session.scalars(query.with_for_update(read=True) if lock else query)
    return list(rows)


async def declared_conflicts(
    session: AsyncSession, applications: list[ApplicationCopy]
) -> dict[tuple[str, str], str]:
    """Declared conflicts by (application, evaluator) pair, organisation-wide ones expanded,
    each with the reason given."""
    rows = (await session.scalars(select(ConflictRow).order_by(ConflictRow.declared_at))).all()
    pairs: dict[tuple[str, str], str] = {}
    for row in rows:
        if row.application_id:
            pairs.setdefault((row.application_id, row.evaluator_id), row.reason)
        if row.organisation:
            for app in applications:
                if same_organisation_name(row.organisation, str(app.organisation.get("name", ""))):
                    pairs.setdefault((app.application_id, row.evaluator_id), row.reason)
    return pairs


async def pool_of(session: AsyncSession, call_id: str) -> list[tuple[EvaluatorRow, int]]:
    """The call's pool as assignment draws on it: its members still in the programme, each
    with their capacity for this call."""
    rows = await session.execute(
        select(EvaluatorRow, PoolMemberRow.capacity)
        .join(PoolMemberRow, PoolMemberRow.account_id == EvaluatorRow.account_id)
        .where(PoolMemberRow.call_id == call_id, EvaluatorRow.active)
        .order_by(EvaluatorRow.name, EvaluatorRow.account_id)
    )
    return [(evaluator, capacity) for evaluator, capacity in rows]


async def call_loads(session: AsyncSession, call_id: str) -> dict[str, int]:
    """Active assignments per evaluator in this call: a pool's capacity counts only these."""
    return dict((await session.execute(
        select(AssignmentRow.evaluator_id, func.count())
        .where(AssignmentRow.active, AssignmentRow.call_id == call_id)
        .group_by(AssignmentRow.evaluator_id)
    )).all())  # fmt: skip


async def assign(
    session: AsyncSession, call: KnownCall, *, reason: str | None = None
) -> AssignmentReport:
    """Assign or top up: existing active assignments stay; conflicted ones that are not yet
    submitted are dropped first (the repair). The caller holds the call's lock, so two runs
    never both top up; the assignments are locked before reading which are submitted, so a
    submission under way is waited for and then kept, never dropped. Each evaluator who
    loses work or gets new work hears of it through the outbox, in this transaction."""
    applications = await eligible_applications(session, call.call_id)
    members = await pool_of(session, call.call_id)
    conflicts = frozenset(await declared_conflicts(session, applications))
    active = list(await session.scalars(
        select(AssignmentRow).where(AssignmentRow.call_id == call.call_id, AssignmentRow.active)
        .with_for_update()
    ))  # fmt: skip
    submitted = set(await session.scalars(
        select(EvaluationRow.assignment_id).where(EvaluationRow.status == "submitted")
    ))  # fmt: skip
    in_pool = {e.account_id for e, _ in members}
    dropped = []
    for row in active:
        conflicted = (row.application_id, row.evaluator_id) in conflicts
        gone = row.evaluator_id not in in_pool
        if (conflicted or gone) and row.id not in submitted:
            row.active = False
            row.removed_reason = "conflict declared" if conflicted else "evaluator removed"
            dropped.append(row)
    kept = [(r.application_id, r.evaluator_id) for r in active if r.active]
    # Capacity is per call: the plan counts this call's assignments only (`kept`).
    pool = [pool_candidate(e, capacity) for e, capacity in members]
    plan = plan_assignments(
        [applicant_of(a) for a in applications], pool, call.evaluators_per_application,
        conflicts=conflicts, existing=kept,
    )  # fmt: skip
    placed = await place(session, call.call_id, plan.pairs)
    titles = evaluator_titles(call, applications)
    await record_events(session, OutboxEvent, [
        *(assignment_event(events.AssignmentMovedAway, r, titles(r.application_id))
          for r in dropped),
        *(assigned_event(r, call, titles(r.application_id)) for r in placed),
    ])  # fmt: skip
    loads = list(plan.loads.values()) or [0]
    return AssignmentReport(
        call_id=call.call_id, applications=len(applications),
        assigned=len(kept) + len(plan.pairs), evaluators=len(pool),
        min_load=min(loads), max_load=max(loads),
        shortfalls=[Shortfall(s.application_id, s.needed, s.assigned, s.reason)
                    for s in plan.shortfalls],
    )  # fmt: skip


async def place(
    session: AsyncSession, call_id: str, pairs: list[tuple[str, str]]
) -> list[AssignmentRow]:
    """The planned (application, evaluator) pairs as active assignments. A pair dropped
    earlier (its evaluator removed, then back) comes back as the same row."""
    previously = {(r.application_id, r.evaluator_id): r for r in await session.scalars(
        select(AssignmentRow).where(AssignmentRow.call_id == call_id,
                                    AssignmentRow.active.is_(False))
    )}  # fmt: skip
    placed = []
    for app_id, evaluator_id in pairs:
        row = previously.get((app_id, evaluator_id))
        if row is None:
            # The id now: the assignment's event names it before the flush.
            row = AssignmentRow(id=uuid.uuid4(), call_id=call_id, application_id=app_id,
                                evaluator_id=evaluator_id)  # fmt: skip
            session.add(row)
        row.active, row.removed_reason = True, None
        placed.append(row)
    return placed


def evaluator_titles(call: KnownCall, applications: list[ApplicationCopy]) -> Callable[[str], str]:
    """Each application's title as its evaluators' pages show it, by application id."""
    form = form_of(call)
    answers = {a.application_id: a.answers for a in applications}
    return lambda app_id: application_title(form, answers.get(app_id, {}), app_id)


def assignment_event(
    contract: type[events.AssignmentFacts], row: AssignmentRow, title: str, **extra: Any
) -> events.AssignmentFacts:
    """An event about one evaluator's assignment."""
    return contract(
        assignment_id=str(row.id), application_id=row.application_id, call_id=row.call_id,
        evaluator_id=row.evaluator_id, application_title=title, **extra,
    )  # fmt: skip


def assigned_event(row: AssignmentRow, call: KnownCall, title: str) -> events.AssignmentFacts:
    return assignment_event(events.AssignmentMade, row, title,
                            due_at=call.evaluation_deadline, call_timezone=call.timezone)  # fmt: skip


async def announce(
    session: AsyncSession, contract: type[events.AssignmentFacts], row: AssignmentRow,
    title: str,
) -> None:  # fmt: skip
    """An event about one evaluator's assignment, in the caller's transaction."""
    await record_event(session, OutboxEvent, assignment_event(contract, row, title))


async def announce_assigned(
    session: AsyncSession, row: AssignmentRow, call: KnownCall, title: str
) -> None:
    await record_event(session, OutboxEvent, assigned_event(row, call, title))


def snapshot_of(
    app: ApplicationCopy, call: KnownCall, evaluator_id: str, secret: str
) -> ApplicationForReview:
    blind = call.blind
    attachments = [
        SnapshotAttachment(
            id=a["id"], question_key=a["question_key"],
            file_name=f"{a['question_key']}-{i + 1}" if blind else a["file_name"],
            content_type=a["content_type"], size=a["size"],
            grant=sign_attachment_grant(evaluator_id, app.application_id, a["id"], secret),
        )
        for i, a in enumerate(app.attachments)
    ]  # fmt: skip
    return ApplicationForReview(
        application_id=app.application_id, call_id=app.call_id, blind=blind,
        organisation=None if blind else msgspec.convert(app.organisation, Organisation),
        contact=None if blind else msgspec.convert(app.contact, Person),
        team=[] if blind else msgspec.convert(app.team, list[Person]),
        answers=app.answers, requested_amount=app.requested_amount, country=app.country,
        hub=app.hub, value_chains=list(app.value_chains), attachments=attachments,
        submitted_at=app.submitted_at,
    )  # fmt: skip


def form_of(call: KnownCall) -> Form:
    return msgspec.convert(call.form, Form)


def assignment_view(
    row: AssignmentRow, call: KnownCall, answers: dict[str, object],
    evaluation: EvaluationRow | None, application: ApplicationForReview | None = None,
) -> Assignment:  # fmt: skip
    return Assignment(
        id=str(row.id), call_id=row.call_id, call_title=call.title,
        application_id=row.application_id, rubric=rubric_of(call),
        evaluation=evaluation_view(evaluation), application=application,
        application_title=application_title(form_of(call), answers, row.application_id),
        due_at=call.evaluation_deadline, call_timezone=call.timezone,
    )  # fmt: skip


def evaluation_view(row: EvaluationRow | None) -> Evaluation:
    if row is None:
        return Evaluation(scores={}, comments={}, status="not_started", submitted_at=None)
    return Evaluation(scores=dict(row.scores), comments=dict(row.comments), status=row.status,
                      submitted_at=row.submitted_at)  # fmt: skip


# ---- consensus and ranking, in a constant number of queries -------------------------------


class AppLine(msgspec.Struct, frozen=True):
    """The few columns ranking needs: a call may hold thousands of applications."""

    application_id: str
    eligibility: str
    requested_amount: float | None
    submitted_at: datetime | None
    organisation: str


class CallScores(msgspec.Struct):
    applications: list[AppLine]
    consensus: dict[str, Consensus]


async def call_scores(session: AsyncSession, call: KnownCall) -> CallScores:
    """Every application's consensus in three queries, whatever the size of the call."""
    rubric = rubric_of(call)
    applications = [
        AppLine(*row)
        for row in await session.execute(
            select(ApplicationCopy.application_id, ApplicationCopy.eligibility,
                   ApplicationCopy.requested_amount, ApplicationCopy.submitted_at,
                   func.coalesce(ApplicationCopy.organisation["name"].astext, ""))
            .where(ApplicationCopy.call_id == call.call_id, ApplicationCopy.withdrawn.is_(False),
                   ApplicationCopy.version > 0)
        )
    ]  # fmt: skip
    reduced = await evaluation_summaries(session, rubric, AssignmentRow.call_id == call.call_id)
    moderated: dict[str, dict[str, Settlement]] = defaultdict(dict)
    for m in await session.scalars(
        select(ModerationRow)
        .join(ApplicationCopy, ApplicationCopy.application_id == ModerationRow.application_id)
        .where(ApplicationCopy.call_id == call.call_id)
    ):
        moderated[m.application_id][m.criterion] = Settlement(m.score, m.justification)
    result = {}
    for a in applications:
        assigned, done, summaries = reduced.get(a.application_id, (0, 0, {}))
        result[a.application_id] = consensus_from(
            rubric, assigned, done, summaries, moderated[a.application_id],
            needed=call.evaluators_per_application,
        )  # fmt: skip
    return CallScores(applications, result)


async def evaluation_summaries(
    session: AsyncSession, rubric: Rubric, where: ColumnElement[bool]
) -> dict[str, tuple[int, int, dict[str, CriterionSummary]]]:
    """Per application (of those `where` selects), in one query: its active assignments, its
    submitted evaluations and each criterion's submitted scores reduced."""
    submitted = EvaluationRow.status == "submitted"
    # Plain float arrays: no JSON to decode per evaluation, no sort per group.
    columns = [
        func.array_agg(EvaluationRow.scores[c.key].astext.cast(Float)).filter(
            submitted, EvaluationRow.scores.has_key(c.key)
        )
        for c in rubric.criteria
    ]
    rows = await session.execute(
        select(AssignmentRow.application_id, func.count(AssignmentRow.id),
               func.count(EvaluationRow.assignment_id).filter(submitted), *columns)
        .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(where, AssignmentRow.active)
        .group_by(AssignmentRow.application_id)
    )  # fmt: skip
    reduced: dict[str, tuple[int, int, dict[str, CriterionSummary]]] = {}
    for app_id, assigned, done, *values in rows:
        summaries = {c.key: summarise(v) for c, v in zip(rubric.criteria, values, strict=True) if v}
        reduced[app_id] = (assigned, done, summaries)
    return reduced


async def progress_of(session: AsyncSession, call: KnownCall, hub: str | None = None) -> Progress:
    """Withdrawn applications count nowhere: their assignments are no longer active. `hub`:
    only that hub's applications (a hub manager's view of a programme-wide call, as intake
    counts them for that viewer)."""
    scores = await call_scores(session, call)
    consensus = scores.consensus
    where = [AssignmentRow.call_id == call.call_id, AssignmentRow.active]
    if hub:
        hubs = select(ApplicationCopy.application_id).where(
            ApplicationCopy.call_id == call.call_id, ApplicationCopy.hub == hub
        )
        kept = set(await session.scalars(hubs))
        consensus = {app_id: c for app_id, c in consensus.items() if app_id in kept}
        where.append(AssignmentRow.application_id.in_(hubs))
    totals = (await session.execute(
        select(func.count(AssignmentRow.id),
               func.count(EvaluationRow.assignment_id).filter(EvaluationRow.status == "submitted"))
        .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(*where)
    )).one()  # fmt: skip
    return Progress(
        call_id=call.call_id, applications=len(consensus), assignments=totals[0],
        submitted=totals[1],
        complete_applications=sum(1 for c in consensus.values() if c.complete),
        flagged_applications=sum(1 for c in consensus.values() if c.flagged),
    )  # fmt: skip


def ranking_of(call: KnownCall, scores: CallScores) -> list[tuple[Ranked, AppLine]]:
    by_id = {a.application_id: a for a in scores.applications}
    items = [
        RankInput(
            application_id=a.application_id, eligible=a.eligibility == "eligible",
            consensus=scores.consensus[a.application_id], requested=a.requested_amount or 0.0,
            submitted_at=a.submitted_at or datetime.max.replace(tzinfo=UTC),
        )
        for a in scores.applications
        if a.eligibility != "pending"
    ]  # fmt: skip
    ranked = rank_call(rubric_of(call), call.budget, items)
    return [(r, by_id[r.application_id]) for r in ranked]


def entry_of(ranked: Ranked, app: AppLine) -> RankingEntry:
    return RankingEntry(
        application_id=ranked.application_id, organisation=app.organisation,
        rank=ranked.rank, decision=ranked.decision.value, weighted_total=ranked.weighted_total,
        total=ranked.total, scores=ranked.scores, thresholds_failed=ranked.thresholds_failed,
        tie_break=ranked.tie_break, explanation=ranked.explanation,
        requested_amount=app.requested_amount,
    )  # fmt: skip


# ---- evaluators and conflicts ------------------------------------------------------------

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


class EvaluatorController(Controller):
    path = "/evaluators"

    @post("/")
    async def invite(
        self, session: AsyncSession, identity: Identity, data: EvaluatorCreate
    ) -> Evaluator:
        identity.require_admin()
        errors = []
        if not data.name.strip():
            errors.append(FieldError("name", "must not be empty"))
        if not 1 <= data.capacity <= 1000:
            errors.append(FieldError("capacity", "must be between 1 and 1000"))
        # An unknown code would silently match nothing when assignment prefers expertise/hub.
        errors.extend(code_errors({"expertise": data.expertise, "hubs": data.hubs}))
        require(errors)
        row = await session.get(EvaluatorRow, data.account_id)
        if row is None:
            row = EvaluatorRow(account_id=data.account_id)
            session.add(row)
        for name in EvaluatorCreate.__struct_fields__:
            setattr(row, name, getattr(data, name))
        row.active = True
        await session.commit()
        return evaluator_view(row)

    @get("/")
    async def list_evaluators(
        self, session: AsyncSession, identity: Identity, expertise: str | None = None,
        hub: str | None = None,
    ) -> list[Evaluator]:  # fmt: skip
        """Everyone invited; `expertise` (a value chain) and `hub` narrow it to those who
        name it, e.g. when picking a call's pool."""
        identity.require_admin()
        require(code_errors({"expertise": [expertise] if expertise else [],
                             "hub": [hub] if hub else []}))  # fmt: skip
        query = select(EvaluatorRow).order_by(EvaluatorRow.name, EvaluatorRow.account_id)
        if expertise:
            query = query.where(literal(expertise) == any_(EvaluatorRow.expertise))
        if hub:
            query = query.where(literal(hub) == any_(EvaluatorRow.hubs))
        return [evaluator_view(r) for r in await session.scalars(query)]

    @get("/me")
    async def me(self, session: AsyncSession, identity: Identity) -> Evaluator:
        return evaluator_view(await require_evaluator(session, identity))

    @delete("/{account_id:str}", status_code=200)
    async def remove(
        self, session: AsyncSession, identity: Identity, account_id: str
    ) -> list[AssignmentReport]:
        """Their unfinished assignments go to others; submitted evaluations stay."""
        identity.require_admin()
        row = await session.get(EvaluatorRow, account_id, with_for_update=True)
        if row is None:
            raise NotFound(f"There is no evaluator {account_id}.")
        row.active = False
        await session.flush()
        reports = await repair_calls(session, evaluator_id=account_id)
        await session.commit()
        return reports

    @get("/statistics")
    async def statistics(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> list[EvaluatorStatistics]:
        call = await load_call(session, call_id)
        require_team(identity, call, write=False)
        scores = await call_scores(session, call)
        rows = await session.execute(
            select(AssignmentRow.evaluator_id, AssignmentRow.application_id, EvaluationRow.scores)
            .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
            .where(AssignmentRow.call_id == call_id, EvaluationRow.status == "submitted")
        )
        deviations: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, int] = defaultdict(int)
        for evaluator_id, app_id, given in rows:
            counts[evaluator_id] += 1
            agreed = scores.consensus.get(app_id)
            if agreed and agreed.complete:
                deviations[evaluator_id].extend(
                    abs(given[k] - v) for k, v in agreed.scores.items() if k in given
                )
        names = dict((await session.execute(
            select(EvaluatorRow.account_id, EvaluatorRow.name)
        )).all())  # fmt: skip
        return [
            EvaluatorStatistics(
                account_id=e, name=names.get(e, e), evaluations=counts[e],
                mean_deviation=statistics.fmean(deviations[e]) if deviations[e] else None,
            )
            for e in sorted(counts)
        ]  # fmt: skip


async def repair_calls(
    session: AsyncSession, *, evaluator_id: str, application_id: str | None = None
) -> list[AssignmentReport]:
    """Re-run assignment for the calls touched by a new conflict or a removed evaluator."""
    query = select(AssignmentRow.call_id).where(
        AssignmentRow.evaluator_id == evaluator_id, AssignmentRow.active
    )
    if application_id:
        query = query.where(AssignmentRow.application_id == application_id)
    reports = []
    for call_id in sorted(set(await session.scalars(query))):  # sorted: locks in one order
        call = await session.get(KnownCall, call_id, with_for_update=True)
        if call is not None and call.status != "results_published":
            reports.append(await assign(session, call))
    return reports


class ConflictController(Controller):
    path = "/conflicts"

    @post("/")
    async def declare(
        self, session: AsyncSession, identity: Identity, data: ConflictCreate
    ) -> list[AssignmentReport]:
        evaluator = await require_evaluator(session, identity)
        if not data.application_id and not (data.organisation or "").strip():
            raise ValidationFailed(
                [FieldError("applicationId", "name an application or an organisation")]
            )
        # A submitted evaluation is locked: a conflict over what was judged is the team's
        # to handle, whether declared for the application or for its organisation.
        judged = await session.execute(
            select(ApplicationCopy.application_id,
                   func.coalesce(ApplicationCopy.organisation["name"].astext, ""))
            .join(AssignmentRow, AssignmentRow.application_id == ApplicationCopy.application_id)
            .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
            .where(AssignmentRow.evaluator_id == evaluator.account_id,
                   EvaluationRow.status == "submitted")
        )  # fmt: skip
        for app_id, organisation in judged:
            if app_id == data.application_id:
                raise Conflict("You already submitted this evaluation; tell the programme team.")
            if data.organisation and same_organisation_name(data.organisation, organisation):
                raise Conflict(f"You already submitted an evaluation of an application from "
                               f"{data.organisation}; tell the programme team.")  # fmt: skip
        session.add(ConflictRow(
            evaluator_id=evaluator.account_id, application_id=data.application_id,
            organisation=data.organisation, reason=data.reason,
        ))  # fmt: skip
        await session.flush()
        reports = await repair_calls(session, evaluator_id=evaluator.account_id)
        await session.commit()
        return reports


# ---- assignments and evaluations ---------------------------------------------------------


class AssignmentController(Controller):
    path = "/assignments"

    async def _mine(
        self, session: AsyncSession, identity: Identity, assignment_id: str, *, lock: bool = False
    ) -> tuple[AssignmentRow, EvaluatorRow]:
        evaluator = await require_evaluator(session, identity)
        try:
            key = uuid.UUID(assignment_id)
        except ValueError:
            key = None
        row = await session.get(AssignmentRow, key, with_for_update=lock) if key else None
        # Someone else's assignment reads exactly like a missing one.
        if row is None or row.evaluator_id != evaluator.account_id or not row.active:
            raise NotFound(f"There is no assignment {assignment_id}.")
        return row, evaluator

    @get("/mine")
    async def mine(self, session: AsyncSession, identity: Identity) -> list[Assignment]:
        account = identity.require_signed_in()
        evaluator = await session.get(EvaluatorRow, account)
        if identity.role is not Role.EVALUATOR or evaluator is None or not evaluator.active:
            return []  # not (or no longer) an evaluator: nothing assigned
        rows = (await session.execute(
            select(AssignmentRow, KnownCall, EvaluationRow, ApplicationCopy.answers)
            .join(KnownCall, KnownCall.call_id == AssignmentRow.call_id)
            .join(ApplicationCopy, ApplicationCopy.application_id == AssignmentRow.application_id)
            .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
            .where(AssignmentRow.evaluator_id == evaluator.account_id, AssignmentRow.active)
            .order_by(AssignmentRow.created_at, AssignmentRow.id)
        )).all()  # fmt: skip
        return [assignment_view(a, c, answers, e) for a, c, e, answers in rows]

    @get("/{assignment_id:str}")
    async def read(
        self, session: AsyncSession, identity: Identity, runtime: Runtime, assignment_id: str
    ) -> Assignment:
        row, evaluator = await self._mine(session, identity, assignment_id)
        call = await load_call(session, row.call_id)
        app = await session.get(ApplicationCopy, row.application_id)
        assert app is not None
        evaluation = await session.get(EvaluationRow, row.id)
        snapshot = snapshot_of(app, call, evaluator.account_id, runtime.settings.internal_secret)
        return assignment_view(row, call, app.answers, evaluation, snapshot)

    @put("/{assignment_id:str}/evaluation")
    async def save(
        self, session: AsyncSession, identity: Identity, assignment_id: str, data: EvaluationDraft
    ) -> Evaluation:
        row, _ = await self._mine(session, identity, assignment_id, lock=True)
        call = await load_call(session, row.call_id)
        require(score_errors(rubric_of(call), data.scores, data.comments, strict=False))
        evaluation = await session.get(EvaluationRow, row.id)
        if evaluation is None:
            evaluation = EvaluationRow(assignment_id=row.id, scores={}, comments={}, status="draft")
            session.add(evaluation)
        if evaluation.status == "submitted":
            raise Conflict("A submitted evaluation is locked.")
        evaluation.scores = {**evaluation.scores, **data.scores}
        evaluation.comments = {**evaluation.comments, **data.comments}
        await session.commit()
        return evaluation_view(evaluation)

    @post("/{assignment_id:str}/evaluation/submit")
    async def submit(
        self, session: AsyncSession, identity: Identity, clock: Clock, assignment_id: str
    ) -> Evaluation:
        row, _ = await self._mine(session, identity, assignment_id, lock=True)
        call = await load_call(session, row.call_id)
        evaluation = await session.get(EvaluationRow, row.id)
        if evaluation is not None and evaluation.status == "submitted":
            raise Conflict("This evaluation is already submitted.")
        scores = dict(evaluation.scores) if evaluation else {}
        comments = dict(evaluation.comments) if evaluation else {}
        require(score_errors(rubric_of(call), scores, comments, strict=True))
        assert evaluation is not None
        evaluation.status = "submitted"
        evaluation.submitted_at = clock()
        app = await session.get(ApplicationCopy, row.application_id)
        title = application_title(form_of(call), app.answers if app else {}, row.application_id)
        await announce(session, events.EvaluationSubmitted, row, title)
        await session.commit()
        return evaluation_view(evaluation)


# ---- the programme team ------------------------------------------------------------------


class CallReviewController(Controller):
    path = "/calls/{call_id:str}"

    @post("/assign")
    async def assign_evaluators(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> AssignmentReport:
        call = await load_call(session, call_id, lock=True)
        require_team(identity, call, write=True)
        if call.status not in ("closed", "in_evaluation"):
            raise Conflict("Evaluators are assigned once the call has closed.")
        report = await assign(session, call)
        if call.status == "closed":
            await record_event(session, OutboxEvent, events.EvaluationStarted(call_id=call_id))
            call.status = "in_evaluation"
        await session.commit()
        return report

    @get("/progress")
    async def progress(self, session: AsyncSession, identity: Identity, call_id: str) -> Progress:
        call = await load_call(session, call_id)
        require_team(identity, call, write=False)
        # A hub manager counts, in a programme-wide call, their hub's applications only.
        hub = identity.hub if not identity.is_admin and not call.hub else None
        return await progress_of(session, call, hub)

    @get("/ranking")
    async def ranking(
        self, session: AsyncSession, identity: Identity, call_id: str, offset: int = 0,
        limit: int | None = None,
    ) -> Ranking:  # fmt: skip
        require(page_errors(limit, offset, most=None))
        call = await load_call(session, call_id)
        require_team(identity, call, write=False)
        ranked = ranking_of(call, await call_scores(session, call))
        window = ranked[offset : None if limit is None else offset + limit]
        return Ranking(
            call_id=call_id, budget=call.budget, total=len(ranked),
            entries=[entry_of(r, a) for r, a in window],
            results_published=call.results_published_at is not None,
        )  # fmt: skip

    @get("/ranking.csv", media_type="text/csv")
    async def ranking_csv(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> Response[str]:
        call = await load_call(session, call_id)
        require_team(identity, call, write=False)
        criteria = [c.key for c in rubric_of(call).criteria]
        ranked = ranking_of(call, await call_scores(session, call))
        lines = [(r, a.organisation, a.requested_amount) for r, a in ranked]
        text = export.ranking_csv(criteria, lines)
        headers = {"Content-Disposition": f'attachment; filename="ranking-{call_id}.csv"'}
        return Response(text, media_type="text/csv", headers=headers)

    @get("/disagreements")
    async def disagreements(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> list[Disagreement]:
        call = await load_call(session, call_id)
        require_team(identity, call, write=False)
        scores = await call_scores(session, call)
        flagged = {app_id: c.flagged for app_id, c in scores.consensus.items() if c.flagged}
        given: dict[str, list[tuple[dict[str, float], dict[str, str]]]] = defaultdict(list)
        # In the order they were submitted, so "Evaluator 1" stays the same person on reload.
        for app_id, evaluation, comments in await session.execute(
            select(AssignmentRow.application_id, EvaluationRow.scores, EvaluationRow.comments)
            .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
            .where(AssignmentRow.application_id.in_(flagged), AssignmentRow.active,
                   EvaluationRow.status == "submitted")
            .order_by(EvaluationRow.submitted_at, AssignmentRow.id)
        ):  # fmt: skip
            given[app_id].append((evaluation, comments))
        answers: dict[str, dict[str, object]] = dict((await session.execute(
            select(ApplicationCopy.application_id, ApplicationCopy.answers)
            .where(ApplicationCopy.application_id.in_(flagged))
        )).all())  # fmt: skip
        form = form_of(call)
        return [
            Disagreement(
                application_id=app_id, criteria=criteria,
                scores={k: [s[k] for s, _ in given[app_id] if k in s] for k in criteria},
                title=application_title(form, answers.get(app_id, {}), app_id),
                evaluations=[
                    DisagreementEvaluation(evaluator=label, scores=s, comments=c)
                    for label, (s, c) in zip(
                        anonymous_labels(len(given[app_id])), given[app_id], strict=True
                    )
                ],
            )
            for app_id, criteria in sorted(flagged.items())
        ]  # fmt: skip

    @put("/applications/{application_id:str}/consensus/{criterion:str}")
    async def set_consensus(
        self, session: AsyncSession, identity: Identity, call_id: str, application_id: str,
        criterion: str, data: ConsensusSet,
    ) -> RankingEntry:  # fmt: skip
        call = await load_call(session, call_id)
        require_team(identity, call, write=True)
        app = await session.get(ApplicationCopy, application_id)
        if app is None or app.call_id != call_id:
            raise NotFound(f"There is no application {application_id} in this call.")
        rubric = rubric_of(call)
        errors = score_errors(rubric, {criterion: data.score}, {}, strict=False)
        if len(data.justification.strip()) < 20:
            errors.append(
                FieldError("justification", "explain the decision in at least 20 characters")
            )
        require(errors)
        if call.results_published_at is not None:
            raise Conflict("Results are published; consensus can no longer change.")
        summaries = await evaluation_summaries(
            session, rubric, AssignmentRow.application_id == application_id
        )
        assigned, done, reduced = summaries.get(application_id, (0, 0, {}))
        refusal = moderation_refusal(
            rubric, assigned, done, reduced, criterion, needed=call.evaluators_per_application
        )
        if refusal:
            raise Conflict(refusal)
        existing = await session.get(ModerationRow, (application_id, criterion))
        if existing is None:
            session.add(ModerationRow(application_id=application_id, criterion=criterion,
                                      score=data.score, justification=data.justification,
                                      moderator_id=identity.account_id or ""))  # fmt: skip
        else:
            existing.score, existing.justification = data.score, data.justification
            existing.moderator_id = identity.account_id or ""
        await session.flush()  # the ranking below reads the new score; kept only if it ranks
        for ranked, copy in ranking_of(call, await call_scores(session, call)):
            if ranked.application_id == application_id:
                await session.commit()
                return entry_of(ranked, copy)
        raise Conflict("The application is not in the ranking (withdrawn, or its eligibility is "
                       "not decided yet); nothing was changed.")  # fmt: skip

    @post("/publish-results")
    async def publish_results(
        self, session: AsyncSession, identity: Identity, clock: Clock, call_id: str
    ) -> Ranking:
        call = await load_call(session, call_id, lock=True)
        require_team(identity, call, write=True)
        if call.results_published_at is not None:
            raise Conflict("The results of this call are already published.")
        scores = await call_scores(session, call)
        # Not yet ranked at all, so it would get no outcome: wait for intake's verdict.
        unchecked = sum(1 for a in scores.applications if a.eligibility == "pending")
        if unchecked:
            raise Conflict(f"{unchecked} application(s) still await the eligibility check; "
                           "every applicant needs an outcome.")  # fmt: skip
        ranked = ranking_of(call, scores)
        pending = [r.application_id for r, _ in ranked if r.decision is Decision.PENDING]
        if not ranked or pending:
            raise Conflict(f"{len(pending)} application(s) still lack a consensus; "
                           "finish evaluation and moderation first.")  # fmt: skip
        comments = await evaluator_comments(session, call_id)
        counts: dict[str, int] = defaultdict(int)
        for r, _ in ranked:
            counts[r.decision.value] += 1
            await record_event(session, OutboxEvent, events.OutcomePublished(
                application_id=r.application_id, call_id=call_id, decision=r.decision.value,
                rank=r.rank, weighted_total=r.weighted_total, scores=r.scores,
                comments=comments.get(r.application_id, []), summary=r.explanation,
            ))  # fmt: skip
        await record_event(session, OutboxEvent, events.ResultsPublished(
            call_id=call_id, selected=counts["selected"], reserve=counts["reserve"],
            not_selected=counts["not_selected"],
        ))  # fmt: skip
        call.results_published_at = clock()
        call.status = "results_published"
        await session.commit()
        return Ranking(call_id=call_id, budget=call.budget, total=len(ranked),
                       entries=[entry_of(r, a) for r, a in ranked], results_published=True)  # fmt: skip


async def evaluator_comments(session: AsyncSession, call_id: str) -> dict[str, list[str]]:
    """The comments applicants receive: per criterion, never who wrote them."""
    rows = await session.execute(
        select(AssignmentRow.application_id, EvaluationRow.comments)
        .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(AssignmentRow.call_id == call_id, EvaluationRow.status == "submitted")
        .order_by(AssignmentRow.application_id, EvaluationRow.submitted_at)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for app_id, comments in rows:
        found[app_id].extend(f"{k}: {v}" for k, v in sorted(comments.items()))
    return found
