"""Composition root of the gateway: accounts database, service clients, the GraphQL schema."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from graphql import ExecutionResult, FieldNode, GraphQLError, OperationDefinitionNode
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.exceptions import HTTPException, NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.static_files import create_static_files_router
from litestar.types import Scope
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from strawberry.extensions import SchemaExtension
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway.accounts import ensure_account, seed_demo_accounts
from gateway.archive import archive_routes
from gateway.audit.http import audit_csv_route
from gateway.auth import claims_from_header, current_claims
from gateway.clients import Services
from gateway.clients.intake import IntakeClient
from gateway.clients.notify import NotifyClient
from gateway.clients.registry import RegistryClient
from gateway.clients.review import ReviewClient
from gateway.config import GatewaySettings
from gateway.feeds import SubmissionFeeds
from gateway.graphql_http import coded_graphql_controller
from gateway.models import Account, OutboxEvent
from gateway.retention_audit import audit_consumer
from gateway.schema import build_schema
from gateway.schema.context import Context
from gateway.schema.dataloaders import Loaders
from gateway.security_headers import add_security_headers
from gateway.throttle import client_address
from gateway.uploads import streaming_uploads
from shared.api.review import EvaluatorCreate, PoolMemberSet
from shared.consumer import EventConsumer
from shared.db import migrate_async, new_engine, new_session_factory
from shared.errors import DomainError, NotFound, ServiceUnavailable
from shared.health import Check, database_check, health_routes, nats_check
from shared.identity import ANONYMOUS, Identity, Role
from shared.messaging import NatsLink
from shared.metrics import MetricsController, ProcessGauges
from shared.outbox import OutboxRelay
from shared.programme import DEMO_CALL_ID
from shared.tracing import configure_tracing, server_tracing
from shared.web import (
    OUTAGES,
    domain_error_response,
    http_error_response,
    observed,
    outage_response,
    unexpected_error_response,
)

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
WEB = Path(__file__).parent / "web"


async def until_answered(
    request: Callable[[], Awaitable[T]],
    *,
    waiting: type[DomainError] | tuple[type[DomainError], ...],
) -> T:
    """A service may still be starting (or not yet have heard an event): ask again each second
    while it answers with `waiting`."""
    while True:
        try:
            return await request()
        except waiting:
            await asyncio.sleep(1)


async def demo_evaluator_profile(services: Services, account: Account) -> None:
    """Give the demo evaluator a review profile and, when the registry seeded the demo call,
    a place in its pool, so the console has someone to assign."""
    body = EvaluatorCreate(
        account_id=str(account.id), name=account.display_name, email=account.email,
        expertise=["electronics_ict", "textiles"], hubs=["NL"], capacity=50,
    )  # fmt: skip
    admin = Identity(role=Role.ADMIN, account_id="demo-seed")
    review, registry = services.review, services.registry
    await until_answered(lambda: review.invite_evaluator(admin, body), waiting=DomainError)
    try:
        await until_answered(lambda: registry.get_call(admin, DEMO_CALL_ID),
                             waiting=ServiceUnavailable)  # fmt: skip
    except NotFound:
        return  # no demo call seeded
    # Review hears of the call from the registry's event: until then it knows no such call.
    pool = await until_answered(lambda: review.call_pool(admin, DEMO_CALL_ID),
                                waiting=(NotFound, ServiceUnavailable))  # fmt: skip
    if all(m.evaluator.account_id != body.account_id for m in pool):  # the team's choice stays
        capacity = PoolMemberSet(capacity=body.capacity)
        await review.set_pool_member(admin, DEMO_CALL_ID, body.account_id, capacity)


SETUP_ONLY_FIELDS = {"me", "setUpTwoFactor", "enableTwoFactor", "__typename"}
SET_UP_FIRST = "Set up two-factor sign-in first."


class SetupOnlyGuard(SchemaExtension):
    """A setup-only token (staff without a second factor, outside dev mode) reads `me` and
    sets up the second factor; any other root field is refused before anything runs."""

    def on_execute(self) -> Any:
        execution = self.execution_context
        context = execution.context
        if getattr(context, "setup_only", False) and root_fields(execution) - SETUP_ONLY_FIELDS:
            error = GraphQLError(SET_UP_FIRST, extensions={"code": "forbidden"})
            execution.result = ExecutionResult(data=None, errors=[error])
        yield


def root_fields(execution: Any) -> set[str]:
    """The root fields of the operation about to run (fragments count as unknown fields)."""
    document = execution.graphql_document
    names: set[str] = set()
    for definition in document.definitions if document else ():
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if execution.operation_name not in (None, definition.name and definition.name.value):
            continue
        for selection in definition.selection_set.selections:
            names.add(selection.name.value if isinstance(selection, FieldNode) else "…")
    return names


@dataclass
class GatewayRuntime:
    """What the gateway process holds open (its composition root's state)."""

    engine: AsyncEngine
    nats: NatsLink
    db: async_sessionmaker[AsyncSession]
    relay: OutboxRelay
    feeds: SubmissionFeeds
    retention_audit: EventConsumer
    services: Services
    checks: dict[str, Check] = field(default_factory=dict)
    background: list[asyncio.Task[None]] = field(default_factory=list)

    def gauges(self) -> ProcessGauges:
        return ProcessGauges("gateway", self.db, OutboxEvent, self.nats, [self.retention_audit])


async def open_runtime(settings: GatewaySettings) -> GatewayRuntime:
    await migrate_async(MIGRATIONS, settings.database_url)
    engine = new_engine(settings.database_url)
    nats = NatsLink(settings.nats_url, "gateway", settings.nats_token)
    nats.start()
    secret = settings.internal_secret
    relays: list[OutboxRelay] = []
    db = new_session_factory(engine, lambda: relays[0].wake())
    relays.append(OutboxRelay(db, OutboxEvent, nats, settings.outbox_poll_seconds))
    relays[0].start()
    # What services anonymise on their own clock (retention) enters the audit log here.
    retention_audit = audit_consumer(nats, db)
    retention_audit.start()
    services = Services(
        registry=RegistryClient(settings.registry_url, secret),
        intake=IntakeClient(settings.intake_url, secret),
        review=ReviewClient(settings.review_url, secret),
        notify=NotifyClient(settings.notify_url, secret),
    )
    runtime = GatewayRuntime(
        engine, nats, db, relays[0], SubmissionFeeds(nats), retention_audit, services
    )
    runtime.checks = {"database": database_check(engine), "nats": nats_check(nats)}
    return runtime


async def seed_accounts(settings: GatewaySettings, runtime: GatewayRuntime) -> None:
    """The deployment's first admin and, when asked, the demo accounts (the evaluator's review
    profile follows in the background: review may still be starting)."""
    if settings.admin_email:
        async with runtime.db() as session:
            await ensure_account(
                session, settings, email=settings.admin_email, password=settings.admin_password,
                display_name="Programme team", role=Role.ADMIN,
            )  # fmt: skip
            await session.commit()
    if settings.seed_demo_accounts:
        async with runtime.db() as session:
            accounts = await seed_demo_accounts(session, settings)
        evaluator = next(a for a in accounts if a.role == Role.EVALUATOR.value)
        profile = demo_evaluator_profile(runtime.services, evaluator)
        runtime.background.append(asyncio.create_task(profile))


async def close_runtime(runtime: GatewayRuntime) -> None:
    for task in runtime.background:
        task.cancel()
    await runtime.services.close()
    await runtime.retention_audit.stop()
    await runtime.relay.stop()
    await runtime.nats.close()
    await runtime.engine.dispose()


def context_makers(
    settings: GatewaySettings, runtime: Callable[[], GatewayRuntime]
) -> tuple[Callable[..., Awaitable[Context]], Callable[[Scope], Awaitable[Context]]]:
    """Strawberry's context getter and the upload layer's, both building one Context."""

    async def make_context(headers: Headers, peer: str | None) -> Context:
        """Who asks, from the account's row: a revoked token is refused here, on every request."""
        held = runtime()
        claims = claims_from_header(headers.get("authorization"), settings.jwt_secret)
        if claims is not None:
            claims = await current_claims(held.db, claims)
        identity = claims.identity if claims else ANONYMOUS
        client = client_address(peer, headers.get("x-forwarded-for"), settings.proxies)
        return Context(
            identity=identity, services=held.services, loaders=Loaders(held.services, identity),
            settings=settings, db=held.db, feeds=held.feeds, client=client,
            setup_only=bool(claims and claims.setup_only),
            authorization=headers.get("authorization"),
        )  # fmt: skip

    async def context_getter(request: ASGIConnection[Any, Any, Any, Any]) -> Context:
        return await make_context(request.headers, request.client.host if request.client else None)

    async def upload_context(scope: Scope) -> Context:
        peer = scope.get("client")
        return await make_context(Headers.from_scope(scope), peer[0] if peer else None)

    return context_getter, upload_context


def page_path_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A path no file can have (a NUL, a name longer than a file system allows) is simply not
    found: the file system's own refusal answered 500."""
    path = connection.scope["path"]
    if "\x00" in path or any(len(part.encode()) > 255 for part in path.split("/")):
        raise NotFoundException("There is no such page.")


def create_app(settings: GatewaySettings) -> Litestar:
    configure_tracing("gateway")
    schema = build_schema(settings)
    schema.extensions = (*schema.extensions, SetupOnlyGuard)
    held: list[GatewayRuntime] = []

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        runtime = await open_runtime(settings)
        held[:] = [runtime]
        app.state.services = runtime.services
        app.state.gauges = runtime.gauges()
        await seed_accounts(settings, runtime)
        try:
            yield
        finally:
            await close_runtime(runtime)

    def db() -> async_sessionmaker[AsyncSession]:
        return held[0].db

    context_getter, upload_context = context_makers(settings, lambda: held[0])
    graphql = coded_graphql_controller(
        schema, path="/graphql", graphql_ide="graphiql" if settings.is_dev else None,
        allow_queries_via_get=False, context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )  # fmt: skip
    # Multipart GraphQL requests (file uploads) are streamed by their own ASGI layer.
    uploads = partial(
        streaming_uploads, schema=schema, path="/graphql", context=upload_context,
        max_body=settings.max_upload_bytes,
    )  # fmt: skip
    # The browser pages: plain ES modules, no build step; they talk only GraphQL.
    pages = create_static_files_router(
        path="/", directories=[WEB], html_mode=True, name="web", guards=[page_path_guard]
    )
    app = Litestar(
        route_handlers=[
            graphql, *health_routes(lambda _: held[0].checks), MetricsController,
            audit_csv_route(db, settings), pages,
        ],
        lifespan=[lifespan],
        before_send=[add_security_headers],
        plugins=[server_tracing()],
        middleware=[*observed("gateway"), uploads],
        exception_handlers={
            DomainError: domain_error_response,
            HTTPException: http_error_response,
            **dict.fromkeys(OUTAGES, outage_response),
            Exception: unexpected_error_response,
        },
        logging_config=None,
        openapi_config=None,
        request_max_body_size=settings.max_request_bytes,
    )  # fmt: skip
    app.state.settings = settings
    for route in archive_routes(db, settings):  # the person's data archive
        app.register(route)
    return app
