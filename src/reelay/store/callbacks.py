"""The callback outbox: rows written with each status change, claimed and settled by the dispatcher."""

from __future__ import annotations

import builtins
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reelay.domain.status import Status

from .db import storable, write_transaction
from .tables import callback_attempts, callback_deliveries, tasks

# The status changes a receiver hears about, and their order within a task.
EVENT_SEQ = {Status.RUNNING: 1, Status.SUCCEEDED: 2, Status.FAILED: 2, Status.CANCELLED: 2}
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


@dataclass(frozen=True)
class Delivery:
    id: str
    task_id: str
    api_key_id: str
    seq: int
    event_status: Status
    url: str
    state: str
    attempts: int
    created_at: float
    next_attempt_at: float | None
    delivered_at: float | None
    last_error: str | None


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    delivery_id: str
    attempted_at: float
    duration_ms: float
    http_status: int | None
    error: str | None
    state: str
    next_attempt_at: float | None
    sent: str | None = None  # the start of the body posted
    answer: str | None = None  # the start of the receiver's answer


def _delivery(row: Any) -> Delivery:
    m = row._mapping
    return Delivery(
        m["id"],
        m["task_id"],
        m["api_key_id"],
        m["seq"],
        Status(m["event_status"]),
        m["url"],
        m["state"],
        m["attempts"],
        m["created_at"],
        m["next_attempt_at"],
        m["delivered_at"],
        m["last_error"],
    )


async def enqueue(conn: AsyncConnection, task_id: str, status: Status) -> None:
    """Called inside the transaction that changed the task's status: no change without its row."""
    seq = EVENT_SEQ.get(status)
    if seq is None:
        return
    row = (await conn.execute(select(tasks.c.api_key_id, tasks.c.request).where(tasks.c.id == task_id))).first()
    if row is None:
        return
    url = (row.request or {}).get("callback_url")
    if not url:
        return
    now = time.time()
    await conn.execute(
        callback_deliveries.insert().values(
            id=str(uuid.uuid4()),
            task_id=task_id,
            api_key_id=row.api_key_id,
            seq=seq,
            event_status=status.value,
            url=url,
            state=PENDING,
            created_at=now,
            next_attempt_at=now,
        )
    )


# The dispatcher's statements, built once: it runs them every round, and building one (its cache
# key included) cost more than running it.
_deliveries = callback_deliveries.c
_earlier = callback_deliveries.alias("earlier")
_LEASE_FREE = or_(_deliveries.lease_expires_at.is_(None), _deliveries.lease_expires_at < bindparam("now"))
_CANDIDATES = (
    select(callback_deliveries)
    .where(
        _deliveries.state == PENDING,
        _deliveries.next_attempt_at <= bindparam("now"),
        _LEASE_FREE,
        ~exists().where(
            _earlier.c.task_id == _deliveries.task_id, _earlier.c.seq < _deliveries.seq, _earlier.c.state == PENDING
        ),
    )
    .order_by(_deliveries.next_attempt_at)
    .limit(bindparam("limit"))
)
# One statement takes the leases and names the rows it took (both databases have RETURNING).
_LEASE = (
    update(callback_deliveries)
    .where(_deliveries.id.in_(bindparam("ids", expanding=True)), _deliveries.state == PENDING, _LEASE_FREE)
    .values(lease_owner=bindparam("owner"), lease_expires_at=bindparam("until"))
    .returning(_deliveries.id)
)
_HELD = (
    select(_deliveries.id)
    .where(_deliveries.id.in_(bindparam("ids", expanding=True)), _deliveries.lease_owner == bindparam("owner"))
    .with_for_update()
)
_SETTLE = (
    update(callback_deliveries)
    .where(_deliveries.id == bindparam("b_id"), _deliveries.lease_owner == bindparam("b_owner"))
    .values(
        state=bindparam("b_state"),
        attempts=_deliveries.attempts + 1,
        next_attempt_at=bindparam("b_next"),
        delivered_at=bindparam("b_delivered"),
        last_error=bindparam("b_error"),
        lease_owner=None,
        lease_expires_at=None,
    )
)
_RECORD_ATTEMPT = callback_attempts.insert()


class CallbackStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def candidates(self, limit: int) -> builtins.list[Delivery]:
        """Due deliveries whose lease is free and whose earlier deliveries (same task) are settled."""
        async with self.db.connect() as conn:
            rows = (await conn.execute(_CANDIDATES, {"now": time.time(), "limit": limit})).all()
        return [_delivery(r) for r in rows]

    async def lease(self, delivery_ids: builtins.list[str], owner: str, seconds: float) -> set[str]:
        """Take the lease on those of `delivery_ids` still pending and free; returns the ids taken."""
        if not delivery_ids:
            return set()
        now = time.time()
        async with write_transaction(self.db) as conn:
            taken = await conn.execute(
                _LEASE, {"ids": delivery_ids, "now": now, "owner": owner, "until": now + seconds}
            )
            return set(taken.scalars().all())

    async def settle(self, owner: str, outcomes: builtins.list[Outcome]) -> None:
        """Record attempts and the deliveries' new states, all in one transaction: one statement
        for all the rows (executemany), not two per delivery."""
        if not outcomes:
            return
        ids = [outcome.delivery_id for outcome in outcomes]
        async with write_transaction(self.db) as conn:
            # Only rows still leased to us: a lease lost meanwhile means another sender owns the row now.
            held = set((await conn.execute(_HELD, {"ids": ids, "owner": owner})).scalars().all())
            mine = [outcome for outcome in outcomes if outcome.delivery_id in held]
            if not mine:
                return
            await conn.execute(
                _SETTLE,
                [
                    {
                        "b_id": o.delivery_id,
                        "b_owner": owner,
                        "b_state": o.state,
                        "b_next": o.next_attempt_at,
                        "b_delivered": o.attempted_at if o.state == DELIVERED else None,
                        "b_error": o.error,
                    }
                    for o in mine
                ],
            )
            await conn.execute(
                _RECORD_ATTEMPT,
                [
                    {
                        "delivery_id": o.delivery_id,
                        "attempted_at": o.attempted_at,
                        "duration_ms": o.duration_ms,
                        "http_status": o.http_status,
                        "error": o.error,
                        "next_attempt_at": o.next_attempt_at,
                        "sent": o.sent,
                        "answer": o.answer,
                    }
                    for o in mine
                ],
            )

    async def list(
        self, *, task_id: str | None = None, state: str | None = None, limit: int = 200
    ) -> builtins.list[Delivery]:
        if task_id and not storable(task_id):  # no task id holds it, and PostgreSQL would refuse it
            return []
        query = select(callback_deliveries).order_by(
            callback_deliveries.c.created_at.desc(), callback_deliveries.c.seq.desc()
        )
        if task_id:
            query = query.where(callback_deliveries.c.task_id == task_id)
        if state:
            query = query.where(callback_deliveries.c.state == state)
        async with self.db.connect() as conn:
            return [_delivery(r) for r in (await conn.execute(query.limit(limit))).all()]

    async def attempts(self, delivery_ids: builtins.list[str]) -> dict[str, builtins.list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {d: [] for d in delivery_ids}
        if not delivery_ids:
            return found
        query = (
            select(callback_attempts)
            .where(callback_attempts.c.delivery_id.in_(delivery_ids))
            .order_by(callback_attempts.c.attempted_at)
        )
        async with self.db.connect() as conn:
            for row in (await conn.execute(query)).all():
                m = dict(row._mapping)
                found[m.pop("delivery_id")].append(m)
        return found

    async def resend(self, delivery_id: str) -> bool:
        """Send a delivery again now, whatever its state (a receiver asked, or it was dead).
        `delivery_id` may be a unique prefix; an unknown or ambiguous one changes nothing."""
        if not delivery_id or not storable(delivery_id):  # from a URL path: PostgreSQL would refuse NUL
            return False
        column = callback_deliveries.c.id
        async with write_transaction(self.db) as conn:
            # autoescape: "%" or "_" in a prefix is that character, not a LIKE wildcard matching every row.
            matches = (
                (
                    await conn.execute(
                        select(column)
                        .where(or_(column == delivery_id, column.startswith(delivery_id, autoescape=True)))
                        .limit(2)
                    )
                )
                .scalars()
                .all()
            )
            if len(matches) != 1:
                return False
            await conn.execute(
                update(callback_deliveries)
                .where(column == matches[0])
                .values(state=PENDING, next_attempt_at=time.time(), lease_owner=None, lease_expires_at=None)
            )
        return True

    async def backlog(self) -> dict[str, int]:
        async with self.db.connect() as conn:
            rows = (
                await conn.execute(
                    select(callback_deliveries.c.state, func.count()).group_by(callback_deliveries.c.state)
                )
            ).all()
        return {state: count for state, count in rows}
