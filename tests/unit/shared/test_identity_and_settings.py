"""The internal identity token and the settings loader."""

from __future__ import annotations

import pytest

from shared.errors import Forbidden, NotAuthenticated
from shared.identity import ANONYMOUS, Identity, Role, sign_identity, verify_identity
from shared.settings import ServiceSettings, SettingsError, load_settings

SECRET = "internal-unit-secret-0123456789abcdef"


def test_identity_round_trips_including_anonymous() -> None:
    manager = Identity(role=Role.HUB_MANAGER, account_id="m-1", hub="PT", email="m@example.org")
    for identity in (manager, ANONYMOUS):
        assert verify_identity(sign_identity(identity, SECRET), SECRET) == identity


def test_identity_tokens_expire_and_need_the_key() -> None:
    with pytest.raises(NotAuthenticated):
        verify_identity(sign_identity(ANONYMOUS, SECRET, ttl_seconds=-1), SECRET)
    with pytest.raises(NotAuthenticated):
        verify_identity(sign_identity(ANONYMOUS, "some-other-secret-0123456789abcd"), SECRET)
    with pytest.raises(NotAuthenticated):
        verify_identity("garbage", SECRET)


def test_hub_rules() -> None:
    manager = Identity(role=Role.HUB_MANAGER, account_id="m", hub="PT")
    manager.require_hub("PT")
    with pytest.raises(Forbidden):
        manager.require_hub("NL")
    Identity(role=Role.ADMIN, account_id="a").require_hub("NL")
    with pytest.raises(Forbidden):
        Identity(role=Role.APPLICANT, account_id="p").require_hub("NL")
    with pytest.raises(NotAuthenticated):
        ANONYMOUS.require_hub("NL")


def test_settings_read_prefixed_then_portal_wide_variables() -> None:
    env = {"REGISTRY_PORT": "9100", "PORTAL_NATS_URL": "nats://elsewhere:4222",
           "PORTAL_PORT": "1", "REGISTRY_ENVIRONMENT": "production",
           "PORTAL_INTERNAL_SECRET": "a-real-one"}  # fmt: skip
    settings = load_settings(ServiceSettings, "REGISTRY", env)
    assert settings.port == 9100
    assert settings.nats_url == "nats://elsewhere:4222"
    assert settings.is_dev is False
    assert load_settings(ServiceSettings, "X", {}).host == "127.0.0.1"


def test_outside_dev_a_development_secret_is_refused() -> None:
    production = {"PORTAL_ENVIRONMENT": "production"}
    with pytest.raises(SettingsError, match="internal_secret"):
        load_settings(ServiceSettings, "REGISTRY", production)
    # In dev the defaults are what makes `make dev` work out of the box.
    assert load_settings(ServiceSettings, "REGISTRY", {}).internal_secret.startswith("dev-")


def test_bad_settings_say_which() -> None:
    with pytest.raises(SettingsError, match="port"):
        load_settings(ServiceSettings, "REGISTRY", {"REGISTRY_PORT": "eighty"})
