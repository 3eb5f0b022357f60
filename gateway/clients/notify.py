"""The typed client of notify: one method per route of shared.api.notify."""

from __future__ import annotations

from gateway.clients.base import ServiceClient


class NotifyClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("notify", base_url, secret)
