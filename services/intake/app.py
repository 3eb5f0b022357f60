"""Composition root of the intake service."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from services.intake.api import CallWindowController
from services.intake.config import IntakeSettings
from services.intake.events import consumers
from services.intake.models import OutboxEvent, ProcessedEvent
from shared.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IntakeSettings) -> Litestar:
    return create_service_app(
        ServiceSpec(
            name="intake",
            version="1.0.0",
            route_handlers=[CallWindowController],
            outbox_model=OutboxEvent,
            processed_model=ProcessedEvent,
            migrations_dir=MIGRATIONS,
            consumers=consumers,
        ),
        settings,
    )
