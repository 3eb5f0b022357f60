from __future__ import annotations

from shared.settings import ServiceSettings, load_settings


class IntakeSettings(ServiceSettings, kw_only=True, frozen=True):
    port: int = 8002
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/intake"


def load() -> IntakeSettings:
    return load_settings(IntakeSettings, "INTAKE")
