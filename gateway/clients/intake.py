"""The typed client of intake: one method per route of shared.api.intake."""

from __future__ import annotations

from gateway.clients.base import ServiceClient


class IntakeClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("intake", base_url, secret)
