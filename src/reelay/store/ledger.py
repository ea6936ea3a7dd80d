"""Points: every change of a key's balance is a ledger entry written in the same transaction.

The balance column is a running sum kept for fast, race-free checks (a conditional UPDATE);
the ledger is the record. Both change together or not at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reelay.domain.errors import InputError, InsufficientPoints
from reelay.domain.status import LIVE

from .db import write_transaction
from .tables import api_keys, ledger_entries, tasks

# The balance column is PostgreSQL's INTEGER: an UPDATE past it fails (it was a 500).
BALANCE_MAX = 2**31 - 1


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    amount: int
    task_id: str | None
    model: str | None
    note: str | None
    created_at: float


async def charge_in(conn: AsyncConnection, api_key_id: str, points: int, task_id: str, model: str) -> None:
    """Take `points` from the key, or raise InsufficientPoints; concurrent charges cannot overdraw."""
    result = await conn.execute(
        update(api_keys)
        .where(api_keys.c.id == api_key_id, api_keys.c.balance >= points)
        .values(balance=api_keys.c.balance - points)
    )
    if result.rowcount != 1:
        balance = (await conn.execute(select(api_keys.c.balance).where(api_keys.c.id == api_key_id))).scalar()
        raise InsufficientPoints(f"points: this task costs {points} points and the balance is {balance}.")
    await _entry(conn, api_key_id, "charge", -points, task_id=task_id, model=model)


async def refund_in(conn: AsyncConnection, task_id: str) -> None:
    """Give back a failed or cancelled task's charge. Called only by the one transition that
    made the task final, and guarded by `refunded`, so it happens exactly once."""
    row = (
        await conn.execute(
            select(tasks.c.api_key_id, tasks.c.points, tasks.c.model, tasks.c.refunded).where(tasks.c.id == task_id)
        )
    ).first()
    if row is None or row.points <= 0 or row.refunded:
        return
    await conn.execute(update(tasks).where(tasks.c.id == task_id).values(refunded=True))
    await conn.execute(
        update(api_keys).where(api_keys.c.id == row.api_key_id).values(balance=api_keys.c.balance + row.points)
    )
    await _entry(conn, row.api_key_id, "refund", row.points, task_id=task_id, model=row.model)


async def _entry(conn: AsyncConnection, api_key_id: str, kind: str, amount: int, **fields) -> None:
    await conn.execute(
        ledger_entries.insert().values(
            api_key_id=api_key_id, kind=kind, amount=amount, created_at=time.time(), **fields
        )
    )


async def _held(conn: AsyncConnection, api_key_id: str) -> int:
    """Points charged for the key's live tasks: each may come back to the balance as a refund."""
    query = select(func.coalesce(func.sum(tasks.c.points), 0)).where(
        tasks.c.api_key_id == api_key_id, tasks.c.status.in_([s.value for s in LIVE])
    )
    return int((await conn.execute(query)).scalar_one())


class LedgerStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def credit(self, api_key_id: str, amount: int, *, kind: str = "topup", note: str | None = None) -> int:
        """A top-up (or a signed adjustment); returns the new balance. Never below zero, and never
        past BALANCE_MAX counting the points live tasks hold, which come back if they fail."""
        async with write_transaction(self.db) as conn:
            # FOR UPDATE (PostgreSQL): no charge or refund of this key moves points until we commit.
            query = select(api_keys.c.balance).where(api_keys.c.id == api_key_id).with_for_update()
            balance = (await conn.execute(query)).scalar() or 0
            held = await _held(conn, api_key_id) if amount > 0 else 0
            fits = balance + amount >= 0 and balance + held + amount <= BALANCE_MAX
            if fits:
                # Rechecked here for SQLite, where the read above locks nothing; each bound is a value
                # the column holds, so the comparison itself cannot overflow on PostgreSQL.
                within = (
                    api_keys.c.balance <= BALANCE_MAX - held - amount if amount > 0 else api_keys.c.balance >= -amount
                )
                result = await conn.execute(
                    update(api_keys)
                    .where(api_keys.c.id == api_key_id, within)
                    .values(balance=api_keys.c.balance + amount)
                )
                fits = result.rowcount == 1
            if not fits and amount < 0:
                raise InsufficientPoints(f"points: an adjustment of {amount} would take the balance below zero.")
            if not fits:
                in_flight = f" and {held} held by tasks in progress" if held else ""
                raise InputError(
                    "points",
                    f"adding {amount} to the balance of {balance}{in_flight} would pass {BALANCE_MAX}, the most a balance holds",
                )
            await _entry(conn, api_key_id, kind, amount, note=note)
            return (await conn.execute(select(api_keys.c.balance).where(api_keys.c.id == api_key_id))).scalar_one()

    async def balance(self, api_key_id: str) -> int:
        async with self.db.connect() as conn:
            return (await conn.execute(select(api_keys.c.balance).where(api_keys.c.id == api_key_id))).scalar() or 0

    async def balances(self) -> dict[str, int]:
        """Every key's balance, in one read (a key list shows them all)."""
        async with self.db.connect() as conn:
            rows = (await conn.execute(select(api_keys.c.id, api_keys.c.balance))).all()
        return {key_id: balance for key_id, balance in rows}

    async def entries(self, api_key_id: str, limit: int = 500) -> list[Entry]:
        query = (
            select(ledger_entries)
            .where(ledger_entries.c.api_key_id == api_key_id)
            .order_by(ledger_entries.c.id.desc())
            .limit(limit)
        )
        return await self._entries(query)

    async def for_task(self, task_id: str) -> list[Entry]:
        """The entries of one task (its charge, and its refund if it had one), oldest first."""
        query = select(ledger_entries).where(ledger_entries.c.task_id == task_id).order_by(ledger_entries.c.id)
        return await self._entries(query)

    async def _entries(self, query) -> list[Entry]:
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Entry(r.id, r.kind, r.amount, r.task_id, r.model, r.note, r.created_at) for r in rows]

    async def spent_by_day(self, api_key_id: str, start: date, before: date) -> dict[date, dict[str, int]]:
        """Points spent per UTC day and model (charges less refunds), for Runway's usage report."""
        lo = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()
        hi = datetime(before.year, before.month, before.day, tzinfo=UTC).timestamp()
        query = select(ledger_entries.c.created_at, ledger_entries.c.model, ledger_entries.c.amount).where(
            ledger_entries.c.api_key_id == api_key_id,
            ledger_entries.c.kind.in_(["charge", "refund"]),
            ledger_entries.c.created_at >= lo,
            ledger_entries.c.created_at < hi,
        )
        days: dict[date, dict[str, int]] = {}
        async with self.db.connect() as conn:
            for created_at, model, amount in (await conn.execute(query)).all():
                day = datetime.fromtimestamp(created_at, UTC).date()
                per_model = days.setdefault(day, {})
                per_model[model] = per_model.get(model, 0) - amount
        return days
