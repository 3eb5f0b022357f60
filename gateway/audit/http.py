"""`GET /audit.csv`: the audit log as CSV for the programme team, with the filters of the
`auditLog` query as query parameters and the access token as `Authorization: Bearer`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.audit.queries import AuditFilter, csv_lines
from gateway.audit.store import record
from gateway.auth import http_caller
from gateway.config import GatewaySettings
from gateway.throttle import client_address
from shared.errors import FieldError, require

Sessions = Callable[[], async_sessionmaker[AsyncSession]]
TEXT_PARAMETERS = {"actorId": "actor_id", "targetId": "target_id", "action": "action"}


def filter_of(parameters: Mapping[str, str]) -> AuditFilter:
    """The filters as the page sends them; a malformed one is refused with its name."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, field in TEXT_PARAMETERS.items():
        value = parameters.get(name) or None
        if value is not None and "\x00" in value:
            errors.append(FieldError(name, "must not contain NUL characters"))
        values[field] = value
    for name in ("since", "until"):
        text = parameters.get(name)
        try:
            values[name] = instant = datetime.fromisoformat(text) if text else None
            # One that does not exist in UTC (0001-01-01T00:00+14:00) the database refuses,
            # after the CSV's header was sent: an export that looked complete and empty.
            if instant is not None and instant.tzinfo is not None:
                instant.astimezone(UTC)
        except (ValueError, OverflowError):
            errors.append(FieldError(name, "must be an instant such as 2027-03-01T09:00:00Z"))
    require(errors)
    where = AuditFilter(**values)
    require(where.errors())
    return where


def audit_csv_route(sessions: Sessions, settings: GatewaySettings) -> HTTPRouteHandler:
    """`sessions`: the gateway's session factory, known once the app has started."""

    @get("/audit.csv", include_in_schema=False)
    async def audit_csv(request: Request[Any, Any, Any]) -> Stream:
        header = request.headers.get("authorization")
        identity = await http_caller(sessions(), settings.jwt_secret, header)
        identity.require_admin()
        where = filter_of(request.query_params)
        peer = request.client.host if request.client else None
        source = client_address(peer, request.headers.get("x-forwarded-for"), settings.proxies)
        await record(sessions(), actor_id=identity.account_id, actor_role=identity.role.value,
                     action="auditLog.export", target_type="audit_log", target_id="",
                     source=source, detail=where.described())  # fmt: skip
        return Stream(
            csv_lines(sessions(), where), media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )  # fmt: skip

    return audit_csv
