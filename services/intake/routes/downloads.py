"""Downloads for the filesystem store: a signed, short-lived link, checked here.
(With MinIO the link is a presigned S3 URL and never reaches this route.)"""

from __future__ import annotations

from litestar import get
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import queries
from shared.api import intake as api
from shared.errors import Forbidden, NotFound
from shared.objectstore import (
    FilesystemObjectStore,
    ObjectNotFound,
    ObjectStore,
    content_disposition,
)


@get(api.DOWNLOAD.path, include_in_schema=False)
async def download(
    session: AsyncSession, store: ObjectStore, object_key: str, expires: str = "",
    signature: str = "", name: str = "",
) -> Stream:  # fmt: skip
    """A person opens the link in a browser: one cut short or altered, whatever part is
    missing or malformed, is the same refusal, in words, not a body validation error."""
    key = object_key.lstrip("/")
    if (
        # At most 12 digits (an instant before the year 33658): int() of thousands is refused.
        not (expires.isascii() and expires.isdigit() and len(expires) <= 12)
        or not isinstance(store, FilesystemObjectStore)
        or not store.verify_download_link(key, int(expires), signature, name)
    ):
        raise Forbidden("This download link is not valid or has expired.")
    row = await queries.attachment_by_key(session, key)
    try:
        stat = await store.stat(key)
    except ObjectNotFound:
        raise NotFound("The file is gone.") from None
    # The name the link was signed for (neutral for a blind evaluator), else the stored one.
    name = name or (row.file_name if row else "file")
    return Stream(
        store.open(key),
        media_type=stat.content_type,
        headers={
            "Content-Disposition": content_disposition(name),
            "Content-Length": str(stat.size),
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTES = [download]
