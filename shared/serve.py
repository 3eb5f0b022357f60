"""Run one process's ASGI app with uvicorn, logging configured from its settings, guarded
against slow clients.

uvicorn times out idle keep-alive connections only: a client trickling its headers or its
body holds a connection (and a task) for ever. Two guards close that: the HTTP protocol
gets a deadline for a request's line and headers (armed when a connection opens and when
a request begins, disarmed once its headers are in; on expiry the connection is closed, as
no request exists to answer), and the app's `receive()` a deadline for the body: a wait of
`body_timeout_seconds` for any byte, and a minimum rate past that (a second more for every
`body_min_rate` bytes received, as Apache's mod_reqtimeout does), else 408 with an ErrorBody
and the connection closed. Connections are bounded by uvicorn's `limit_concurrency` (503
beyond) and `backlog`.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
from typing import Any

import msgspec
import uvicorn
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.errors import ErrorBody
from shared.logging import configure_logging
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

BODY_STALLED = "The request body stopped arriving; send it again."


def header_deadline_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with a deadline for each request's line and headers."""

    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _headers_too_slow(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                log.info("closed a connection whose request headers took over %ss", seconds)
                self.transport.close()

    return HeaderDeadlineProtocol


class BodyStalled(HTTPException):
    status_code = 408


def with_body_timeout(app: ASGIApp, seconds: float, min_rate: int) -> ASGIApp:
    """A body arrives with no pause over `seconds` and, from the request's start, within
    `seconds` plus one for every `min_rate` bytes; else the app's `receive()` raises
    BodyStalled (its handlers answer 408) and the connection closes. Once the body is
    complete, `receive()` waits untimed (for a disconnect)."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        began, received = loop.time(), 0
        body_complete = stalled = started = False

        async def timed_receive() -> Any:
            nonlocal body_complete, stalled, received
            if body_complete:
                return await receive()
            deadline = began + seconds + received / min_rate
            try:
                async with asyncio.timeout(min(seconds, deadline - loop.time())):
                    message: Any = await receive()
            except TimeoutError:
                stalled = True
                raise BodyStalled(detail=BODY_STALLED) from None
            received += len(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_complete = True
            return message

        async def closing_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if stalled:  # the rest of the body would still be on its way
                    message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        try:
            await app(scope, timed_receive, closing_send)
        except BodyStalled:
            if started:
                raise
            await send_stalled(closing_send)

    return guarded


async def send_stalled(send: Send) -> None:
    """The 408 for an app that let BodyStalled through."""
    body = msgspec.json.encode(ErrorBody(code="request_timeout", message=BODY_STALLED))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 408, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def server_config(app: Any, settings: ServiceSettings) -> uvicorn.Config:
    return uvicorn.Config(
        with_body_timeout(app, settings.body_timeout_seconds, settings.body_min_rate),
        host=settings.host,
        port=settings.port,
        http=header_deadline_protocol(settings.header_timeout_seconds),
        limit_concurrency=settings.max_connections,
        backlog=settings.backlog,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )


# glibc's mallopt() parameter for the size from which a block is mmapped of its own.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024


def return_large_blocks() -> None:
    """Blocks from 4 MiB up (argon2's 19 MiB per password hash, an upload's 5 MiB parts and
    their copies) mmapped of their own, so freeing one gives it back to the system. glibc
    otherwise raises the threshold after the first such free, and later blocks stay in a
    thread's heap for good: the gateway kept ~25 MB after a few sign-ups, intake's peak
    during a 200 MB upload passed 150 MB. Lower (128 KiB) doubled an upload's CPU in page
    faults; 8 MiB left intake's peak at 155 MB (bench/upload). Elsewhere than glibc this
    does nothing."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


def freeze_startup_objects() -> None:
    """What importing and building the app made (some 150,000 modules, classes, functions
    and schema objects, alive for good) moved out of the cyclic garbage collector's sight.
    Each full collection went over all of them again: 80-180 ms of CPU apiece (5-20 ms
    after), a dozen in a deadline surge, each a pause for every request in flight
    (bench/deadline_surge: its bare Strawberry floor's p95 49-75 ms without, 15-17 with)."""
    gc.collect()
    gc.freeze()


def serve(name: str, app: Any, settings: ServiceSettings) -> None:
    configure_logging(name, settings.log_format)
    return_large_blocks()
    freeze_startup_objects()
    if settings.niceness:
        os.nice(settings.niceness)
    uvicorn.Server(server_config(app, settings)).run()
