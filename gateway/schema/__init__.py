"""The one public GraphQL schema, composed from one package per domain."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext
from strawberry.types.execution import ExecutionResult as StrawberryExecutionResult
from strawberry.types.graphql import OperationType

from gateway.config import GatewaySettings
from gateway.schema.accounts.mutations import AccountMutation
from gateway.schema.accounts.queries import AccountQuery
from gateway.schema.audit.queries import AuditQuery
from gateway.schema.audit.trail import AuditTrail
from gateway.schema.cycles import NoListInsideItself
from gateway.schema.documents import CachedDocuments, DocumentCache
from gateway.schema.intake.mutations import IntakeMutation
from gateway.schema.intake.queries import IntakeQuery
from gateway.schema.intake.subscriptions import IntakeSubscription
from gateway.schema.notify.mutations import NotifyMutation
from gateway.schema.notify.queries import NotifyQuery
from gateway.schema.operations.queries import OperationsQuery
from gateway.schema.privacy.mutations import PrivacyMutation
from gateway.schema.refusal_words import in_plain_words
from gateway.schema.registry.mutations import RegistryMutation
from gateway.schema.registry.queries import RegistryQuery
from gateway.schema.review.mutations import ReviewMutation
from gateway.schema.review.queries import ReviewQuery
from gateway.schema.scalars import SCALARS
from gateway.schema.socket import coded, message_refusal, refused
from shared.errors import DomainError, ServiceUnavailable, ValidationFailed
from shared.logging import current_trace_id

log = logging.getLogger(__name__)


@strawberry.type
class Query(
    RegistryQuery, IntakeQuery, ReviewQuery, AccountQuery, OperationsQuery, NotifyQuery,
    AuditQuery,
):  # fmt: skip
    pass


@strawberry.type
class Mutation(
    RegistryMutation, IntakeMutation, ReviewMutation, AccountMutation, NotifyMutation,
    PrivacyMutation,
):  # fmt: skip
    pass


@strawberry.type
class Subscription(IntakeSubscription):
    pass


class ErrorCodes(SchemaExtension):
    """Errors that escape a resolver carry the domain's code in `extensions.code`; an outage
    also says that it is worth retrying, and when."""

    def on_execute(self) -> Any:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        coded: list[GraphQLError] = []
        for error in result.errors:
            original = error.original_error
            if isinstance(original, ValidationFailed) and original.errors:
                # Outside a union: the message and `fields` name what is wrong, and where.
                wrong = "; ".join(f"{e.field} {e.message}" for e in original.errors)
                error = GraphQLError(
                    f"{original.message.rstrip('.')}: {wrong}.", nodes=error.nodes, path=error.path,
                    original_error=original,
                    extensions={"fields": [e.field for e in original.errors]},
                )  # fmt: skip
            if isinstance(original, DomainError):
                error.extensions = {**(error.extensions or {}), "code": original.code}
                if isinstance(original, ServiceUnavailable):
                    error.extensions.update(
                        retryable=True, retryAfterSeconds=original.retry_after_seconds
                    )
                if original.code == "internal_error":  # a service's: the trace to quote
                    error = masked(error, original)
            elif original is not None and not isinstance(original, GraphQLError):
                error = masked(error, original)
            coded.append(error)
        result.errors = coded


def masked(error: GraphQLError, original: BaseException) -> GraphQLError:
    """An unexpected failure: its detail (SQL, parameters, a library's text) goes to the log
    only; the client gets one generic error with the trace id to quote."""
    trace_id = current_trace_id()
    log.error("unexpected error in %s (trace %s)", ".".join(map(str, error.path or [])),
              trace_id, exc_info=original)  # fmt: skip
    return GraphQLError(
        f"Something went wrong on our side; it is logged as trace {trace_id}.",
        path=error.path, extensions={"code": "internal_error", "traceId": trace_id},
    )  # fmt: skip


# Text PostgreSQL cannot store: a NUL, or half of a UTF-16 surrogate pair (a lone "\ud800"
# escape in JSON), which is no character of UTF-8 at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_paths(value: Any, path: str) -> list[str]:
    """Where text PostgreSQL cannot hold sits in a value (the JSON was checked for depth)."""
    if isinstance(value, str):
        return [path] if UNSTORABLE.search(value) else []
    if isinstance(value, dict):
        # A key PostgreSQL cannot hold names the object: the key itself cannot be written.
        return [p for key, item in value.items()
                for p in ([path] if UNSTORABLE.search(str(key))
                          else unstorable_paths(item, f"{path}.{key}"))]  # fmt: skip
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in unstorable_paths(item, f"{path}.{i}")]
    return []


def literal_unstorable(document: DocumentNode) -> bool:
    found: list[bool] = []

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
            if UNSTORABLE.search(node.value):
                found.append(True)

    visit(document, Finder())
    return bool(found)


class RefuseUnstorableText(SchemaExtension):
    """A NUL or a lone surrogate in any text (a variable or a literal in the query) is refused
    before anything runs, with the place it was found, rather than failing deep in a
    service."""

    def on_execute(self) -> Any:
        execution = self.execution_context
        places = unstorable_paths(execution.variables or {}, "variables")
        document, query = execution.graphql_document, execution.query or ""
        # A literal holds one only written as such or as a \u escape: else no walk.
        maybe = "\\u" in query or UNSTORABLE.search(query) is not None
        if document is not None and maybe and literal_unstorable(document):
            places.append("query")
        if places:
            error = GraphQLError(
                unstorable_message(places), extensions={"code": VALIDATION_FAILED, "fields": places}
            )
            execution.result = ExecutionResult(data=None, errors=[error])
        yield


VALIDATION_FAILED = "validation_failed"


def unstorable_message(places: list[str]) -> str:
    return ("Text must not contain NUL characters or lone surrogates (found in "
            + ", ".join(p.removeprefix("variables.") for p in places) + ").")  # fmt: skip


# GraphQL's own refusals, before any resolver runs (README "Error codes").
GRAPHQL_PARSE_FAILED = "graphql_parse_failed"  # not GraphQL, or over the size limit
GRAPHQL_VALIDATION_FAILED = "graphql_validation_failed"  # does not fit the schema
BAD_USER_INPUT = "bad_user_input"  # a variable's value does not fit its declared type


class CodeGraphQLErrors(SchemaExtension):
    """Every error has a code: the ones GraphQL itself raises get theirs here (first in the
    list, so this runs after every other extension). An error of a field without a code is a
    bug of ours and is masked like any unexpected one."""

    def on_parse(self) -> Any:
        yield
        with_code(self.execution_context.pre_execution_errors, GRAPHQL_PARSE_FAILED)

    def on_validate(self) -> Any:
        yield
        errors = self.execution_context.pre_execution_errors
        for error in errors or []:
            in_plain_words(error)
        with_code(errors, GRAPHQL_VALIDATION_FAILED)

    def on_operation(self) -> Any:
        yield
        result = self.execution_context.result  # graphql-core's or Strawberry's; a stream has none
        if result is not None and result.errors:
            result.errors = code_request_errors(result.errors)


def code_of(error: GraphQLError) -> Any:
    return (error.extensions or {}).get("code")


def with_code(
    errors: list[GraphQLError] | None, code: str, *, unplaced_only: bool = False
) -> list[GraphQLError]:
    """`errors`, those without a code given `code` (with `unplaced_only`: only those outside
    any field, i.e. about the variables)."""
    for error in errors or []:
        if not code_of(error) and not (unplaced_only and error.path):
            error.extensions = {**(error.extensions or {}), "code": code}
    return errors or []


class PortalSchema(strawberry.Schema):
    """Subscriptions run on the websocket (`subscribe`) only: one sent as a plain request is
    refused as the wrong operation type, not run as a query that cannot return a value. A
    document of several operations runs only the one named (Strawberry would run the first)."""

    def __init__(self, *args: Any, documents: DocumentCache, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = documents

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Not Strawberry's log line per error: a refusal is an answer, not a failure, and
        what failed unexpectedly is logged once, with its trace, where it is masked."""

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> StrawberryExecutionResult:
        if operation_name is None and query and several_operations(self.documents.parsed(query)):
            unnamed = GraphQLError(
                "The document holds several operations: name the one to run (operationName).",
                extensions={"code": GRAPHQL_VALIDATION_FAILED},
            )
            return StrawberryExecutionResult(data=None, errors=[unnamed])
        if isinstance(operation_name, str) and UNSTORABLE.search(operation_name):  # echoed
            unwritable = GraphQLError(
                unstorable_message(["operationName"]),
                extensions={"code": VALIDATION_FAILED, "fields": ["operationName"]},
            )
            return StrawberryExecutionResult(data=None, errors=[unwritable])
        allowed = set(allowed_operation_types or (OperationType.QUERY, OperationType.MUTATION))
        allowed.discard(OperationType.SUBSCRIPTION)
        return await super().execute(
            query, variable_values, context_value, root_value, operation_name, allowed,
            operation_extensions,
        )  # fmt: skip

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> Any:
        """The WebSocket's operations (gateway.schema.socket): subscriptions only, under the
        token connection_init sent, each message's shape checked and every error coded."""
        document = self.documents.parsed(query) if isinstance(query, str) else None
        refusal = message_refusal(query, variable_values, operation_name, document)
        if refusal is not None:
            return refused(refusal)
        # As a request's are (RefuseUnstorableText, which a subscription does not pass through).
        places = unstorable_paths(variable_values or {}, "variables")
        if places:
            return refused(unstorable_message(places), VALIDATION_FAILED)
        results = await super().stream(
            query, variable_values, context_value, root_value, operation_name,
            operation_extensions, (OperationType.SUBSCRIPTION,),
        )  # fmt: skip
        return coded(results, code_request_errors)


def code_request_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """A request's errors as a client reads them: a variable's with its code, any other
    without a code (a bug of ours) masked."""
    return [
        in_plain_words(error) if code_of(error) else masked(error, error)
        for error in with_code(errors, BAD_USER_INPUT, unplaced_only=True)
    ]


def several_operations(document: DocumentNode | None) -> bool:
    definitions = document.definitions if document is not None else ()
    return sum(isinstance(d, OperationDefinitionNode) for d in definitions) > 1


def build_schema(settings: GatewaySettings) -> strawberry.Schema:
    # Extensions are given as classes or factories: a fresh instance per operation. The
    # limits' rules are built once, so that a validated text is found again (documents.py).
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules,
        NoListInsideItself,
    ]
    if not settings.is_dev:
        limits.extend(DisableIntrospection().validation_rules)
    documents = DocumentCache(max_tokens=settings.max_query_tokens)
    extensions: list[Any] = [
        CodeGraphQLErrors,
        ErrorCodes,
        RefuseUnstorableText,
        AuditTrail,
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: CachedDocuments(documents),
    ]
    return PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        scalar_overrides=SCALARS,
        config=StrawberryConfig(disable_field_suggestions=not settings.is_dev),
        documents=documents,
    )
