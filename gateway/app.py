"""Composition root of the gateway: accounts database, service clients, the GraphQL schema."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from graphql import ExecutionResult, FieldNode, GraphQLError, OperationDefinitionNode
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.exceptions import HTTPException
from litestar.static_files import create_static_files_router
from litestar.types import Scope
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
from gateway.schema.context import Context, Loaders
from gateway.throttle import client_address
from gateway.uploads import streaming_uploads
from shared.api import registry as registry_api
from shared.api import review as review_api
from shared.api.registry import Call
from shared.api.review import Evaluator, EvaluatorCreate, PoolMember, PoolMemberSet
from shared.db import migrate_async, new_engine, new_session_factory
from shared.errors import DomainError, NotFound, ServiceUnavailable
from shared.health import database_check, health_routes, nats_check
from shared.identity import ANONYMOUS, Identity, Role
from shared.messaging import NatsLink
from shared.outbox import OutboxRelay
from shared.paths import path_of
from shared.programme import DEMO_CALL_ID
from shared.web import (
    OUTAGES,
    domain_error_response,
    http_error_response,
    outage_response,
    trace_middleware,
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
    review = services.review
    await until_answered(
        lambda: review.call("POST", review_api.EVALUATORS, admin, Evaluator, body=body),
        waiting=DomainError,
    )
    call = path_of(registry_api.CALL, call_id=DEMO_CALL_ID)
    try:
        await until_answered(lambda: services.registry.call("GET", call, admin, Call),
                             waiting=ServiceUnavailable)  # fmt: skip
    except NotFound:
        return  # no demo call seeded
    # Review hears of the call from the registry's event: until then it knows no such call.
    pool_path = path_of(review_api.CALL_POOL, call_id=DEMO_CALL_ID)
    pool = await until_answered(lambda: review.call("GET", pool_path, admin, list[PoolMember]),
                                waiting=(NotFound, ServiceUnavailable))  # fmt: skip
    if all(m.evaluator.account_id != body.account_id for m in pool):  # the team's choice stays
        member = path_of(review_api.POOL_MEMBER, call_id=DEMO_CALL_ID, account_id=body.account_id)
        await review.call("PUT", member, admin, PoolMember,
                          body=PoolMemberSet(capacity=body.capacity))  # fmt: skip


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


def create_app(settings: GatewaySettings) -> Litestar:
    schema = build_schema(settings)
    schema.extensions = (*schema.extensions, SetupOnlyGuard)

    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await migrate_async(MIGRATIONS, settings.database_url)
        engine = new_engine(settings.database_url)
        nats = NatsLink(settings.nats_url, "gateway")
        nats.start()
        secret = settings.internal_secret
        relays: list[OutboxRelay] = []
        state["db"] = new_session_factory(engine, lambda: relays[0].wake())
        relays.append(OutboxRelay(state["db"], OutboxEvent, nats, settings.outbox_poll_seconds))
        relays[0].start()
        state["feeds"] = SubmissionFeeds(nats)
        # What services anonymise on their own clock (retention) enters the audit log here.
        retention_audit = audit_consumer(nats, state["db"])
        retention_audit.start()
        state["checks"] = {"database": database_check(engine), "nats": nats_check(nats)}
        state["services"] = app.state.services = Services(
            registry=RegistryClient(settings.registry_url, secret),
            intake=IntakeClient(settings.intake_url, secret),
            review=ReviewClient(settings.review_url, secret),
            notify=NotifyClient(settings.notify_url, secret),
        )
        profile: asyncio.Task[None] | None = None
        if settings.admin_email:
            async with state["db"]() as session:
                await ensure_account(
                    session, settings, email=settings.admin_email, password=settings.admin_password,
                    display_name="Programme team", role=Role.ADMIN,
                )  # fmt: skip
                await session.commit()
        if settings.seed_demo_accounts:
            async with state["db"]() as session:
                accounts = await seed_demo_accounts(session, settings)
            evaluator = next(a for a in accounts if a.role == Role.EVALUATOR.value)
            profile = asyncio.create_task(demo_evaluator_profile(state["services"], evaluator))
        try:
            yield
        finally:
            if profile is not None:
                profile.cancel()
            await state["services"].close()
            await retention_audit.stop()
            await relays[0].stop()
            await nats.close()
            await engine.dispose()

    async def make_context(headers: Headers, peer: str | None) -> Context:
        """Who asks, from the account's row: a revoked token is refused here, on every request."""
        claims = claims_from_header(headers.get("authorization"), settings.jwt_secret)
        if claims is not None:
            async with state["db"]() as session:
                claims = await current_claims(session, claims)
        identity = claims.identity if claims else ANONYMOUS
        services: Services = state["services"]
        client = client_address(peer, headers.get("x-forwarded-for"), settings.proxies)
        return Context(
            identity=identity, services=services, loaders=Loaders(services, identity),
            settings=settings, db=state["db"], feeds=state["feeds"], client=client,
            setup_only=bool(claims and claims.setup_only),
            authorization=headers.get("authorization"),
        )  # fmt: skip

    async def context_getter(request: ASGIConnection[Any, Any, Any, Any]) -> Context:
        return await make_context(request.headers, request.client.host if request.client else None)

    async def upload_context(scope: Scope) -> Context:
        peer = scope.get("client")
        return await make_context(Headers.from_scope(scope), peer[0] if peer else None)

    graphql = coded_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide="graphiql" if settings.is_dev else None,
        allow_queries_via_get=False,
        context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )

    # Multipart GraphQL requests (file uploads) are streamed by their own ASGI layer.
    uploads = partial(
        streaming_uploads, schema=schema, path="/graphql", context=upload_context,
        max_body=settings.max_upload_bytes,
    )  # fmt: skip
    # The browser pages: plain ES modules, no build step; they talk only GraphQL.
    pages = create_static_files_router(path="/", directories=[WEB], html_mode=True, name="web")
    app = Litestar(
        route_handlers=[
            graphql,
            *health_routes(lambda _: state["checks"]),
            audit_csv_route(lambda: state["db"], settings),
            pages,
        ],
        lifespan=[lifespan],
        middleware=[trace_middleware, uploads],
        exception_handlers={
            DomainError: domain_error_response,
            HTTPException: http_error_response,
            **dict.fromkeys(OUTAGES, outage_response),
            Exception: unexpected_error_response,
        },
        logging_config=None,
        openapi_config=None,
    )
    app.state.settings = settings
    for route in archive_routes(lambda: state["db"], settings):  # the person's data archive
        app.register(route)
    return app
