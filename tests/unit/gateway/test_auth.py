"""Access tokens and account rules: pinned algorithm, expiry, tampering, field errors."""

from __future__ import annotations

import time

import jwt
import pytest

from gateway.accounts.rules import password_errors, person_errors
from gateway.auth import claims_from_header, issue_access_token
from shared.errors import NotAuthenticated
from shared.identity import Identity, Role

SECRET = "unit-test-secret-0123456789abcdef-xyz"
ADMIN = Identity(role=Role.ADMIN, account_id="a-1", email="a@example.org")


def test_a_token_round_trips_to_the_same_identity() -> None:
    token = issue_access_token(ADMIN, SECRET, minutes=5)
    claims = claims_from_header(f"Bearer {token}", SECRET)
    assert claims is not None and claims.identity == ADMIN


def test_no_header_is_anonymous() -> None:
    assert claims_from_header(None, SECRET) is None


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Basic dXNlcjpwYXNz"])
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(NotAuthenticated):
        claims_from_header(header, SECRET)


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = issue_access_token(ADMIN, "another-secret-0123456789abcdef-xyz", minutes=5)
    with pytest.raises(NotAuthenticated):
        claims_from_header(f"Bearer {token}", SECRET)


def test_the_none_algorithm_is_refused() -> None:
    claims = {"sub": "a-1", "role": "admin", "iat": int(time.time()), "exp": int(time.time()) + 60,
              "iss": "open-call-portal", "aud": "portal-users"}  # fmt: skip
    token = jwt.encode(claims, key=None, algorithm="none")
    with pytest.raises(NotAuthenticated):
        claims_from_header(f"Bearer {token}", SECRET)


def test_an_expired_token_is_refused() -> None:
    token = issue_access_token(ADMIN, SECRET, minutes=-1)
    with pytest.raises(NotAuthenticated, match="expired"):
        claims_from_header(f"Bearer {token}", SECRET)


def test_a_tampered_role_is_refused() -> None:
    token = issue_access_token(Identity(role=Role.APPLICANT, account_id="x"), SECRET, minutes=5)
    header, _payload, signature = token.split(".")
    forged_claims = jwt.decode(token, options={"verify_signature": False})
    forged_claims["role"] = "admin"
    forged = jwt.encode(forged_claims, "a-guessed-secret-" * 2, algorithm="HS256").split(".")[1]
    with pytest.raises(NotAuthenticated):
        claims_from_header(f"Bearer {header}.{forged}.{signature}", SECRET)


def test_a_token_carries_its_version_and_scope() -> None:
    token = issue_access_token(ADMIN, SECRET, minutes=5, version=7, setup_only=True)
    claims = claims_from_header(f"Bearer {token}", SECRET)
    assert claims is not None and (claims.version, claims.setup_only) == (7, True)
    plain = claims_from_header(f"Bearer {issue_access_token(ADMIN, SECRET, 5)}", SECRET)
    assert plain is not None and (plain.version, plain.setup_only) == (1, False)


@pytest.mark.parametrize(
    ("email", "password", "name", "language", "fields"),
    [
        ("ok@example.org", "long-enough-password", "Ana", "en", set()),
        ("not-an-email", "long-enough-password", "Ana", "pt", {"email"}),
        ("ok@example.org", "short", "Ana", "en", {"password"}),
        ("ok@example.org", "long-enough-password", "  ", "en", {"displayName"}),
        ("ok@example.org", "long-enough-password", "Ana", "xx", {"language"}),
        ("@", "x", "", "en", {"email", "password", "displayName"}),
    ],
)
def test_account_errors_name_each_field(
    email: str, password: str, name: str, language: str, fields: set[str]
) -> None:
    errors = person_errors(email, name, language) + password_errors(
        password, email=email, display_name=name
    )
    assert {e.field for e in errors} == fields
