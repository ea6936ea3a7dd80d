"""Fingerprints of recent creates: how a retried create finds the task its first attempt made.

Runway's SDKs retry a create (timeouts, connection errors, 408, 409, 429, 5xx) without an
idempotency key; only `x-stainless-retry-count` tells a retry. When the first attempt committed
and just its answer was lost, the retry must get that task back, not make and charge a second.
"""

from __future__ import annotations

import time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reelay.domain.task import Task

from .db import write_transaction
from .rows import task_from_row
from .tables import create_fingerprints, tasks

_INSERT = create_fingerprints.insert()  # built once: every create runs it


async def record_in(conn: AsyncConnection, api_key_id: str, fingerprint: str, task_id: str) -> None:
    """Called by the transaction that inserts the task: a committed task always has its row."""
    row = {"task_id": task_id, "api_key_id": api_key_id, "fingerprint": fingerprint, "created_at": time.time()}
    await conn.execute(_INSERT, row)


class CreateFingerprints:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def latest(self, api_key_id: str, fingerprint: str, since: float) -> Task | None:
        """The newest task this key created with this fingerprint since a moment, unless deleted
        (a client that deleted it had its answer: a retry then is not about that task)."""
        query = (
            select(tasks)
            .join(create_fingerprints, create_fingerprints.c.task_id == tasks.c.id)
            .where(
                create_fingerprints.c.api_key_id == api_key_id,
                create_fingerprints.c.fingerprint == fingerprint,
                create_fingerprints.c.created_at >= since,
                tasks.c.deleted.is_(False),
            )
            .order_by(create_fingerprints.c.created_at.desc())
            .limit(1)
        )
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        return task_from_row(row) if row else None

    async def expire(self, before: float) -> int:
        """Forget creates older than a moment; returns how many rows went."""
        async with write_transaction(self.db) as conn:
            result = await conn.execute(delete(create_fingerprints).where(create_fingerprints.c.created_at < before))
        return result.rowcount
