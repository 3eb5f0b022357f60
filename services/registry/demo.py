"""The demo mission, challenge and open call that `make dev` seeds (once; fixed ids)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.domain.calls import DEFAULT_RUBRIC
from services.registry.events import published_event
from services.registry.models import CallRow, ChallengeRow, MissionRow, OutboxEvent
from shared.api.registry import Form, Option, Question, QuestionType
from shared.call_status import CallStatus
from shared.outbox import record_event
from shared.programme import (
    DEMO_CALL_ID as DEMO_CALL,
)
from shared.programme import (
    HUBS,
    ORGANISATION_TYPE_CODES,
    VALUE_CHAINS,
    coverage_of,
)

DEMO_MISSION_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
DEMO_CHALLENGE_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")
DEMO_CALL_ID = uuid.UUID(DEMO_CALL)

MB = 1024 * 1024


def demo_form() -> Form:
    q = QuestionType
    return Form(
        questions=[
            Question(key="project_title", type=q.SHORT_TEXT, max_length=120,
                     labels={"en": "Project title", "fr": "Titre du projet",
                             "es": "Título del proyecto"}),
            Question(key="summary", type=q.LONG_TEXT, max_words=300,
                     labels={"en": "Summary of your solution", "fr": "Résumé de votre solution",
                             "es": "Resumen de su solución"},
                     help={"en": "What do you do, for whom, and what changes? At most 300 words."}),
            Question(key="value_chain", type=q.SINGLE_CHOICE,
                     labels={"en": "Main value chain", "fr": "Chaîne de valeur principale"},
                     options=[Option(v.code, {"en": v.name}) for v in VALUE_CHAINS]),
            Question(key="strategies", type=q.MULTIPLE_CHOICE, max_picks=3,
                     labels={"en": "Circular strategies", "fr": "Stratégies circulaires"},
                     options=[Option(s, {"en": s.capitalize()})
                              for s in ("reuse", "repair", "refurbish", "remanufacture")]),
            Question(key="team_size", type=q.NUMBER, min_value=1, max_value=250,
                     labels={"en": "Team size", "fr": "Taille de l'équipe"}),
            Question(key="country", type=q.COUNTRY,
                     labels={"en": "Where will the project run?", "fr": "Où le projet aura-t-il lieu ?"}),
            Question(key="requested_amount", type=q.REQUESTED_AMOUNT, min_value=5_000,
                     max_value=60_000,
                     labels={"en": "Requested amount (EUR)", "fr": "Montant demandé (EUR)"}),
            Question(key="pitch_deck", type=q.FILE, allowed_types=["pdf", "pptx"],
                     max_size_bytes=20 * MB, max_count=1,
                     labels={"en": "Pitch deck", "fr": "Présentation"}),
            Question(key="supporting_documents", type=q.FILE, required=False,
                     allowed_types=["pdf", "png", "jpeg"], max_size_bytes=10 * MB, max_count=3,
                     labels={"en": "Supporting documents", "fr": "Pièces justificatives"}),
            Question(key="declaration_of_honour", type=q.DECLARATION,
                     labels={"en": "I declare that the information given is true and complete.",
                             "fr": "Je déclare que les informations fournies sont exactes."}),
        ]
    )  # fmt: skip


async def seed_demo(session_factory: async_sessionmaker[AsyncSession]) -> bool:
    """Create the demo mission, challenge and call unless they exist. True if it created them."""
    async with session_factory() as session, session.begin():
        if await session.get(CallRow, DEMO_CALL_ID) is not None:
            return False
        now = datetime.now(UTC).replace(microsecond=0)
        session.add(MissionRow(
            id=DEMO_MISSION_ID, hub_code="NL", title="Keep electronics in use longer",
            description="Extend the life of consumer electronics through repair and reuse.",
            value_chains=["electronics_ict"], strategies=["repair", "reuse"],
        ))  # fmt: skip
        await session.flush()
        session.add(ChallengeRow(
            id=DEMO_CHALLENGE_ID, mission_id=DEMO_MISSION_ID, hub_code="NL",
            title="Community repair at neighbourhood scale",
            description="Make repair of phones, laptops and small appliances the easy choice.",
            strategies=["repair", "refurbish"],
        ))  # fmt: skip
        await session.flush()
        call = CallRow(
            id=DEMO_CALL_ID,
            title="Circular Futures Open Call 2027",
            description="Grants for social innovators who keep products and materials in use.",
            hub_code=None,
            challenge_ids=[DEMO_CHALLENGE_ID],
            budget=600_000,
            max_grant=60_000,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=60),
            timezone="Europe/Brussels",
            eligible_countries=msgspec.to_builtins(coverage_of(HUBS)),
            organisation_types=sorted(ORGANISATION_TYPE_CODES),
            form=msgspec.to_builtins(demo_form()),
            rubric=msgspec.to_builtins(DEFAULT_RUBRIC),
            evaluators_per_application=3,
            blind=False,
            status=CallStatus.PUBLISHED,
            published_at=now,
        )
        session.add(call)
        await session.flush()
        event = await published_event(session, call, [h.code for h in HUBS])
        await record_event(session, OutboxEvent, event)
    return True
