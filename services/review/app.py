"""Composition root of the review service (evaluation arrives with the review issue)."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from services.review.config import ReviewSettings
from services.review.models import OutboxEvent
from shared.web import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ReviewSettings) -> Litestar:
    return create_service_app(
        ServiceSpec(
            name="review",
            version="1.0.0",
            route_handlers=[],
            outbox_model=OutboxEvent,
            migrations_dir=MIGRATIONS,
        ),
        settings,
    )
