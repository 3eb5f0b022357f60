"""Composition root of the gateway: accounts database, service clients, the GraphQL schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from strawberry.litestar import make_graphql_controller
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway.auth import identity_from_header, seed_demo_accounts
from gateway.clients import ServiceClient, Services
from gateway.config import GatewaySettings
from gateway.schema import build_schema
from gateway.schema.context import Context, Loaders
from shared.db import migrate_async, new_engine, new_session_factory
from shared.errors import DomainError
from shared.web import (
    domain_error_response,
    http_error_response,
    trace_middleware,
    unexpected_error_response,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: GatewaySettings) -> Litestar:
    schema = build_schema(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await migrate_async(MIGRATIONS, settings.database_url)
        engine = new_engine(settings.database_url)
        app.state.db = new_session_factory(engine)
        secret = settings.internal_secret
        app.state.services = Services(
            registry=ServiceClient("registry", settings.registry_url, secret),
            intake=ServiceClient("intake", settings.intake_url, secret),
            review=ServiceClient("review", settings.review_url, secret),
        )
        if settings.seed_demo_accounts:
            async with app.state.db() as session:
                await seed_demo_accounts(session)
        try:
            yield
        finally:
            await app.state.services.close()
            await engine.dispose()

    async def context_getter(request: Request[Any, Any, State]) -> Context:
        identity = identity_from_header(request.headers.get("authorization"), settings.jwt_secret)
        services: Services = request.app.state.services
        return Context(
            identity=identity,
            services=services,
            loaders=Loaders(services, identity),
            settings=settings,
            db=request.app.state.db,
        )

    graphql = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide="graphiql" if settings.is_dev else None,
        allow_queries_via_get=False,
        context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )

    @get("/health", include_in_schema=False, sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(
        route_handlers=[graphql, health],
        lifespan=[lifespan],
        middleware=[trace_middleware],
        exception_handlers={
            DomainError: domain_error_response,
            HTTPException: http_error_response,
            Exception: unexpected_error_response,
        },
        logging_config=None,
        openapi_config=None,
    )
