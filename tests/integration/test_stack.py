"""`make dev`'s launcher as a user runs it: it starts, serves GraphQL, stops on Ctrl-C leaving
no process behind, and a second start finds the data of the first."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from gateway.auth import DEMO_PASSWORD
from infra.embedded import free_port
from infra.mail import read_maildir
from tests.integration.test_intake_graphql import DEMO_CALL, PDF

BANNER_END = "Press Ctrl-C to stop."


class Launcher:
    def __init__(
        self, data_dir: Path, ports: dict[str, int], extra_env: dict[str, str] | None = None
    ) -> None:
        env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), **(extra_env or {})}
        env.update({f"PORTAL_{name.upper()}_PORT": str(port) for name, port in ports.items()})
        self.ports = ports
        self.data_dir = data_dir
        self.mail_dir = data_dir / "mail"
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "infra.stack"], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for_banner(self, timeout: float = 120) -> None:
        self.wait_for_line(BANNER_END, timeout, "the portal did not start")

    def wait_for_line(self, text: str, timeout: float = 60, failure: str = "") -> str:
        """The next line of the launcher's output that contains `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
                if text in line:
                    return line
            except queue.Empty:
                if self.popen.poll() is not None:
                    break
        pytest.fail(f"{failure or repr(text) + ' never came'}:\n" + "".join(self.output[-60:]))

    def pid_of(self, name: str) -> int:
        """The launcher's child that listens on `name`'s port."""
        for child in psutil.Process(self.popen.pid).children():
            for connection in child.net_connections("tcp"):
                if (
                    connection.status == psutil.CONN_LISTEN
                    and connection.laddr.port == self.ports[name]
                ):
                    return int(child.pid)
        raise AssertionError(f"no process of the launcher listens on {name}'s port")

    def kill(self, name: str) -> int:
        """SIGKILL to `name`'s process, once it is gone; its pid."""
        pid = self.pid_of(name)
        process = psutil.Process(pid)
        process.kill()
        process.wait(30)
        return pid

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C as `make dev` gets it: twice at once, from the terminal and from `uv run`."""
        self.popen.send_signal(signal.SIGINT)
        self.popen.send_signal(signal.SIGINT)
        return self.popen.wait(timeout)

    def graphql(
        self, query: str, variables: dict[str, object] | None = None, token: str | None = None
    ) -> dict:  # type: ignore[type-arg]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            f"http://127.0.0.1:{self.ports['gateway']}/graphql",
            json={"query": query, "variables": variables or {}}, headers=headers, timeout=30,
        )  # fmt: skip
        body = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def upload(self, query: str, variables: dict[str, object], content: bytes, token: str) -> dict:  # type: ignore[type-arg]
        response = httpx.post(
            f"http://127.0.0.1:{self.ports['gateway']}/graphql",
            data={"operations": json.dumps({"query": query, "variables": {**variables, "f": None}}),
                  "map": json.dumps({"0": ["variables.f"]})},
            files={"0": ("deck.pdf", content, "application/pdf")},
            headers={"Authorization": f"Bearer {token}", "X-Portal-Upload": "1"}, timeout=30,
        )  # fmt: skip
        body = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    @property
    def nats_token(self) -> str:
        """The token the launcher made for NATS, kept with its other secrets."""
        return str(json.loads((self.data_dir / "secrets.json").read_text())["nats_token"])

    def sign_in(self, email: str) -> str:
        signed_in = self.graphql(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) {"
            " ... on AuthPayload { token } } }",
            {"e": email, "p": DEMO_PASSWORD},
        )
        return str(signed_in["signIn"]["token"])


def nats_greeting(port: int) -> dict[str, object]:
    """What NATS tells a client before it says anything (its INFO line)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        line = sock.makefile("rb").readline()
    info: dict[str, object] = json.loads(line.removeprefix(b"INFO "))
    return info


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def free_stack_ports() -> dict[str, int]:
    """A free port for each part the launcher starts."""
    names = ("gateway", "registry", "intake", "review", "notify", "smtp", "postgres", "nats")
    return {name: free_port() for name in names}


@pytest.fixture
def stack_ports() -> Iterator[dict[str, int]]:
    yield free_stack_ports()


def test_start_stop_and_restart_keep_the_data(tmp_path: Path, stack_ports: dict[str, int]) -> None:
    first = Launcher(tmp_path / "data", stack_ports)
    try:
        first.wait_for_banner()
        banner = "".join(first.output)
        assert f"http://127.0.0.1:{stack_ports['gateway']}/graphql" in banner
        assert "admin@demo.portal" in banner and "applicant@demo.portal" in banner
        hubs = first.graphql("{ hubs { code } calls(status: OPEN) { title } }")
        assert len(hubs["hubs"]) == 7
        assert [c["title"] for c in hubs["calls"]] == ["Circular Futures Open Call 2027"]
        # The bus carries sign-in links: a local process without the token is not let on.
        assert nats_greeting(stack_ports["nats"])["auth_required"] is True
        # Mail is background work: notify yields the cores to the services that answer.
        niceness = {name: psutil.Process(first.pid_of(name)).nice()
                    for name in ("gateway", "intake", "review", "notify")}  # fmt: skip
        base = psutil.Process().nice()
        assert niceness == {"gateway": base, "intake": base, "review": base, "notify": base + 10}
        token = first.sign_in("admin@demo.portal")
        # A file goes up and comes back through a link that names intake's own port.
        applicant = first.sign_in("applicant@demo.portal")
        started = first.graphql(
            "mutation($c: ID!) { startApplication(callId: $c) { ... on Application { id } } }",
            {"c": DEMO_CALL}, applicant,
        )  # fmt: skip
        uploaded = first.upload(
            "mutation($a: ID!, $f: Upload!) { uploadAttachment(applicationId: $a,"
            ' questionKey: "pitch_deck", file: $f) { ... on Attachment { downloadUrl } } }',
            {"a": started["startApplication"]["id"]}, PDF, applicant,
        )  # fmt: skip
        link = uploaded["uploadAttachment"]["downloadUrl"]
        assert link.startswith(f"http://127.0.0.1:{stack_ports['intake']}/"), link
        assert httpx.get(link, timeout=30).content == PDF
        # The demo evaluator gets a review profile as soon as review is up.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pool = first.graphql("{ evaluators { email active } }", token=token)["evaluators"]
            if {"email": "evaluator@demo.portal", "active": True} in pool:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the demo evaluator never got a review profile")
        created = first.graphql(
            'mutation { createMission(input: {hub: "TR", title: "Kept across restarts",'
            ' valueChains: ["textiles"]}) { ... on Mission { id } } }',
            token=token,
        )
        assert created["createMission"]["id"]
        # Mail leaves over SMTP into the data folder's Maildir, where anyone can read it.
        first.graphql(
            "mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }",
            {"i": {"email": "new@stack.test", "password": "a-long-password", "displayName": "New"}},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            delivered = [m for m in read_maildir(tmp_path / "data" / "mail")
                         if m["To"] == "new@stack.test"]  # fmt: skip
            if delivered:
                break
            time.sleep(0.2)
        else:
            pytest.fail("no confirmation mail reached data/mail")
        assert "#/confirm/" in delivered[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    finally:
        code = first.interrupt()
    assert code == 0, "".join(first.output[-40:])
    assert all(port_is_closed(port) for port in stack_ports.values()), "a process outlived Ctrl-C"

    second = Launcher(tmp_path / "data", stack_ports)
    try:
        second.wait_for_banner()
        missions = second.graphql('{ missions(hub: "TR") { title } calls { title } }')
        assert {"title": "Kept across restarts"} in missions["missions"]
        # The demo call is seeded once, not again on every start.
        assert [c["title"] for c in missions["calls"]] == ["Circular Futures Open Call 2027"]
        second.sign_in("admin@demo.portal")
    finally:
        assert second.interrupt() == 0
