"""Who may see and decide a call's evaluation: the programme team does everything; a call's
hub managers may look, never decide."""

from __future__ import annotations

from collections.abc import Collection

from shared.errors import Forbidden
from shared.identity import Identity, Role


def require_team(identity: Identity, hubs: Collection[str], *, write: bool) -> None:
    """Raises NotAuthenticated or Forbidden; `hubs`: the call's hubs."""
    identity.require_signed_in()
    if identity.is_admin:
        return
    if not write and identity.role is Role.HUB_MANAGER and identity.hub in hubs:
        return
    raise Forbidden("Only the programme team may do this." if write else
                    "Only the programme team and the call's hub managers see this.")  # fmt: skip
