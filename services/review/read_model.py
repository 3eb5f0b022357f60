"""The queries of review's consensus and ranking read model (queries.py holds the others).

Triggers (migration 0005) delete a consensus row and mark a call's ranking stale whenever
an input changes. Whoever stores into the read model first takes the call's lock (`lock`),
then reads the inputs: a concurrent write either committed before those reads, or waits for
this transaction and then invalidates what it stored."""

from __future__ import annotations

import msgspec
from sqlalchemy import String, Text, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSON, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.domain.scoring import Consensus
from services.review.models import CallRankingRow, ConsensusRow
from shared.api.review import RankingEntry


class StoredRanking(msgspec.Struct, frozen=True):
    stale: bool
    total: int
    entries: list[RankingEntry]  # the window asked for (none when stale)


def window_of(
    lines: str, offset: int = 0, limit: int | None = None
) -> tuple[int, list[RankingEntry]]:
    """(how many lines, lines offset .. offset + limit - 1) of a stored ranking's JSON: the
    lines are split without decoding them, and only the window's decoded."""
    raw = msgspec.json.decode(lines, type=list[msgspec.Raw])
    window = raw[offset : None if limit is None else offset + limit]
    return len(raw), [msgspec.json.decode(line, type=RankingEntry) for line in window]


async def stored_ranking(
    session: AsyncSession, call_id: str, offset: int = 0, limit: int | None = None
) -> StoredRanking | None:
    """The call's stored ranking (None: never stored), its window decoded if fresh."""
    row = (await session.execute(
        select(CallRankingRow.stale, cast(CallRankingRow.lines, Text))
        .where(CallRankingRow.call_id == call_id)
    )).first()  # fmt: skip
    if row is None:
        return None
    if row.stale:
        return StoredRanking(stale=True, total=0, entries=[])
    total, entries = window_of(row[1], offset, limit)
    return StoredRanking(stale=False, total=total, entries=entries)


async def lock(session: AsyncSession, call_id: str) -> bool:
    """Lock the call's read model until commit; True when its ranking is stale."""
    await session.execute(
        insert(CallRankingRow).values(call_id=call_id, stale=True).on_conflict_do_nothing()
    )
    stale = await session.scalar(
        select(CallRankingRow.stale).where(CallRankingRow.call_id == call_id).with_for_update()
    )
    return bool(stale)


CONSENSUS_BY_APPLICATION = msgspec.json.Decoder(dict[str, Consensus])


async def stored_consensus(session: AsyncSession, call_id: str) -> dict[str, Consensus]:
    """The call's stored consensus rows by application, as one JSON object PostgreSQL
    builds and msgspec decodes in one call (row by row, a call's thousands of rows cost
    more than ranking them). A query of its own: joined to the applications, a plan made
    before the table's statistics catch up with a first ranking's thousands of rows can
    loop over all of them for each application."""
    stored = await session.scalar(
        select(cast(func.json_object_agg(ConsensusRow.application_id, ConsensusRow.consensus),
                    Text))
        .where(ConsensusRow.call_id == call_id)
    )  # fmt: skip
    return CONSENSUS_BY_APPLICATION.decode(stored) if stored else {}


async def save_consensus(
    session: AsyncSession, call_id: str, computed: dict[str, Consensus]
) -> None:
    """Upserted in one statement whatever their number (the caller holds `lock`)."""
    if not computed:
        return
    each = func.jsonb_each(
        cast(literal(msgspec.json.encode(computed).decode(), Text), JSONB)
    ).table_valued("key", "value")
    statement = insert(ConsensusRow).from_select(
        ["application_id", "call_id", "consensus"],
        select(each.c.key, literal(call_id, String), each.c.value),
    )
    await session.execute(statement.on_conflict_do_update(
        index_elements=[ConsensusRow.application_id],
        set_={"call_id": statement.excluded.call_id, "consensus": statement.excluded.consensus},
    ))  # fmt: skip


async def save_ranking(session: AsyncSession, call_id: str, entries: list[RankingEntry]) -> None:
    """The caller holds `lock` and ranked from what it read after taking it."""
    lines = cast(literal(msgspec.json.encode(entries).decode(), Text), JSON)
    await session.execute(
        update(CallRankingRow).where(CallRankingRow.call_id == call_id)
        .values(stale=False, lines=lines, ranked_at=func.now())
    )  # fmt: skip
