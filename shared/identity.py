"""The internal identity token: who is calling, signed by the gateway, checked by services.

Short-lived (seconds), HS256 with a shared secret, algorithm pinned on verification.
"""

from __future__ import annotations

import enum
import time

import jwt
import msgspec

from shared.errors import Forbidden, NotAuthenticated

IDENTITY_HEADER = "X-Portal-Identity"
_ISSUER = "portal-gateway"
_AUDIENCE = "portal-services"
_ALGORITHM = "HS256"


class Role(enum.StrEnum):
    ANONYMOUS = "anonymous"
    APPLICANT = "applicant"
    EVALUATOR = "evaluator"
    HUB_MANAGER = "hub_manager"
    ADMIN = "admin"


class Identity(msgspec.Struct, frozen=True):
    role: Role
    account_id: str | None = None
    hub: str | None = None
    email: str | None = None
    # Checked by intake before a submission. Signed identities always carry it; a token
    # without the claim counts as unconfirmed.
    email_confirmed: bool = True

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require_signed_in(self) -> str:
        if self.account_id is None or self.role is Role.ANONYMOUS:
            raise NotAuthenticated("Sign in first.")
        return self.account_id

    def require_admin(self) -> None:
        self.require_signed_in()
        if not self.is_admin:
            raise Forbidden("Only the programme team may do this.")

    def require_hub(self, hub: str) -> None:
        """Admins act on every hub; a hub manager only on their own."""
        self.require_signed_in()
        if self.is_admin:
            return
        if self.role is Role.HUB_MANAGER and self.hub == hub:
            return
        raise Forbidden(f"You may not manage hub {hub}.")

    def may_manage_hub(self, hub: str) -> bool:
        return self.is_admin or (self.role is Role.HUB_MANAGER and self.hub == hub)


ANONYMOUS = Identity(role=Role.ANONYMOUS)


def sign_identity(identity: Identity, secret: str, ttl_seconds: int = 60) -> str:
    now = int(time.time())
    claims: dict[str, str | int | bool] = {
        "iss": _ISSUER,
        "aud": _AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "role": identity.role.value,
        "ecf": identity.email_confirmed,
    }
    # Absent rather than null: PyJWT checks that a present `sub` is a string.
    for claim, value in (
        ("sub", identity.account_id),
        ("hub", identity.hub),
        ("email", identity.email),
    ):
        if value is not None:
            claims[claim] = value
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def verify_identity(token: str, secret: str) -> Identity:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            options={"require": ["exp", "iat", "iss", "aud"]},
        )
        return Identity(
            role=Role(claims["role"]),
            account_id=claims.get("sub"),
            hub=claims.get("hub"),
            email=claims.get("email"),
            email_confirmed=claims.get("ecf") is True,
        )
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise NotAuthenticated("The identity token is not valid.") from exc


_GRANT_AUDIENCE = "portal-attachment-grant"


def sign_attachment_grant(
    evaluator_id: str, application_id: str, attachment_id: str, secret: str, ttl_seconds: int = 300
) -> str:
    """Review vouches that this evaluator may download this file of an assigned application;
    intake checks the grant, not review's tables."""
    now = int(time.time())
    claims = {
        "iss": "portal-review", "aud": _GRANT_AUDIENCE, "iat": now, "exp": now + ttl_seconds,
        "sub": evaluator_id, "app": application_id, "att": attachment_id,
    }  # fmt: skip
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def verify_attachment_grant(
    grant: str, secret: str, *, evaluator_id: str, application_id: str, attachment_id: str
) -> bool:
    try:
        claims = jwt.decode(
            grant, secret, algorithms=[_ALGORITHM], audience=_GRANT_AUDIENCE,
            issuer="portal-review", options={"require": ["exp", "sub", "app", "att"]},
        )  # fmt: skip
    except jwt.PyJWTError:
        return False
    return bool(
        claims["sub"] == evaluator_id
        and claims["app"] == application_id
        and claims["att"] == attachment_id
    )
