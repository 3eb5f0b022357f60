"""Privacy: filled in by issue 10."""

from __future__ import annotations

import strawberry


@strawberry.type
class PrivacyQuery:
    pass


@strawberry.type
class PrivacyMutation:
    pass
