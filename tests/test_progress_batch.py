"""The worker writes the progress of many running tasks in one batch."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store.db import migrate, open_engine
from reelay.store.keys import KeyStore
from reelay.store.tasks import TaskStore
from support import backends


@pytest.fixture
async def store(tmp_path):
    db = open_engine(await asyncio.to_thread(backends.database_url, tmp_path))  # may create a database
    await migrate(db)
    key, _ = await KeyStore(db).create("t")
    yield TaskStore(db), key
    await db.dispose()


async def new_task(tasks: TaskStore, key, status: Status) -> str:
    now = datetime.now(UTC)
    request = GenerationRequest("pro", "text_to_video", "gen4", "gen4_turbo", "16:9", 1280, 720, 5, prompt="x")
    task = Task(str(uuid.uuid4()), key.id, request, Status.PENDING, now, now)
    await tasks.create(task)
    assert await tasks.transition(task.id, Status.RUNNING)
    if status != Status.RUNNING:
        assert await tasks.transition(task.id, status)
    return task.id


async def test_a_batch_sets_each_running_task_and_leaves_ended_ones_alone(store):
    tasks, key = store
    running = [await new_task(tasks, key, Status.RUNNING) for _ in range(300)]
    ended = await new_task(tasks, key, Status.SUCCEEDED)
    wanted = {task_id: round(index / 400, 3) for index, task_id in enumerate(running)}
    before = (await tasks.get(ended)).progress

    await tasks.set_progress_many({**wanted, ended: 0.5})

    for task_id, value in wanted.items():
        assert (await tasks.get(task_id)).progress == pytest.approx(value)
    assert (await tasks.get(ended)).progress == before != 0.5  # a final task keeps its final progress
