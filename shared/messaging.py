"""NATS JetStream link: connects in the background and keeps trying, so a service starts
(and keeps writing to its outbox) while NATS is down."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from shared.events import DLQ_PREFIX, DLQ_STREAM, SERVICES, stream_for_service

log = logging.getLogger(__name__)

DUPLICATE_WINDOW_SECONDS = 300.0


class NatsLink:
    def __init__(self, url: str, name: str, token: str = "") -> None:
        self.url = url
        self.name = name
        self.token = token
        self._client: Client | None = None
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect_forever(), name=f"nats-connect-{self.name}")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                client = await nats.connect(
                    self.url,
                    name=self.name,
                    token=self.token or None,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    connect_timeout=2,
                )
                await ensure_streams(client.jetstream())
            except Exception as exc:
                log.warning("NATS not reachable at %s (%s); retrying", self.url, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._client = client
            self._ready.set()
            log.info("connected to NATS at %s", self.url)
            return

    async def client(self) -> Client:
        await self._ready.wait()
        assert self._client is not None
        return self._client

    async def jetstream(self) -> JetStreamContext:
        return (await self.client()).jetstream()

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._client is not None:
            await self._client.close()


async def ensure_streams(js: JetStreamContext) -> None:
    """One stream per publishing service plus the dead-letter stream; never overlapping."""
    wanted = [(stream_for_service(s), [f"portal.{s}.>"]) for s in SERVICES]
    wanted.append((DLQ_STREAM, [f"{DLQ_PREFIX}.>"]))
    for name, subjects in wanted:
        config = StreamConfig(
            name=name,
            subjects=subjects,
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
        )
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(config)
