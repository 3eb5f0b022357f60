"""The internal identity token: who is calling, signed by the gateway, checked by services.

Short-lived (seconds), HS256 with a shared secret, algorithm pinned on verification. A
service accepts a token once: each carries a random `jti` that it remembers until expiry.
"""

from __future__ import annotations

import enum
import heapq
import secrets
import time

import jwt
import msgspec

from shared.errors import Forbidden, NotAuthenticated, ServiceUnavailable

IDENTITY_HEADER = "X-Portal-Identity"
_ISSUER = "portal-gateway"
_AUDIENCE = "portal-services"
_ALGORITHM = "HS256"
# The gateway signs for 60 s; a token meant to live longer was not made by it.
MAX_TOKEN_SECONDS = 60
# Clocks of the gateway and a service may differ a little.
CLOCK_SKEW_SECONDS = 2


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

    def hub_scope(self, call_hub: str | None) -> str | None:
        """The hub this viewer's reads of a call are limited to: a hub manager's own in a
        programme-wide call (no hub of its own); None: every application of the call."""
        return self.hub if not self.is_admin and call_hub is None else None

    def may_manage_hub(self, hub: str) -> bool:
        return self.is_admin or (self.role is Role.HUB_MANAGER and self.hub == hub)


ANONYMOUS = Identity(role=Role.ANONYMOUS)


class SeenTokens:
    """The jtis of accepted tokens until they expire, so none is accepted twice. Bounded: when
    full of live tokens, a new one waits (503) rather than an old one being forgotten."""

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._expiries: list[tuple[int, str]] = []
        self._jtis: set[str] = set()

    def first_use(self, jti: str, expires: int, now: float) -> bool:
        while self._expiries and self._expiries[0][0] + CLOCK_SKEW_SECONDS < now:
            self._jtis.discard(heapq.heappop(self._expiries)[1])
        if jti in self._jtis:
            return False
        if len(self._jtis) >= self.capacity:
            raise ServiceUnavailable("Too many requests just now.", retry_after_seconds=1)
        self._jtis.add(jti)
        heapq.heappush(self._expiries, (expires, jti))
        return True

    def __len__(self) -> int:
        return len(self._jtis)


def sign_identity(identity: Identity, secret: str, ttl_seconds: int = MAX_TOKEN_SECONDS) -> str:
    now = int(time.time())
    claims: dict[str, str | int | bool] = {
        "iss": _ISSUER,
        "aud": _AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": secrets.token_urlsafe(16),
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


# The tokens this process accepted, when a caller keeps no record of its own.
ACCEPTED_HERE = SeenTokens()


def verify_identity(token: str, secret: str, seen: SeenTokens = ACCEPTED_HERE) -> Identity:
    """The identity a fresh, unused token carries; `seen` remembers it as used."""
    invalid = NotAuthenticated("The identity token is not valid.")
    try:
        # Expiry is exact; issuance may lie a little ahead, as the gateway's clock may.
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], audience=_AUDIENCE, issuer=_ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "jti"], "verify_iat": False},
        )  # fmt: skip
        identity = Identity(
            role=Role(claims["role"]),
            account_id=claims.get("sub"),
            hub=claims.get("hub"),
            email=claims.get("email"),
            email_confirmed=claims.get("ecf") is True,
        )
        issued, expires, jti = int(claims["iat"]), int(claims["exp"]), claims["jti"]
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise invalid from exc
    now = time.time()
    if (
        expires - issued > MAX_TOKEN_SECONDS + CLOCK_SKEW_SECONDS
        or issued > now + CLOCK_SKEW_SECONDS
        or not isinstance(jti, str)
    ):
        raise invalid
    if not seen.first_use(jti, expires, now):
        raise NotAuthenticated("The identity token was used before.")
    return identity


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
