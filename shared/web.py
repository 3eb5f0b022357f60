"""What every service's Litestar app shares: the runtime (db, NATS, outbox relay, consumers),
identity and session dependencies, tracing, request logs and metrics, error bodies and the
health routes."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import msgspec
import sqlalchemy.exc
from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.types import ASGIApp, HTTPResponseStartEvent, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.consumer import EventConsumer, Handler
from shared.db import migrate_async, new_engine, new_read_session_factory, new_session_factory
from shared.errors import DomainError, ErrorBody, FieldError, NotAuthenticated, ServiceUnavailable
from shared.events import EventContract
from shared.health import Check, database_check, health_routes, nats_check
from shared.identity import IDENTITY_HEADER, Identity, SeenTokens, verify_identity
from shared.logging import request_log
from shared.messaging import NatsLink
from shared.metrics import MetricsController, ProcessGauges, request_metrics
from shared.outbox import OutboxMixin, OutboxRelay, ProcessedEventMixin
from shared.settings import ServiceSettings
from shared.tracing import configure_tracing, server_tracing

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a service process holds open; one per process (the composition root)."""

    settings: ServiceSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    nats: NatsLink
    relay: OutboxRelay
    consumers: list[EventConsumer] = field(default_factory=list)
    background: list[Any] = field(default_factory=list)
    # The identity tokens accepted so far: each is accepted once.
    seen_tokens: SeenTokens = field(default_factory=SeenTokens)
    ready_checks: dict[str, Check] = field(default_factory=dict)
    read_sessions: async_sessionmaker[AsyncSession] = field(init=False)

    def __post_init__(self) -> None:
        self.read_sessions = new_read_session_factory(self.engine)


StartHook = Callable[[Runtime], Any]
# A gauge of the service's own, refreshed when /metrics is scraped (notify: its mail queue).
GaugeHook = Callable[[Runtime], Awaitable[None]]


@dataclass
class ServiceSpec:
    name: str
    version: str
    route_handlers: Sequence[Any]
    outbox_model: type[OutboxMixin]
    migrations_dir: Path
    processed_model: type[ProcessedEventMixin] | None = None
    handlers: dict[type[EventContract], Handler] = field(default_factory=dict)
    on_started: Sequence[StartHook] = ()
    dependencies: dict[str, Provide] = field(default_factory=dict)
    # Readiness beyond the database and NATS (intake: {"store": …}).
    ready_checks: dict[str, Check] = field(default_factory=dict)
    gauges: Sequence[GaugeHook] = ()
    # Exceptions of the service's own clients that mean an outage (answered 503).
    outages: Sequence[type[Exception]] = ()


# A JSON string's NUL escape, not preceded by an escaping backslash (`\\u0000` is text).
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def nul_places(scope: Scope) -> list[str]:
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    places = ["path"] if "\x00" in scope["path"] else []
    return places + [name for name, value in query if "\x00" in name + value]


async def json_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole JSON body (internal bodies are small) and a `receive` that replays it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Any:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


def refuse_nul_characters(app: ASGIApp) -> ASGIApp:
    """A NUL in the path, a query parameter or a JSON body is refused here, for every service
    at once: PostgreSQL's text cannot hold one (it answered 500)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        places = nul_places(scope)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if not places and content_type.startswith(b"application/json"):
            body, receive = await json_body(receive)
            places = ["body"] if JSON_NUL.search(body) else []
        if not places:
            await app(scope, receive, send)
            return
        error = ErrorBody(
            code="validation_failed", message="Text must not contain NUL characters.",
            errors=[FieldError(place, "must not contain NUL characters") for place in places],
        )  # fmt: skip
        start: HTTPResponseStartEvent = {
            "type": "http.response.start", "status": 400,
            "headers": [(b"content-type", b"application/json")],
        }  # fmt: skip
        await send(start)
        await send({"type": "http.response.body", "body": msgspec.json.encode(error),
                    "more_body": False})  # fmt: skip

    return middleware


def domain_error_response(_: Request[Any, Any, Any], exc: DomainError) -> Response[ErrorBody]:
    body = exc.body()
    headers = {}
    if body.retry_after_seconds is not None:
        headers["Retry-After"] = str(body.retry_after_seconds)
    return Response(content=body, status_code=exc.status_code, headers=headers)


# What the filesystem raises when a store cannot be reached, and the pool's wait for a free
# connection: outages, not bugs (the database's own outages arrive typed already, see
# shared.db; a service adds its SDKs' own in its spec, as intake does the object store's).
OUTAGES: tuple[type[Exception], ...] = (OSError, sqlalchemy.exc.TimeoutError)


def outage_response(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.warning("unavailable: %r", exc, exc_info=exc)
    unavailable = ServiceUnavailable(
        "A part of this service is unavailable just now; try again in a few seconds."
    )
    return domain_error_response(request, unavailable)


def bad_body_response(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    errors = [
        FieldError(field=str(item.get("key") or "body"), message=str(item.get("message")))
        for item in (exc.extra or [])
        if isinstance(item, dict)
    ]
    body = ErrorBody(
        code="validation_failed", message="The request body is not valid.", errors=errors
    )
    return Response(content=body, status_code=422)


# What Litestar raises (as a 500) when the client goes away in the middle of its body.
CLIENT_WENT_AWAY = "client disconnected prematurely"


def http_error_response(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    if exc.detail == CLIENT_WENT_AWAY:
        # Nobody is left to read the answer, and nothing of the body was kept: no failure.
        log.info("the client went away before its request body ended")
        body = ErrorBody(code="bad_request", message="The request body ended early.")
        return Response(content=body, status_code=400)
    if exc.status_code >= 500:
        log.error("server error: %s", exc.detail, exc_info=exc)
    codes = {
        404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
        413: "payload_too_large", 500: "internal_error",
    }  # fmt: skip
    body = ErrorBody(code=codes.get(exc.status_code, "bad_request"), message=exc.detail)
    return Response(content=body, status_code=exc.status_code)


def unexpected_error_response(_: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unexpected error", exc_info=exc)
    body = ErrorBody(code="internal_error", message="Something went wrong on our side.")
    return Response(content=body, status_code=500)


def provide_identity(request: Request[Any, Any, State]) -> Identity:
    runtime: Runtime = request.app.state.runtime
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise NotAuthenticated("Internal calls carry an identity token.")
    return verify_identity(token, runtime.settings.internal_secret, runtime.seen_tokens)


# A route opting in (`@get(path, opt=READS_ONLY)`) only reads: its session runs each statement
# outside any transaction (shared.db.new_read_session_factory) and refuses to write. A read
# that may rebuild something under a lock (review's ranking) keeps its transaction.
READS_ONLY_OPTION = "reads_only"
READS_ONLY = {READS_ONLY_OPTION: True}


async def provide_session(request: Request[Any, Any, State]) -> AsyncGenerator[AsyncSession, None]:
    runtime: Runtime = request.app.state.runtime
    reads = request.route_handler.opt.get(READS_ONLY_OPTION, False)
    factory = runtime.read_sessions if reads else runtime.session_factory
    async with factory() as session:
        yield session


def provide_runtime(request: Request[Any, Any, State]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def service_checks(app: Litestar) -> dict[str, Check]:
    runtime: Runtime = app.state.runtime
    return runtime.ready_checks


def observed(service: str) -> list[Any]:
    """The middleware every process puts first (inside its server span): the request
    histogram, then the request's log line."""
    return [request_metrics(service).middleware, request_log(service)]


async def start_runtime(spec: ServiceSpec, settings: ServiceSettings) -> Runtime:
    await migrate_async(spec.migrations_dir, settings.database_url)
    engine = new_engine(settings.database_url)
    nats = NatsLink(settings.nats_url, spec.name, settings.nats_token)
    relay_holder: list[OutboxRelay] = []
    session_factory = new_session_factory(engine, lambda: relay_holder[0].wake())
    relay = OutboxRelay(session_factory, spec.outbox_model, nats, settings.outbox_poll_seconds)
    relay_holder.append(relay)
    runtime = Runtime(settings, engine, session_factory, nats, relay)
    runtime.ready_checks = {
        "database": database_check(engine), "nats": nats_check(nats), **spec.ready_checks,
    }  # fmt: skip
    nats.start()
    relay.start()
    if spec.handlers:
        assert spec.processed_model is not None, "a consuming service records what it handled"
        runtime.consumers = [
            EventConsumer(
                name=spec.name, nats=nats, session_factory=session_factory,
                processed_model=spec.processed_model, handlers=spec.handlers,
            )
        ]  # fmt: skip
        for consumer in runtime.consumers:
            consumer.start()
    return runtime


async def stop_runtime(runtime: Runtime) -> None:
    for task in runtime.background:
        task.cancel()
    for consumer in runtime.consumers:
        await consumer.stop()
    await runtime.relay.stop()
    await runtime.nats.close()
    await runtime.engine.dispose()


def gauges_of(spec: ServiceSpec, runtime: Runtime) -> ProcessGauges:
    return ProcessGauges(
        spec.name, runtime.session_factory, spec.outbox_model, runtime.nats, runtime.consumers,
        [partial(gauge, runtime) for gauge in spec.gauges],
    )  # fmt: skip


def create_service_app(spec: ServiceSpec, settings: ServiceSettings) -> Litestar:
    configure_tracing(spec.name)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        runtime = app.state.runtime = await start_runtime(spec, settings)
        app.state.gauges = gauges_of(spec, runtime)
        for hook in spec.on_started:
            await hook(runtime)
        log.info("%s ready on %s:%s", spec.name, settings.host, settings.port)
        try:
            yield
        finally:
            await stop_runtime(runtime)

    return Litestar(
        route_handlers=[*health_routes(service_checks), MetricsController, *spec.route_handlers],
        lifespan=[lifespan],
        plugins=[server_tracing()],
        middleware=[*observed(spec.name), refuse_nul_characters],
        dependencies={
            "identity": Provide(provide_identity, sync_to_thread=False),
            "session": Provide(provide_session),
            "runtime": Provide(provide_runtime, sync_to_thread=False),
            **spec.dependencies,
        },
        exception_handlers={
            DomainError: domain_error_response,
            ValidationException: bad_body_response,
            HTTPException: http_error_response,
            **dict.fromkeys((*OUTAGES, *spec.outages), outage_response),
            Exception: unexpected_error_response,
        },
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title=f"Open-call portal: {spec.name}",
            version=spec.version,
            path="/docs",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
    )
