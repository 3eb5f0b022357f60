"""Notify's own gauge, refreshed when /metrics is scraped: the mail queue (mails not yet sent,
by state: waiting for the relay, or given up on)."""

from __future__ import annotations

from prometheus_client import Gauge

from services.notify import mail_queries
from shared.metrics import PREFIX
from shared.web import Runtime

MAIL_UNSENT = Gauge(f"{PREFIX}_mail_unsent", "Mails not yet sent, by state", ["state"])


async def mail_queue(runtime: Runtime) -> None:
    async with runtime.session_factory() as session:
        counts = await mail_queries.unsent_mail_counts(session)
    # A state whose last mail left shows no more (rather than its last count).
    MAIL_UNSENT.clear()
    for state, count in counts:
        MAIL_UNSENT.labels(str(state)).set(count)
