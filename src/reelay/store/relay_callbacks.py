"""What pro-format upstreams told us through their callbacks, kept so any process can read it:
it settles an unconfirmed submission in whichever worker looks at the task next."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import write_transaction
from .tables import relay_callbacks


@dataclass(frozen=True)
class RelayCallback:
    task_id: str
    upstream_id: str | None
    status: str | None
    received_at: float


class RelayCallbackStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def record(self, task_id: str, upstream_id: str | None, status: str | None) -> None:
        """The latest callback for a task replaces any earlier one."""
        async with write_transaction(self.db) as conn:
            await conn.execute(delete(relay_callbacks).where(relay_callbacks.c.task_id == task_id))
            await conn.execute(
                relay_callbacks.insert().values(
                    task_id=task_id, upstream_id=upstream_id, status=status, received_at=time.time()
                )
            )

    async def find(self, task_id: str) -> RelayCallback | None:
        async with self.db.connect() as conn:
            row = (await conn.execute(select(relay_callbacks).where(relay_callbacks.c.task_id == task_id))).first()
        return RelayCallback(row.task_id, row.upstream_id, row.status, row.received_at) if row else None
