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
from reelay.metrics import Metrics
from reelay.engines.registry import EngineRegistry
from reelay.engines.upstream.base import failure_from_rejection
from reelay.engines.upstream.errors import Ambiguous, NotAccepted, Rejected
from reelay.store.keys import KeyLimits, KeyStore
from reelay.store.slots import KEY_SCOPE, SlotStore
from reelay.store.tasks import TaskStore

from .outputs import store_outputs

log = logging.getLogger("reelay.worker")


class LeaseLost(Exception):
    """This worker no longer leases the task (it stalled past its lease and another took over)."""


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
        slots: SlotStore | None = None,
        max_failover_rounds: int = 5,
        throttle_check_seconds: float = 1.0,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.storage = storage
        self.engines = engines
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.capacity = capacity
        self.claim_batch = 100
        # At most this many tasks take a step at once: thousands stepping together would queue
        # thousands of writes ahead of the API's (one SQLite writer). Starts wait apart from the
        # checks of tasks already running, so 10,000 tasks arriving together never hold back a
        # poll that is due: a poll stuck behind them would see its task's end a minute late.
        self._starts = asyncio.Semaphore(32)
        self._checks = asyncio.Semaphore(64)
        self.engine_names = engine_names
        self.slots = slots or SlotStore(store.engine)
        self.max_failover_rounds = max_failover_rounds
        self.throttle_check_seconds = throttle_check_seconds
        self._pokes: dict[str, asyncio.Event] = {}
        self._poked: set[str] = set()
        self._progress: dict[str, float] = {}  # written in batches by _watch
        self.keys = KeyStore(store.engine)
        self._limits: dict[str, tuple[float, KeyLimits]] = {}
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self.metrics = metrics or Metrics()
        self.active: dict[str, asyncio.Task] = {}
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """A task was just created: look for due work now rather than at the next poll."""
        self._wakeup.set()

    async def run(self) -> None:
        helpers = [asyncio.create_task(self._heartbeat()), asyncio.create_task(self._watch())]
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
            for helper in helpers:
                helper.cancel()
            await self._flush_progress()

    async def stop(self) -> None:
        """Stop claiming, stop driving, and hand every live task back for another worker."""
        self._stopping.set()
        self._wakeup.set()
        for running in list(self.active.values()):
            running.cancel()
        await asyncio.gather(*self.active.values(), return_exceptions=True)
        handed = await self.store.hand_back(self.owner)
        if handed:
            log.info("handed back %d tasks", handed)

    async def _claim_once(self) -> None:
        # Small batches, again at once while they come back full: creates get the database between.
        while (room := min(self.capacity - len(self.active), self.claim_batch)) > 0:
            claimed = await self.store.claim_due(self.owner, room, self.lease_seconds, self.engine_names)
            for task in claimed:
                if task.id in self.active:
                    # Our own lease ran out (a stalled heartbeat) and we took it again: the task
                    # already has its loop here. A second loop would submit it a second time.
                    continue
                self.active[task.id] = asyncio.create_task(self._drive(task), name=f"drive-{task.id}")
            if len(claimed) < room:
                return
            await asyncio.sleep(0)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                held = await self.store.renew_leases(self.owner, self.lease_seconds)
            except Exception:
                log.exception("renewing leases failed")
                continue
            for task_id in list(self.active):
                if task_id not in held:
                    self.poke(task_id)  # ended elsewhere, or lost: its loop reads it again and stops

    async def _watch(self) -> None:
        """Once a second: cancels made through the API reach their task's loop, and progress is
        written for all running tasks in one transaction."""
        since = time.time()
        while True:
            await asyncio.sleep(1.0)
            try:
                now = time.time()
                for task_id in await self.store.cancelled_since(self.owner, since - 1.0):
                    self.poke(task_id)
                since = now
                await self._flush_progress()
            except Exception:
                log.exception("watching tasks failed")

    async def _flush_progress(self) -> None:
        pending, self._progress = self._progress, {}
        await self.store.set_progress_many(pending)

    def poke(self, task_id: str) -> None:
        """Read a task again and check it now (it was cancelled, or an upstream called back)."""
        event = self._pokes.get(task_id)
        if event is not None:
            self._poked.add(task_id)
            event.set()

    async def _sleep(self, task_id: str, seconds: float) -> None:
        event = self._pokes.setdefault(task_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        event.clear()

    async def _drive(self, task: Task) -> None:
        finished = False
        try:
            while not finished:
                if task.engine not in self.engines.engines:
                    task = await self._rehome(task)
                    if task.engine not in self.engines.engines:
                        break
                engine = self.engines.get(task.engine)
                if task.status.is_final:
                    if task.status == Status.CANCELLED:
                        await engine.cancel(task)
                    finished = True
                    break
                started = bool(task.engine_state.get("started"))
                async with self._checks if started else self._starts:
                    try:
                        if started:
                            update = await engine.check(task)
                        else:
                            update = await self._start(task)
                    except LeaseLost:
                        log.warning("task %s was taken over by another worker; leaving it", task.id)
                        break
                    except Exception as error:
                        log.exception("engine %s failed on task %s", engine.name, task.id)
                        update = EngineUpdate(Status.FAILED, failure=f"Engine error: {error}", failure_code="INTERNAL")
                    finished = await self._apply(task, update)
                if finished:
                    if task.status.is_final:  # this worker wrote the final status
                        self.metrics.task_finished(task)
                    break
                await self._sleep(task.id, update.next_check_in)
                if task.id in self._poked:
                    # Only this worker changes a task it leases, except for cancels: read it
                    # again only when told something changed.
                    self._poked.discard(task.id)
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
            self._pokes.pop(task.id, None)
            self._poked.discard(task.id)
            self._progress.pop(task.id, None)
            cleanup = getattr(self.engines.engines.get(task.engine), "cleanup", None)
            if finished and cleanup is not None:
                await cleanup(task)

    async def _rehome(self, task: Task) -> Task:
        """The task's channel is gone from the config: move it if it never started, else fail it."""
        found = self.engines.candidates(task.request)
        if not task.engine_state.get("started") and found:
            if await self.store.reassign(task.id, self.owner, found[0], {}):
                task.engine, task.engine_state = found[0], {}
            return task
        await self.store.transition(
            task.id, Status.FAILED, failure=f"Channel {task.engine} is no longer configured.", failure_code="INTERNAL"
        )
        return await self.store.get(task.id) or task

    async def _start(self, task: Task) -> EngineUpdate:
        """Take a concurrency slot on the task's channel, then submit; fail over when refused."""
        config = self.engines.config(task.engine)
        engine = self.engines.get(task.engine)
        limits = await self._key_limits(task.api_key_id)
        if limits.max_concurrent is not None:
            # The key's own cap, as Runway's: over it the task waits THROTTLED, in order.
            held = await self.slots.acquire(KEY_SCOPE + task.api_key_id, task.id, task.created_at.timestamp(), limits.max_concurrent)
            if held is None:
                return EngineUpdate(Status.THROTTLED, next_check_in=self.throttle_check_seconds)
        slot = None
        if config.capacity is not None:
            slot = await self.slots.acquire(task.engine, task.id, task.created_at.timestamp(), config.capacity)
            if slot is None:
                return EngineUpdate(Status.THROTTLED, next_check_in=self.throttle_check_seconds)

        async def save_state(state: dict) -> None:
            # Marked started before the request leaves: after a crash this task is reconciled,
            # never submitted a second time.
            state = {**state, "started": True}
            if not await self.store.save_engine_state(task.id, state, self.owner):
                raise LeaseLost(task.id)
            task.engine_state = state

        try:
            update = await engine.start(task, slot=slot, save_state=save_state)
        except NotAccepted as refused:
            self.engines.mark_failure(task.engine, refused.message)
            return await self._fail_over(task, refused)
        except Ambiguous as unsure:
            self.engines.mark_failure(task.engine, unsure.message)
            state = {**task.engine_state, "phase": "ambiguous", "started": True, "error": unsure.message}
            return EngineUpdate(Status.PENDING, state=state, next_check_in=0.5)
        except Rejected as rejected:
            return failure_from_rejection(rejected)
        self.engines.mark_success(task.engine)
        update.state = {**(update.state or task.engine_state), "started": True}
        return update

    async def _key_limits(self, api_key_id: str) -> KeyLimits:
        cached = self._limits.get(api_key_id)
        if cached is None or cached[0] < time.monotonic():
            key = await self.keys.find(api_key_id)
            cached = (time.monotonic() + 10.0, key.limits if key else KeyLimits())
            self._limits[api_key_id] = cached
        return cached[1]

    async def _fail_over(self, task: Task, refused: NotAccepted) -> EngineUpdate:
        """The upstream surely did not take the task: try the next channel, or wait and retry."""
        tried = set(task.engine_state.get("tried", [])) | {task.engine}
        rounds = task.engine_state.get("rounds", 0)
        remaining = self.engines.candidates(task.request, exclude=tried)
        if remaining:
            state = {"tried": sorted(tried), "rounds": rounds, "last_error": refused.message}
            if not await self.store.reassign(task.id, self.owner, remaining[0], state):
                raise LeaseLost(task.id)
            task.engine, task.engine_state = remaining[0], state
            return EngineUpdate(Status.PENDING, next_check_in=0.0)
        if rounds + 1 >= self.max_failover_rounds:
            return EngineUpdate(
                Status.FAILED,
                failure=f"No channel accepted the task after {rounds + 1} rounds; last error: {refused.message}",
                failure_code="INTERNAL.UPSTREAM_UNAVAILABLE",
            )
        # Every channel refused: wait (as THROTTLED) and start over from the best one.
        first = self.engines.candidates(task.request)[0]
        state = {"tried": [], "rounds": rounds + 1, "last_error": refused.message}
        if not await self.store.reassign(task.id, self.owner, first, state):
            raise LeaseLost(task.id)
        task.engine, task.engine_state = first, state
        wait = refused.retry_after if refused.retry_after is not None else min(2.0 ** rounds, 30.0)
        return EngineUpdate(Status.THROTTLED, next_check_in=wait)

    async def _apply(self, task: Task, update: EngineUpdate) -> bool:
        """Write what the engine said. Returns True when the task is final (or lost to another writer)."""
        if update.state is not None and update.state != task.engine_state:
            if not await self.store.save_engine_state(task.id, update.state, self.owner):
                return True  # taken over by another worker, or ended: stop here
            task.engine_state = update.state
        if update.status == Status.THROTTLED:
            if task.status == Status.PENDING:
                if await self.store.transition(task.id, Status.THROTTLED):
                    task.status = Status.THROTTLED
            return False
        if update.status == Status.PENDING:
            return False  # accepted upstream, not running yet: nothing to tell the client
        if task.status in (Status.PENDING, Status.THROTTLED):
            # Clients and callbacks see RUNNING before any result, whatever the engine's pace.
            if not await self.store.transition(task.id, Status.RUNNING, progress=update.progress or 0.0):
                return True
            task.status = Status.RUNNING
        if update.status == Status.RUNNING:
            if update.progress is not None and update.progress != task.progress:
                task.progress = update.progress
                self._progress[task.id] = update.progress
            return False
        if update.status == Status.SUCCEEDED:
            outputs = {**update.stored, **await store_outputs(self.storage, task.id, update.outputs)}
            if await self.store.transition(
                task.id, Status.SUCCEEDED, progress=1.0, outputs=outputs, raw_video_url=update.raw_video_url
            ):
                task.status = Status.SUCCEEDED
            return True
        if await self.store.transition(
            task.id, Status.FAILED, failure=update.failure or "The task failed.", failure_code=update.failure_code
        ):
            task.status = Status.FAILED
        return True
