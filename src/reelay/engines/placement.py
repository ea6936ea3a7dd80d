"""Placement: which channel runs a task, and when it may start there.

The worker sees the channels as one ordinary engine: `start`, `check`, `cancel`. Behind `start`
this module decides everything about admission and routing that the worker must not:
- the key's own concurrency cap and the channel's, as slots held for the task's whole life
  (over either, the task waits THROTTLED, in submission order);
- failover: a create the upstream surely did not take (429, 5xx, no connection) moves the task
  to the next candidate channel; when every one refused, it waits (Retry-After, or jittered
  doubling) and goes round again, until the channel's task timeout;
- rehoming a task whose channel left the config.
A pinned task (ScheduleState.pinned: a channel test) is never moved: its channel runs it or it fails.

Placement keeps its own record of each task, a typed `ScheduleState` (started, channels tried,
failover rounds, last error), apart from the engine's state, which it stores but never reads.
Every write goes through the worker's `Fence`, so it happens only while the worker's claim on the
task is current.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Any, Protocol

from reelay.domain.schedule import ScheduleState
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store.keys import KeyLimits, KeyStore
from reelay.store.slots import KEY_SCOPE, Admission

from .base import EngineUpdate
from .registry import ChannelRegistry
from .upstream.base import failure_from_rejection
from .upstream.errors import Ambiguous, NotAccepted, Rejected


class TaskChanged(Exception):
    """A write was refused because the task changed elsewhere (a cancel, say): the caller's task
    object now holds what is stored, and the task should be looked at again."""


class Fence(Protocol):
    """The writes placement makes, each conditional on the worker's current claim of the task.
    Each raises TaskChanged when the task changed elsewhere."""

    async def save_state(self, task: Task, state: dict[str, Any], schedule: ScheduleState) -> None:
        """The engine's state and placement's record, in one write."""

    async def acquire(self, task: Task, scope: str, capacity: int) -> Admission: ...

    async def move(self, task: Task, channel: str, schedule: ScheduleState, retry_at: float | None = None) -> None:
        """To `channel`, where the task starts afresh (no engine state), with `schedule`."""


@dataclass(frozen=True)
class RetryPolicy:
    """Waiting out refused creates and full slots (settings: REELAY_MAX_FAILOVER_ROUNDS, ...)."""

    max_failover_rounds: int = 0  # 0: until the channel's task timeout
    retry_first_seconds: float = 1.0
    retry_max_seconds: float = 30.0
    throttle_check_seconds: float = 1.0
    throttle_max_seconds: float = 10.0

    def refused_wait(self, rounds: int, retry_after: float | None) -> float:
        """The upstream's Retry-After when it gave one, else doubling from retry_first_seconds up
        to retry_max_seconds, with jitter so refused tasks do not all come back together."""
        if retry_after is not None:
            return max(retry_after, 0.0)
        ceiling = min(self.retry_first_seconds * 2 ** (rounds - 1), self.retry_max_seconds)
        return random.uniform(ceiling / 2, ceiling)

    def throttled_wait(self, admission: Admission, capacity: int) -> float:
        """Tasks far back in the line look less often; the head looks every throttle_check_seconds
        (and is woken when a task of the same worker frees a slot)."""
        wait = self.throttle_check_seconds * (1 + admission.ahead // max(capacity, 1))
        return min(wait, self.throttle_max_seconds)


class Placement:
    def __init__(self, channels: ChannelRegistry, keys: KeyStore, policy: RetryPolicy | None = None) -> None:
        self.channels = channels
        self.keys = keys
        self.policy = policy or RetryPolicy()
        self._limits: dict[str, tuple[float, KeyLimits]] = {}

    def serves(self, task: Task) -> bool:
        return task.channel in self.channels.engines

    def scopes(self, task: Task) -> tuple[str, ...]:
        """The slot scopes a task may hold: its channel's and its key's."""
        return (task.channel, KEY_SCOPE + task.api_key_id)

    def started(self, task: Task) -> bool:
        """Submitted (or being submitted) on its channel: from now on it is only checked."""
        return task.schedule.started

    async def step(self, task: Task, fence: Fence) -> EngineUpdate:
        """One step of a live task: start it on a channel, or check it where it runs."""
        if not self.serves(task):
            update = await self.rehome(task, fence)
            if update is not None:
                return update
        if self.started(task):
            return await self.check(task)
        return await self.start(task, fence)

    async def start(self, task: Task, fence: Fence) -> EngineUpdate:
        """Take the key's and the channel's slots, then submit; fail over when refused."""
        config = self.channels.config(task.channel)
        engine = self.channels.get(task.channel)
        limits = await self._key_limits(task.api_key_id)
        if limits.max_concurrent is not None:
            # The key's own cap, as Runway's: over it the task waits THROTTLED, in order.
            admission = await fence.acquire(task, KEY_SCOPE + task.api_key_id, limits.max_concurrent)
            if admission.slot is None:
                return EngineUpdate(
                    Status.THROTTLED, next_check_in=self.policy.throttled_wait(admission, limits.max_concurrent)
                )
        slot = None
        if config.capacity is not None:
            admission = await fence.acquire(task, task.channel, config.capacity)
            if admission.slot is None:
                return EngineUpdate(
                    Status.THROTTLED, next_check_in=self.policy.throttled_wait(admission, config.capacity)
                )
            slot = admission.slot

        async def save_state(state: dict[str, Any]) -> None:
            # Marked started with the engine's attempt, before the request leaves: after a crash
            # this task is reconciled, never submitted a second time.
            await fence.save_state(task, state, replace(task.schedule, started=True))

        try:
            update = await engine.start(task, slot=slot, save_state=save_state)
        except NotAccepted as refused:
            self.channels.mark_failure(task.channel, refused.message)
            return await self._refused(task, refused, fence)
        except Ambiguous as unsure:
            self.channels.mark_failure(task.channel, unsure.message)
            # The engine's state marks its attempt for reconciling; placement notes why.
            return EngineUpdate(
                Status.PENDING,
                state=unsure.state,
                schedule=replace(task.schedule, started=True, last_error=unsure.message),
                next_check_in=0.5,
            )
        except Rejected as rejected:
            return failure_from_rejection(rejected)
        self.channels.mark_success(task.channel)
        if not task.schedule.started:
            update.schedule = replace(task.schedule, started=True)
        return update

    async def check(self, task: Task) -> EngineUpdate:
        return await self.channels.get(task.channel).check(task)

    async def cancel(self, task: Task) -> None:
        if self.serves(task):
            await self.channels.get(task.channel).cancel(task)

    async def cleanup(self, task: Task) -> None:
        cleanup = getattr(self.channels.engines.get(task.channel), "cleanup", None)
        if cleanup is not None:
            await cleanup(task)

    async def rehome(self, task: Task, fence: Fence) -> EngineUpdate | None:
        """The task's channel is gone from the config: move it if it never started (None: drive
        it on), else fail it."""
        found = self.channels.candidates(task.request)
        if not task.schedule.started and not task.schedule.pinned and found:
            await fence.move(task, found[0], ScheduleState())
            return None
        return EngineUpdate(
            Status.FAILED, failure=f"Channel {task.channel} is no longer configured.", failure_code="INTERNAL"
        )

    async def _refused(self, task: Task, refused: NotAccepted, fence: Fence) -> EngineUpdate:
        """The upstream surely did not take the task: try the next channel; when every one
        refused, wait THROTTLED and go round again, until the timeout. A pinned task (a channel
        test) fails at once: its channel's refusal is the answer it was made for."""
        if task.schedule.pinned:
            return EngineUpdate(
                Status.FAILED,
                failure=f"Channel {task.channel} did not accept the task: {refused.message}",
                failure_code="INTERNAL.UPSTREAM_UNAVAILABLE",
            )
        tried = set(task.schedule.tried) | {task.channel}
        rounds = task.schedule.rounds
        remaining = self.channels.candidates(task.request, exclude=tried)
        if remaining:
            await fence.move(
                task, remaining[0], ScheduleState(tried=tuple(sorted(tried)), rounds=rounds, last_error=refused.message)
            )
            return EngineUpdate(Status.PENDING, next_check_in=0.0)
        rounds += 1
        now = time.time()
        deadline = task.created_at.timestamp() + self.channels.config(task.channel).task_timeout_seconds
        limit = self.policy.max_failover_rounds
        if now >= deadline or (limit and rounds >= limit):
            return EngineUpdate(
                Status.FAILED,
                failure=f"No channel accepted the task in {rounds} rounds over {now - task.created_at.timestamp():.0f} "
                f"seconds; last error: {refused.message}",
                failure_code="INTERNAL.UPSTREAM_UNAVAILABLE",
            )
        wait = min(self.policy.refused_wait(rounds, refused.retry_after), deadline - now)
        first = self.channels.candidates(task.request)[0]
        # Staying on the same channel, the task keeps its slot: its turn is not lost by waiting.
        await fence.move(task, first, ScheduleState(rounds=rounds, last_error=refused.message), retry_at=now + wait)
        return EngineUpdate(Status.THROTTLED, next_check_in=wait)

    async def _key_limits(self, api_key_id: str) -> KeyLimits:
        cached = self._limits.get(api_key_id)
        if cached is None or cached[0] < time.monotonic():
            key = await self.keys.find(api_key_id)
            cached = (time.monotonic() + 10.0, key.limits if key else KeyLimits())
            self._limits[api_key_id] = cached
        return cached[1]
