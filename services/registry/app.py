"""Composition root of the registry service."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from services.registry.config import RegistrySettings
from services.registry.demo import seed_demo
from services.registry.events import HANDLERS
from services.registry.models import OutboxEvent, ProcessedEvent
from services.registry.routes import ROUTES
from services.registry.usecases.clock import announce_now
from shared.clock import Clock, utc_now
from shared.periodic import run_every
from shared.web import Runtime, ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistrySettings, *, clock: Clock = utc_now) -> Litestar:
    """`clock` drives the call scheduler and the calls' phase (upcoming, open, closed) in
    every answer; tests inject one they can move."""

    async def start_scheduler(runtime: Runtime) -> None:
        task = asyncio.create_task(
            run_every(
                settings.scheduler_seconds,
                partial(announce_now, runtime.session_factory, clock),
                "announcing due calls",
            ),
            name="call-scheduler",
        )
        runtime.background.append(task)

    async def seed(runtime: Runtime) -> None:
        if settings.seed_demo_call:
            await seed_demo(runtime.session_factory)

    return create_service_app(
        ServiceSpec(
            name="registry",
            version="1.0.0",
            route_handlers=ROUTES,
            outbox_model=OutboxEvent,
            processed_model=ProcessedEvent,
            migrations_dir=MIGRATIONS,
            handlers=HANDLERS,
            on_started=[seed, start_scheduler],
            dependencies={"clock": Provide(lambda: clock, sync_to_thread=False)},
        ),
        settings,
    )
