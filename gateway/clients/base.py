"""The HTTP client every typed service client is built on: the caller's identity signed onto
every call, the trace passed on, error bodies turned back into the service's typed errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
import msgspec

from shared.errors import DomainError, ErrorBody, ServiceUnavailable, error_from_body
from shared.identity import IDENTITY_HEADER, Identity, sign_identity
from shared.paths import path_of
from shared.routes import Route
from shared.tracing import inject_trace

T = TypeVar("T")
log = logging.getLogger(__name__)

# Methods whose repetition changes nothing more than their first run did.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})
# A connection that died before or while the request went out (a pooled keep-alive connection
# the server closed just then, a refused connect): an idempotent call is sent once more.
RETRIED = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
# What a person is told is unavailable, by service.
PART_LABELS = {
    "registry": "Hubs, missions and calls",
    "intake": "Applications",
    "review": "Evaluation and results",
    "notify": "Mail",
}


class ServiceClient:
    def __init__(self, name: str, base_url: str, secret: str) -> None:
        self.name = name
        self.secret = secret
        # Long write/read timeouts: a large upload streams through this client.
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(300.0, connect=5.0),
            # An idle pooled connection is dropped before the service's own 5 s keep-alive
            # ends it: reusing one just as the server closes it failed ~1 call in 500.
            limits=httpx.Limits(
                max_connections=200, max_keepalive_connections=50, keepalive_expiry=2.0
            ),
        )
        # Read by tests and benchmarks to prove that batching keeps the call count constant.
        self.request_count = 0

    async def close(self) -> None:
        await self.http.aclose()

    def unavailable(self, retry_after_seconds: int = 5) -> ServiceUnavailable:
        part = PART_LABELS.get(self.name, self.name.capitalize())
        return ServiceUnavailable(
            f"{part}: this part of the portal is unavailable just now; "
            f"try again in {retry_after_seconds} seconds.",
            retry_after_seconds=retry_after_seconds,
        )

    async def text(self, route: Route[str], identity: Identity, **path_values: str) -> str:
        """A GET whose answer is not JSON (a CSV export)."""
        response = await self._send("GET", path_of(route.path, **path_values), identity, None, None)
        return response.text

    @asynccontextmanager
    async def stream(
        self, route: Route[bytes], identity: Identity, **path_values: str
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """A GET whose answer arrives as chunks, never whole in memory (files for an archive);
        a refusal is its typed error."""
        path = path_of(route.path, **path_values)
        self.request_count += 1
        try:
            async with self.http.stream("GET", path, headers=self._headers(identity, None)) as got:
                if got.status_code >= 400:
                    await got.aread()
                    raise self._error_of(got)
                yield got.aiter_bytes()
        except httpx.TransportError as exc:
            raise self.unavailable() from exc

    async def send(
        self,
        route: Route[T],
        identity: Identity,
        *,
        body: msgspec.Struct | None = None,
        params: dict[str, Any] | None = None,
        stream: AsyncIterator[bytes] | None = None,
        **path_values: str,
    ) -> T:
        """Send to one of the service's routes, its parameters filled from `path_values`
        (already checked ids: shared.paths); the answer decoded as the route's result."""
        path = path_of(route.path, **path_values)
        return await self.call(
            route.method, path, identity, route.result, body=body, params=params, stream=stream
        )

    async def call(
        self,
        method: str,
        path: str,
        identity: Identity,
        result: type[T],
        *,
        body: msgspec.Struct | None = None,
        params: dict[str, Any] | None = None,
        stream: AsyncIterator[bytes] | None = None,
    ) -> T:
        """`stream` sends a body as it is produced (chunked), e.g. a file being uploaded."""
        content: bytes | AsyncIterator[bytes] | None = None
        if body is not None:
            content = msgspec.json.encode(body)
        elif stream is not None:
            content = stream
        response = await self._send(method, path, identity, content, params)
        return msgspec.json.decode(response.content, type=result)

    async def _send(
        self,
        method: str,
        path: str,
        identity: Identity,
        content: bytes | AsyncIterator[bytes] | None,
        params: dict[str, Any] | None,
    ) -> httpx.Response:
        # A stream is consumed by its first attempt: it is never sent twice.
        retryable = method in IDEMPOTENT and not isinstance(content, AsyncIterator)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in range(2 if retryable else 1):
            self.request_count += 1
            try:
                response = await self.http.request(
                    method, path, headers=self._headers(identity, content), content=content,
                    params=query,
                )  # fmt: skip
                break
            except RETRIED as exc:
                if attempt == 0 and retryable:
                    log.info("%s %s on %s: %r, sent once more", method, path, self.name, exc)
                    continue
                raise self.unavailable() from exc
            except httpx.TransportError as exc:
                raise self.unavailable() from exc
        if response.status_code >= 400:
            raise self._error_of(response)
        return response

    def _headers(
        self, identity: Identity, content: bytes | AsyncIterator[bytes] | None
    ) -> dict[str, str]:
        # Signed afresh for every attempt: a service refuses a token it has seen before.
        headers = {IDENTITY_HEADER: sign_identity(identity, self.secret)}
        inject_trace(headers)  # the request's traceparent: the service's span continues it
        if isinstance(content, bytes):
            headers["Content-Type"] = "application/json"
        elif content is not None:
            headers["Content-Type"] = "application/octet-stream"
        return headers

    def _error_of(self, response: httpx.Response) -> DomainError:
        try:
            error = error_from_body(msgspec.json.decode(response.content, type=ErrorBody))
        except msgspec.DecodeError:
            return self.unavailable()  # not one of ours: a proxy's page, a crash
        if isinstance(error, ServiceUnavailable):  # its own detail stays in its log
            return self.unavailable(error.retry_after_seconds)
        return error
