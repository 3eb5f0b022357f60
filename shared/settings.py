"""Settings: one msgspec Struct per process, filled from environment variables.

A field `database_url` of a Struct loaded with prefix `REGISTRY` is read from
`REGISTRY_DATABASE_URL`, then from `PORTAL_DATABASE_URL`, else the Struct's default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


class SettingsError(ValueError):
    pass


def load_settings(cls: type[S], prefix: str, environ: Mapping[str, str] | None = None) -> S:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name in cls.__struct_fields__:
        for key in (f"{prefix}_{name}".upper(), f"PORTAL_{name}".upper()):
            if key in env:
                values[name] = env[key]
                break
    try:
        # strict=False lets "8001" become an int and "true" a bool.
        return msgspec.convert(values, cls, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"{prefix} settings: {exc}") from exc


class ServiceSettings(msgspec.Struct, kw_only=True, frozen=True):
    """What every service process needs; each service's config extends it."""

    host: str = "127.0.0.1"
    port: int = 8001
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/portal"
    nats_url: str = "nats://127.0.0.1:4222"
    # What NATS asks every client for (its `authorization { token }`); empty: a server
    # without one, as the tests start.
    nats_token: str = ""
    internal_secret: str = "dev-internal-secret-change-me-0123456789"
    environment: str = "dev"
    log_format: str = "text"
    # A commit that writes events wakes its relay at once; the poll finds only what no commit
    # announced (rows left by a crash, another replica's), so it may be slow: each poll is a
    # transaction, and at 0.5 s the five relays' polls were half of an idle portal's CPU.
    outbox_poll_seconds: float = 2.0
    # Slow clients (see shared/serve.py): a request's line and headers must arrive within
    # header_timeout_seconds; a body that sends nothing for body_timeout_seconds, or
    # trickles slower than body_min_rate bytes a second past that, ends in 408.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    body_min_rate: int = 500
    # Open connections plus running requests a process takes on before it answers 503 (a
    # 200-applicant surge keeps a few hundred open), and the queue of connections not yet
    # accepted.
    max_connections: int = 2000
    backlog: int = 2048
    # Added to the process's nice value: background work (mail) yields the CPU to requests.
    niceness: int = 0

    def __post_init__(self) -> None:
        # A forgotten variable must not leave a deployment signing with a published secret.
        if self.is_dev:
            return
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name.endswith("_secret") and isinstance(value, str) and value.startswith("dev-"):
                raise ValueError(f"{name} keeps its development default; set it outside dev")

    @property
    def is_dev(self) -> bool:
        return self.environment == "dev"
