"""Reading the audit log: a filtered page with the actors' current names, the chain check,
and the CSV export (streamed, so a long history never sits whole in memory)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.audit.chain import ChainCheck, Entry
from gateway.audit.store import AuditEntry
from gateway.models import Account
from shared.errors import FieldError, page_errors, require

MAX_FILTER_LENGTH = 100
STREAM_BATCH = 2000


def in_utc(instant: datetime | None) -> datetime | None:
    """An instant given without a zone is taken as UTC."""
    if instant is None or instant.tzinfo is not None:
        return instant
    return instant.replace(tzinfo=UTC)


class AuditFilter(msgspec.Struct, frozen=True, kw_only=True):
    actor_id: str | None = None
    target_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "since", in_utc(self.since))
        msgspec.structs.force_setattr(self, "until", in_utc(self.until))

    def errors(self) -> list[FieldError]:
        found = [
            FieldError(name, f"must be at most {MAX_FILTER_LENGTH} characters")
            for name, value in (("actorId", self.actor_id), ("targetId", self.target_id),
                                ("action", self.action))
            if value is not None and len(value) > MAX_FILTER_LENGTH
        ]  # fmt: skip
        if self.since and self.until and self.since > self.until:
            found.append(FieldError("until", "must not be before since"))
        return found

    def described(self) -> dict[str, str]:
        """The filters that are set, by their GraphQL names (ids, an action name, instants)."""
        names = {"actor_id": "actorId", "target_id": "targetId"}
        return {names.get(field, field): str(getattr(self, field))
                for field in self.__struct_fields__ if getattr(self, field) is not None}  # fmt: skip

    def applied(self, query: Select[Any]) -> Select[Any]:
        for column, value in (
            (AuditEntry.actor_id, self.actor_id),
            (AuditEntry.target_id, self.target_id),
            (AuditEntry.action, self.action),
        ):
            if value:
                query = query.where(column == value)
        if self.since:
            query = query.where(AuditEntry.at >= self.since)
        if self.until:
            query = query.where(AuditEntry.at < self.until)
        return query


class AuditLine(msgspec.Struct, frozen=True):
    entry: Entry
    actor_name: str | None


async def page(
    session: AsyncSession, where: AuditFilter, first: int, offset: int
) -> tuple[int, list[AuditLine]]:
    """Newest first. The actor's name is the account's current one: an erased person's name
    goes with their account, the entry keeps only the id."""
    require(where.errors() + page_errors(first, offset))
    total = await session.scalar(where.applied(select(func.count()).select_from(AuditEntry)))
    rows = await session.execute(
        where.applied(select(AuditEntry))
        .add_columns(Account.display_name)
        .outerjoin(Account, cast(Account.id, String) == AuditEntry.actor_id)
        .order_by(AuditEntry.sequence.desc())
        .limit(first)
        .offset(offset)
    )
    return total or 0, [AuditLine(row.entry(), name) for row, name in rows]


async def entries(
    session_factory: async_sessionmaker[AsyncSession], where: AuditFilter | None = None
) -> AsyncIterator[Entry]:
    """Every entry in sequence order, fetched in batches."""
    query = (where or AuditFilter()).applied(select(AuditEntry)).order_by(AuditEntry.sequence)
    async with session_factory() as session:
        found = await session.stream_scalars(query.execution_options(yield_per=STREAM_BATCH))
        async for row in found:
            yield row.entry()


async def chain_check(session_factory: async_sessionmaker[AsyncSession]) -> ChainCheck:
    result = ChainCheck()
    async for entry in entries(session_factory):
        result.feed(entry)
    return result


CSV_HEADER = [
    "sequence", "at", "actor_id", "actor_role", "action", "target_type", "target_id",
    "outcome", "source", "detail", "previous_hash", "hash",
]  # fmt: skip


def cell(value: str) -> str:
    """A spreadsheet must not run what an id argument smuggled in (=, +, -, @ start a formula)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()


async def csv_lines(
    session_factory: async_sessionmaker[AsyncSession], where: AuditFilter
) -> AsyncIterator[str]:
    """The header, then one line per entry in sequence order; ids only, no names (a file
    outlives an erasure), with the hashes so the chain can be checked outside the portal."""
    yield csv_line(CSV_HEADER)
    async for entry in entries(session_factory, where):
        f = entry.facts
        detail = ";".join(f"{k}={v}" for k, v in sorted(f.detail.items()))
        yield csv_line([cell(v) for v in (
            str(entry.sequence), entry.at.astimezone(UTC).isoformat(), f.actor_id or "", f.actor_role, f.action,
            f.target_type, f.target_id, f.outcome, f.source or "", detail, entry.previous_hash,
            entry.hash,
        )])  # fmt: skip
