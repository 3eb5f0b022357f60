"""Passwords and access tokens: argon2 hashes, JWTs with a pinned algorithm that carry the
account's token version, and the identity of a request read from the account's row."""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

import jwt
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.models import Account
from shared.errors import FieldError, Forbidden, NotAuthenticated
from shared.identity import ANONYMOUS, Identity, Role
from shared.programme import HUBS

HUB_CODES = [hub.code for hub in HUBS]
Result = TypeVar("Result")

_ALGORITHM = "HS256"
_ISSUER = "open-call-portal"
_AUDIENCE = "portal-users"
# No spaces, controls or the characters that make one header name several recipients.
_ADDRESS_PART = r"[^@\s,;:<>\"'()\[\]\\\x00-\x1f\x7f]+"
EMAIL_PATTERN = re.compile(rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
MAX_ENTRY_LENGTH = 1000  # no password, code or search of ours is longer
SESSION_ENDED = "Your session has ended; sign in again."
# The scope of a token that may only set up a second factor (staff outside dev mode).
SETUP_SCOPE = "two-factor-setup"

# OWASP's argon2id setting (19 MiB, 2 passes): the library default takes 64 MiB per hash,
# which a gateway signing in many people at once would pay for in memory.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when there is no usable password, so every failure takes the same time.
_DUMMY_HASH = hasher.hash("not-a-real-password")
# At most one hash per core at a time: hashing is CPU-bound, so more at once only adds their
# 19 MiB each (400 sign-ups at once took the gateway from 140 to 237 MB, six threads hashing).
HASHES_AT_ONCE = max(2, os.cpu_count() or 2)
_HASHING = threading.BoundedSemaphore(HASHES_AT_ONCE)


def _in_turn(work: Callable[..., Result], *args: str) -> Result:
    with _HASHING:
        return work(*args)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_errors(email: str, field: str = "email") -> list[FieldError]:
    if len(email) > 254 or not EMAIL_PATTERN.match(email.strip()):
        return [FieldError(field, "enter a valid e-mail address")]
    return []


def entry_errors(value: str | None, field: str) -> list[FieldError]:
    """A password, code or search as typed: checked before any hash or query pays for it."""
    if value is not None and (len(value) > MAX_ENTRY_LENGTH or "\x00" in value):
        return [FieldError(field, "is not a valid entry")]
    return []


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_in_turn, hasher.hash, password)


async def password_matches(stored: str, password: str) -> bool:
    """Always pays for one hash, also when there is no usable password (an invitation)."""
    try:
        await asyncio.to_thread(_in_turn, hasher.verify, stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(stored)


def identity_of(account: Account) -> Identity:
    return Identity(
        role=Role(account.role), account_id=str(account.id), hub=account.hub,
        email=account.email, email_confirmed=account.email_confirmed_at is not None,
    )  # fmt: skip


class AccessClaims(msgspec.Struct, frozen=True):
    identity: Identity
    version: int = 0
    setup_only: bool = False


def issue_access_token(
    identity: Identity, secret: str, minutes: int, *, version: int = 1, setup_only: bool = False
) -> str:
    now = int(time.time())
    claims: dict[str, str | int] = {
        "iss": _ISSUER, "aud": _AUDIENCE, "iat": now, "exp": now + minutes * 60,
        "jti": uuid.uuid4().hex, "role": identity.role.value, "ver": version,
    }  # fmt: skip
    if setup_only:
        claims["scp"] = SETUP_SCOPE
    for claim, value in (
        ("sub", identity.account_id),
        ("hub", identity.hub),
        ("email", identity.email),
    ):
        if value is not None:
            claims[claim] = value
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def claims_from_header(authorization: str | None, secret: str) -> AccessClaims | None:
    """No header: None (anonymous). A bad or expired token is an error, never anonymous."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("Send the access token as 'Authorization: Bearer <token>'.")
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], audience=_AUDIENCE, issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub"]},
        )  # fmt: skip
        identity = Identity(
            role=Role(claims["role"]), account_id=claims["sub"], hub=claims.get("hub"),
            email=claims.get("email"),
        )  # fmt: skip
        return AccessClaims(
            identity, version=int(claims.get("ver", 0)), setup_only=claims.get("scp") == SETUP_SCOPE
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise NotAuthenticated("The access token is not valid or has expired.") from exc


# What every request reads of its account: one row by primary key, a few columns.
STANDING = select(
    Account.role, Account.hub, Account.email, Account.email_confirmed_at, Account.token_version,
).where(
    Account.id == bindparam("account_id"), Account.disabled_at.is_(None),
    Account.deleted_at.is_(None),
)  # fmt: skip


async def current_claims(
    sessions: async_sessionmaker[AsyncSession], claims: AccessClaims | None
) -> AccessClaims:
    """The request's identity from the account's row (one primary-key read, outside any
    transaction: no BEGIN or ROLLBACK around it): a token issued before the last password
    change or sign-out, or of an inactive account, is refused."""
    if claims is None:
        return AccessClaims(ANONYMOUS)
    try:
        key = uuid.UUID(claims.identity.account_id or "")
    except ValueError:
        raise NotAuthenticated(SESSION_ENDED) from None
    engine: AsyncEngine = sessions.kw["bind"]
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        row = (await connection.execute(STANDING, {"account_id": key})).first()
    if row is None or claims.version < row.token_version:
        raise NotAuthenticated(SESSION_ENDED)
    identity = Identity(
        role=Role(row.role), account_id=str(key), hub=row.hub, email=row.email,
        email_confirmed=row.email_confirmed_at is not None,
    )  # fmt: skip
    return AccessClaims(identity, claims.version, claims.setup_only)


async def http_caller(
    session_factory: async_sessionmaker[AsyncSession], jwt_secret: str, header: str | None
) -> Identity:
    """Who asks on a plain HTTP route (a download): signed in, with a full token (401/403)."""
    claims = claims_from_header(header, jwt_secret)
    if claims is None:
        raise NotAuthenticated("Sign in first.")
    current = await current_claims(session_factory, claims)
    if current.setup_only:
        raise Forbidden("Set up two-factor sign-in first.")
    return current.identity


DEMO_PASSWORD = "circular-demo-2027"
DEMO_ACCOUNTS: list[tuple[str, str, Role, str | None]] = [
    ("admin@demo.portal", "Programme Team (demo)", Role.ADMIN, None),
    ("hub.nl@demo.portal", "Hub Manager Amsterdam (demo)", Role.HUB_MANAGER, "NL"),
    ("evaluator@demo.portal", "Evaluator (demo)", Role.EVALUATOR, None),
    ("applicant@demo.portal", "Applicant (demo)", Role.APPLICANT, None),
]
