"""Requests to the GraphQL endpoint that are no GraphQL request, or a wrong one: each must be
a 4xx with a coded error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HUBS = "{ hubs { code } }"
JSON = {"content-type": "application/json"}


@dataclass(frozen=True)
class BadRequest:
    name: str
    method: str = "POST"
    options: dict[str, Any] = field(default_factory=dict)


BAD_REQUESTS = [
    BadRequest("body not JSON", options={"content": b"{not json", "headers": JSON}),
    BadRequest("empty body", options={"content": b"", "headers": JSON}),
    BadRequest("body a JSON string", options={"json": "x"}),
    BadRequest("body a JSON number", options={"json": 5}),
    BadRequest("batch", options={"json": [{"query": HUBS}]}),
    BadRequest("text/plain", options={"content": HUBS.encode(), "headers": {"content-type": "text/plain"}}),
    BadRequest("query a number", options={"json": {"query": 5}}),
    BadRequest("query a list", options={"json": {"query": [HUBS]}}),
    BadRequest("query missing", options={"json": {}}),
    BadRequest("query empty", options={"json": {"query": ""}}),
    BadRequest("query not GraphQL", options={"json": {"query": "{" * 3000}}),
    BadRequest("variables a string", options={"json": {"query": HUBS, "variables": "x"}}),
    BadRequest("extensions a string", options={"json": {"query": HUBS, "extensions": "x"}}),
    BadRequest("operationName a number", options={"json": {"query": HUBS, "operationName": 5}}),
    BadRequest("unknown operationName", options={"json": {"query": f"query A {HUBS}", "operationName": "B"}}),
    BadRequest("subscription by POST", options={"json": {"query": 'subscription { submissionCount(callId: "x") }'}}),
    BadRequest("query by GET", "GET", {"params": {"query": HUBS}}),
    BadRequest("mutation by GET", "GET", {"params": {"query": "mutation { resendConfirmation { __typename } }"}}),
    BadRequest("GET, variables not JSON", "GET", {"params": {"query": HUBS, "variables": "{x"}}),
    BadRequest("PUT", "PUT", {"json": {"query": HUBS}}),
    BadRequest("a 5,000-digit integer literal", options={"json": {"query": "{ myNotifications(first: " + "9" * 5000 + ") { id } }"}}),
    BadRequest("a 5,000-digit integer variable", options={"content": b'{"query": "query($n: Int!) { myNotifications(first: $n) { id } }", "variables": {"n": ' + b"9" * 5000 + b"}}", "headers": JSON}),
]  # fmt: skip
