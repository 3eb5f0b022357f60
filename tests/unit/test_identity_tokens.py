"""Internal identity tokens live at most 60 s and are accepted once."""

from __future__ import annotations

import time

import jwt
import pytest

from shared.errors import NotAuthenticated, ServiceUnavailable
from shared.identity import (
    ANONYMOUS,
    Identity,
    Role,
    SeenTokens,
    sign_identity,
    verify_identity,
)

SECRET = "internal-unit-secret-0123456789abcdef"
APPLICANT = Identity(role=Role.APPLICANT, account_id="a-1", email="a@example.org")


def forged(lifetime: int, **extra: object) -> str:
    """A correctly signed token as a leaked secret would allow, with a lifetime of choice."""
    now = int(time.time())
    claims = {
        "iss": "portal-gateway", "aud": "portal-services", "iat": now, "exp": now + lifetime,
        "role": "admin", "sub": "x", "jti": "forged-1", **extra,
    }  # fmt: skip
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_a_fresh_token_is_accepted_once() -> None:
    seen = SeenTokens()
    token = sign_identity(APPLICANT, SECRET)
    assert verify_identity(token, SECRET, seen) == APPLICANT
    with pytest.raises(NotAuthenticated, match="used before"):
        verify_identity(token, SECRET, seen)
    # Each signing is a new token.
    assert verify_identity(sign_identity(APPLICANT, SECRET), SECRET, seen) == APPLICANT


def test_a_long_lived_token_is_refused_however_well_signed() -> None:
    with pytest.raises(NotAuthenticated):
        verify_identity(forged(365 * 24 * 3600), SECRET, SeenTokens())
    with pytest.raises(NotAuthenticated):
        verify_identity(sign_identity(ANONYMOUS, SECRET, ttl_seconds=63), SECRET, SeenTokens())
    # The intended lifetime, and the clock skew allowed on top of it, pass.
    assert verify_identity(forged(62), SECRET, SeenTokens()).role is Role.ADMIN


def test_expired_and_jti_less_tokens_are_refused() -> None:
    with pytest.raises(NotAuthenticated):
        verify_identity(sign_identity(ANONYMOUS, SECRET, ttl_seconds=-5), SECRET, SeenTokens())
    now = int(time.time())
    without_jti = jwt.encode(
        {"iss": "portal-gateway", "aud": "portal-services", "iat": now, "exp": now + 30,
         "role": "admin"}, SECRET, algorithm="HS256",
    )  # fmt: skip
    with pytest.raises(NotAuthenticated):
        verify_identity(without_jti, SECRET, SeenTokens())
    with pytest.raises(NotAuthenticated):
        verify_identity(forged(30, jti=12345), SECRET, SeenTokens())


def test_seen_tokens_forget_expired_ones_and_stay_bounded() -> None:
    seen = SeenTokens(capacity=2)
    assert seen.first_use("a", expires=100, now=90)
    assert not seen.first_use("a", expires=100, now=95)
    assert seen.first_use("b", expires=110, now=95)
    with pytest.raises(ServiceUnavailable):
        seen.first_use("c", expires=110, now=96)
    # Past its expiry (and the skew), "a" is forgotten: room for a new one.
    assert seen.first_use("c", expires=120, now=103)
    assert len(seen) == 2


def test_a_token_issued_in_the_future_is_refused_beyond_the_skew() -> None:
    ahead = int(time.time()) + 30
    token = jwt.encode(
        {"iss": "portal-gateway", "aud": "portal-services", "iat": ahead, "exp": ahead + 60,
         "role": "admin", "jti": "ahead"}, SECRET, algorithm="HS256",
    )  # fmt: skip
    with pytest.raises(NotAuthenticated):
        verify_identity(token, SECRET, SeenTokens())
