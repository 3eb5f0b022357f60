"""A person's data archive (GDPR access and portability): `GET /me/archive.zip` for the
signed-in person and `GET /people/{account_id}/archive.zip` for the programme team (a request
made by letter), with the access token as `Authorization: Bearer`. One zip of everything held
about the person: the gateway's account, intake's applications and their files, review's
copies, notify's mails and the receipts they carried; nobody else's data."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.archive_readme import readme
from gateway.archive_zip import ArchiveWriter, json_bytes, safe_name
from gateway.audit.store import record
from gateway.auth import http_caller
from gateway.clients import Services
from gateway.config import GatewaySettings
from gateway.models import Account
from gateway.throttle import client_address
from shared.api import intake, notify, review
from shared.errors import NotFound
from shared.identity import Identity
from shared.paths import uuid_id

Sessions = Callable[[], async_sessionmaker[AsyncSession]]


def account_facts(row: Account) -> dict[str, Any]:
    """The account as the person knows it: never a hash, a secret or a token version."""
    return {
        "id": str(row.id), "email": row.email, "display_name": row.display_name,
        "role": row.role, "hub": row.hub, "language": row.language,
        "created_at": row.created_at, "email_confirmed_at": row.email_confirmed_at,
        "two_factor_sign_in": row.totp_enabled_at is not None,
        "optional_emails": {
            "draft_reminders": row.draft_reminders,
            "evaluation_reminders": row.evaluation_reminders, "daily_digest": row.daily_digest,
        },
        "disabled_at": row.disabled_at,
    }  # fmt: skip


class Exports(msgspec.Struct, frozen=True):
    intake: intake.IntakePersonExport
    review: review.ReviewPersonExport
    notify: notify.NotifyPersonExport


async def exports_of(services: Services, identity: Identity, account: Account) -> Exports:
    person = str(account.id)
    found = await asyncio.gather(
        services.intake.person_export(identity, person, account.language),
        services.review.export_person(identity, person),
        services.notify.person_export(identity, person),
    )
    return Exports(*found)


async def write_applications(
    archive: ArchiveWriter, services: Services, identity: Identity, exports: Exports
) -> list[str]:
    """Each application in its folder, its files under files/<question label>/<name>."""
    folders = []
    for number, application in enumerate(exports.intake.applications, start=1):
        folder = archive.unique(f"applications/{number:02d} {safe_name(application.call_title)}")
        paths: dict[str, str] = {}
        for file in application.files:
            target = f"{folder}/files/{safe_name(file.question_label)}/{safe_name(file.file_name)}"
            person = exports.intake.account_id
            async with services.intake.person_export_file(identity, person, file.id) as chunks:
                paths[file.id] = await archive.add_stream(target, chunks)
        facts = msgspec.to_builtins(application)
        for file in facts["files"]:
            file["path_in_archive"] = paths[file["id"]]
        await archive.add(f"{folder}/application.json", json_bytes(facts))
        folders.append(folder)
    return folders


async def write_mail(
    archive: ArchiveWriter, services: Services, identity: Identity, exports: Exports
) -> None:
    """mail.json, and each file a mail carried (the receipts' PDFs) under receipts/."""
    facts = msgspec.to_builtins(exports.notify)
    for mail in facts["mails"]:
        for attachment in mail["attachments"]:
            async with services.notify.person_export_attachment(
                identity, exports.notify.account_id, attachment["id"]
            ) as chunks:
                target = f"receipts/{safe_name(attachment['file_name'])}"
                attachment["path_in_archive"] = await archive.add_stream(target, chunks)
    await archive.add("mail.json", json_bytes(facts))


async def build_archive(
    services: Services, identity: Identity, account: Account, made_at: datetime
) -> tuple[ArchiveWriter, int]:
    exports = await exports_of(services, identity, account)
    archive = ArchiveWriter(made_at)
    try:
        await archive.add("account.json", json_bytes(account_facts(account)))
        folders = await write_applications(archive, services, identity, exports)
        await write_mail(archive, services, identity, exports)
        await archive.add("evaluation.json", json_bytes(exports.review))
        text = readme(made_at, account.email, folders, len(exports.notify.mails))
        await archive.add("README.txt", text.encode())
        return archive, await archive.finish()
    except BaseException:
        archive.discard()
        raise


async def account_of(sessions: Sessions, account_id: str) -> Account:
    async with sessions()() as session:
        row = await session.get(Account, uuid.UUID(uuid_id(account_id, "account")))
    if row is None:
        raise NotFound("There is no account with that id.")
    return row


def archive_routes(sessions: Sessions, settings: GatewaySettings) -> list[HTTPRouteHandler]:
    """`sessions`: the gateway's session factory, known once the app has started."""

    async def answer(request: Request[Any, Any, Any], account_id: str | None) -> Stream:
        header = request.headers.get("authorization")
        identity = await http_caller(sessions(), settings.jwt_secret, header)
        if account_id is not None:
            identity.require_admin()
        account = await account_of(sessions, account_id or identity.require_signed_in())
        made_at = datetime.now(UTC)
        archive, size = await build_archive(request.app.state.services, identity, account,
                                            made_at)  # fmt: skip
        peer = request.client.host if request.client else None
        try:
            await record(sessions(), actor_id=identity.account_id,
                         actor_role=identity.role.value, action="account.archive",
                         target_type="account", target_id=str(account.id),
                         source=client_address(peer, request.headers.get("x-forwarded-for"),
                                               settings.proxies),
                         detail={"size": str(size)})  # fmt: skip
        except BaseException:
            archive.discard()  # no archive leaves without its audit entry
            raise
        name = f"portal-data-{made_at:%Y-%m-%d}.zip"
        return Stream(
            archive.stream(), media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"',
                     "Content-Length": str(size), "Cache-Control": "no-store"},
        )  # fmt: skip

    @get("/me/archive.zip", include_in_schema=False)
    async def my_archive(request: Request[Any, Any, Any]) -> Stream:
        return await answer(request, None)

    @get("/people/{account_id:str}/archive.zip", include_in_schema=False)
    async def person_archive(request: Request[Any, Any, Any], account_id: str) -> Stream:
        return await answer(request, account_id)

    return [my_archive, person_archive]
