"""`[sandbox:delay=N]`: the task stays RUNNING N seconds and its progress follows the wait."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import pytest

from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.sandbox.engine import CHECK_INTERVAL, SandboxEngine
from reelay.storage.local import LocalStorage
from reelay.storage.signing import UrlSigner

DELAY = 3.0


@pytest.fixture
async def engine(tmp_path):
    engine = SandboxEngine(LocalStorage(tmp_path / "files", UrlSigner("s", 60)), tmp_path / "work", processes=1)
    yield engine
    await engine.close()


def new_task(prompt: str) -> Task:
    now = datetime.now(UTC)
    request = GenerationRequest("runway", "text_to_video", "gen4.5", "gen4.5", "1280:720", 320, 192, 1, prompt=prompt)
    return Task(str(uuid.uuid4()), "key", request, Status.PENDING, now, now, seed=7)


async def run(engine: SandboxEngine, task: Task, started: float) -> tuple[Status, list[tuple[float, float]]]:
    """Drive the task as the worker does; the (seconds since `started`, progress) of each check."""
    samples = []
    update = await engine.start(task) if not task.engine_state else await engine.check(task)
    while True:
        if update.state is not None:
            task.engine_state = update.state
        if update.status != Status.RUNNING:
            return update.status, samples
        samples.append((time.monotonic() - started, update.progress))
        task.progress = update.progress
        await asyncio.sleep(CHECK_INTERVAL)
        update = await engine.check(task)


async def test_progress_follows_the_delay_never_stuck_and_never_back(engine):
    status, _ = await run(engine, new_task("warm up"), time.monotonic())  # the render process is spawned
    assert status == Status.SUCCEEDED

    started = time.monotonic()
    status, samples = await run(engine, new_task(f"[sandbox:delay={DELAY:g}] hold"), started)

    assert status == Status.SUCCEEDED and time.monotonic() - started >= DELAY
    progress = [value for _, value in samples]
    assert progress == sorted(progress), "progress went backwards"
    during = [(at, value) for at, value in samples if at < DELAY - 0.1]
    assert len({value for _, value in during}) >= 6, f"progress does not advance during the delay: {samples}"
    assert all(value < 0.99 and value <= 0.99 * at / DELAY + 0.01 for at, value in during), samples
    # The tiny clip renders in well under a second: from then on the wait alone sets the pace.
    assert [value for at, value in during if at >= 2.2][-1] >= 0.5, samples


async def test_a_task_taken_over_mid_delay_never_reports_less_than_before(engine):
    task = new_task(f"[sandbox:delay={DELAY:g}] taken over")
    task.status, task.progress = Status.RUNNING, 0.6  # reported by a worker that died
    task.engine_state = {"started_at": time.time() - 1, "throttle_until": 0, "running_since": time.time() - 1}

    status, samples = await run(engine, task, time.monotonic())  # this engine renders it afresh

    assert status == Status.SUCCEEDED
    progress = [value for _, value in samples]
    assert progress[0] >= 0.6 and progress == sorted(progress), samples
    assert progress[-1] > 0.6, samples


async def test_a_render_reported_whole_but_not_yet_handed_over_keeps_the_task_running(engine):
    """The pool says 1.0 after the last frame, a moment before the render's result is set: the
    task stays RUNNING then, instead of failing on a result that is not there yet."""
    task = new_task("x")
    update = await engine.start(task)
    task.engine_state = update.state
    pending = asyncio.get_running_loop().create_future()
    engine._renders[task.id] = pending  # the render, still being handed over
    engine.pool.progress[task.id] = 1.0
    update = await engine.check(task)
    assert update.status == Status.RUNNING and update.progress < 0.99
    pending.cancel()
