"""What happens to a person's account: sign-up and its links (signup), signing in (signin),
passwords (credentials), the team's changes (team), erasure, new accounts (creation), on the
row and its announcement (rows) and the plain rules (rules). Each change is announced
(AccountChanged, LinkIssued, PasswordChanged) in the transaction that makes it."""

from __future__ import annotations

# Read by gateway.app and review's inviteEvaluator, which import them from here.
from gateway.accounts.creation import create_account, ensure_account, seed_demo_accounts

__all__ = ["create_account", "ensure_account", "seed_demo_accounts"]
