"""Usage per UTC day of creation, model and key: tasks, how they ended, and the points they cost.

Points come from the tasks' own `points` and `refunded` columns rather than from the ledger: a
task's charge and its refund then fall on the day the task was created, with its counts, even
when the refund is written the next day (the ledger dates each entry when it was written). The two
agree in total: `refund_in` sets `refunded` in the same transaction as the ledger's refund entry.
Deleted tasks count: deleting a finished task gives nothing back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Integer, case, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reelay.domain.status import Status

from .tables import tasks

DAY = 86400
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class UsageRow:
    day: date  # UTC day of the task's creation
    model: str
    api_key_id: str
    tasks: int
    succeeded: int
    failed: int  # failed or cancelled
    points: int  # charged, net of refunds


def _epoch(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _day_number(dialect: str):
    """Whole UTC days since the epoch of a task's creation. SQLite's CAST truncates, which is the
    floor for times after 1970; PostgreSQL's CAST rounds, so it floors first."""
    # A literal, not a bound parameter: PostgreSQL must see the GROUP BY expression as the SELECT's.
    days = tasks.c.created_at / literal_column(str(DAY))
    if dialect == "postgresql":
        return cast(func.floor(days), Integer)
    return cast(days, Integer)


class UsageStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def by_day(self, *, start: date, end: date, api_key_id: str | None = None) -> list[UsageRow]:
        """Rows for the tasks created from `start` up to, not including, `end` (UTC days), ordered
        by day, model and key; a day, model or key without tasks has no row."""
        day = _day_number(self.db.dialect.name).label("day")
        ended_badly = tasks.c.status.in_([Status.FAILED.value, Status.CANCELLED.value])
        query = (
            select(
                day,
                tasks.c.model,
                tasks.c.api_key_id,
                func.count().label("tasks"),
                func.sum(case((tasks.c.status == Status.SUCCEEDED.value, 1), else_=0)).label("succeeded"),
                func.sum(case((ended_badly, 1), else_=0)).label("failed"),
                func.sum(case((tasks.c.refunded.is_(True), 0), else_=tasks.c.points)).label("points"),
            )
            .where(tasks.c.created_at >= _epoch(start), tasks.c.created_at < _epoch(end))
            .group_by(day, tasks.c.model, tasks.c.api_key_id)
            .order_by(day, tasks.c.model, tasks.c.api_key_id)
        )
        if api_key_id is not None:
            query = query.where(tasks.c.api_key_id == api_key_id)
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            UsageRow(
                day=_EPOCH + timedelta(days=int(row.day)),
                model=row.model,
                api_key_id=row.api_key_id,
                tasks=int(row.tasks),
                succeeded=int(row.succeeded),
                failed=int(row.failed),
                points=int(row.points),
            )
            for row in rows
        ]
