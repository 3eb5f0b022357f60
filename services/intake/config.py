from __future__ import annotations

from shared.settings import ServiceSettings, load_settings

MB = 1024 * 1024
# The upload route's own body limit (each file question sets a lower one); the default
# 10 MB limit stays on every other route.
MAX_UPLOAD_BYTES = 600 * MB


class IntakeSettings(ServiceSettings, kw_only=True, frozen=True):
    port: int = 8002
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/intake"
    # Where browsers reach intake, for the filesystem store's signed download links.
    public_url: str = "http://127.0.0.1:8002"
    store_backend: str = "filesystem"
    store_dir: str = "data/objects"
    link_secret: str = "dev-download-link-secret-change-me-0123456789"
    minio_endpoint: str = "127.0.0.1:9000"
    minio_access_key: str = "minioadmin"
    minio_secret_key: str = "minioadmin"
    minio_bucket: str = "portal-attachments"
    minio_secure: bool = False
    # Where browsers reach MinIO, when it differs from minio_endpoint (compose: localhost:9000).
    minio_public_endpoint: str = ""
    download_link_seconds: int = 300


def load() -> IntakeSettings:
    return load_settings(IntakeSettings, "INTAKE")
