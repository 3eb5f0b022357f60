"""The mail outbox over HTTP: the team lists and reads it and sends a failed mail again; a
person lists the mail they were sent."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.config import NotifySettings
from services.notify.usecases import mails
from shared.api import notify as api
from shared.clock import Clock
from shared.identity import Identity


@get(api.LIST_MAIL.path)
async def list_mail(
    session: AsyncSession, identity: Identity, settings: NotifySettings,
    # `state` is a name Litestar keeps for the app's state: the query parameter is renamed.
    mail_state: Annotated[api.MailState | None, Parameter(query="state")] = None,
    to: str | None = None, first: int = 50, offset: int = 0,
) -> api.MailPage:  # fmt: skip
    """The outbox, newest first (the programme team)."""
    return await mails.list_mail(session, identity, settings, mail_state, to, first, offset)


@get(api.READ_MAIL.path)
async def read_mail(
    session: AsyncSession, identity: Identity, settings: NotifySettings, mail_id: str
) -> api.Mail:
    return await mails.read_mail(session, identity, settings, mail_id)


@post(api.RETRY_MAIL.path, status_code=200)
async def retry_mail(
    session: AsyncSession, identity: Identity, clock: Clock, settings: NotifySettings,
    mail_id: str,
) -> api.Mail:  # fmt: skip
    """A failed mail goes back to the queue with its attempts counted afresh; a queued or
    sent one stays as it is."""
    return await mails.retry_mail(session, identity, settings, clock, mail_id)


@get(api.PERSON_MAIL.path)
async def person_mail(
    session: AsyncSession, identity: Identity, settings: NotifySettings, account_id: str,
    first: int = 20, offset: int = 0,
) -> list[api.Notification]:  # fmt: skip
    """The mail sent to one person, newest first: theirs to read, and the team's."""
    return await mails.person_mail(session, identity, settings, account_id, first, offset)


ROUTES = [list_mail, read_mail, retry_mail, person_mail]
