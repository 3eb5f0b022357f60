"""A GraphQL text is parsed and validated once; the limits and refusals stay the same on every
request that sends it again."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.schema import build_schema
from gateway.schema.documents import DocumentCache

SECRETS = {"internal_secret": "a-real-internal-secret", "jwt_secret": "a-real-jwt-secret"}
HUBS = "{ hubs { code } }"


def test_a_text_is_parsed_once_and_a_broken_one_is_not_kept() -> None:
    cache = DocumentCache(max_tokens=1000)
    first = cache.parsed(HUBS)
    assert first is not None
    assert cache.parsed(HUBS) is first
    assert cache.parsed("{ hubs { code }") is None  # Strawberry's own parse answers it
    assert cache.parsed.cache_info().currsize == 2
    assert cache.parsed("{ " * 2000 + "}" * 2000) is None  # over the token limit


def test_the_cache_is_bounded() -> None:
    cache = DocumentCache(max_tokens=1000, kept=2)
    for n in range(5):
        cache.parsed(f"{{ hubs {{ code }} a{n}: countries {{ code }} }}")
    assert cache.parsed.cache_info().currsize == 2


async def twice(query: str, environment: str = "production") -> list[Any]:
    schema = build_schema(GatewaySettings(environment=environment, **SECRETS))
    return [await schema.execute(query) for _ in range(2)]


def codes_and_messages(result: Any) -> list[tuple[str, str]]:
    assert result.errors
    return [((e.extensions or {}).get("code"), e.message) for e in result.errors]


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ("{ hubz { code } }", "graphql_validation_failed", "Cannot query field 'hubz'"),
        ("{ hubs { code }", "graphql_parse_failed", "Syntax Error"),
        ("{ __schema { queryType { name } } }", "graphql_validation_failed", "introspection"),
        ("{ " + " ".join(f"a{n}: hubs {{ code }}" for n in range(35)) + " }",
         "graphql_validation_failed", "aliases"),
    ],
)  # fmt: skip
async def test_a_refused_text_is_refused_again_the_same_way(
    query: str, code: str, words: str
) -> None:
    first, second = await twice(query)
    assert codes_and_messages(first) == codes_and_messages(second)
    assert first.data is None and second.data is None
    found_code, message = codes_and_messages(second)[0]
    assert found_code == code
    assert words.lower() in message.lower()


async def test_the_depth_limit_holds_for_a_text_sent_again() -> None:
    settings = GatewaySettings(environment="production", **SECRETS)
    nested = "{ calls { " + "challenges { mission { " * settings.max_query_depth + "title"
    nested += " } }" * settings.max_query_depth + " } }"
    first, second = await twice(nested)
    for result in (first, second):
        found = codes_and_messages(result)  # its lists inside themselves are refused too
        assert {code for code, _ in found} == {"graphql_validation_failed"}
        assert any("exceeds maximum operation depth" in message for _, message in found)


async def test_a_name_asked_for_too_often_is_refused_before_the_rules_compare_each_pair() -> None:
    """Found probing: 700 `me { id }` (under the token limit) kept the gateway's core busy
    1.5 s each, as GraphQL's overlap rule compared every pair; ten at once stalled it 15 s."""
    repeated = "{" + " me { id }" * 700 + "}"
    through_fragments = "{ ...A ...B } " + "".join(
        f"fragment {name} on Query {{{' me { id }' * 21}}} " for name in "AB"
    )
    for query in (repeated, through_fragments):
        first, second = await twice(query)
        assert codes_and_messages(first) == codes_and_messages(second)
        ((code, message),) = codes_and_messages(first)
        assert code == "graphql_validation_failed"
        times = query.count("me {")
        assert message == (
            f"'me' is asked for {times} times; a document may ask for one name at most 40 times."
        )
    # Forty pass validation and run (here with no context to run in: an error of the field).
    (fine, _) = await twice("{" + " me { id }" * 40 + " }")
    assert fine.data == {"me": None} and [e.path for e in fine.errors or []] == [["me"]]


@pytest.mark.parametrize("field", ["signUp", "signIn"])
async def test_a_password_mutation_is_asked_for_once_a_document(field: str) -> None:
    """Found probing: 30 aliased signUps a request made accounts (each one argon2) by the
    hundred, with nothing counting them but the 5 mails an address may get an hour."""
    arguments = {
        "signUp": '(input: {email: "a@b.org", password: "p", displayName: "n"})',
        "signIn": '(email: "a@b.org", password: "p")',
    }[field]
    aliased = (
        "mutation {"
        + "".join(f" a{i}: {field}{arguments} {{ __typename }}" for i in range(2))
        + " }"
    )
    through_fragments = "mutation { ...A ...B } " + " ".join(
        f"fragment {n} on Mutation {{ {field}{arguments} {{ __typename }} }}" for n in "AB"
    )
    for query in (aliased, through_fragments):
        (refused, _) = await twice(query)
        assert codes_and_messages(refused) == [
            (
                "graphql_validation_failed",
                f"'{field}' is asked for 2 times; a document may ask for it once.",
            )
        ]
