"""Until gateway/schema/__init__.py imports notify's queries and mutations modules."""

from gateway.schema.notify.mutations import NotifyMutation
from gateway.schema.notify.queries import NotifyQuery

__all__ = ["NotifyMutation", "NotifyQuery"]
