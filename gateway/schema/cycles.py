"""A list reached again under itself is refused before anything runs.

The depth, alias and token limits do not bound how much a query fetches: each list under a
list multiplies, and the schema's links run both ways (`hub { missions { hub { missions …`),
so a short anonymous query could ask for millions of objects and hold the gateway for
minutes. No page asks for a list inside the same list; with that refused, what a query can
fetch is bounded by the schema's depth and the alias limit. Fragments are followed, so a
cycle cannot hide in one."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.language import OperationType

Path = tuple[tuple[str, str], ...]


class NoListInsideItself(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        root = self.context.schema.get_root_type(OperationType(node.operation.value))
        if root is not None:
            self._walk(node.selection_set, root, (), set())

    def _walk(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType, path: Path,
        fragments: set[str],
    ) -> None:  # fmt: skip
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                self._field(selection, parent, path, fragments)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                within = self.context.schema.get_type(condition.name.value) if condition else parent
                self._walk(selection.selection_set, within or parent, path, fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in fragments:  # unknown or cyclic: other rules say so
                    continue
                within = self.context.schema.get_type(fragment.type_condition.name.value)
                self._walk(fragment.selection_set, within or parent, path, fragments | {name})

    def _field(self, node: FieldNode, parent: GraphQLNamedType, path: Path,
               fragments: set[str]) -> None:  # fmt: skip
        fields = getattr(parent, "fields", None)
        definition = fields.get(node.name.value) if isinstance(fields, dict) else None
        if definition is None:
            return  # a field the schema lacks, or __typename: other rules say so
        if is_list_type(get_nullable_type(definition.type)):
            step = (parent.name, node.name.value)
            if step in path:
                self.report_error(GraphQLError(
                    f"{parent.name}.{node.name.value} is asked for again inside itself: ask "
                    "for a list once per path (each repeat multiplies what is fetched).",
                    node,
                ))  # fmt: skip
                return
            path = (*path, step)
        self._walk(node.selection_set, get_named_type(definition.type), path, fragments)
