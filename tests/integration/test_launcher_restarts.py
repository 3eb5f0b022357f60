"""`make dev` heals the portal: a killed service is started again and serves; one that keeps
crashing stops the portal with a message naming it and its log, and nothing is left running."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.test_intake_graphql import DEMO_CALL, PDF, VALID_DRAFT
from tests.integration.test_stack import Launcher, free_stack_ports, port_is_closed

# Short pauses and few restarts keep the test quick; the defaults are 1 s doubling, 5 restarts.
RESTARTS = {"PORTAL_RESTART_DELAY_SECONDS": "0.2", "PORTAL_RESTART_LIMIT": "3"}
SUBMIT = """mutation($id: ID!, $k: String!) { submitApplication(id: $id, idempotencyKey: $k) {
  __typename ... on SubmissionReceipt { receipt { number } } ... on Error { message } } }"""


def wait_until_ready(launcher: Launcher, name: str, within: float = 60) -> None:
    url = f"http://127.0.0.1:{launcher.ports[name]}/health/ready"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{name} did not come back:\n" + "".join(launcher.output[-40:]))


def an_applicant_submits(launcher: Launcher) -> str:
    """The demo applicant's whole way through the apply page's calls; the receipt number."""
    token = launcher.sign_in("applicant@demo.portal")
    started = launcher.graphql(
        "mutation($c: ID!) { startApplication(callId: $c) { ... on Application { id } } }",
        {"c": DEMO_CALL}, token,
    )  # fmt: skip
    app_id = started["startApplication"]["id"]
    saved = launcher.graphql(
        "mutation($id: ID!, $i: ApplicationInput!) { saveApplication(id: $id, input: $i)"
        " { __typename } }",
        {"id": app_id, "i": VALID_DRAFT}, token,
    )  # fmt: skip
    assert saved["saveApplication"]["__typename"] == "Application", saved
    launcher.upload(
        "mutation($a: ID!, $f: Upload!) { uploadAttachment(applicationId: $a,"
        ' questionKey: "pitch_deck", file: $f) { __typename } }',
        {"a": app_id}, PDF, token,
    )  # fmt: skip
    result = launcher.graphql(SUBMIT, {"id": app_id, "k": "after-the-restart"}, token)
    assert result["submitApplication"]["__typename"] == "SubmissionReceipt", result
    return str(result["submitApplication"]["receipt"]["number"])


def take_port(port: int, within: float = 30) -> socket.socket:
    """Another program listening on `port`, as soon as the killed one has let go of it."""
    deadline = time.monotonic() + within
    while True:
        sock = socket.socket()
        # As servers do: the killed one's closed connections (TIME_WAIT) do not block it.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_killed_service_comes_back_and_one_that_keeps_crashing_stops_the_portal(
    tmp_path: Path,
) -> None:
    stack_ports = free_stack_ports()
    launcher = Launcher(tmp_path / "data", stack_ports, RESTARTS)
    log = tmp_path / "data" / "logs" / "intake.log"
    squatter: socket.socket | None = None
    try:
        launcher.wait_for_banner()
        killed = launcher.kill("intake")
        launcher.wait_for_line(
            f"intake was killed by SIGKILL; restarting in 0.2 s (restart 1 of 3), log: {log}"
        )
        wait_until_ready(launcher, "intake")
        assert launcher.pid_of("intake") != killed
        assert an_applicant_submits(launcher).startswith("OC-")

        # Now intake can only crash (uvicorn exits with 3): another program took its port.
        launcher.kill("intake")
        squatter = take_port(stack_ports["intake"])
        launcher.wait_for_line("intake was killed by SIGKILL; restarting in 0.4 s (restart 2 of 3)")
        launcher.wait_for_line("intake exited with code 3; restarting in 0.8 s (restart 3 of 3)")
        launcher.wait_for_line(
            f"intake exited with code 3 again after 3 restarts; stopping the portal. Its log: {log}"
        )
        assert launcher.popen.wait(60) == 1
    finally:
        if launcher.popen.poll() is None:
            launcher.interrupt()
        if squatter is not None:
            squatter.close()
    assert "address already in use" in log.read_text().lower()
    assert all(port_is_closed(port) for port in stack_ports.values()), "a process outlived it"
