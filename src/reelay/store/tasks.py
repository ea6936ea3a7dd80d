"""Task queries: create with idempotency, read, guarded transitions, and worker leases."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from reelay.domain.artifacts import results_to_json
from reelay.domain.errors import RateLimited
from reelay.domain.schedule import ScheduleState
from reelay.domain.status import FINAL, LIVE, Status, sources_for
from reelay.domain.task import Task

from . import callbacks
from .db import write_transaction
from .ledger import charge_in, refund_in
from .retries import record_in
from .rows import task_from_row, task_to_row
from .slots import release_in
from .tables import api_keys, channel_slots, idempotency_keys, tasks

_LIVE = [s.value for s in LIVE]


@dataclass(frozen=True)
class IdempotencyClaim:
    key: str
    body_hash: str


class IdempotencyMismatch(Exception):
    """The key was used before with another body."""


def _get_query(by_key: bool, deleted: bool):
    query = select(tasks).where(tasks.c.id == bindparam("task_id"))
    if not deleted:
        query = query.where(tasks.c.deleted.is_(False))
    if by_key:
        query = query.where(tasks.c.api_key_id == bindparam("api_key_id"))
    return query


# Built once: a status read is the hottest path, and building the statement cost more than running it.
_GET_QUERIES = {(by_key, deleted): _get_query(by_key, deleted) for by_key in (False, True) for deleted in (False, True)}


_INSERT_TASK = tasks.insert()


class TaskStore:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def create(
        self,
        task: Task,
        idempotency: IdempotencyClaim | None = None,
        *,
        window: float = 86400,
        daily_limit: int | None = None,
        fingerprint: str | None = None,
    ) -> tuple[Task, bool]:
        """Write the task, its idempotency key or fingerprint, and its charge in one transaction.

        Returns (task, created). With a key seen before and the same body, the earlier task
        comes back with created=False (and nothing is charged again).
        """
        row = task_to_row(task) | {"next_check_at": time.time()}
        for _ in range(3):
            try:
                async with write_transaction(self.db) as conn:
                    if idempotency is not None:
                        existing = await self._idempotent_task(conn, task.api_key_id, idempotency, window)
                        if existing is not None:
                            return existing, False
                    if daily_limit is not None:
                        await self._check_daily_limit(conn, task.api_key_id, daily_limit)
                    await conn.execute(_INSERT_TASK, row)
                    if fingerprint:
                        await record_in(conn, task.api_key_id, fingerprint, task.id)
                    if task.points > 0:
                        await charge_in(conn, task.api_key_id, task.points, task.id, task.request.engine_model)
                    if idempotency is not None:
                        await conn.execute(
                            idempotency_keys.insert().values(
                                api_key_id=task.api_key_id,
                                key=idempotency.key,
                                body_hash=idempotency.body_hash,
                                task_id=task.id,
                                created_at=time.time(),
                            )
                        )
                return task, True
            except IntegrityError:
                # Another request with the same key won the race: read its task on the next pass.
                continue
        raise RuntimeError("idempotency key contention did not settle")

    async def _check_daily_limit(self, conn, api_key_id: str, limit: int) -> None:
        # Lock the key's row (PostgreSQL) so concurrent creates count one after another.
        await conn.execute(select(api_keys.c.id).where(api_keys.c.id == api_key_id).with_for_update())
        since = time.time() - 86400
        used = (
            await conn.execute(
                select(func.count()).where(tasks.c.api_key_id == api_key_id, tasks.c.created_at >= since)
            )
        ).scalar_one()
        if used >= limit:
            oldest = (
                await conn.execute(
                    select(func.min(tasks.c.created_at)).where(
                        tasks.c.api_key_id == api_key_id, tasks.c.created_at >= since
                    )
                )
            ).scalar_one()
            raise RateLimited(
                f"daily_limit: this key may create {limit} tasks in 24 hours and has reached it.",
                retry_after=max(1.0, oldest + 86400 - time.time()),
            )

    async def _idempotent_task(self, conn, api_key_id: str, claim: IdempotencyClaim, window: float):
        found = (
            await conn.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.api_key_id == api_key_id, idempotency_keys.c.key == claim.key
                )
            )
        ).first()
        if found is None:
            return None
        if found.created_at < time.time() - window:
            # Expired: the key may be used again for a new task.
            await conn.execute(
                idempotency_keys.delete().where(
                    idempotency_keys.c.api_key_id == api_key_id, idempotency_keys.c.key == claim.key
                )
            )
            return None
        if found.body_hash != claim.body_hash:
            raise IdempotencyMismatch(claim.key)
        row = (await conn.execute(select(tasks).where(tasks.c.id == found.task_id))).first()
        return task_from_row(row)

    async def get(self, task_id: str, api_key_id: str | None = None, *, deleted: bool = False) -> Task | None:
        """The task, unless it was deleted (`deleted=True`: deleted ones too)."""
        query = _GET_QUERIES[(api_key_id is not None, deleted)]
        async with self.db.connect() as conn:
            row = (await conn.execute(query, {"task_id": task_id, "api_key_id": api_key_id})).first()
        return task_from_row(row) if row else None

    async def get_many(self, task_ids: list[str]) -> dict[str, Task]:
        """Tasks by id, deleted ones included (their callbacks are still owed)."""
        if not task_ids:
            return {}
        async with self.db.connect() as conn:
            rows = (await conn.execute(select(tasks).where(tasks.c.id.in_(task_ids)))).all()
        return {row.id: task_from_row(row) for row in rows}

    async def transition(
        self,
        task_id: str,
        target: Status,
        *,
        lease: tuple[str, int] | None = None,
        through: tuple[Status, dict[str, Any]] | None = None,
        **fields: Any,
    ) -> bool:
        """Move a task to `target` if its current status allows it. Only one writer can win.

        A worker passes its `lease` (owner, attempt): a worker that stalled past its lease and
        was replaced can then never write over the worker that took the task over. `fields` are
        columns to write with it; `results` is a tuple of domain Artifacts, `schedule` a
        ScheduleState. `through` = (status, its fields): a status passed on the way, allowed
        from where the task is and told to callbacks, in the same write (a task that ends at its
        first check goes PENDING → RUNNING → SUCCEEDED in one statement)."""
        steps = (through[0], target) if through is not None else (target,)
        values = {**(through[1] if through is not None else {}), **fields}
        values |= {"status": target.value, "updated_at": time.time()}
        if "results" in fields:
            values["results"] = results_to_json(fields["results"])
        if "schedule" in fields:
            values["schedule_state"] = values.pop("schedule").to_json()
        if target in FINAL:
            # lease_owner stays: it tells the owning worker that its task ended elsewhere (a cancel).
            values |= {"next_check_at": None, "lease_expires_at": None}
        sources = [s.value for s in sources_for(steps[0])]
        async with write_transaction(self.db) as conn:
            result = await conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.status.in_(sources), *_leased(lease))
                .values(**values)
            )
            if result.rowcount != 1:
                return False
            for status in steps:
                # The callback rows are written by the same transaction: no change without its row.
                await callbacks.enqueue(conn, task_id, status)
            if target in (Status.FAILED, Status.CANCELLED):
                await refund_in(conn, task_id)  # exactly once: only one writer wins the final status
            if target in FINAL:
                await release_in(conn, task_id)  # a final task frees its channel and key slots
        return True

    async def reassign(
        self,
        task_id: str,
        lease: tuple[str, int],
        channel: str,
        schedule: ScheduleState,
        *,
        retry_at: float | None = None,
    ) -> bool:
        """Move a task not accepted upstream to `channel` (failover), freeing its slot on the
        old one unless it stays there, if this claim still leases it. The task starts afresh
        there (no engine state) with placement's `schedule`. With `retry_at` the task backs off
        until then: it is not due, and stands out of its channel's line meanwhile.
        False: another worker has taken it over, or it ended."""
        async with write_transaction(self.db) as conn:
            old = (
                await conn.execute(
                    select(tasks.c.channel).where(tasks.c.id == task_id, tasks.c.status.in_(_LIVE), *_leased(lease))
                )
            ).scalar()
            if old is None:
                return False
            values: dict[str, Any] = {"channel": channel, "engine_state": {}, "schedule_state": schedule.to_json()}
            if retry_at is not None:
                values["next_check_at"] = retry_at
            await conn.execute(update(tasks).where(tasks.c.id == task_id).values(**values))
            if old != channel:
                await conn.execute(
                    delete(channel_slots).where(channel_slots.c.task_id == task_id, channel_slots.c.channel == old)
                )
        return True

    async def set_progress(self, task_id: str, progress: float) -> None:
        async with write_transaction(self.db) as conn:
            await conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.status == Status.RUNNING.value)
                .values(progress=progress, updated_at=time.time())
            )

    async def save_engine_state(
        self, task_id: str, state: dict[str, Any], lease: tuple[str, int], *, schedule: ScheduleState | None = None
    ) -> bool:
        """Write the engine's state, and placement's `schedule` with it when given (one write: a
        create's attempt and the mark that the task started are saved together), if this claim
        (owner, attempt) still leases the live task.

        False means another worker has taken the task over (this one stalled past its lease):
        the caller must stop, and above all must not submit anything upstream."""
        values: dict[str, Any] = {"engine_state": state}
        if schedule is not None:
            values["schedule_state"] = schedule.to_json()
        async with write_transaction(self.db) as conn:
            result = await conn.execute(
                update(tasks).where(tasks.c.id == task_id, tasks.c.status.in_(_LIVE), *_leased(lease)).values(**values)
            )
        return result.rowcount == 1

    async def record_attempt(self, task_id: str, state: dict[str, Any], *, unconfirmed: dict[str, Any]) -> bool:
        """Record what became of a create (the engine's `state` after it), whoever leases the
        task now, if the stored engine state is still `unconfirmed`: the one saved before that
        create was sent. Nobody has looked into the attempt since, so its answer is still news."""
        async with write_transaction(self.db) as conn:
            stored = (
                await conn.execute(
                    select(tasks.c.engine_state)
                    .where(tasks.c.id == task_id, tasks.c.status.in_(_LIVE))
                    .with_for_update()
                )
            ).scalar()
            if stored is None or stored != unconfirmed:
                return False
            await conn.execute(update(tasks).where(tasks.c.id == task_id).values(engine_state=state))
        return True

    async def page(
        self,
        api_key_id: str,
        *,
        after: str | None,
        limit: int,
        newest_first: bool,
        without_models: tuple[str, ...] = (),
    ) -> list[Task]:
        """Up to `limit` of the key's tasks not deleted, ordered by (created_at, id), from past the
        task `after` (its stored time is compared as stored: no float round trip); none of the
        models `without_models`."""
        order = (tasks.c.created_at, tasks.c.id)
        query = select(tasks).where(tasks.c.api_key_id == api_key_id, tasks.c.deleted.is_(False))
        if without_models:
            query = query.where(tasks.c.model.notin_(without_models))
        if after is not None:
            moment = select(tasks.c.created_at).where(tasks.c.id == after).scalar_subquery()
            query = query.where(past_in_order(moment, after, newest_first=newest_first))
        query = query.order_by(*(column.desc() for column in order) if newest_first else order).limit(limit)
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [task_from_row(row) for row in rows]

    async def mark_deleted(self, task_id: str) -> None:
        async with write_transaction(self.db) as conn:
            await conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.status.in_([s.value for s in FINAL]))
                .values(deleted=True, updated_at=time.time())
            )

    # -- worker leases ---------------------------------------------------------------------

    async def claim_due(
        self, owner: str, limit: int, lease_seconds: float, engines: list[str] | None = None
    ) -> list[Task]:
        """Take the lease on up to `limit` due tasks whose lease is free or expired.

        A handful of statements whatever the batch size, so claiming never holds the (SQLite)
        write lock for long while creates wait."""
        now = time.time()
        free = or_(tasks.c.lease_expires_at.is_(None), tasks.c.lease_expires_at < now)
        due = and_(tasks.c.status.in_(_LIVE), tasks.c.next_check_at <= now, free)
        if engines is not None:
            due = and_(due, tasks.c.channel.in_(engines))
        token = f"{owner}:{uuid.uuid4().hex[:8]}"  # tells this claim's rows from the owner's others
        async with write_transaction(self.db) as conn:
            # PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
            ids = (
                (
                    await conn.execute(
                        select(tasks.c.id)
                        .where(due)
                        .order_by(tasks.c.next_check_at)
                        .limit(limit)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            if not ids:
                return []
            # Conditional on the lease still being free, so two claimers never both win a task.
            await conn.execute(
                update(tasks)
                .where(tasks.c.id.in_(ids), free, tasks.c.status.in_(_LIVE))
                .values(lease_owner=token, lease_expires_at=now + lease_seconds, attempts=tasks.c.attempts + 1)
            )
            rows = (await conn.execute(select(tasks).where(tasks.c.lease_owner == token))).all()
            await conn.execute(update(tasks).where(tasks.c.lease_owner == token).values(lease_owner=owner))
        claimed = [task_from_row(row) for row in rows]
        for task in claimed:
            task.lease_owner = owner  # as stored now
        return claimed

    async def renew_leases(self, owner: str, lease_seconds: float) -> set[str]:
        """Extend every lease this owner holds on a live task; returns those tasks' ids."""
        live = and_(tasks.c.lease_owner == owner, tasks.c.status.in_(_LIVE))
        async with write_transaction(self.db) as conn:
            # Rows locked in id order, as every batch write here does: two batches over the
            # same tasks (this and the progress batch) can then never deadlock on PostgreSQL.
            held = (
                (await conn.execute(select(tasks.c.id).where(live).order_by(tasks.c.id).with_for_update()))
                .scalars()
                .all()
            )
            if held:
                await conn.execute(
                    update(tasks).where(tasks.c.id.in_(held)).values(lease_expires_at=time.time() + lease_seconds)
                )
        return set(held)

    async def cancelled_since(self, owner: str, since: float) -> list[str]:
        """Tasks this owner drives that were cancelled (through the API) since a moment."""
        async with self.db.connect() as conn:
            rows = await conn.execute(
                select(tasks.c.id).where(
                    tasks.c.lease_owner == owner,
                    tasks.c.status == Status.CANCELLED.value,
                    tasks.c.updated_at >= since,
                )
            )
            return list(rows.scalars().all())

    async def set_progress_many(self, progress: dict[str, float]) -> None:
        """Progress of many running tasks in one transaction (the worker batches it)."""
        if not progress:
            return
        # One statement with many parameter sets: the driver sends them together, so a batch of
        # thousands holds its row locks (and SQLite's write lock) for milliseconds, not seconds.
        statement = (
            update(tasks)
            .where(tasks.c.id == bindparam("task_id"), tasks.c.status == Status.RUNNING.value)
            .values(progress=bindparam("new_progress"), updated_at=time.time())
        )
        rows = [{"task_id": task_id, "new_progress": value} for task_id, value in sorted(progress.items())]
        async with write_transaction(self.db) as conn:
            await conn.execute(statement, rows)

    async def hand_back(self, owner: str) -> int:
        """Give up every live task this owner leases, due now: another worker takes them at once."""
        async with write_transaction(self.db) as conn:
            result = await conn.execute(
                update(tasks)
                .where(tasks.c.lease_owner == owner, tasks.c.status.in_(_LIVE))
                .values(lease_owner=None, lease_expires_at=None, next_check_at=time.time())
            )
        return result.rowcount

    async def release_lease(self, task_id: str, lease: tuple[str, int | None], retry_in: float = 0.0) -> bool:
        """Give up one live task this claim leases: any worker takes it again once due. Used when
        a task's loop ends without a final status, so no lease outlives the loop that drove it."""
        async with write_transaction(self.db) as conn:
            result = await conn.execute(
                update(tasks)
                .where(tasks.c.id == task_id, tasks.c.status.in_(_LIVE), *_leased(lease))
                .values(lease_owner=None, lease_expires_at=None, next_check_at=time.time() + retry_in)
            )
        return result.rowcount == 1

    async def queue_depth(self) -> tuple[int, float]:
        """Live tasks due and unleased, and the age of the oldest of them in seconds."""
        now = time.time()
        free = or_(tasks.c.lease_expires_at.is_(None), tasks.c.lease_expires_at < now)
        due = and_(tasks.c.status.in_(_LIVE), tasks.c.next_check_at <= now, free)
        async with self.db.connect() as conn:
            count, oldest = (await conn.execute(select(func.count(), func.min(tasks.c.next_check_at)).where(due))).one()
        return count, (now - oldest) if oldest else 0.0

    async def counts_by_status_and_channel(self) -> list[tuple[str, str, int]]:
        async with self.db.connect() as conn:
            rows = await conn.execute(
                select(tasks.c.status, tasks.c.channel, func.count()).group_by(tasks.c.status, tasks.c.channel)
            )
            return [tuple(row) for row in rows.all()]

    async def daily_generations(self, api_key_id: str, since: float) -> dict[str, int]:
        """Tasks created per model by one key since a moment (Runway's `dailyGenerations`)."""
        async with self.db.connect() as conn:
            rows = (
                await conn.execute(
                    select(tasks.c.model, func.count())
                    .where(tasks.c.api_key_id == api_key_id, tasks.c.created_at >= since)
                    .group_by(tasks.c.model)
                )
            ).all()
        return {model: count for model, count in rows}

    async def live_by_channel(self) -> dict[str, int]:
        async with self.db.connect() as conn:
            rows = (
                await conn.execute(
                    select(tasks.c.channel, func.count()).where(tasks.c.status.in_(_LIVE)).group_by(tasks.c.channel)
                )
            ).all()
        return {engine: count for engine, count in rows}


def past_in_order(created_at: Any, task_id: str, *, newest_first: bool) -> ColumnElement[bool]:
    """The tasks after the one at (created_at, id) in (created_at, id) order, or its reverse: a
    keyset page's condition, the same at any depth."""
    if newest_first:
        return or_(tasks.c.created_at < created_at, and_(tasks.c.created_at == created_at, tasks.c.id < task_id))
    return or_(tasks.c.created_at > created_at, and_(tasks.c.created_at == created_at, tasks.c.id > task_id))


def _leased(lease: tuple[str, int | None] | None) -> list:
    """Conditions that hold only while one claim of a task is current. A worker that lost its
    lease and claimed the task again later has a new attempt number: its old loop is fenced off."""
    if lease is None:
        return []
    owner, attempt = lease
    if attempt is None:  # any claim of this owner (a lease whose loop is gone)
        return [tasks.c.lease_owner == owner]
    return [tasks.c.lease_owner == owner, tasks.c.attempts == attempt]
