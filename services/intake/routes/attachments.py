"""HTTP handlers of an application's files: upload, remove, download links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, delete, get, put
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.config import MAX_UPLOAD_BYTES
from services.intake.usecases import attachments
from shared.api import intake as api
from shared.clock import Clock
from shared.identity import Identity
from shared.objectstore import ObjectStore
from shared.web import Runtime


@put(api.UPLOAD.path, request_max_body_size=MAX_UPLOAD_BYTES)
async def upload(
    request: Request[Any, Any, Any], session: AsyncSession, identity: Identity, clock: Clock,
    store: ObjectStore, application_id: str, question_key: str, filename: str = "file",
) -> api.Attachment:  # fmt: skip
    """The body is the file itself, streamed to the store while its size is counted."""
    return await attachments.upload(
        session, identity, clock, store, application_id, question_key, request.stream(), filename
    )


@delete(api.REMOVE_ATTACHMENT.path, status_code=200)
async def remove_attachment(
    session: AsyncSession, identity: Identity, clock: Clock, store: ObjectStore,
    application_id: str, attachment_id: str,
) -> api.Application:  # fmt: skip
    return await attachments.remove_attachment(
        session, identity, clock(), store, application_id, attachment_id
    )


@get(api.DOWNLOAD_LINK.path)
async def download_link(
    session: AsyncSession, identity: Identity, store: ObjectStore, clock: Clock,
    link_seconds: int, application_id: str, attachment_id: str,
) -> api.DownloadLink:  # fmt: skip
    return await attachments.download_link(
        session, identity, clock(), store, timedelta(seconds=link_seconds), application_id,
        attachment_id,
    )  # fmt: skip


@get(api.EVALUATOR_LINK.path)
async def evaluator_link(
    session: AsyncSession, identity: Identity, runtime: Runtime, store: ObjectStore,
    clock: Clock, link_seconds: int, application_id: str, attachment_id: str, grant: str,
) -> api.DownloadLink:  # fmt: skip
    return await attachments.evaluator_link(
        session, identity, clock(), store, timedelta(seconds=link_seconds),
        runtime.settings.internal_secret, application_id, attachment_id, grant,
    )  # fmt: skip


ROUTES = [upload, remove_attachment, download_link, evaluator_link]
