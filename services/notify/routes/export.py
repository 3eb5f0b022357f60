"""A person's part of their data archive over HTTP: notify's facts, and the files their mails
carried."""

from __future__ import annotations

from litestar import Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.config import NotifySettings
from services.notify.usecases import export
from shared.api import notify as api
from shared.identity import Identity


@get(api.PERSON_EXPORT.path)
async def person_export(
    session: AsyncSession, identity: Identity, settings: NotifySettings, account_id: str
) -> api.NotifyPersonExport:
    """Everything notify holds about the person, oldest mail first."""
    return await export.person_export(session, identity, settings, account_id)


@get(api.PERSON_EXPORT_ATTACHMENT.path, media_type="application/octet-stream")
async def person_export_attachment(
    session: AsyncSession, identity: Identity, account_id: str, attachment_id: str
) -> Response[bytes]:
    """A file a mail to the person carried (small: a receipt PDF is kept in the row)."""
    content, content_type = await export.person_export_attachment(
        session, identity, account_id, attachment_id
    )
    return Response(content, media_type=content_type)


ROUTES = [person_export, person_export_attachment]
