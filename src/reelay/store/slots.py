"""Concurrency slots: a capped scope (a channel, or a key's own cap) runs at most `capacity`
tasks at once, and its waiting tasks get their turn in submission order.

Invariants, whatever dies when:
- a slot row belongs to a live task: it is inserted only while the task row is locked live and
  leased by the caller's claim, and the final transition deletes it in the same transaction
  (`sweep` deletes any that slipped through and counts them for the watchdog);
- a waiting task is admitted when fewer older tasks wait than there are free slots, so many
  tasks can be admitted at once and none jumps an older one that is ready to go.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reelay.domain.status import LIVE, Status

from .db import write_transaction
from .tables import api_keys, channel_slots, tasks

_WAITING = [Status.PENDING.value, Status.THROTTLED.value]
_LIVE = [s.value for s in LIVE]
KEY_SCOPE = "key:"


@dataclass(frozen=True)
class Admission:
    """The slot a task holds in a scope, or None with how many older tasks wait before it."""

    slot: int | None
    ahead: int = 0


@dataclass(frozen=True)
class SlotAudit:
    """What the watchdog reports: slots nobody will ever give back, and the queues' heads."""

    held_by_final: int
    held_by_unleased: int
    oldest_throttled: dict[str, float]  # channel -> age in seconds of its oldest THROTTLED task


class SlotStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def acquire(
        self, scope: str, task_id: str, created_at: float, capacity: int, *, owner: str, attempt: int
    ) -> Admission:
        """Take a slot in `scope` (a channel's name, or "key:<id>") for a task this claim
        (`owner`, `attempt`) leases. No slot: wait THROTTLED."""
        try:
            async with write_transaction(self.db) as conn:
                # Lock the task row while it is live and ours: a final transition racing with
                # this insert waits for it and then deletes the new row with the others.
                ours = (
                    await conn.execute(
                        select(tasks.c.id)
                        .where(
                            tasks.c.id == task_id,
                            tasks.c.status.in_(_LIVE),
                            tasks.c.lease_owner == owner,
                            tasks.c.attempts == attempt,
                        )
                        .with_for_update()
                    )
                ).first()
                if ours is None:
                    raise SlotLeaseLost(task_id)
                held = (
                    await conn.execute(
                        select(channel_slots.c.slot).where(
                            channel_slots.c.task_id == task_id, channel_slots.c.channel == scope
                        )
                    )
                ).scalar()
                if held is not None:
                    return Admission(held)
                used = set(
                    (await conn.execute(select(channel_slots.c.slot).where(channel_slots.c.channel == scope)))
                    .scalars()
                    .all()
                )
                ahead = await _older_waiting(conn, scope, task_id, created_at)
                free = [slot for slot in range(capacity) if slot not in used]
                if ahead >= len(free):
                    return Admission(None, ahead)  # first come, first served
                await conn.execute(
                    channel_slots.insert().values(channel=scope, slot=free[0], task_id=task_id, acquired_at=time.time())
                )
                return Admission(free[0])
        except IntegrityError:
            return Admission(None)  # another process took that slot at the same moment: try again soon

    async def release(self, task_id: str) -> None:
        async with write_transaction(self.db) as conn:
            await release_in(conn, task_id)

    async def in_use(self) -> dict[str, int]:
        async with self.db.connect() as conn:
            rows = (
                await conn.execute(select(channel_slots.c.channel, func.count()).group_by(channel_slots.c.channel))
            ).all()
        return {channel: count for channel, count in rows}

    async def sweep(self) -> int:
        """Delete slots whose task is final or gone; returns how many (should always be 0)."""
        async with write_transaction(self.db) as conn:
            result = await conn.execute(delete(channel_slots).where(not_(channel_slots.c.task_id.in_(_live_ids()))))
        return result.rowcount

    async def audit(self, lease_seconds: float) -> SlotAudit:
        now = time.time()
        async with self.db.connect() as conn:
            final = (
                await conn.execute(
                    select(func.count())
                    .select_from(channel_slots)
                    .where(not_(channel_slots.c.task_id.in_(_live_ids())))
                )
            ).scalar_one()
            # A live task unleased for more than a lease period: no worker is coming for it.
            unleased = (
                await conn.execute(
                    select(func.count())
                    .select_from(channel_slots.join(tasks, tasks.c.id == channel_slots.c.task_id))
                    .where(
                        tasks.c.status.in_(_LIVE),
                        channel_slots.c.acquired_at < now - lease_seconds,
                        or_(tasks.c.lease_expires_at.is_(None), tasks.c.lease_expires_at < now - lease_seconds),
                    )
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    select(tasks.c.channel, func.min(tasks.c.created_at))
                    .where(tasks.c.status == Status.THROTTLED.value)
                    .group_by(tasks.c.channel)
                )
            ).all()
        return SlotAudit(final, unleased, {channel: now - oldest for channel, oldest in rows})


class SlotLeaseLost(Exception):
    """The task is final, or another claim leases it now: the caller must stop driving it."""


def _live_ids():
    return select(tasks.c.id).where(tasks.c.status.in_(_LIVE))


async def _older_waiting(conn: AsyncConnection, scope: str, task_id: str, created_at: float) -> int:
    """Tasks of the scope that wait for a slot and were submitted before this one.

    Not counted: tasks backing off after an upstream refused them (they rejoin when due, in
    their old place), and, for a channel, tasks still held back by their key's own cap (a key
    at its cap must not stall every other key's tasks on the channel)."""
    now = time.time()
    holders = select(channel_slots.c.task_id).where(channel_slots.c.channel == scope)
    older = or_(tasks.c.created_at < created_at, and_(tasks.c.created_at == created_at, tasks.c.id < task_id))
    conditions = [
        tasks.c.status.in_(_WAITING),
        older,
        tasks.c.id.not_in(holders),
        or_(tasks.c.next_check_at.is_(None), tasks.c.next_check_at <= now),
    ]
    if scope.startswith(KEY_SCOPE):
        conditions.append(tasks.c.api_key_id == scope[len(KEY_SCOPE) :])
    else:
        capped_keys = select(api_keys.c.id).where(api_keys.c.max_concurrent.is_not(None))
        holding_key_slot = select(channel_slots.c.task_id).where(channel_slots.c.channel.startswith(KEY_SCOPE))
        conditions += [
            tasks.c.channel == scope,
            or_(tasks.c.api_key_id.not_in(capped_keys), tasks.c.id.in_(holding_key_slot)),
        ]
    return (await conn.execute(select(func.count()).select_from(tasks).where(*conditions))).scalar_one()


async def release_in(conn: AsyncConnection, task_id: str) -> None:
    await conn.execute(delete(channel_slots).where(channel_slots.c.task_id == task_id))
