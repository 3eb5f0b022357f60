"""Which TOTP step a code belongs to: the current one or its neighbours, nothing older."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from gateway.twofactor import new_recovery_codes, new_secret, totp_step

NOW = datetime(2026, 12, 2, 10, 0, 15, tzinfo=UTC)


def test_a_code_names_its_own_step_within_one_step_of_now() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    current = totp.timecode(NOW)
    for offset in (-1, 0, 1):
        assert totp_step(secret, totp.generate_otp(current + offset), NOW) == current + offset


def test_older_codes_and_non_digits_are_refused() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    assert totp_step(secret, totp.at(NOW - timedelta(minutes=2)), NOW) is None
    assert totp_step(secret, "12 34 5x", NOW) is None
    assert totp_step(secret, "", NOW) is None


def test_a_code_may_be_typed_with_spaces() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    assert totp_step(secret, f"{code[:3]} {code[3:]}", NOW) is not None


def test_recovery_codes_are_ten_distinct_readable_codes() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" and not set(c) & set("l1o0") for c in codes)
