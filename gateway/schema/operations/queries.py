"""What operators look at: messages that no consumer could handle (the dead-letter stream)."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from nats.js.errors import NotFoundError

from gateway.schema.context import Info
from gateway.schema.operations.types import DeadLetter
from gateway.schema.permissions import Admin, SignedIn, refuse
from shared.errors import FieldError, ValidationFailed
from shared.events import DLQ_STREAM

DEAD_LETTERS_MOST = 200


@strawberry.type
class OperationsQuery:
    @strawberry.field(
        description="The newest dead letters (programme team only).",
        extensions=[refuse(SignedIn, Admin)],
    )
    async def dead_letters(self, info: Info, last: int = 20) -> list[DeadLetter]:
        if not 1 <= last <= DEAD_LETTERS_MOST:
            raise ValidationFailed(
                [FieldError("last", f"must be between 1 and {DEAD_LETTERS_MOST}")]
            )
        js = await info.context.feeds.nats.jetstream()
        try:
            state = (await js.stream_info(DLQ_STREAM)).state
        except NotFoundError:
            return []
        found: list[DeadLetter] = []
        sequence = state.last_seq
        while sequence >= max(state.first_seq, 1) and len(found) < last:
            try:
                message = await js.get_msg(DLQ_STREAM, sequence)
            except NotFoundError:  # deleted or expired in between
                sequence -= 1
                continue
            headers = message.headers or {}
            found.append(DeadLetter(
                sequence=sequence, subject=message.subject or "",
                consumer=headers.get("Portal-Dlq-Consumer", ""),
                reason=headers.get("Portal-Dlq-Reason", ""),
                received_at=message.time or datetime.now(UTC),
                body=(message.data or b"").decode(errors="replace")[:2000],
            ))  # fmt: skip
            sequence -= 1
        return found
