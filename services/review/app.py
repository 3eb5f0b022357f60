"""Composition root of the review service."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from services.review.config import ReviewSettings
from services.review.events import HANDLERS
from services.review.models import OutboxEvent, ProcessedEvent
from services.review.routes import ROUTES
from shared.clock import Clock, utc_now
from shared.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ReviewSettings, *, clock: Clock = utc_now) -> Litestar:
    return create_service_app(
        ServiceSpec(
            name="review",
            version="1.0.0",
            route_handlers=ROUTES,
            outbox_model=OutboxEvent,
            processed_model=ProcessedEvent,
            migrations_dir=MIGRATIONS,
            handlers=HANDLERS,
            dependencies={"clock": Provide(lambda: clock, sync_to_thread=False)},
        ),
        settings,
    )
