"""A job a service runs on its own clock (the call scheduler, reminders, the retention sweep)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_every(seconds: float, job: Callable[[], Awaitable[object]], what: str) -> None:
    """`job` every `seconds` until cancelled; a failed run is logged and the next one comes."""
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; trying again in %s s", what, seconds)
        await asyncio.sleep(seconds)
