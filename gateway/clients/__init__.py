"""Typed clients of the internal services, one module per service."""

from __future__ import annotations

from gateway.clients.base import ServiceClient
from gateway.clients.intake import IntakeClient
from gateway.clients.notify import NotifyClient
from gateway.clients.registry import RegistryClient
from gateway.clients.review import ReviewClient

__all__ = ["ServiceClient", "Services"]


class Services:
    def __init__(
        self, registry: RegistryClient, intake: IntakeClient, review: ReviewClient,
        notify: NotifyClient,
    ) -> None:  # fmt: skip
        self.registry = registry
        self.intake = intake
        self.review = review
        self.notify = notify

    async def close(self) -> None:
        for client in (self.registry, self.intake, self.review, self.notify):
            await client.close()
