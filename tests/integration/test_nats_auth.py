"""NATS as the launcher and compose run it: a client without the token, or with a wrong one,
is refused; the portal's own link, given the token, connects and publishes."""

from __future__ import annotations

from pathlib import Path

import nats
import pytest
from nats.errors import Error as NatsError

from infra.embedded import free_port, start_nats
from shared.messaging import NatsLink

TOKEN = "test-nats-token-0123456789"


async def test_only_a_client_with_the_token_gets_on(tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port, token=TOKEN)
    url = f"nats://127.0.0.1:{port}"
    try:
        for token in (None, "wrong-token"):
            with pytest.raises(NatsError, match="Authorization Violation"):
                await nats.connect(url, token=token, allow_reconnect=False, connect_timeout=2)
        link = NatsLink(url, "auth-test", TOKEN)
        link.start()
        try:
            ack = await (await link.jetstream()).publish("portal.registry.test.v1", b"{}")
            assert ack.seq == 1
        finally:
            await link.close()
    finally:
        server.stop()
