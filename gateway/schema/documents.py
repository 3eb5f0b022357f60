"""Each GraphQL text is parsed and validated once, not on every request.

The pages send the same few operations over and over, and graphql-core's parse and validate
were about 40 % of the gateway's CPU. A bounded LRU keyed by the query text keeps the parsed
document and its validation errors; a text that does not parse is not kept (Strawberry's own
parse answers it). The limits still hold: the token limit applies to the parse; the depth,
alias, repetition and introspection rules are part of the validation, once per text. The rules
must be the same classes on every request (built once, in build_schema), or no text would ever
be found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    SelectionSetNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

# Distinct texts kept: the pages' own operations are a few dozen.
KEPT = 512

# How often one response name may be asked for in a document: the pages ask for one 7 times
# at most, a query with its 30 aliases of one field with `id` 30 times. GraphQL's rule that
# fields of one name can merge compares every pair of them: found probing, 700 `me { id }`
# (within the token limit) held the gateway's core 1.5 s each; 40 of them take 4 ms.
REPEATS_MAX = 40
# Each of these hashes a password (argon2, ~50 ms of a core): once per document, aliases
# or not (found probing: 30 aliased signUps a request made accounts by the hundred).
HASHING_ONCE = frozenset({"signUp", "signIn", "resetPassword", "acceptInvitation",
                          "changePassword", "eraseMyAccount"})  # fmt: skip


def repeated_too_often(document: DocumentNode) -> GraphQLError | None:
    """Counted over the whole document, in one pass cheaper than any rule's visit."""
    counts: Counter[str] = Counter()
    hashing: Counter[str] = Counter()
    # Operations, fragments, fields and inline fragments have a selection set (or None).
    sets: list[SelectionSetNode | None] = [
        getattr(d, "selection_set", None) for d in document.definitions
    ]
    while sets:
        found = sets.pop()
        for selection in found.selections if found is not None else ():
            if isinstance(selection, FieldNode):
                counts[(selection.alias or selection.name).value] += 1
                if selection.name.value in HASHING_ONCE:
                    hashing[selection.name.value] += 1
            sets.append(getattr(selection, "selection_set", None))
    for field, times in hashing.items():
        if times > 1:
            return GraphQLError(f"'{field}' is asked for {times} times; a document may ask for "
                                "it once.")  # fmt: skip
    name, times = counts.most_common(1)[0] if counts else ("", 0)
    if times <= REPEATS_MAX:
        return None
    return GraphQLError(
        f"'{name}' is asked for {times} times; a document may ask for one name at most "
        f"{REPEATS_MAX} times."
    )


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
        too_often = repeated_too_often(document)
        if too_often is not None:
            return [too_often]
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
