"""HTTP handlers of a person's data archive: what intake holds, and each file's bytes."""

from __future__ import annotations

from litestar import get
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.usecases import export
from shared.api import intake as api
from shared.identity import Identity
from shared.objectstore import ObjectStore


@get(api.PERSON_EXPORT.path)
async def person_export(
    session: AsyncSession, identity: Identity, account_id: str, language: str = "en"
) -> api.IntakePersonExport:
    return await export.person_export(session, identity, account_id, language)


@get(api.PERSON_EXPORT_FILE.path)
async def person_export_file(
    session: AsyncSession, identity: Identity, store: ObjectStore, account_id: str,
    attachment_id: str,
) -> Stream:  # fmt: skip
    chunks, stat = await export.person_export_file(
        session, identity, store, account_id, attachment_id
    )
    return Stream(
        chunks, media_type=stat.content_type,
        headers={"Content-Length": str(stat.size), "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip


ROUTES = [person_export, person_export_file]
