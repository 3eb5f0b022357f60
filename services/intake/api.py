"""Thin HTTP handlers of intake."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import CallWindow
from shared.errors import NotFound
from shared.identity import Identity


class CallWindowView(msgspec.Struct, frozen=True):
    call_id: str
    title: str
    opens_at: datetime
    closes_at: datetime
    status: str


class CallWindowController(Controller):
    path = "/call-windows"

    @get("/{call_id:str}")
    async def get_window(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> CallWindowView:
        row = await session.get(CallWindow, call_id)
        if row is None:
            raise NotFound(f"Intake knows no published call {call_id}.")
        return CallWindowView(row.call_id, row.title, row.opens_at, row.closes_at, row.status)
