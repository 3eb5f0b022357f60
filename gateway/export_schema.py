"""Write the GraphQL schema to gateway/schema.graphql (a test fails when the two drift)."""

from __future__ import annotations

from pathlib import Path

from gateway.config import GatewaySettings
from gateway.schema import build_schema

SCHEMA_FILE = Path(__file__).parent / "schema.graphql"


def current_sdl() -> str:
    return build_schema(GatewaySettings()).as_str() + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(current_sdl())
    print(f"wrote {SCHEMA_FILE}")
