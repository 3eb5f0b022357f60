from __future__ import annotations

from shared.settings import ServiceSettings, load_settings


class GatewaySettings(ServiceSettings, kw_only=True, frozen=True):
    port: int = 8000
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/gateway"
    registry_url: str = "http://127.0.0.1:8001"
    intake_url: str = "http://127.0.0.1:8002"
    review_url: str = "http://127.0.0.1:8003"
    notify_url: str = "http://127.0.0.1:8004"
    # Where people open the portal: e-mailed links (confirmation, reset, invitation) start here.
    public_url: str = "http://127.0.0.1:8000"
    jwt_secret: str = "dev-access-token-secret-change-me-0123456789"
    access_token_minutes: int = 120
    seed_demo_accounts: bool = False
    # The first programme-team account of a deployment, created at start if it is missing.
    admin_email: str = ""
    admin_password: str = ""
    max_query_depth: int = 10
    max_query_tokens: int = 3000
    max_query_aliases: int = 30
    # A whole multipart request; each file question sets its own, lower limit.
    max_upload_bytes: int = 600 * 1024 * 1024


def load() -> GatewaySettings:
    return load_settings(GatewaySettings, "GATEWAY")
