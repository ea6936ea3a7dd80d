"""The worker: claims due tasks with a lease and drives each to its end.

Each claimed task gets one coroutine (`_drive`) that takes steps through placement (which starts
the task on a channel, or checks it there) until an update carries a final status. A heartbeat
renews the leases of the tasks this worker drives; if the worker dies, the leases run out and
another worker (or this one restarted) takes over.

Every write a task's loop makes is fenced by its claim (owner, attempt): a loop whose lease was
taken over stops at its next write, and a loop that ends without a final status gives its lease
back at once. So a live task is always driven by exactly one loop, or is due for the next claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from reelay.domain.schedule import ScheduleState
from reelay.domain.status import FINAL, Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.placement import Placement, TaskChanged
from reelay.engines.steps import recording
from reelay.metrics import Metrics
from reelay.storage.results import store_results
from reelay.storage.uploads import delete_expired_uploads
from reelay.store.db import BACKGROUND
from reelay.store.slots import Admission, SlotLeaseLost, SlotStore
from reelay.store.steps import StepStore
from reelay.store.tasks import TaskStore
from reelay.worker.steps import StepNotes

log = logging.getLogger("reelay.worker")

Lease = tuple[str, int]


class LeaseLost(Exception):
    """This worker no longer leases the task (it stalled past its lease and another took over)."""


class Worker:
    def __init__(
        self,
        store: TaskStore,
        storage,
        placement: Placement,
        *,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        capacity: int = 10_000,
        engine_names: list[str] | None = None,
        slots: SlotStore | None = None,
        metrics: Metrics | None = None,
        upload_sweep_seconds: float = 600.0,
        steps: StepStore | None = None,
    ) -> None:
        self.store = store
        self.storage = storage
        self.placement = placement
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.capacity = capacity
        self.upload_sweep_seconds = upload_sweep_seconds
        self.claim_batch = 100
        # At most this many tasks take a step at once: thousands stepping together would queue
        # thousands of writes ahead of the API's (one SQLite writer). Starts wait apart from the
        # checks of tasks already running, so 10,000 tasks arriving together never hold back a
        # poll that is due: a poll stuck behind them would see its task's end a minute late.
        self._starts = asyncio.Semaphore(32)
        self._checks = asyncio.Semaphore(64)
        self.engine_names = engine_names
        self.slots = slots or SlotStore(store.db)
        self._pokes: dict[str, asyncio.Event] = {}
        self._poked: set[str] = set()
        self._progress: dict[str, float] = {}  # written in batches by _watch
        self.notes = StepNotes(steps or StepStore(store.db))  # each task's timeline, batched likewise
        self._waiting: dict[str, dict[str, float]] = {}  # scope -> tasks here waiting for a slot in it
        self._unlooped: set[str] = set()  # leased here at the last heartbeat with no loop
        self._claims: dict[str, set[int]] = {}  # attempt numbers of each driven task claimed here
        self.owner = f"worker-{uuid.uuid4().hex[:12]}"
        self.metrics = metrics or Metrics()
        self.active: dict[str, asyncio.Task] = {}
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """A task was just created: look for due work now rather than at the next poll."""
        self._wakeup.set()

    async def run(self) -> None:
        BACKGROUND.set(True)  # for this task and every one it starts: clients' writes go first
        helpers = [asyncio.create_task(h()) for h in (self._heartbeat, self._watch, self._sweep, self._expire_uploads)]
        try:
            while not self._stopping.is_set():
                try:
                    await self._claim_once()
                except Exception:
                    log.exception("claiming tasks failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)
                self._wakeup.clear()
        finally:
            for helper in helpers:
                helper.cancel()
            await self._flush()

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
                self._claims.setdefault(task.id, set()).add(task.attempts)
                if task.id in self.active:
                    # Our own lease ran out (a stalled heartbeat) and we took it again: the task
                    # already has its loop here, which takes up the new claim when it next reads
                    # or writes. A second loop would submit it a second time.
                    self.poke(task.id)
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
                for task_id in list(self.active):
                    if task_id not in held:
                        self.poke(task_id)  # ended elsewhere, or lost: its loop reads it again and stops
                # A lease with no loop here (its loop ended and could not give it back) would be
                # renewed for ever: give it back. Twice in a row, so a claim whose loop is about
                # to start is not taken for one.
                unlooped = held - set(self.active)
                for task_id in unlooped & self._unlooped:
                    log.warning("task %s was leased here with nobody driving it; giving it back", task_id)
                    await self.store.release_lease(task_id, (self.owner, None))
                self._unlooped = unlooped
            except Exception:
                log.exception("renewing leases failed")

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
                await self._flush()
            except Exception:
                log.exception("watching tasks failed")

    async def _sweep(self) -> None:
        """Once a lease period: slots held by tasks that ended are freed (there should be none:
        the final transition frees them; this is the watchdog's repair, and it is counted)."""
        while True:
            await asyncio.sleep(self.lease_seconds)
            try:
                freed = await self.slots.sweep()
                if freed:
                    log.warning("freed %d slots held by tasks that had ended", freed)
                    self.metrics.slots_swept(freed)
            except Exception:
                log.exception("sweeping slots failed")

    async def _expire_uploads(self) -> None:
        """Every few minutes: uploads whose time is up are deleted from storage (every worker
        sweeps; deleting twice is harmless)."""
        while True:
            await asyncio.sleep(self.upload_sweep_seconds)
            try:
                deleted = await delete_expired_uploads(self.storage, time.time())
                if deleted:
                    log.info("deleted %d expired uploads", deleted)
            except Exception:
                log.exception("deleting expired uploads failed")

    async def _flush(self) -> None:
        pending, self._progress = self._progress, {}
        await self.store.set_progress_many(pending)
        await self.notes.flush()

    def poke(self, task_id: str) -> None:
        """Read a task again and check it now (it was cancelled, or an upstream called back)."""
        event = self._pokes.get(task_id)
        if event is not None:
            self._poked.add(task_id)
            event.set()

    async def _sleep(self, task_id: str, seconds: float) -> None:
        event = self._pokes.setdefault(task_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)
        event.clear()

    # -- one task's loop ----------------------------------------------------------------------

    async def _drive(self, task: Task) -> None:
        ended = False  # final, deleted, or no longer ours: nothing to give back
        final = False  # really over: the engine may drop what it keeps for the task
        fence = _ClaimFence(self)
        try:
            while True:
                if task.status.is_final:
                    if task.status == Status.CANCELLED:
                        await self.placement.cancel(task)
                    ended = final = True
                    break
                started = self.placement.started(task)
                fence.unconfirmed = None
                async with self._checks if started else self._starts:
                    began = time.monotonic()
                    with recording() as seen:
                        try:
                            update = await self.placement.step(task, fence)
                        except TaskChanged:
                            continue  # look at the task as it is now
                        except LeaseLost:
                            raise
                        except Exception as error:
                            log.exception("channel %s failed on task %s", task.channel, task.id)
                            update = EngineUpdate(
                                Status.FAILED, failure=f"Engine error: {error}", failure_code="INTERNAL"
                            )
                    self.notes.step(task, started, update, seen, time.monotonic() - began)
                    try:
                        if await self._apply(task, update):
                            self.metrics.task_finished(task)
                            ended = final = True
                            break
                    except LeaseLost:
                        if fence.unconfirmed is not None and update.state:
                            # Taken over while our create was out: what the upstream answered
                            # is still the truth about that attempt, for whoever drives it now.
                            await self.store.record_attempt(task.id, update.state, unconfirmed=fence.unconfirmed)
                        raise
                await self._sleep(task.id, update.next_check_in)
                if task.id in self._poked or update.reread:
                    # Only this worker changes a task it leases, except for cancels: read it
                    # again only when told something changed.
                    self._poked.discard(task.id)
                    task = await self._reread(task)
        except LeaseLost:
            log.warning("task %s was taken over by another worker; leaving it", task.id)
            ended = True
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("driving task %s failed; it is given back and will be retried", task.id)
        finally:
            self.active.pop(task.id, None)
            self._claims.pop(task.id, None)
            self._pokes.pop(task.id, None)
            self._poked.discard(task.id)
            self._progress.pop(task.id, None)
            self.notes.forget(task.id)
            self._stop_waiting(task.id)
            if not ended and not self._stopping.is_set():
                await self._give_back(task)
            if final:  # not for a task taken over: this process may take it up again
                await self.placement.cleanup(task)

    async def _give_back(self, task: Task) -> None:
        """A loop that ends without a final status frees its lease: the task is due again soon,
        for any worker, instead of being renewed here with nobody driving it."""
        try:
            await self.store.release_lease(task.id, self._lease(task), retry_in=min(5.0, self.lease_seconds))
        except Exception:
            log.exception("giving task %s back failed; the heartbeat will", task.id)

    def _lease(self, task: Task) -> Lease:
        return (self.owner, task.attempts)

    async def _reread(self, task: Task) -> Task:
        """The task as stored now; LeaseLost if it is live and another worker leases it. A newer
        claim of this worker's own (its lease ran out and it took the task again) is taken up."""
        # Deleted ones too: a DELETE cancels and deletes at once, and the cancel must still reach the engine.
        fresh = await self.store.get(task.id, deleted=True)
        if fresh is None:
            raise LeaseLost(task.id)
        if not fresh.status.is_final and fresh.lease_owner != self.owner:
            raise LeaseLost(task.id)
        return fresh

    async def _fenced(self, task: Task, write: Callable[[Lease], Awaitable[bool]]) -> bool:
        """Run `write(lease)`, a write conditional on this loop's claim. Refused because this
        worker claimed the task again meanwhile (every claim since this loop's was this worker's:
        nobody else held it in between), the loop takes up the new claim and writes again.
        False: the task changed elsewhere and `task` now holds what is stored (LeaseLost if
        another worker has it)."""
        if await write(self._lease(task)):
            return True
        fresh = await self._reread(task)
        ours = self._claims.get(task.id, set())
        if not fresh.status.is_final and all(n in ours for n in range(task.attempts + 1, fresh.attempts + 1)):
            task.attempts = fresh.attempts
            if await write(self._lease(task)):
                return True
            fresh = await self._reread(task)
        _take(task, fresh)
        return False

    # -- waiting for slots: wake the head of a line when this worker frees a slot in it --------

    def _stop_waiting(self, task_id: str) -> None:
        for waiting in self._waiting.values():
            waiting.pop(task_id, None)

    def _slot_freed(self, task: Task) -> None:
        """The task ended or moved: the oldest tasks here waiting in its scopes try now."""
        for scope in self.placement.scopes(task):
            waiting = self._waiting.get(scope)
            if waiting:
                for task_id in sorted(waiting, key=waiting.__getitem__)[:2]:
                    self.poke(task_id)

    # -- applying an update -------------------------------------------------------------------

    async def _apply(self, task: Task, update: EngineUpdate) -> bool:
        """Write what the engine said, as this claim. True when this worker wrote a final status.

        A write refused by the store means the task changed elsewhere: `task` is brought up to
        date (LeaseLost if another worker has it now) and the loop goes on from there."""
        state = update.state if update.state is not None else task.engine_state
        schedule = update.schedule if update.schedule is not None else task.schedule
        # The engine's new state rides on the status write when there is one: one write per step.
        changed: dict[str, Any] = {"engine_state": state, "schedule": schedule}
        if state == task.engine_state and schedule == task.schedule:
            changed = {}
        moves = update.status == Status.THROTTLED and task.status == Status.PENDING
        # Clients and callbacks see RUNNING before any result, whatever the engine's pace.
        starts_running = update.status not in (Status.THROTTLED, Status.PENDING) and task.status in (
            Status.PENDING,
            Status.THROTTLED,
        )
        writes_status = moves or starts_running or update.status in FINAL
        if changed and not writes_status:
            if not await self._fenced(
                task, lambda lease: self.store.save_engine_state(task.id, state, lease, schedule=schedule)
            ):
                return False
            task.engine_state, task.schedule = state, schedule
            changed = {}
        if update.status in (Status.THROTTLED, Status.PENDING):  # PENDING: accepted, not running yet
            if moves and await self._fenced(
                task, lambda lease: self.store.transition(task.id, Status.THROTTLED, lease=lease, **changed)
            ):
                self.notes.status(task, task.status, Status.THROTTLED)
                task.status, task.engine_state, task.schedule = Status.THROTTLED, state, schedule
            return False
        running: tuple[Status, dict[str, Any]] = (Status.RUNNING, {"progress": update.progress or 0.0})
        if update.status == Status.RUNNING:
            if starts_running:
                if not await self._fenced(
                    task,
                    lambda lease: self.store.transition(task.id, Status.RUNNING, lease=lease, **running[1], **changed),
                ):
                    return False
                self.notes.status(task, task.status, Status.RUNNING)
                task.status, task.engine_state, task.schedule = Status.RUNNING, state, schedule
            if update.progress is not None and update.progress != task.progress:
                task.progress = update.progress
                self._progress[task.id] = update.progress
            return False
        if update.status == Status.SUCCEEDED:
            copying = time.monotonic()
            results = (*update.stored, *await store_results(self.storage, task.id, update.results))
            if update.results:
                size = sum(_size(file.path) for file in update.results)
                self.notes.stored(task, len(update.results), size, time.monotonic() - copying)
            final: dict[str, Any] = dict(progress=1.0, results=results, raw_video_url=update.raw_video_url)
        else:
            final = dict(failure=update.failure or "The task failed.", failure_code=update.failure_code)
        through = running if starts_running else None
        if not await self._fenced(
            task,
            lambda lease: self.store.transition(
                task.id, update.status, lease=lease, through=through, **final, **changed
            ),
        ):
            return False
        if through is not None:
            self.notes.status(task, task.status, Status.RUNNING)
        before = Status.RUNNING if through is not None else task.status
        self.notes.status(task, before, update.status, **_final_detail(update))
        task.status, task.engine_state, task.schedule = update.status, state, schedule
        self._slot_freed(task)
        return True


class _ClaimFence:
    """Placement's writes, made as the worker's current claim of the task (see `Fence`)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        # The engine state saved in this step before a create was sent: if the claim is lost
        # before the create's answer is stored, the answer is recorded against it.
        self.unconfirmed: dict[str, Any] | None = None

    async def save_state(self, task: Task, state: dict[str, Any], schedule: ScheduleState) -> None:
        if not await self.worker._fenced(
            task, lambda lease: self.worker.store.save_engine_state(task.id, state, lease, schedule=schedule)
        ):
            raise TaskChanged(task.id)
        task.engine_state, task.schedule = state, schedule
        self.unconfirmed = state

    async def acquire(self, task: Task, scope: str, capacity: int) -> Admission:
        admission: Admission | None = None

        async def acquire(lease: Lease) -> bool:
            nonlocal admission
            try:
                admission = await self.worker.slots.acquire(
                    scope, task.id, task.created_at.timestamp(), capacity, owner=lease[0], attempt=lease[1]
                )
            except SlotLeaseLost:
                return False
            return True

        if not await self.worker._fenced(task, acquire) or admission is None:
            raise TaskChanged(task.id)
        waiting = self.worker._waiting.setdefault(scope, {})
        if admission.slot is None:
            waiting[task.id] = task.created_at.timestamp()
        else:
            waiting.pop(task.id, None)
        return admission

    async def move(self, task: Task, channel: str, schedule: ScheduleState, retry_at: float | None = None) -> None:
        if not await self.worker._fenced(
            task, lambda lease: self.worker.store.reassign(task.id, lease, channel, schedule, retry_at=retry_at)
        ):
            raise TaskChanged(task.id)
        if channel != task.channel:
            self.worker.notes.moved(task, channel, retry_at)
            self.worker._slot_freed(task)
        task.channel, task.engine_state, task.schedule = channel, {}, schedule


def _size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _final_detail(update: EngineUpdate) -> dict[str, Any]:
    if update.status == Status.SUCCEEDED:
        return {}
    return {"failure": update.failure, "failure_code": update.failure_code}


def _take(task: Task, fresh: Task) -> None:
    """Bring the loop's task object up to date in place with what is stored."""
    fields = ("status", "progress", "channel", "engine_state", "schedule", "results", "failure", "failure_code")
    for name in (*fields, "attempts"):
        setattr(task, name, getattr(fresh, name))
