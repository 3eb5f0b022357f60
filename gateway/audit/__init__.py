"""The audit log: who did what to which thing, when, how it ended and from where; append-only
and hash-chained. `record` is the entry point for code outside GraphQL (erasure, retention)."""

from gateway.audit.chain import Entry, Facts
from gateway.audit.store import AuditEntry, append, append_all, record

__all__ = ["AuditEntry", "Entry", "Facts", "append", "append_all", "record"]
