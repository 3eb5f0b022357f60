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
    # E-mailed links: how long each stays usable.
    confirm_link_days: int = 7
    invitation_link_days: int = 7
    reset_link_minutes: int = 60
    # Sign-in throttling (see gateway/throttle.py): the delay doubles from failure 5 on, the
    # 10th failure locks the address for a while; a client locks after many failures.
    signin_delay_seconds: float = 0.5
    signin_lock_seconds: int | None = None  # 900; 30 in dev mode
    client_lock_failures: int = 100
    # Failures older than this are forgotten (the counter starts again).
    signin_window_seconds: int = 3600
    # Mails (sign-up, reset, resent confirmation) per address and per client per hour.
    mails_per_address_per_hour: int = 5
    mails_per_client_per_hour: int | None = None  # 100; 5000 in dev mode (tests sign up a lot)
    # Peers whose X-Forwarded-For names the client (comma-separated addresses).
    trusted_proxies: str = ""
    max_query_depth: int = 10
    max_query_tokens: int = 3000
    max_query_aliases: int = 30
    # A whole multipart request; each file question sets its own, lower limit.
    max_upload_bytes: int = 600 * 1024 * 1024
    # Any other request's body (a GraphQL operation and its variables): a draft's longest
    # answers fit many times over.
    max_request_bytes: int = 2 * 1024 * 1024

    @property
    def lock_seconds(self) -> int:
        if self.signin_lock_seconds is not None:
            return self.signin_lock_seconds
        return 30 if self.is_dev else 900

    @property
    def client_mails_per_hour(self) -> int:
        if self.mails_per_client_per_hour is not None:
            return self.mails_per_client_per_hour
        return 5000 if self.is_dev else 100

    @property
    def proxies(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())


def load() -> GatewaySettings:
    return load_settings(GatewaySettings, "GATEWAY")
