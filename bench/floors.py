"""The floors a submission is measured against, each a process of its own on uvicorn with the
services' HTTP parser and event loop:

- `raw`: Litestar + msgspec + asyncpg doing a submission's durable work: the submission's row
  and its outbox row in one transaction, the reply built from what was written.
- `strawberry`: a bare Strawberry mutation on Litestar answering the portal's own submit
  document, with nothing behind it.

    python -m bench.floors raw PORT DSN | python -m bench.floors strawberry PORT
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
import strawberry
import uvicorn
from litestar import Litestar, post
from strawberry.litestar import make_graphql_controller

from shared.serve import freeze_startup_objects

TABLES = """
CREATE TABLE IF NOT EXISTS floor_submission (
    id uuid PRIMARY KEY, application_id uuid NOT NULL, number text UNIQUE NOT NULL,
    submitted_at timestamptz NOT NULL, snapshot jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS floor_outbox (
    id uuid PRIMARY KEY, subject text NOT NULL, payload bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
"""


class SubmitBody(msgspec.Struct):
    application_id: uuid.UUID
    answers: dict[str, Any]


class Receipt(msgspec.Struct):
    number: str
    submitted_at: datetime


def raw_app(dsn: str) -> Litestar:
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
        async with pool.acquire() as connection:
            await connection.execute(TABLES)
        yield
        await pool.close()

    @post("/submit", status_code=200)
    async def submit(data: SubmitBody) -> Receipt:
        assert pool is not None
        receipt = Receipt(number=f"R-{uuid.uuid4().hex[:12]}", submitted_at=datetime.now(UTC))
        snapshot = msgspec.json.encode(data).decode()
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO floor_submission VALUES ($1, $2, $3, $4, $5::jsonb)",
                uuid.uuid4(), data.application_id, receipt.number, receipt.submitted_at, snapshot,
            )  # fmt: skip
            await connection.execute(
                "INSERT INTO floor_outbox (id, subject, payload) VALUES ($1, $2, $3)",
                uuid.uuid4(), "floor.submitted", msgspec.json.encode(receipt),
            )  # fmt: skip
        return receipt

    return Litestar([submit], lifespan=[lifespan])


@strawberry.type
class ReceiptType:
    number: str


@strawberry.type
class SubmissionReceipt:
    receipt: ReceiptType


@strawberry.type
class Refused:
    message: str


@strawberry.type
class Query:
    ping: str = "pong"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def submit_application(self, id: strawberry.ID) -> SubmissionReceipt | Refused:
        return SubmissionReceipt(receipt=ReceiptType(number=f"R-{str(id)[:12]}"))


def strawberry_app() -> Litestar:
    schema = strawberry.Schema(query=Query, mutation=Mutation)
    return Litestar([make_graphql_controller(schema, path="/graphql")])


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    app = raw_app(sys.argv[3]) if kind == "raw" else strawberry_app()
    freeze_startup_objects()  # as every portal process does: the same garbage collection
    uvicorn.run(app, host="127.0.0.1", port=port, http="httptools", log_level="warning",
                access_log=False)  # fmt: skip


if __name__ == "__main__":
    main()
