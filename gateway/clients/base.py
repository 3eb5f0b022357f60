"""The HTTP client every typed service client is built on: the caller's identity signed onto
every call, the trace passed on, error bodies turned back into the service's typed errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiohttp
import msgspec

from gateway.plain_words import camel
from shared.errors import (
    DomainError,
    ErrorBody,
    FieldError,
    ServiceUnavailable,
    ValidationFailed,
    error_from_body,
)
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
RETRIED = (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)
# Any other failure to get an answer: the service is unavailable.
TRANSPORT = (aiohttp.ClientError, asyncio.TimeoutError)
CHUNK = 64 * 1024
# What a person is told is unavailable, by service.
PART_LABELS = {
    "registry": "Hubs, missions and calls",
    "intake": "Applications",
    "review": "Evaluation and results",
    "notify": "Mail",
}


# Characters in a call's query parameters: past any filter's own limit and a loader's batch of
# ids (18 KB), within the services' request line (past ~64 KB the service never saw the
# request, and the team was told it was unavailable).
QUERY_MOST = 40_000


def query_of(params: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Query parameters as the services read them: None left out, a bool as true/false.
    Past QUERY_MOST in all, the longest is refused by name."""
    pairs = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        pairs.append(
            (key, ("true" if value else "false") if isinstance(value, bool) else str(value))
        )
    if sum(len(text) for _, text in pairs) > QUERY_MOST:
        longest = max(pairs, key=lambda pair: len(pair[1]))[0]
        too_long = f"must have at most {QUERY_MOST:,} characters"
        raise ValidationFailed([FieldError(camel(longest), too_long)])
    return pairs


class ServiceClient:
    """aiohttp underneath: per call it costs a fraction of httpx's CPU (the gateway makes one
    or more calls for nearly every GraphQL request)."""

    def __init__(self, name: str, base_url: str, secret: str) -> None:
        self.name = name
        self.secret = secret
        self.base_url = base_url
        self._session: aiohttp.ClientSession | None = None
        # Read by tests and benchmarks to prove that batching keeps the call count constant.
        self.request_count = 0

    @property
    def http(self) -> aiohttp.ClientSession:
        """Made on first use, inside the event loop that uses it."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                base_url=self.base_url,
                # Long reads: a large upload streams through this client.
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=5.0, sock_read=300.0),
                # An idle pooled connection is dropped before the service's own 5 s keep-alive
                # ends it: reusing one just as the server closes it failed ~1 call in 500.
                connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=2.0),
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
            )  # fmt: skip
            # aiohttp resends an idempotent request once by itself, with the same headers: a
            # service refuses an identity token it has seen, so this client retries itself,
            # signing afresh (there is no public switch for it).
            self._session._retry_connection = False
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def unavailable(self, retry_after_seconds: int = 5) -> ServiceUnavailable:
        part = PART_LABELS.get(self.name, self.name.capitalize())
        return ServiceUnavailable(
            f"{part}: this part of the portal is unavailable just now; "
            f"try again in {retry_after_seconds} seconds.",
            retry_after_seconds=retry_after_seconds,
        )

    async def text(self, route: Route[str], identity: Identity, **path_values: str) -> str:
        """A GET whose answer is not JSON (a CSV export)."""
        body = await self._send("GET", path_of(route.path, **path_values), identity, None, None)
        return body.decode()

    @asynccontextmanager
    async def stream(
        self, route: Route[bytes], identity: Identity, **path_values: str
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """A GET whose answer arrives as chunks, never whole in memory (files for an archive);
        a refusal is its typed error."""
        path = path_of(route.path, **path_values)
        self.request_count += 1
        try:
            async with self.http.get(path, headers=self._headers(identity, None)) as got:
                if got.status >= 400:
                    raise self._error_of(await got.read())
                yield got.content.iter_chunked(CHUNK)
        except TRANSPORT as exc:
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
        answer = await self._send(method, path, identity, content, params)
        return msgspec.json.decode(answer, type=result)

    async def _send(
        self,
        method: str,
        path: str,
        identity: Identity,
        content: bytes | AsyncIterator[bytes] | None,
        params: dict[str, Any] | None,
    ) -> bytes:
        """The answer's body; a refusal raised as its typed error."""
        # A stream is consumed by its first attempt: it is never sent twice.
        retryable = method in IDEMPOTENT and not isinstance(content, AsyncIterator)
        query = query_of(params)
        for attempt in range(2 if retryable else 1):
            self.request_count += 1
            try:
                async with self.http.request(
                    method, path, headers=self._headers(identity, content), data=content,
                    params=query,
                ) as response:  # fmt: skip
                    status, answer = response.status, await response.read()
                break
            except RETRIED as exc:
                if attempt == 0 and retryable:
                    log.info("%s %s on %s: %r, sent once more", method, path, self.name, exc)
                    continue
                raise self.unavailable() from exc
            except TRANSPORT as exc:
                raise self.unavailable() from exc
        if status >= 400:
            raise self._error_of(answer)
        return answer

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

    def _error_of(self, answer: bytes) -> DomainError:
        try:
            error = error_from_body(msgspec.json.decode(answer, type=ErrorBody))
        except msgspec.DecodeError:
            return self.unavailable()  # not one of ours: a proxy's page, a crash
        if isinstance(error, ServiceUnavailable):  # its own detail stays in its log
            return self.unavailable(error.retry_after_seconds)
        return error
