"""What anonymising a person's application keeps and what it removes, the same in every service
that holds a copy (intake, review, notify), on erasure and after a call's retention period.

Kept: what the programme must keep to account for its decisions — the organisation's type,
country and hub, the requested amount, the answers to closed questions (numbers, choices,
declarations, countries), scores, decisions, ranks, receipts' numbers and fingerprints.
Removed: every name, address, website and contact, and every free-text answer and file (a
free text may name anybody), whatever the question is called."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.registry import Form, QuestionType
from shared.outbox import OutboxMixin

ERASED = "[erased]"
ERASED_NAME = "Erased applicant"

# Answers to these types are picked from what the call offers (or are numbers): nobody's data.
CLOSED_TYPES = frozenset(
    {
        QuestionType.NUMBER,
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.DECLARATION,
        QuestionType.COUNTRY,
        QuestionType.REQUESTED_AMOUNT,
    }
)
# An organisation's facts that eligibility, statistics and the ranking stand on.
KEPT_ORGANISATION_FIELDS = ("type", "country", "country_part")


def erased_answers(form: Form, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Closed answers stay; every other answer (texts, and a key the form does not know) is
    replaced by the erased mark, so a reader sees that something was there."""
    closed = {q.key for q in form.questions if q.type in CLOSED_TYPES}
    return {key: value if key in closed else ERASED for key, value in answers.items()}


def erased_organisation(organisation: Mapping[str, Any]) -> dict[str, Any]:
    kept = {name: organisation[name] for name in KEPT_ORGANISATION_FIELDS if name in organisation}
    return {**kept, "name": ERASED, "website": ""}


def erased_snapshot(form: Form, snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A submitted version (intake's `Draft` as stored) with its personal data removed."""
    return {
        **snapshot,
        "organisation": erased_organisation(snapshot.get("organisation") or {}),
        "contact": {},
        "team": [],
        "answers": erased_answers(form, snapshot.get("answers") or {}),
    }


def erased_file_name(question_key: str, position: int) -> str:
    """A removed file keeps a neutral name where its facts (size, sha256) stay listed."""
    return f"{question_key}-{position}"


async def forget_published_events(
    session: AsyncSession, outbox_model: type[OutboxMixin], mentions: Iterable[str],
    subjects: Iterable[str],
) -> int:  # fmt: skip
    """Published outbox rows are kept a while for replay; those of `subjects` (the events that
    carry personal data) naming the person or application go now. Unpublished rows stay: they
    must still leave."""
    needles = [needle for needle in mentions if needle]
    if not needles:
        return 0
    body = func.convert_from(outbox_model.body, "UTF8")  # the envelopes are JSON
    named = [body.contains(needle, autoescape=True) for needle in needles]
    result = await session.execute(
        delete(outbox_model).where(
            outbox_model.published_at.is_not(None),
            outbox_model.subject.in_(list(subjects)),
            or_(*named),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
