"""The event envelope and the registry of versioned contracts.

A contract is a msgspec Struct with a `subject` class variable
(`portal.<service>.<entity>.<verb>.v<N>`); the envelope carries its id (also the
`Nats-Msg-Id`, for JetStream de-duplication), the instant and the trace id.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec

from shared.tracing import current_trace_id


class EventContract(msgspec.Struct, frozen=True, kw_only=True):
    subject: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        subject = cls.__dict__.get("subject")
        if subject is not None:
            if subject in CONTRACTS:
                raise ValueError(f"two contracts claim {subject}")
            CONTRACTS[subject] = cls


CONTRACTS: dict[str, type[EventContract]] = {}


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    subject: str
    occurred_at: datetime
    trace_id: str | None = None
    data: msgspec.Raw = msgspec.Raw(b"{}")

    def payload(self) -> EventContract:
        contract = CONTRACTS.get(self.subject)
        if contract is None:
            raise UnknownEvent(self.subject)
        return msgspec.json.decode(self.data, type=contract)


class UnknownEvent(Exception):
    pass


def envelope_for(event: EventContract) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        subject=event.subject,
        occurred_at=datetime.now(UTC),
        trace_id=current_trace_id(),
        data=msgspec.Raw(msgspec.json.encode(event)),
    )


def encode_envelope(envelope: Envelope) -> bytes:
    return msgspec.json.encode(envelope)


def decode_envelope(body: bytes) -> Envelope:
    return msgspec.json.decode(body, type=Envelope)


def service_of(subject: str) -> str:
    """`portal.intake.application.submitted.v1` -> `intake`."""
    parts = subject.split(".")
    if len(parts) < 5 or parts[0] != "portal":
        raise ValueError(f"not a portal subject: {subject}")
    return parts[1]


def stream_for_service(service: str) -> str:
    return f"PORTAL_{service.upper()}"


DLQ_STREAM = "PORTAL_DLQ"
DLQ_PREFIX = "portal.dlq"
SERVICES = ("registry", "intake", "review", "gateway")
