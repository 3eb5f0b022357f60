"""The committed GraphQL SDL and OpenAPI documents match the code (run `make schema`)."""

from gateway.export_schema import SCHEMA_FILE, current_openapi, current_sdl


def test_graphql_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == current_sdl(), "run `make schema` and commit the result"


def test_openapi_files_match_the_code() -> None:
    for path, text in current_openapi().items():
        assert path.read_text() == text, f"{path.name} drifted: run `make schema`"
