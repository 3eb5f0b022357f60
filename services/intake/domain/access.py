"""Who may read an application, and when one may still change: the server clock decides."""

from __future__ import annotations

from datetime import datetime

from services.intake.models import ApplicationRow, KnownCall
from shared.api.intake import ApplicationStatus
from shared.call_status import CallPhase, CallStatus, phase
from shared.clock import format_instant
from shared.errors import Conflict
from shared.identity import Identity, Role


def ensure_open(call: KnownCall, now: datetime) -> None:
    """At or after the closing instant nothing changes; before the opening nothing starts."""
    current = phase(call.status, call.opens_at, call.closes_at, now)
    if current is CallPhase.UPCOMING:
        raise Conflict(f"The call opens at {format_instant(call.opens_at, call.timezone)}.")
    if current is not CallPhase.OPEN:
        closed = format_instant(call.closes_at, call.timezone)
        raise Conflict(f"The call closed at {closed}; nothing can change now.")


def ensure_editable(app: ApplicationRow, call: KnownCall, now: datetime) -> None:
    """Saving, submitting and changing files: only while the call is open and not withdrawn."""
    ensure_open(call, now)
    if app.status == ApplicationStatus.WITHDRAWN:
        raise Conflict("This application was withdrawn.")


def ensure_withdrawable(app: ApplicationRow, call: KnownCall) -> None:
    """The outcome may arrive before the call's status change: either one ends withdrawal."""
    if call.status == CallStatus.RESULTS_PUBLISHED or app.outcome is not None:
        raise Conflict("Results are published; the application can no longer be withdrawn.")


def may_read(identity: Identity, app: ApplicationRow, call: KnownCall) -> bool:
    """Its applicant and the programme team; a hub manager in their hub's call, or in a
    programme-wide call for their hub's applications."""
    if identity.is_admin or app.applicant_id == identity.account_id:
        return True
    if identity.role is Role.HUB_MANAGER and identity.hub:
        return call.hub == identity.hub or (call.hub is None and app.hub == identity.hub)
    return False


def may_see_call(identity: Identity, call: KnownCall) -> bool:
    """A call's applications: the programme team and the call's hub managers."""
    return identity.is_admin or (identity.role is Role.HUB_MANAGER and identity.hub in call.hubs)
