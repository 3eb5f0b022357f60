"""The context notify passes for each mail kind (the keys agreed with the notify service):
instants as `Instant`s and roles and decisions as keys, which the mail writes in its language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.notify.domain.messages import Instant

PORTAL = "https://portal.example.org"
APPLICATION = "3f6c1a52-8f0e-4d3b-9a0c-2b7e5d1f4a10"
CALL = "9b2d7e41-0c5a-4f6e-8d13-7a4c2e9b6f05"
CLOSES = Instant(datetime(2025, 5, 30, 15, 0, tzinfo=UTC), "Europe/Brussels")  # 17:00 CEST
DUE = Instant(datetime(2025, 6, 20, 15, 0, tzinfo=UTC), "Europe/Brussels")


def context_of(kind: str) -> dict[str, Any]:
    return {"name": "Ana Silva", "portal_url": PORTAL, **BY_KIND[kind]}


LINK_MAIL = {"expires_at": Instant(datetime(2025, 5, 14, 14, 0, tzinfo=UTC))}
DRAFT_REMINDER = {
    "call_title": "Repair and reuse in textiles",
    "closes_at": CLOSES,
    "link": f"{PORTAL}/#/apply/{CALL}",
}
BY_KIND: dict[str, dict[str, Any]] = {
    "confirm_email": {**LINK_MAIL, "link": f"{PORTAL}/#/confirm/c0nf1rm-T0ken_abc"},
    "reset_password": {**LINK_MAIL, "link": f"{PORTAL}/#/reset/r3set-T0ken_abc"},
    "invitation": {
        **LINK_MAIL,
        "link": f"{PORTAL}/#/invitation/1nv-T0ken_abc",
        "role": "evaluator",
    },
    "sign_up_repeated": {"link": f"{PORTAL}/#/forgot", "signin_link": f"{PORTAL}/#/signin"},
    "password_changed": {"changed_at": Instant(datetime(2025, 5, 14, 13, 2, tzinfo=UTC))},
    "submission_receipt": {
        "call_title": "Repair and reuse in textiles",
        "title": "Second life for workwear",
        "receipt_number": "R-2025-000042",
        "version": 1,
        "resubmission": False,
        "submitted_at": "14 May 2025, 15:02 CEST (Europe/Brussels)",  # written as the PDF's
        "fingerprint": "5e" * 32,
        "files": [
            {
                "question": "Budget plan",
                "name": "budget.pdf",
                "size": 2_450_000,
                "sha256": "ab" * 32,
            }
        ],
        "link": f"{PORTAL}/#/receipt/{APPLICATION}/1",
    },
    "draft_reminder_72h": DRAFT_REMINDER,
    "draft_reminder_24h": DRAFT_REMINDER,
    "evaluation_assigned": {
        "call_title": "Repair and reuse in textiles",
        "application_title": "Second life for workwear",
        "due_at": DUE,
        "link": f"{PORTAL}/#/evaluate",
    },
    "evaluation_reminder": {
        "call_title": "Repair and reuse in textiles",
        "count": 3,
        "due_at": DUE,
        "link": f"{PORTAL}/#/evaluate",
    },
    "assignment_moved_away": {
        "call_title": "Repair and reuse in textiles",
        "application_title": "Second life for workwear",
    },
    "outcome": {
        "call_title": "Repair and reuse in textiles",
        "title": "Second life for workwear",
        "decision": "selected",
        "rank": 2,
        "link": f"{PORTAL}/#/mine/{APPLICATION}",
        "evaluated": True,
    },
    "daily_digest": {
        "call_title": "Repair and reuse in textiles",
        "date": "2025-05-14",
        "submitted": 12,
        "drafts": 31,
        "closes_at": CLOSES,
        "link": f"{PORTAL}/#/team/{CALL}",
    },
}
