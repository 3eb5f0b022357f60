"""The typed client of review: one method per route of shared.api.review."""

from __future__ import annotations

from gateway.clients.base import ServiceClient


class ReviewClient(ServiceClient):
    def __init__(self, base_url: str, secret: str) -> None:
        super().__init__("review", base_url, secret)
