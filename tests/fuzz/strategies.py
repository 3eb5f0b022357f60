"""Hypothesis strategies for the gateway's custom scalars and for ids worth asking about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

import graphql
import pytest
from hypothesis import strategies as st
from hypothesis_graphql import nodes

# The portal answers on the test's event loop while a worker thread draws examples, and each
# span it starts takes its ids from the `random` module (OpenTelemetry's RandomIdGenerator):
# Hypothesis sees that module's state move during a draw and takes it for a strategy using it.
SPANS_MEANWHILE = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies"
    ":hypothesis.errors.HypothesisDeprecationWarning"
)

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)
# What saveEvaluation's scores and comments look like, so the fuzzer also gets past the shape.
SCORE_SHEETS = st.dictionaries(
    st.sampled_from(["relevance", "impact", "feasibility", "team"]) | st.text(max_size=8),
    st.floats(min_value=-1, max_value=6, allow_nan=False) | st.text(max_size=20),
    max_size=4,
)


def json_node(value: Any) -> graphql.ValueNode:
    """A JSON value as a GraphQL literal (the JSON scalar reads object and list literals)."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([json_node(item) for item in value])
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=json_node(item))
            for key, item in value.items()
            if key.isidentifier() and key.isascii()
        ]
    )


def custom_scalars(known_ids: Sequence[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """`known_ids`: ids of things that exist (the demo call, an application, accounts), so
    some operations get past "not found"; the rest are UUIDs nobody has and plain garbage."""
    ids = st.sampled_from(list(known_ids)) | st.uuids().map(str) | st.text(max_size=40)
    instants = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()) | st.text()
    return {
        "ID": ids.map(nodes.String),
        "DateTime": instants.map(nodes.String),
        "JSON": (JSON_VALUES | SCORE_SHEETS).map(json_node),
        # A literal cannot carry a file: whatever is written there must be refused clearly.
        "Upload": (st.text(max_size=20) | JSON_VALUES).map(json_node),
    }
