"""Queries and mutations generated from the gateway's schema (hypothesis-graphql), valid ones
and ones with one violation, sent over HTTP to a running portal as anonymous, applicant and
admin: every root field gets its own examples, and no answer is a 5xx, an internal error, an
error without a code or one that shows the machinery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from tests.fixtures.apps import Portal
from tests.fuzz.answers import graphql_problems
from tests.fuzz.conftest import Callers
from tests.fuzz.strategies import SPANS_MEANWHILE, custom_scalars
from tests.integration.test_intake_graphql import DEMO_CALL, start

pytestmark = SPANS_MEANWHILE

SCHEMA = graphql.build_schema((Path(__file__).parents[2] / "gateway/schema.graphql").read_text())
ROOT_FIELDS = [
    name for root in (SCHEMA.query_type, SCHEMA.mutation_type) if root for name in root.fields
]
ROLES = ("anonymous", "applicant", "admin")
# Fields that may end the caller's session: a new token is taken after their examples.
SESSION_ENDING = {"signOutEverywhere", "eraseMyAccount", "changePassword", "setUpTwoFactor"}
# A fixed seed: CI reruns the same examples, whatever else changes in the file (derandomize
# would seed from the test's source). No shrinking (each failure is kept as it came), no
# example database.
FUZZ_SEED = 20261202
FUZZ_SETTINGS = settings(
    database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)  # fmt: skip


@dataclass
class Known:
    """Ids that exist in the fuzz portal."""

    ids: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
async def known(callers: Callers) -> Known:
    client, tokens = callers.client, callers.tokens
    application = await start(client, tokens["applicant"] or "")
    ids = [DEMO_CALL, application["id"]]
    for role in ("applicant", "admin"):
        ids.append((await client("{ me { id } }", token=tokens[role]))["me"]["id"])
    missions = (await client("{ missions { id challenges { id } } }"))["missions"]
    ids += [m["id"] for m in missions[:2]] + [
        c["id"] for m in missions[:2] for c in m["challenges"]
    ]
    return Known(ids)


def arguments_of(name: str) -> int:
    mutation = SCHEMA.mutation_type
    root = mutation if mutation and name in mutation.fields else SCHEMA.query_type
    assert root is not None
    return len(root.fields[name].args)


def examples_for(name: str) -> int:
    """More examples where there are more arguments to vary."""
    return min(2 + 2 * arguments_of(name), 8)


def operations(name: str, known_ids: list[str]) -> st.SearchStrategy[str]:
    """Valid operations, and (where there are arguments) ones with one violation."""
    scalars = custom_scalars(known_ids)
    modes = (Mode.POSITIVE, Mode.NEGATIVE) if arguments_of(name) else (Mode.POSITIVE,)
    return st.one_of(
        from_schema(SCHEMA, fields=[name], custom_scalars=scalars, mode=mode) for mode in modes
    )


def fuzz(
    url: str, token: str | None, strategy: st.SearchStrategy[str], examples: int
) -> list[tuple[str, list[str]]]:
    """Run in a worker thread: the portal answers on the test's event loop meanwhile."""
    failures: list[tuple[str, list[str]]] = []
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(timeout=30, headers=headers) as http:

        @seed(FUZZ_SEED)
        @settings(FUZZ_SETTINGS, max_examples=examples)
        @given(strategy)
        def send(query: str) -> None:
            response = http.post(url, json={"query": query})
            if problems := graphql_problems(response.status_code, response.content):
                failures.append((query, problems))

        send()
    return failures


def summary(failures: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(f"{query}\n  -> {'; '.join(problems)}" for query, problems in failures[:5])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ROOT_FIELDS)
async def test_every_answer_is_coded_and_discreet(
    name: str, role: str, fuzz_portal: Portal, callers: Callers, known: Known
) -> None:
    strategy = operations(name, known.ids)
    work: Callable[[], list[tuple[str, list[str]]]] = lambda: fuzz(  # noqa: E731
        fuzz_portal.graphql_url, callers.tokens[role], strategy, examples_for(name)
    )
    failures = await asyncio.to_thread(work)
    if name in SESSION_ENDING:
        await callers.refresh(role)
    assert not failures, f"{len(failures)} bad answers to {name} as {role}:\n{summary(failures)}"
