"""The typed per-request context: who is asking, the service clients, the request's
dataloaders (gateway.schema.dataloaders), the account database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from gateway.auth import claims_from_header, current_claims
from gateway.clients import Services
from gateway.config import GatewaySettings
from gateway.feeds import SubmissionFeeds
from gateway.schema.dataloaders import Loaders
from shared.errors import Forbidden, NotAuthenticated
from shared.identity import ANONYMOUS, Identity


class Context(BaseContext, kw_only=True):
    identity: Identity
    services: Services
    loaders: Loaders
    settings: GatewaySettings
    db: async_sessionmaker[AsyncSession]
    feeds: SubmissionFeeds
    # The client's address (throttling keys): the peer, or what a trusted proxy forwarded.
    client: str = "unknown"
    # A token that may only set up a second factor (staff outside dev mode without one).
    setup_only: bool = False
    # The request's own Authorization header (a WebSocket upgrade may carry one).
    authorization: str | None = None
    # Set by the graphql-transport-ws handshake: a browser's WebSocket carries its token here.
    connection_params: dict[str, Any] | None = None

    @property
    def socket_token(self) -> str | None:
        """The token a subscription runs under: connection_init's, else the upgrade's header."""
        params = self.connection_params if isinstance(self.connection_params, dict) else {}
        token = params.get("Authorization")
        if token is not None and not isinstance(token, str):
            raise NotAuthenticated("Send the access token as 'Authorization: Bearer <token>'.")
        return token or self.authorization

    async def identity_from_token(self, authorization: str | None) -> Identity:
        """The identity of a token sent outside the headers (a WebSocket's connection_init),
        checked against the account as every request is (version, disabled, deleted)."""
        claims = claims_from_header(authorization, self.settings.jwt_secret)
        if claims is None:
            return ANONYMOUS
        current = await current_claims(self.db, claims)
        if current.setup_only:
            raise Forbidden("Set up two-factor sign-in first.")
        return current.identity


Info = StrawberryInfo[Context, None]
