"""Recording into the audit log without touching a resolver: every root mutation field (each
is a change of a call, application, evaluation, consensus, assignment or account), and what
staff and evaluators read of applications: the applications themselves, evaluation sheets
and file links. An applicant's reads of their own data are not recorded."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo as GraphQLInfo
from graphql import OperationType, get_named_type
from strawberry.extensions import SchemaExtension

from gateway.audit import Facts, append_all
from gateway.schema.audit.facts import (
    outcome_of,
    outcome_of_exception,
    safe_arguments,
    signed_in_as,
    target_of,
)
from shared.identity import Identity, Role
from shared.logging import current_trace_id

log = logging.getLogger(__name__)
ResolveInfo = GraphQLInfo[Any]

ANONYMOUS = Role.ANONYMOUS.value
READERS = frozenset({Role.ADMIN, Role.HUB_MANAGER, Role.EVALUATOR})
APPLICATION_TYPES = frozenset({"Application", "ApplicationSnapshot"})
FILE_LINK_TYPES = frozenset({"Attachment", "SnapshotAttachment"})


class AuditTrail(SchemaExtension):
    """Collects the request's entries while it resolves, appends them in one short
    transaction after it, before the answer leaves."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.facts: list[Facts] = []
        self.noted: set[tuple[str, str]] = set()

    async def on_execute(self) -> Any:
        yield
        if not self.facts:
            return
        try:
            await append_all(self.execution_context.context.db, self.facts)
        except Exception:  # the change already happened in a service: its answer stands
            log.error(
                "audit entries not recorded (trace %s): %s", current_trace_id(),
                ", ".join(f"{f.action} {f.target_type} {f.target_id}" for f in self.facts),
                exc_info=True,
            )  # fmt: skip

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: ResolveInfo, *args: Any,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        operation = info.operation.operation
        if operation is OperationType.MUTATION and info.path.prev is None:
            return self.changing(_next, root, info, *args, **kwargs)
        if operation is OperationType.SUBSCRIPTION or not self.watched_reader(info):
            return _next(root, info, *args, **kwargs)
        parent = info.parent_type.name
        if parent in FILE_LINK_TYPES and info.field_name == "downloadUrl":
            return self.linking(_next(root, info, *args, **kwargs), root, info)
        value = _next(root, info, *args, **kwargs)
        if parent == "Assignment" and info.field_name == "evaluation":
            self.note(info, "evaluation.read", "assignment", str(root.id),
                      detail={"applicationId": str(root.application_id)}, once=True)  # fmt: skip
        elif get_named_type(info.return_type).name in APPLICATION_TYPES:
            if isawaitable(value):
                return self.reading(value, info, kwargs)
            self.note_applications(info, value, kwargs)
        return value

    def watched_reader(self, info: ResolveInfo) -> bool:
        identity: Identity | None = getattr(info.context, "identity", None)
        return identity is not None and identity.role in READERS

    async def changing(
        self, _next: Callable[..., Any], root: Any, info: ResolveInfo, *args: Any,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        field = info.parent_type.fields[info.field_name]
        arguments = safe_arguments(field, kwargs)
        caller = getattr(getattr(info.context, "identity", None), "account_id", None)
        try:
            value = _next(root, info, *args, **kwargs)
            if isawaitable(value):
                value = await value
        except Exception as exc:
            target_type, target_id = target_of(info.field_name, arguments, None, caller)
            self.note(info, info.field_name, target_type, target_id,
                      outcome=outcome_of_exception(exc), detail=arguments)  # fmt: skip
            raise
        target_type, target_id = target_of(info.field_name, arguments, value, caller)
        detail = {k: v for k, v in arguments.items() if v != target_id}
        self.note(info, info.field_name, target_type, target_id, outcome=outcome_of(value),
                  detail=detail, actor=signed_in_as(value))  # fmt: skip
        return value

    async def linking(self, value: Any, root: Any, info: ResolveInfo) -> Any:
        """A file link handed out (or refused): its attachment and application."""
        detail = {"applicationId": str(root.application_id)}
        try:
            link = await value if isawaitable(value) else value
        except Exception as exc:
            self.note(info, "attachment.link", "attachment", str(root.id),
                      outcome=outcome_of_exception(exc), detail=detail)  # fmt: skip
            raise
        self.note(info, "attachment.link", "attachment", str(root.id), detail=detail, once=True)
        return link

    async def reading(
        self, value: Awaitable[Any], info: ResolveInfo, arguments: dict[str, Any]
    ) -> Any:
        found = await value
        self.note_applications(info, found, arguments)
        return found

    def note_applications(self, info: ResolveInfo, value: Any, arguments: dict[str, Any]) -> None:
        """Each application read; asked for by id and not shown: a refused read."""
        if value is None:
            if info.path.prev is None and "id" in arguments:
                self.note(info, "application.read", "application", str(arguments["id"]),
                          outcome="NotFound")  # fmt: skip
            return
        for application in value if isinstance(value, list) else [value]:
            application_id = getattr(application, "id", None) or application.application_id
            self.note(info, "application.read", "application", str(application_id), once=True)

    def note(
        self, info: ResolveInfo, action: str, target_type: str, target_id: str, *,
        outcome: str = "ok", detail: dict[str, str] | None = None, once: bool = False,
        actor: tuple[str | None, str] | None = None,
    ) -> None:  # fmt: skip
        """`once`: a read, noted once per thing per request (a change, each time). `actor`:
        (account id, role) when not the caller's identity (one who just signed in)."""
        if once:
            if (action, target_id) in self.noted:
                return
            self.noted.add((action, target_id))
        if actor is None:
            identity: Identity | None = getattr(info.context, "identity", None)
            actor = (identity.account_id, identity.role.value) if identity else (None, ANONYMOUS)
        actor_id, actor_role = actor
        self.facts.append(Facts(
            actor_id=actor_id, actor_role=actor_role,
            action=action, target_type=target_type, target_id=target_id, outcome=outcome,
            source=getattr(info.context, "client", None), detail=detail or {},
        ))  # fmt: skip
