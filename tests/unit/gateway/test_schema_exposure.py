"""Outside dev the schema tells strangers nothing beyond answers: no introspection, no
"did you mean" suggestions that spell out hidden field names."""

from __future__ import annotations

import pytest

from gateway.config import GatewaySettings
from gateway.schema import build_schema

SECRETS = {"internal_secret": "a-real-internal-secret", "jwt_secret": "a-real-jwt-secret"}


@pytest.mark.parametrize("environment", ["dev", "production"])
async def test_introspection_and_suggestions_only_in_dev(environment: str) -> None:
    schema = build_schema(GatewaySettings(environment=environment, **SECRETS))
    introspection = await schema.execute("{ __schema { queryType { name } } }")
    typo = await schema.execute("{ hubz { code } }")
    assert typo.errors
    suggested = "Did you mean" in typo.errors[0].message
    if environment == "dev":
        assert introspection.errors is None
        assert suggested
    else:
        assert introspection.errors and "introspection" in introspection.errors[0].message.lower()
        assert not suggested
