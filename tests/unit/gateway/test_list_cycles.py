"""A list asked for again inside itself is refused before anything runs (a probe's anonymous
`hub { missions { hub { missions …` held the gateway for minutes and grew it past 9 GB);
what the pages ask for passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import DocumentNode, GraphQLSyntaxError, parse, validate

from gateway.config import GatewaySettings
from gateway.schema import build_schema
from gateway.schema.cycles import NoListInsideItself

SECRETS = {"internal_secret": "a-real-internal-secret", "jwt_secret": "a-real-jwt-secret"}
SCHEMA = build_schema(GatewaySettings(environment="production", **SECRETS))._schema
PAGES = Path(__file__).resolve().parents[3] / "gateway" / "web" / "js"


def refusals(query: str) -> list[str]:
    return [e.message for e in validate(SCHEMA, parse(query), [NoListInsideItself])]


@pytest.mark.parametrize(
    "query",
    [
        '{ hub(code: "NL") { missions { hub { missions { id } } } } }',
        "{ hubs { missions { hub { missions { id } } } } }",
        # Hidden in fragments, named or inline.
        "{ hubs { ...M } } fragment M on Hub { missions { hub { ...H } } }"
        " fragment H on Hub { missions { id } }",
        "{ hubs { missions { hub { ... on Hub { missions { id } } } } } }",
    ],
)
def test_a_list_inside_itself_is_refused(query: str) -> None:
    [message] = refusals(query)
    assert message.startswith("Hub.missions is asked for again inside itself")


def test_lists_inside_other_lists_pass() -> None:
    assert refusals("{ hubs { missions { id challenges { id } hub { code } } } }") == []


async def test_the_refusal_is_a_coded_validation_error_and_runs_nothing() -> None:
    schema = build_schema(GatewaySettings(environment="production", **SECRETS))
    result = await schema.execute("{ hubs { missions { hub { missions { id } } } } }")
    assert result.data is None and result.errors
    assert result.errors[0].extensions == {"code": "graphql_validation_failed"}


def page_documents() -> list[DocumentNode]:
    """The GraphQL texts written whole in the pages' modules (those built from pieces are
    left out)."""
    found = []
    for module in PAGES.rglob("*.js"):
        for text in re.findall(
            r"[`\"]((?:query|mutation|subscription|\{)[^`\"$]*)[`\"]", module.read_text()
        ):
            try:
                found.append(parse(text))
            except GraphQLSyntaxError:
                continue  # a template or a sentence, not a document
    return found


def test_no_page_asks_for_a_list_inside_itself() -> None:
    documents = page_documents()
    assert len(documents) > 10
    for document in documents:
        assert validate(SCHEMA, document, [NoListInsideItself]) == []
