"""The password policy: long enough, not blank or one repeated character, and hard to guess
by zxcvbn's estimate (which also knows the person's own e-mail and name)."""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn: 3 "safely unguessable" (about 10^8 guesses and more)
# zxcvbn refuses to estimate more (its cost grows fast with the length); the rest of a longer
# password only makes it harder to guess.
ESTIMATED_LENGTH = 72


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why this password is refused, in plain words; None when it is acceptable."""
    if not password.strip():
        return "enter a password"
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if len(set(password)) == 1:
        return "do not repeat one character; use a few words or a mix of characters"
    user_inputs = [part for part in re.split(r"[@.\s_+-]+", f"{email} {display_name}") if part]
    estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[email, display_name, *user_inputs])
    if estimate["score"] >= MIN_SCORE:
        return None
    warning = estimate["feedback"]["warning"].rstrip(".")
    reason = warning[:1].lower() + warning[1:] if warning else "it is easy to guess"
    return f"choose a password that is harder to guess: {reason}; add a few uncommon words"
