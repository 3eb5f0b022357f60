"""The second factor: TOTP (RFC 6238, any authenticator app) and single-use recovery codes."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import Account, RecoveryCode

ISSUER = "Open-call portal"
RECOVERY_CODES = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0)


def new_secret() -> str:
    return pyotp.random_base32()


def otpauth_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """A standalone SVG document (with its namespace, so it also works as an image)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False)
    return buffer.getvalue().decode()


def totp_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The 30-second step whose code this is: the current one, or the one before or after
    (clocks drift by a few seconds); None when it is none of them."""
    digits = code.replace(" ", "")
    if not re.fullmatch(r"[0-9]{6}", digits):  # isdigit() would take "²" or Arabic digits
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or datetime.now(UTC))
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


async def take_totp_step(session: AsyncSession, account: Account, code: str) -> bool:
    """A valid code counts once: its step must be later than the last one used, so a code
    seen over someone's shoulder cannot be replayed within its minute."""
    if not account.totp_secret:
        return False
    step = totp_step(account.totp_secret, code)
    if step is None:
        return False
    taken = await session.scalar(
        update(Account)
        .where(
            Account.id == account.id,
            or_(Account.totp_last_step.is_(None), Account.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .returning(Account.id)
    )
    return taken is not None


def _normalised(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def _sha256(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    codes = [
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)
    ]
    return [f"{c[:5]}-{c[5:]}" for c in codes]


async def replace_recovery_codes(session: AsyncSession, account: Account) -> list[str]:
    """Ten fresh codes (shown once); earlier ones stop working."""
    await session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
        .values(used_at=datetime.now(UTC))
    )
    codes = new_recovery_codes()
    session.add_all(RecoveryCode(account_id=account.id, code_sha256=_sha256(c)) for c in codes)
    return codes


async def use_recovery_code(session: AsyncSession, account: Account, code: str) -> bool:
    used = await session.scalar(
        update(RecoveryCode)
        .where(
            RecoveryCode.account_id == account.id,
            RecoveryCode.code_sha256 == _sha256(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=datetime.now(UTC))
        .returning(RecoveryCode.id)
    )
    return used is not None


async def second_factor_matches(session: AsyncSession, account: Account, code: str) -> bool:
    """A TOTP code or one of the recovery codes (used up)."""
    if await take_totp_step(session, account, code):
        return True
    return await use_recovery_code(session, account, code)
