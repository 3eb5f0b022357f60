"""Composition root of the notify service: the consumers that write mail, the relay that sends
it, the scheduler of reminders and digests, and the team's view of the outbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide
from sqlalchemy import event
from sqlalchemy.orm import Session

from services.notify.config import NotifySettings
from services.notify.events import consumer_handlers
from services.notify.metrics import mail_queue
from services.notify.models import OutboxEvent, ProcessedEvent
from services.notify.relay import MailRelay
from services.notify.routes import ROUTES
from services.notify.usecases.reminders import send_due_reminders
from services.notify.writer import MAIL_WRITTEN, MailWriter
from shared.clock import Clock, utc_now
from shared.periodic import run_every
from shared.web import Runtime, ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotifySettings, *, clock: Clock = utc_now) -> Litestar:
    writer = MailWriter(settings.public_url, clock)

    async def start_sending(runtime: Runtime) -> None:
        relay = MailRelay(runtime.session_factory, settings, clock)

        # A transaction that queued mail wakes the relay as it commits: the mail leaves at once.
        def wake_on_mail(session: Session) -> None:
            if session.info.pop(MAIL_WRITTEN, False):
                relay.wake()

        event.listen(runtime.session_factory.kw["sync_session_class"], "after_commit", wake_on_mail)
        runtime.background.append(asyncio.create_task(relay.run(), name="mail-relay"))
        runtime.background.append(asyncio.create_task(
            run_every(
                settings.scheduler_seconds,
                lambda: send_due_reminders(runtime.session_factory, writer, clock()),
                "queueing reminders and digests",
            ),
            name="mail-scheduler",
        ))  # fmt: skip

    return create_service_app(
        ServiceSpec(
            name="notify",
            version="1.0.0",
            route_handlers=ROUTES,
            outbox_model=OutboxEvent,
            processed_model=ProcessedEvent,
            migrations_dir=MIGRATIONS,
            handlers=consumer_handlers(writer),
            on_started=[start_sending],
            gauges=[mail_queue],
            dependencies={
                "clock": Provide(lambda: clock, sync_to_thread=False),
                "settings": Provide(lambda: settings, sync_to_thread=False),
            },
        ),
        settings,
    )
