"""Each GraphQL text is parsed and validated once, not on every request.

The pages send the same few operations over and over, and graphql-core's parse and validate
were about 40 % of the gateway's CPU. A bounded LRU keyed by the query text keeps the parsed
document and its validation errors; a text that does not parse is not kept (Strawberry's own
parse answers it). The limits still hold: the token limit applies to the parse, and the depth,
alias and introspection rules are part of the validation, once per text. The rules must be the
same classes on every request (built once, in build_schema), or no text would ever be found.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

# Distinct texts kept: the pages' own operations are a few dozen.
KEPT = 512


class DocumentCache:
    def __init__(self, max_tokens: int, kept: int = KEPT) -> None:
        self.max_tokens = max_tokens
        self.parsed = lru_cache(maxsize=kept)(self._parse)
        self.errors = lru_cache(maxsize=kept)(self._validate)

    def _parse(self, query: str) -> DocumentNode | None:
        try:
            return parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None

    def _validate(
        self, schema: GraphQLSchema, query: str, rules: tuple[type[ASTValidationRule], ...]
    ) -> list[GraphQLError]:
        document = self.parsed(query)
        assert document is not None  # only a text that parsed is validated
        return validate_document(schema, document, rules)


class CachedDocuments(SchemaExtension):
    """Put after every extension that changes the parse options or adds validation rules."""

    def __init__(self, cache: DocumentCache) -> None:
        super().__init__()
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = self.cache.parsed(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.pre_execution_errors is None:
            # A list of its own: the errors are shared, the list a caller may change is not.
            context.pre_execution_errors = list(
                self.cache.errors(context.schema._schema, context.query, context.validation_rules)
            )
        yield
