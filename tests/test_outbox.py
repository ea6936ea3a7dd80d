"""The outbox is written with the status change, atomically, and the retry schedule lasts a day."""

import asyncio
import random
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from reelay.callbacks.schedule import RetrySchedule
from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store import callbacks
from reelay.store.db import migrate, open_engine
from reelay.store.keys import KeyStore
from reelay.store.tasks import TaskStore
from support import backends


@pytest.fixture
async def store(tmp_path):
    db = open_engine(await asyncio.to_thread(backends.database_url, tmp_path))  # may create a database
    await migrate(db)
    key, _ = await KeyStore(db).create("t")
    yield TaskStore(db), key, tmp_path
    await db.dispose()


async def new_task(store, key, callback_url="https://example.com/cb"):
    now = datetime.now(UTC)
    request = GenerationRequest(
        "pro", "text_to_video", "gen4", "gen4_turbo", "16:9", 1280, 720, 5, prompt="x", callback_url=callback_url
    )
    task = Task(str(uuid.uuid4()), key.id, request, Status.PENDING, now, now)
    await store.create(task)
    return task.id


async def rows(data_dir, statement, **params):
    async with open_engine(backends.database_url(data_dir)).connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(statement), params)).all()]


async def test_each_change_writes_one_row_in_order(store):
    tasks, key, path = store
    task_id = await new_task(tasks, key)
    assert await tasks.transition(task_id, Status.RUNNING)
    assert await tasks.transition(task_id, Status.SUCCEEDED)
    assert not await tasks.transition(task_id, Status.FAILED)  # final: no change, so no row
    assert await rows(
        path, "select seq, event_status, state from callback_deliveries where task_id = :t order by seq", t=task_id
    ) == [
        (1, "RUNNING", "pending"),
        (2, "SUCCEEDED", "pending"),
    ]


async def test_a_task_that_ends_at_once_passes_running_in_the_same_write(store):
    tasks, key, path = store
    task_id = await new_task(tasks, key)
    through = (Status.RUNNING, {"progress": 0.0})
    assert await tasks.transition(task_id, Status.SUCCEEDED, through=through, progress=1.0)
    assert await rows(
        path, "select seq, event_status from callback_deliveries where task_id = :t order by seq", t=task_id
    ) == [(1, "RUNNING"), (2, "SUCCEEDED")]
    assert await rows(path, "select status, progress from tasks where id = :t", t=task_id) == [("SUCCEEDED", 1.0)]

    # Only from where RUNNING may be reached: a cancelled task takes neither step, and no row.
    cancelled = await new_task(tasks, key)
    assert await tasks.transition(cancelled, Status.CANCELLED)
    assert not await tasks.transition(cancelled, Status.FAILED, through=through, failure="late")
    assert await rows(
        path, "select event_status from callback_deliveries where task_id = :t order by seq", t=cancelled
    ) == [("CANCELLED",)]


async def test_no_callback_url_no_rows(store):
    tasks, key, path = store
    task_id = await new_task(tasks, key, callback_url=None)
    await tasks.transition(task_id, Status.CANCELLED)
    assert await rows(path, "select count(*) from callback_deliveries") == [(0,)]


async def test_a_change_whose_row_cannot_be_written_does_not_happen(store, monkeypatch):
    tasks, key, path = store
    task_id = await new_task(tasks, key)

    async def broken(conn, task_id, status):
        raise RuntimeError("disk full")

    monkeypatch.setattr(callbacks, "enqueue", broken)
    with pytest.raises(RuntimeError):
        await tasks.transition(task_id, Status.RUNNING)
    assert await rows(path, "select status from tasks where id = :t", t=task_id) == [("PENDING",)]


def test_retry_schedule_backs_off_exponentially_and_gives_up_after_a_day():
    schedule = RetrySchedule()
    rng = random.Random(1)
    delays = [schedule.delay(n, rng) for n in range(1, 15)]
    assert 4 <= delays[0] <= 6 and 8 <= delays[1] <= 12  # 5 s, 10 s, ... ±20 %
    assert all(d <= 3600 * 1.2 for d in delays)
    created, now, attempts = 0.0, 0.0, 0
    while (next_at := schedule.next_attempt(attempts + 1, created, now)) is not None:
        attempts += 1
        now = next_at
    assert now >= 24 * 3600  # kept trying for at least a day
    assert 25 <= attempts <= 45
