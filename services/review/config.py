from __future__ import annotations

from shared.settings import ServiceSettings, load_settings


class ReviewSettings(ServiceSettings, kw_only=True, frozen=True):
    port: int = 8003
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/review"


def load() -> ReviewSettings:
    return load_settings(ReviewSettings, "REVIEW")
