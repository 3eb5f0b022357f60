"""An evaluator declares a conflict of interest, for one application or for every application
of an organisation; the calls where they hold work are repaired at once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.domain.assignments import same_organisation_name
from services.review.domain.invitations import NAME_MAX
from services.review.models import ApplicationCopy, ConflictRow
from services.review.usecases.assignments import repair_calls, require_evaluator
from shared.api.review import ConflictCreate, ConflictDeclared
from shared.errors import Conflict, FieldError, ValidationFailed, require, too_long
from shared.identity import Identity
from shared.paths import is_uuid

REASON_MAX = 2_000


async def declare_conflict(
    session: AsyncSession, identity: Identity, data: ConflictCreate
) -> ConflictDeclared:
    evaluator = await require_evaluator(session, identity)
    if not data.application_id and not (data.organisation or "").strip():
        raise ValidationFailed(
            [FieldError("applicationId", "name an application or an organisation")]
        )
    errors = too_long({"organisation": data.organisation}, NAME_MAX)
    errors += too_long({"reason": data.reason}, REASON_MAX)
    if data.application_id is not None and not is_uuid(data.application_id):
        errors.append(FieldError("applicationId", "is not an application's id"))
    elif data.application_id is not None and not await session.get(
        ApplicationCopy, data.application_id
    ):
        # A typo would otherwise stand as a declared conflict that protects nobody.
        errors.append(FieldError("applicationId", "is not an application submitted to a call"))
    require(errors)
    # A submitted evaluation is locked: a conflict over what was judged is the team's to
    # handle, whether declared for the application or for its organisation.
    for app_id, organisation in await queries.judged_by(session, evaluator.account_id):
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
    held = len(await queries.assignments_of(session, evaluator.account_id))
    await repair_calls(session, evaluator_id=evaluator.account_id)
    reassigned = held - len(await queries.assignments_of(session, evaluator.account_id))
    await session.commit()
    return ConflictDeclared(reassigned=reassigned)
