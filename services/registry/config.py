from __future__ import annotations

from shared.settings import ServiceSettings, load_settings


class RegistrySettings(ServiceSettings, kw_only=True, frozen=True):
    port: int = 8001
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/registry"
    scheduler_seconds: float = 1.0
    seed_demo_call: bool = False


def load() -> RegistrySettings:
    return load_settings(RegistrySettings, "REGISTRY")
