"""The WebSocket (graphql-transport-ws) side of the schema: subscriptions only, each message's
shape checked as an HTTP request's is, every error coded (found probing: a `query` of 5 was
a worker's traceback, a payload of null closed the socket as a server failure, a mutation ran
as the upgrade's token though connection_init had sent another)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationType, get_operation_ast
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError

from gateway.request_json import operation_refusal

BAD_REQUEST = "bad_request"
SUBSCRIPTIONS_ONLY = "Only subscriptions run on the WebSocket: send queries and mutations by POST."


def message_refusal(
    query: object, variables: object, operation_name: object, document: DocumentNode | None
) -> str | None:
    """What is wrong with a subscribe message's operation (`document`: its query parsed, None
    when it does not parse), as the HTTP endpoint says it."""
    if (refusal := operation_refusal(query, variables, operation_name)) is not None:
        return refusal
    name = operation_name if isinstance(operation_name, str) else None  # checked just above
    operation = get_operation_ast(document, name) if document is not None else None
    if operation is not None and operation.operation is not OperationType.SUBSCRIPTION:
        # It would run as the upgrade request's token, not the one connection_init sent.
        return SUBSCRIPTIONS_ONLY
    return None


async def refused(message: str, code: str = BAD_REQUEST) -> AsyncGenerator[PreExecutionError]:
    """One error before execution: the protocol's `error` message for the operation."""
    yield PreExecutionError(data=None, errors=[GraphQLError(message, extensions={"code": code})])


async def coded(results: AsyncIterator[Any], code_errors: Any) -> AsyncGenerator[Any]:
    """The stream's results with their errors coded as a request's are (`code_errors`)."""
    async for result in results:
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = code_errors(result.errors)
        yield result


MESSAGE_TYPES = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})


class CheckedTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    async def handle_message(self, message: Any) -> None:
        # Strawberry indexes whatever JSON came and echoes an unknown type in the close
        # reason: a list or null, a type of 300 letters or with a lone surrogate was a 4500.
        if not isinstance(message, dict):
            await self.handle_invalid_message("A message must be a JSON object.")
            return
        if message.get("type") not in MESSAGE_TYPES:
            await self.handle_invalid_message("Unknown message type.")
            return
        await super().handle_message(message)  # type: ignore[arg-type]  # checked above

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # Strawberry reads payload["query"] from whatever came: null or a string was a 4500.
        if not isinstance(message.get("payload"), dict):
            await self.handle_invalid_message("A subscribe message's payload must be an object.")
            return
        most = self.max_subscriptions_per_connection
        if (self.connection_acknowledged and message["id"] not in self.operations
                and most is not None and len(self.operations) >= most):  # fmt: skip
            # Strawberry's own refusal has no code, unlike every other error of the portal.
            full = GraphQLError(
                f"This connection holds the most subscriptions it may ({most}): complete one "
                "first, or open another connection.", extensions={"code": "bad_request"},
            )  # fmt: skip
            await self.send_message({"id": message["id"], "type": "error",
                                     "payload": [full.formatted]})  # fmt: skip
            return
        await super().handle_subscribe(message)
