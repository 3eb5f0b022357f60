"""The submission fingerprint: sha256 over the canonical answers and the files' hashes."""

from __future__ import annotations

import hashlib
import json

import msgspec

from shared.api.intake import Answer, Organisation, Person


def _normalise(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 5000 and 5000.0 are the same answer
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def canonical_json(value: object) -> bytes:
    """One byte string per value: sorted keys, no whitespace, UTF-8, whole floats as ints."""
    plain = _normalise(msgspec.to_builtins(value))
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(
    *,
    answers: dict[str, Answer],
    organisation: Organisation,
    contact: Person,
    team: list[Person],
    requested_amount: float | None,
    attachments: list[tuple[str, str]],
) -> str:
    """What the applicant submitted, as sha256 hex; the same content gives the same print."""
    document = {
        "answers": answers,
        "organisation": organisation,
        "contact": contact,
        "team": team,
        "requested_amount": requested_amount,
        # Upload order is not content: the same files attached in another order are the same.
        "attachments": sorted(attachments),
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()
