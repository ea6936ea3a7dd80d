"""Concurrency slots: a capped channel runs at most `capacity` tasks at once, in submission order."""

from __future__ import annotations

import time

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reelay.domain.status import Status

from .db import write_transaction
from .tables import channel_slots, tasks

_WAITING = [Status.PENDING.value, Status.THROTTLED.value]
KEY_SCOPE = "key:"


class SlotStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def acquire(self, channel: str, task_id: str, created_at: float, capacity: int) -> int | None:
        """The slot number this task holds in the scope (a channel's name, or "key:<id>"),
        or None: wait (THROTTLED)."""
        try:
            async with write_transaction(self.engine) as conn:
                held = (
                    await conn.execute(
                        select(channel_slots.c.slot).where(
                            channel_slots.c.task_id == task_id, channel_slots.c.channel == channel
                        )
                    )
                ).scalar()
                if held is not None:
                    return held
                if await self._older_waiting(conn, channel, task_id, created_at):
                    return None  # first come, first served
                used = set(
                    (await conn.execute(select(channel_slots.c.slot).where(channel_slots.c.channel == channel)))
                    .scalars()
                    .all()
                )
                free = next((slot for slot in range(capacity) if slot not in used), None)
                if free is None:
                    return None
                await conn.execute(
                    channel_slots.insert().values(channel=channel, slot=free, task_id=task_id, acquired_at=time.time())
                )
                return free
        except IntegrityError:
            return None  # another process took that slot at the same moment: try again later

    async def _older_waiting(self, conn: AsyncConnection, channel: str, task_id: str, created_at: float) -> bool:
        holders = select(channel_slots.c.task_id).where(channel_slots.c.channel == channel)
        if channel.startswith(KEY_SCOPE):
            same_scope = tasks.c.api_key_id == channel[len(KEY_SCOPE):]
        else:
            same_scope = tasks.c.engine == channel
        older = (
            await conn.execute(
                select(tasks.c.id)
                .where(
                    same_scope,
                    tasks.c.status.in_(_WAITING),
                    tasks.c.created_at < created_at,
                    tasks.c.id != task_id,
                    tasks.c.id.not_in(holders),
                )
                .limit(1)
            )
        ).first()
        return older is not None

    async def release(self, task_id: str) -> None:
        async with write_transaction(self.engine) as conn:
            await release_in(conn, task_id)

    async def in_use(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(select(channel_slots.c.channel, func.count()).group_by(channel_slots.c.channel))
            ).all()
        return {channel: count for channel, count in rows}


async def release_in(conn: AsyncConnection, task_id: str) -> None:
    await conn.execute(delete(channel_slots).where(channel_slots.c.task_id == task_id))
