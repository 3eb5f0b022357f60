from tests.fixtures.apps import Portal

CASES = [
    ("POST", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
    ("POST", {"content": b"", "headers": {"content-type": "application/json"}}),
    ("POST", {"content": b"query { hubs { code } }", "headers": {"content-type": "text/plain"}}),
    (
        "POST",
        {"content": b"query { hubs { code } }", "headers": {"content-type": "application/graphql"}},
    ),
    ("POST", {"json": {"query": 5}}),
    ("POST", {"json": {"query": None}}),
    ("POST", {"json": {"query": ["{ hubs { code } }"]}}),
    ("POST", {"json": {}}),
    ("POST", {"json": []}),
    ("POST", {"json": [{"query": "{ hubs { code } }"}]}),
    ("POST", {"json": "x"}),
    ("POST", {"json": {"query": "{ hubs { code } }", "variables": "x"}}),
    ("POST", {"json": {"query": "{ hubs { code } }", "variables": [1]}}),
    ("POST", {"json": {"query": "{ hubs { code } }", "operationName": 5}}),
    ("POST", {"json": {"query": "query A { hubs { code } }", "operationName": "B"}}),
    ("POST", {"json": {"query": "query A { hubs { code } } query B { hubs { code } }"}}),
    ("POST", {"json": {"query": "{ hubs { code } }", "extensions": "x"}}),
    ("POST", {"json": {"query": 'subscription { submissionCount(callId: "x") }'}}),
    ("GET", {"params": {"query": "{ hubs { code } }"}}),
    ("GET", {"params": {"query": "mutation { resendConfirmation { __typename } }"}}),
    ("GET", {"params": {"query": "{ hubs { code } }", "variables": "{not json"}}),
    ("GET", {"params": {"variables": "{}"}}),
    ("GET", {"headers": {"accept": "text/html"}}),
    ("PUT", {"json": {"query": "{ hubs { code } }"}}),
    ("DELETE", {}),
    (
        "POST",
        {
            "content": b"--x\r\n",
            "headers": {"content-type": "multipart/form-data; boundary=x", "x-portal-upload": "1"},
        },
    ),
    (
        "POST",
        {"content": b"--x\r\n", "headers": {"content-type": "multipart/form-data; boundary=x"}},
    ),
    (
        "POST",
        {"json": {"query": "{ hubs { code } }"}, "headers": {"authorization": "Bearer garbage"}},
    ),
    ("POST", {"json": {"query": "{ hubs { code } }"}, "headers": {"authorization": "Basic abc"}}),
    ("POST", {"json": {"query": "{" * 5000}}),
    ("POST", {"json": {"query": "{ __schema { types { name } } }"}}),
]


async def test_probe(fuzz_portal: Portal) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        for method, kwargs in CASES:
            r = await http.request(method, fuzz_portal.graphql_url, **kwargs)
            print(method, kwargs, "->", r.status_code, r.text[:300])
