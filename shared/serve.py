"""Run one process's ASGI app with uvicorn, logging configured from its settings."""

from __future__ import annotations

from typing import Any

import uvicorn

from shared.logging import configure_logging
from shared.settings import ServiceSettings


def serve(name: str, app: Any, settings: ServiceSettings) -> None:
    configure_logging(name, settings.log_format)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
