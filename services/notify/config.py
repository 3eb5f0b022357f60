from __future__ import annotations

from shared.settings import ServiceSettings, load_settings


class NotifySettings(ServiceSettings, kw_only=True, frozen=True):
    port: int = 8004
    # Receipts and reminders can trail a deadline surge by seconds; applicants' submits cannot.
    niceness: int = 10
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:54329/notify"
    # Where people open the portal: every link in a mail starts here (the gateway's public_url).
    public_url: str = "http://127.0.0.1:8000"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Open-call portal <no-reply@portal.localhost>"
    # A failed send is tried again after retry_base_seconds, then twice as long each time.
    retry_base_seconds: float = 10.0
    max_attempts: int = 8
    # How often reminders and digests are looked for.
    scheduler_seconds: float = 30.0


def load() -> NotifySettings:
    return load_settings(NotifySettings, "NOTIFY")
