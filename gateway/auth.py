"""Accounts and sign-in: argon2 password hashes, JWT access tokens with a pinned algorithm."""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import Account
from shared.errors import FieldError, NotAuthenticated, ValidationFailed
from shared.identity import ANONYMOUS, Identity, Role
from shared.programme import HUBS

HUB_CODES = [hub.code for hub in HUBS]

_ALGORITHM = "HS256"
_ISSUER = "open-call-portal"
_AUDIENCE = "portal-users"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10

# OWASP's argon2id setting (19 MiB, 2 passes): the library default takes 64 MiB per hash,
# which a gateway signing in many people at once would pay for in memory.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = hasher.hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def account_errors(email: str, password: str, display_name: str) -> list[FieldError]:
    errors = []
    if not EMAIL_PATTERN.match(email.strip()) or len(email) > 254:
        errors.append(FieldError("email", "enter a valid e-mail address"))
    if len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", f"use at least {MIN_PASSWORD} characters"))
    if not display_name.strip():
        errors.append(FieldError("displayName", "must not be empty"))
    return errors


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    hub: str | None = None,
) -> Account:
    errors = account_errors(email, password, display_name)
    if role is Role.HUB_MANAGER and not hub:
        errors.append(FieldError("hub", "a hub manager needs a hub"))
    elif role is Role.HUB_MANAGER and hub not in HUB_CODES:
        errors.append(FieldError("hub", f"there is no hub {hub}; hubs are {', '.join(HUB_CODES)}"))
    if errors:
        raise ValidationFailed(errors)
    email = normalise_email(email)
    if await session.scalar(select(func.count()).where(Account.email == email)):
        raise email_taken()
    password_hash = await asyncio.to_thread(hasher.hash, password)
    account = Account(
        email=email,
        display_name=display_name.strip(),
        password_hash=password_hash,
        role=role.value,
        hub=hub if role is Role.HUB_MANAGER else None,
    )
    # The check above can race another sign-up (or another gateway seeding the same
    # account): the unique index decides, and the loser gets the same answer. A savepoint
    # keeps the rest of the caller's transaction.
    try:
        async with session.begin_nested():
            session.add(account)
    except IntegrityError:
        raise email_taken() from None
    return account


def email_taken() -> ValidationFailed:
    return ValidationFailed([FieldError("email", "an account with this e-mail exists")])


async def authenticate(session: AsyncSession, email: str, password: str) -> Account:
    account = await session.scalar(select(Account).where(Account.email == normalise_email(email)))
    stored = account.password_hash if account else _DUMMY_HASH
    try:
        await asyncio.to_thread(hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        account = None
    if account is None:
        raise NotAuthenticated("The e-mail or the password is wrong.")
    return account


def identity_of(account: Account) -> Identity:
    return Identity(
        role=Role(account.role), account_id=str(account.id), hub=account.hub, email=account.email
    )


def issue_access_token(identity: Identity, secret: str, minutes: int) -> str:
    now = int(time.time())
    claims: dict[str, str | int] = {
        "iss": _ISSUER, "aud": _AUDIENCE, "iat": now, "exp": now + minutes * 60,
        "jti": uuid.uuid4().hex, "role": identity.role.value,
    }  # fmt: skip
    for claim, value in (
        ("sub", identity.account_id),
        ("hub", identity.hub),
        ("email", identity.email),
    ):
        if value is not None:
            claims[claim] = value
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def identity_from_header(authorization: str | None, secret: str) -> Identity:
    """No header: anonymous. A bad or expired token is an error, never silently anonymous."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("Send the access token as 'Authorization: Bearer <token>'.")
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], audience=_AUDIENCE, issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub"]},
        )  # fmt: skip
        return Identity(
            role=Role(claims["role"]), account_id=claims["sub"], hub=claims.get("hub"),
            email=claims.get("email"),
        )  # fmt: skip
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise NotAuthenticated("The access token is not valid or has expired.") from exc


DEMO_PASSWORD = "circular-demo-2027"
DEMO_ACCOUNTS: list[tuple[str, str, Role, str | None]] = [
    ("admin@demo.portal", "Programme Team (demo)", Role.ADMIN, None),
    ("hub.nl@demo.portal", "Hub Manager Amsterdam (demo)", Role.HUB_MANAGER, "NL"),
    ("evaluator@demo.portal", "Evaluator (demo)", Role.EVALUATOR, None),
    ("applicant@demo.portal", "Applicant (demo)", Role.APPLICANT, None),
]


async def ensure_account(
    session: AsyncSession, *, email: str, password: str, display_name: str, role: Role,
    hub: str | None = None,
) -> Account:  # fmt: skip
    """The account with this e-mail, created if missing (an existing one is left as it is).
    Gateway replicas starting together may both try: the one that loses takes the winner's."""
    query = select(Account).where(Account.email == normalise_email(email))
    existing = await session.scalar(query)
    if existing is not None:
        return existing
    try:
        return await create_account(
            session, email=email, password=password, display_name=display_name, role=role,
            hub=hub,
        )  # fmt: skip
    except ValidationFailed:
        created = await session.scalar(query)
        if created is None:
            raise  # a real problem with the account, not a race
        return created


async def seed_demo_accounts(session: AsyncSession) -> list[Account]:
    """The demo accounts, created once; returns them all."""
    accounts = [
        await ensure_account(
            session, email=email, password=DEMO_PASSWORD, display_name=name, role=role, hub=hub
        )
        for email, name, role, hub in DEMO_ACCOUNTS
    ]
    await session.commit()
    return accounts
