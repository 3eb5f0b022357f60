"""The gateway's per-request GraphQL work for the pages' own operations: parsing and
validating each text every time (the baseline, what the gateway did before) against finding
it in the document cache (gateway/schema/documents.py), CPU time per operation.

    uv run python -m bench.graphql_documents [--rounds 200]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

from graphql import parse
from graphql.validation import specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.schema import validate_document

from gateway.config import GatewaySettings
from gateway.schema import build_schema
from gateway.schema.documents import DocumentCache

PAGES = Path(__file__).resolve().parents[1] / "gateway" / "web" / "js"
# A template literal holding an operation, without `${...}` interpolations.
OPERATION = re.compile(r"`\s*((?:query|mutation|subscription)\b(?:[^`$]|\$(?!\{))*)`")


def page_operations() -> list[str]:
    """Every operation text the pages send (template literals without interpolation; what
    does not parse and validate is some other template)."""
    found = {
        m.group(1) for path in PAGES.rglob("*.js") for m in OPERATION.finditer(path.read_text())
    }
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    settings = GatewaySettings(environment="production", internal_secret="bench-internal-secret",
                               jwt_secret="bench-jwt-secret")  # fmt: skip
    schema = build_schema(settings)._schema
    cache = DocumentCache(max_tokens=settings.max_query_tokens)
    rules = (
        *specified_rules,
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules,
    )
    operations = [
        q for q in page_operations() if cache.parsed(q) and not cache.errors(schema, q, rules)
    ]
    raw, cached = [], []
    for query in operations:
        start = time.process_time()
        for _ in range(args.rounds):
            validate_document(schema, parse(query, max_tokens=settings.max_query_tokens), rules)
        raw.append((time.process_time() - start) / args.rounds * 1000)
        cache.errors(schema, query, rules)
        start = time.process_time()
        for _ in range(args.rounds * 10):
            cache.parsed(query)
            cache.errors(schema, query, rules)
        cached.append((time.process_time() - start) / (args.rounds * 10) * 1000)
    print(f"{len(operations)} page operations, {args.rounds} rounds each")
    print(f"parse + validate every time (baseline): median {statistics.median(raw):.2f} ms, "
          f"max {max(raw):.2f} ms of CPU per request")  # fmt: skip
    print(f"document cache: median {statistics.median(cached) * 1000:.1f} us, "
          f"max {max(cached) * 1000:.1f} us; ratio {statistics.median(raw) / statistics.median(cached):.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
