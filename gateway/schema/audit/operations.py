"""Audit: filled in by issue 10."""

from __future__ import annotations

import strawberry


@strawberry.type
class AuditQuery:
    pass


@strawberry.type
class AuditMutation:
    pass
