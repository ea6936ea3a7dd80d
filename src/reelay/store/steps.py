"""Task steps: what the worker saw of each task (status changes, each start and check of an
engine with the upstream exchanges it made, result copies, moves), for the task's timeline.

Bounded per task: status changes, starts, copies and moves are few and all kept; of the checks
(one per upstream poll, hundreds for a long task) the first few and the latest are kept, and the
ones between are deleted, so a task that polls for a day holds a few dozen rows. The gaps stay
visible: a claim numbers its steps (`seq`), so the timeline can say how many were dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import write_transaction
from .tables import task_steps

KEEP_FIRST_CHECKS = 5
KEEP_LATEST_CHECKS = 40


@dataclass(frozen=True)
class Step:
    task_id: str
    attempt: int
    seq: int
    kind: str  # status | start | check | store | move
    at: float
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)


class StepStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db
        self._insert = insert(task_steps)

    async def add_many(self, steps: list[Step], prune: Iterable[str] = ()) -> None:
        """Write a batch of steps, then drop the middle checks of the tasks in `prune`, in one transaction."""
        prune = sorted(set(prune))
        if not steps and not prune:
            return
        rows = [
            {
                "task_id": s.task_id,
                "attempt": s.attempt,
                "seq": s.seq,
                "kind": s.kind,
                "at": s.at,
                "summary": s.summary,
                "detail": s.detail,
            }
            for s in steps
        ]
        async with write_transaction(self.db) as conn:
            if rows:
                await conn.execute(self._insert, rows)
            for task_id in prune:
                await conn.execute(_prune_checks(task_id))

    async def for_task(self, task_id: str) -> list[Step]:
        """The task's steps, oldest first."""
        query = select(task_steps).where(task_steps.c.task_id == task_id).order_by(task_steps.c.id)
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Step(r.task_id, r.attempt, r.seq, r.kind, r.at, r.summary, r.detail or {}) for r in rows]


def _prune_checks(task_id: str):
    checks = select(task_steps.c.id).where(task_steps.c.task_id == task_id, task_steps.c.kind == "check")
    first = checks.order_by(task_steps.c.id).limit(KEEP_FIRST_CHECKS)
    latest = checks.order_by(task_steps.c.id.desc()).limit(KEEP_LATEST_CHECKS)
    # Wrapped once more: MySQL-style engines refuse LIMIT directly inside IN; SQLite and
    # PostgreSQL take either, and the wrapped form reads the same on both.
    return delete(task_steps).where(
        task_steps.c.task_id == task_id,
        task_steps.c.kind == "check",
        task_steps.c.id.not_in(select(first.subquery().c.id)),
        task_steps.c.id.not_in(select(latest.subquery().c.id)),
    )
