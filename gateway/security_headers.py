"""What every answer of the gateway tells the browser: no sniffing a type, no framing (the
team's "publish results" must not be clickjacked), no referrer; and for the pages a policy
that runs only this origin's scripts, so an injected one could not read the sign-in token
the pages keep."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

PAGES_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    # The team's mail page shows a mail's own HTML in a sandboxed srcdoc iframe, which
    # inherits this policy; a mail's styles are inline.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",  # the two-factor QR code is a data: URL
    "connect-src 'self'",  # GraphQL over fetch and its WebSocket
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))  # fmt: skip
# GraphiQL (development only) loads its scripts from a CDN: /graphql keeps only the framing rule.
GRAPHQL_POLICY = "frame-ancestors 'none'"
EVERY_ANSWER = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar's before-send hook: it sees every answer, errors and 404s included."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in EVERY_ANSWER.items():
        headers[name] = value
    graphql = scope["path"].startswith("/graphql")
    headers["content-security-policy"] = GRAPHQL_POLICY if graphql else PAGES_POLICY
