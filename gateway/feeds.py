"""Live feeds for GraphQL subscriptions: the gateway listens to intake's events on NATS
(a plain subscription: it only needs to hear that something changed, not every event)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from shared.contracts.intake import (
    ApplicationResubmitted,
    ApplicationSnapshot,
    ApplicationSubmitted,
    ApplicationWithdrawn,
)
from shared.events import decode_envelope
from shared.messaging import NatsLink

log = logging.getLogger(__name__)

APPLICATION_EVENTS = "portal.intake.application.>"
# The events after which a call's count may differ, decoded by their own contract (the gateway
# imports no other service's code, so the envelope's registry alone would not know them).
COUNTED: dict[str, type[ApplicationSnapshot] | type[ApplicationWithdrawn]] = {
    event.subject: event
    for event in (ApplicationSubmitted, ApplicationResubmitted, ApplicationWithdrawn)
}


class SubmissionFeeds:
    def __init__(self, nats: NatsLink) -> None:
        self.nats = nats
        self.watchers: dict[str, set[asyncio.Queue[None]]] = defaultdict(set)
        self.subscription: Subscription | None = None
        self.lock = asyncio.Lock()

    async def _ensure_subscribed(self) -> None:
        async with self.lock:
            if self.subscription is None:
                client = await self.nats.client()
                self.subscription = await client.subscribe(APPLICATION_EVENTS, cb=self._on_event)

    async def _on_event(self, message: Msg) -> None:
        contract = COUNTED.get(message.subject)
        if contract is None:  # eligibility decisions: the count stays the same
            return
        try:
            event = msgspec.json.decode(decode_envelope(message.data).data, type=contract)
        except msgspec.DecodeError:
            log.warning("feed could not read %s", message.subject, exc_info=True)
            return
        for queue in self.watchers.get(event.call_id, ()):
            if queue.empty():  # one pending "changed" is enough: the reader re-counts
                queue.put_nowait(None)

    @asynccontextmanager
    async def watch(self, call_id: str) -> AsyncIterator[AsyncIterator[None]]:
        await self._ensure_subscribed()
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self.watchers[call_id].add(queue)

        async def changes() -> AsyncIterator[None]:
            while True:
                await queue.get()
                yield None

        try:
            yield changes()
        finally:
            self.watchers[call_id].discard(queue)
            if not self.watchers[call_id]:
                del self.watchers[call_id]
