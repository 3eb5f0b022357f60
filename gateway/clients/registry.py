"""The typed client of registry: one method per route of shared.api.registry."""

from __future__ import annotations

from gateway.clients.base import ServiceClient


class RegistryClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("registry", base_url, secret)
