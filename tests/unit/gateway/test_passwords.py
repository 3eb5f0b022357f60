"""The password policy: length, blank, one repeated character, guessability (zxcvbn, knowing
the person's own e-mail and name); every refusal says why in plain words."""

from __future__ import annotations

import pytest

from gateway.auth import DEMO_PASSWORD
from gateway.passwords import password_problem


@pytest.mark.parametrize(
    "password",
    [
        "a-long-password",
        DEMO_PASSWORD,
        "correct horse battery staple",
        "x7#Lq9!vR2mZ",
        # Longer than zxcvbn estimates (72), up to the policy's own 200: a long passphrase.
        ("correct horse battery staple " * 7)[:200],
        "mended kettles " * 5,
    ],
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, email="ana@example.org", display_name="Ana") is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "enter a password"),
        ("            ", "enter a password"),
        ("short", "at least 10 characters"),
        ("x" * 201, "at most 200 characters"),
        ("aaaaaaaaaa", "do not repeat one character"),
        ("password12", "very common password"),
        ("qwertyuiop", "harder to guess"),
        # Only the first 72 characters are estimated: what follows a weak start is judged
        # with it, never an error.
        ("qwertyuiop" + " " * 70 + "Zq!", "harder to guess"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    problem = password_problem(password, email="ana@example.org", display_name="Ana")
    assert problem is not None and reason in problem


def test_the_persons_own_name_and_address_count_as_guessable() -> None:
    email, name = "rosalind.okonkwo@example.org", "Rosalind Okonkwo"
    assert password_problem("okonkwo1990", email=email, display_name=name) is not None
    assert password_problem("okonkwo1990", email="ana@example.org", display_name="Ana") is None
