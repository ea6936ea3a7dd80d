"""Tasks across keys for the console's list: filters, newest first, paged by a keyset cursor.

The cursor is the last task's (created_at, id), as stored, in an opaque URL-safe string: a page
costs the same at any depth, and tasks created meanwhile never shift a page or repeat one."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncEngine

from reelay.domain.errors import InputError
from reelay.domain.status import Status
from reelay.domain.task import Task

from .rows import task_from_row
from .tables import tasks
from .tasks import past_in_order

MAX_LIMIT = 500
_BAD_CURSOR = "is not a cursor this list gave out; start again without it"


@dataclass(frozen=True)
class TaskFilters:
    api_key_id: str | None = None  # a client key's console passes its own id, always
    status: Status | None = None
    channel: str | None = None
    model: str | None = None  # the official model a task runs as (the `model` column)
    created_from: float | None = None  # epoch seconds, inclusive
    created_to: float | None = None  # epoch seconds, exclusive


@dataclass(frozen=True)
class TaskPage:
    tasks: list[Task]  # newest first
    next_cursor: str | None  # opaque; None on the last page


def encode_cursor(created_at: float, task_id: str) -> str:
    raw = json.dumps([created_at, task_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str]:
    """(created_at, id) of the task a page ended with; InputError naming `cursor` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, task_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):  # bad base64, bad JSON, not a pair
        raise InputError("cursor", _BAD_CURSOR) from None
    number = isinstance(created_at, (int, float)) and not isinstance(created_at, bool)
    if not number or not math.isfinite(created_at) or not isinstance(task_id, str) or len(task_id) > 36:
        raise InputError("cursor", _BAD_CURSOR)
    return float(created_at), task_id


def _conditions(filters: TaskFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [tasks.c.deleted.is_(False)]
    if filters.api_key_id is not None:
        found.append(tasks.c.api_key_id == filters.api_key_id)
    if filters.status is not None:
        found.append(tasks.c.status == filters.status.value)
    if filters.channel is not None:
        found.append(tasks.c.channel == filters.channel)
    if filters.model is not None:
        found.append(tasks.c.model == filters.model)
    if filters.created_from is not None:
        found.append(tasks.c.created_at >= filters.created_from)
    if filters.created_to is not None:
        found.append(tasks.c.created_at < filters.created_to)
    return found


class TaskSearch:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db

    async def page(self, filters: TaskFilters, *, cursor: str | None = None, limit: int = 50) -> TaskPage:
        """Up to `limit` tasks (not deleted) matching `filters`, newest first, from past `cursor`."""
        if not 1 <= limit <= MAX_LIMIT:
            raise InputError("limit", f"must be from 1 to {MAX_LIMIT}")
        conditions = _conditions(filters)
        if cursor is not None:
            created_at, task_id = decode_cursor(cursor)
            conditions.append(past_in_order(created_at, task_id, newest_first=True))
        # One row more than asked: whether a next page exists, without counting.
        query = select(tasks).where(*conditions).order_by(tasks.c.created_at.desc(), tasks.c.id.desc()).limit(limit + 1)
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        # The stored time, not the Task's datetime: the cursor compares exactly what was stored.
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
        return TaskPage([task_from_row(row) for row in rows], next_cursor)

    async def facets(self) -> dict[str, list[str]]:
        """The channels and models seen in tasks, for the list's filter choices."""
        async with self.db.connect() as conn:
            channels = (await conn.execute(select(tasks.c.channel).distinct().order_by(tasks.c.channel))).scalars()
            found = {"channel": list(channels)}
            models = (await conn.execute(select(tasks.c.model).distinct().order_by(tasks.c.model))).scalars()
            found["model"] = list(models)
        return found
