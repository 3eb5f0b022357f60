"""The retention sweep: a periodic job that anonymises each unfunded application of a call
whose results were published longer ago than the call's retention period (the same code as an
erasure, per application: services.intake.usecases.erasure.py). Every replica may sweep at once: rows
are taken with SKIP LOCKED and an application is anonymised once (`anonymised_at`)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake import queries
from services.intake.domain.retention import retention_over
from services.intake.usecases.erasure import RETENTION, anonymise_application
from shared.clock import Clock
from shared.objectstore import ObjectStore

log = logging.getLogger(__name__)

SWEEP_SECONDS = 3600.0  # periods are counted in days: an hour late is on time


async def sweep(
    session_factory: async_sessionmaker[AsyncSession], store: ObjectStore, now: datetime
) -> list[str]:
    """Anonymise what is due at `now`; returns the ids of the applications anonymised."""
    async with session_factory() as session, session.begin():
        rows = await queries.results_published_before(session, now)
        done: list[str] = []
        for app, call in rows:
            decision = (app.outcome or {}).get("decision")
            if retention_over(
                results_published_at=call.results_published_at,
                retention_days=call.retention_days, decision=decision, now=now,
            ):  # fmt: skip
                await anonymise_application(session, store, app, call, now, RETENTION)
                done.append(str(app.id))
    return done


async def sweep_now(
    session_factory: async_sessionmaker[AsyncSession], store: ObjectStore, clock: Clock
) -> None:
    done = await sweep(session_factory, store, clock())
    if done:
        log.info("retention: %s application(s) anonymised", len(done))
