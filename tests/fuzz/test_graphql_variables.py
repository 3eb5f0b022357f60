"""Every root field with arguments, asked with each argument as a variable and values of any
JSON shape: a value that does not fit its declared type is a `bad_user_input` error naming the
variable, never an internal error (hypothesis-graphql writes its values inline, so this is the
path it does not take)."""

from __future__ import annotations

import asyncio
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from tests.fixtures.apps import Portal
from tests.fuzz.answers import graphql_problems
from tests.fuzz.conftest import Callers
from tests.fuzz.strategies import JSON_VALUES, SPANS_MEANWHILE
from tests.fuzz.test_graphql_schema import FUZZ_SEED, FUZZ_SETTINGS, SCHEMA, Known, known, summary

pytestmark = SPANS_MEANWHILE

__all__ = ["known"]  # the fixture, shared with the schema fuzzer

ROOTS = {"query": SCHEMA.query_type, "mutation": SCHEMA.mutation_type}
WITH_ARGUMENTS = [
    (kind, name)
    for kind, root in ROOTS.items()
    if root
    for name, f in root.fields.items()
    if f.args
]
EXAMPLES = 5


def operation(kind: str, name: str) -> str:
    """`kind($a: T!, …) { name(a: $a, …) { __typename } }`: every argument a variable."""
    root = ROOTS[kind]
    assert root is not None
    field = root.fields[name]
    declared = ", ".join(f"${arg}: {a.type}" for arg, a in field.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    result = graphql.get_named_type(field.type)
    selection = "" if isinstance(result, graphql.GraphQLScalarType) else " { __typename }"
    return f"{kind}({declared}) {{ {name}({passed}){selection} }}"


def variables(kind: str, name: str, ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Ids that exist or not for ID arguments, anything at all for the others (or absent)."""
    root = ROOTS[kind]
    assert root is not None
    values = {
        arg: (st.sampled_from(ids) | JSON_VALUES)
        if graphql.get_named_type(a.type).name == "ID"
        else JSON_VALUES
        for arg, a in root.fields[name].args.items()
    }
    return st.fixed_dictionaries({}, optional=values)


@pytest.mark.parametrize(("kind", "name"), WITH_ARGUMENTS, ids=[n for _, n in WITH_ARGUMENTS])
async def test_variables_of_any_shape_are_refused_with_a_code(
    kind: str, name: str, fuzz_portal: Portal, callers: Callers, known: Known
) -> None:
    query = operation(kind, name)
    strategy = variables(kind, name, known.ids)
    token = callers.tokens["admin"]

    def fuzz() -> list[tuple[str, list[str]]]:
        failures: list[tuple[str, list[str]]] = []
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:

            @seed(FUZZ_SEED)
            @settings(FUZZ_SETTINGS, max_examples=EXAMPLES)
            @given(strategy)
            def send(values: dict[str, Any]) -> None:
                response = http.post(
                    fuzz_portal.graphql_url, json={"query": query, "variables": values}
                )
                if problems := graphql_problems(response.status_code, response.content):
                    failures.append((f"{query}\n  variables: {values!r}", problems))

            send()
        return failures

    failures = await asyncio.to_thread(fuzz)
    if name in {"signOutEverywhere", "changePassword"}:
        await callers.refresh("admin")
    assert not failures, f"{len(failures)} bad answers to {name}:\n{summary(failures)}"
