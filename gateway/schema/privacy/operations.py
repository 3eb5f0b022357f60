"""Privacy: filled in by issue 10."""

from __future__ import annotations

import strawberry

from gateway.schema.privacy.erasure import ErasureMutation


@strawberry.type
class PrivacyQuery:
    pass


@strawberry.type
class PrivacyMutation(ErasureMutation):
    pass
