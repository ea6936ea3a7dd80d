"""The worker: claims due tasks with a lease and drives each through its engine to the end.

Each claimed task gets one coroutine that calls `start`, then `check` as often as the engine
asks, until the task is final. A heartbeat renews the leases of every task this worker drives;
if the worker dies, the leases run out and another worker (or this one restarted) takes over.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.registry import EngineRegistry
from reelay.store.tasks import TaskStore

from .outputs import store_outputs

log = logging.getLogger("reelay.worker")


class Worker:
    def __init__(
        self,
        store: TaskStore,
        storage,
        engines: EngineRegistry,
        *,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        capacity: int = 10_000,
        engine_names: list[str] | None = None,
    ) -> None:
        self.store = store
        self.storage = storage
        self.engines = engines
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.capacity = capacity
        self.engine_names = engine_names
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self.active: dict[str, asyncio.Task] = {}
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """A task was just created: look for due work now rather than at the next poll."""
        self._wakeup.set()

    async def run(self) -> None:
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while not self._stopping.is_set():
                try:
                    await self._claim_once()
                except Exception:
                    log.exception("claiming tasks failed; retrying")
                try:
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)
                except asyncio.TimeoutError:
                    pass
                self._wakeup.clear()
        finally:
            heartbeat.cancel()

    async def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()
        for running in list(self.active.values()):
            running.cancel()
        await asyncio.gather(*self.active.values(), return_exceptions=True)

    async def _claim_once(self) -> None:
        room = self.capacity - len(self.active)
        if room <= 0:
            return
        for task in await self.store.claim_due(self.owner, room, self.lease_seconds, self.engine_names):
            self.active[task.id] = asyncio.create_task(self._drive(task), name=f"drive-{task.id}")

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                held = await self.store.renew_leases(self.owner, list(self.active), self.lease_seconds)
            except Exception:
                log.exception("renewing leases failed")
                continue
            for task_id, running in list(self.active.items()):
                if task_id not in held and not running.done():
                    running.cancel()  # lost the lease (or the task went final elsewhere)

    async def _drive(self, task: Task) -> None:
        engine = self.engines.get(task.engine)
        finished = False
        try:
            started = bool(task.engine_state) or task.status == Status.RUNNING
            while not finished:
                if task.status.is_final:
                    if task.status == Status.CANCELLED:
                        await engine.cancel(task)
                    finished = True
                    break
                try:
                    update = await (engine.check(task) if started else engine.start(task))
                except Exception as error:
                    log.exception("engine %s failed on task %s", engine.name, task.id)
                    update = EngineUpdate(Status.FAILED, failure=f"Engine error: {error}", failure_code="INTERNAL")
                started = True
                finished = await self._apply(task, update)
                if finished:
                    break
                await asyncio.sleep(update.next_check_in)
                fresh = await self.store.get(task.id)
                if fresh is None:  # deleted after it ended
                    finished = True
                    break
                task = fresh
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("driving task %s failed; its lease will run out and it will be retried", task.id)
        finally:
            self.active.pop(task.id, None)
            cleanup = getattr(engine, "cleanup", None)
            if finished and cleanup is not None:
                await cleanup(task)

    async def _apply(self, task: Task, update: EngineUpdate) -> bool:
        """Write what the engine said. Returns True when the task is final (or lost to another writer)."""
        if update.state is not None:
            task.engine_state = update.state
            await self.store.save_engine_state(task.id, update.state)
        if update.status == Status.THROTTLED:
            if task.status == Status.PENDING:
                if await self.store.transition(task.id, Status.THROTTLED):
                    task.status = Status.THROTTLED
            return False
        if task.status in (Status.PENDING, Status.THROTTLED):
            # Clients and callbacks see RUNNING before any result, whatever the engine's pace.
            if not await self.store.transition(task.id, Status.RUNNING, progress=update.progress or 0.0):
                return True
            task.status = Status.RUNNING
        if update.status == Status.RUNNING:
            if update.progress is not None:
                await self.store.set_progress(task.id, update.progress)
            return False
        if update.status == Status.SUCCEEDED:
            outputs = await store_outputs(self.storage, task.id, update.outputs)
            await self.store.transition(
                task.id, Status.SUCCEEDED, progress=1.0, outputs=outputs, raw_video_url=update.raw_video_url
            )
            return True
        await self.store.transition(
            task.id, Status.FAILED, failure=update.failure or "The task failed.", failure_code=update.failure_code
        )
        return True
