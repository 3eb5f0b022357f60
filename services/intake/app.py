"""Composition root of the intake service."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from services.intake.config import IntakeSettings
from services.intake.events import consumer_handlers
from services.intake.models import OutboxEvent, ProcessedEvent
from services.intake.routes import ROUTES
from services.intake.usecases.retention import SWEEP_SECONDS, sweep_now
from shared.api import intake as api
from shared.clock import Clock, utc_now
from shared.objectstore import FilesystemObjectStore, MinioObjectStore, ObjectStore
from shared.objectstore.s3 import STORE_OUTAGES
from shared.periodic import run_every
from shared.web import Runtime, ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def build_store(settings: IntakeSettings) -> ObjectStore:
    if settings.store_backend == "minio":
        return MinioObjectStore(
            endpoint=settings.minio_endpoint,
            access_key=settings.minio_access_key,
            secret_key=settings.minio_secret_key,
            bucket=settings.minio_bucket,
            secure=settings.minio_secure,
            public_endpoint=settings.minio_public_endpoint or None,
        )
    return FilesystemObjectStore(
        root=Path(settings.store_dir),
        link_secret=settings.link_secret.encode(),
        link_base_url=settings.public_url + api.FILES,
    )


def create_app(
    settings: IntakeSettings,
    *,
    clock: Clock = utc_now,
    store: ObjectStore | None = None,
) -> Litestar:
    """`clock` and `store` are injectable so tests can move time and pick the S3 endpoint."""
    object_store = store or build_store(settings)

    async def prepare_store(_: Runtime) -> None:
        await object_store.ensure_bucket()

    async def start_retention(runtime: Runtime) -> None:
        job = partial(sweep_now, runtime.session_factory, object_store, clock)
        sweeper = run_every(SWEEP_SECONDS, job, "the retention sweep")
        runtime.background.append(asyncio.create_task(sweeper, name="retention-sweep"))

    return create_service_app(
        ServiceSpec(
            name="intake",
            version="1.0.0",
            route_handlers=ROUTES,
            outbox_model=OutboxEvent,
            processed_model=ProcessedEvent,
            migrations_dir=MIGRATIONS,
            handlers=consumer_handlers(object_store),
            on_started=[prepare_store, start_retention],
            ready_checks={"store": object_store.ensure_bucket},
            outages=STORE_OUTAGES,
            dependencies={
                "clock": Provide(lambda: clock, sync_to_thread=False),
                "store": Provide(lambda: object_store, sync_to_thread=False),
                "link_seconds": Provide(
                    lambda: settings.download_link_seconds, sync_to_thread=False
                ),
            },
        ),
        settings,
    )
