"""What operators look at: messages that no consumer could handle (the dead-letter stream)."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.type(description="A message a consumer gave up on, kept in the dead-letter stream.")
class DeadLetter:
    sequence: int
    subject: str
    consumer: str
    reason: str
    received_at: datetime
    body: str = strawberry.field(
        description="The message as it arrived (at most 2,000 characters)."
    )
