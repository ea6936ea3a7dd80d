"""Pro callbacks: POST the task object (no envelope) to callback_url on each status change.

One scheduler coroutine and a heap of due times serve every task: the only timers in the
emulator. Each body is built "as of" its status change, and one task's sends go out in order
(the second waits for the first), so a receiver sees "1" before "2"/"3".
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from .shapes import PRO_STATUS, pro_task
from .state import Store, Task

log = logging.getLogger(__name__)

TIMEOUT = 2.0  # short: a slow receiver must not pile up work in the emulator


class Callbacks:
    def __init__(self, store: Store, urls_at: Callable[[float], Any]):
        self.store = store
        self.urls_at = urls_at  # now -> the Urls builder for bodies as of `now`
        self._heap: list[tuple[float, int, str, str]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._last_send: dict[str, asyncio.Task] = {}
        self._sending: set[asyncio.Task] = set()
        self._client: httpx.AsyncClient | None = None

    def schedule(self, task: Task) -> None:
        if not task.callback_url:
            return
        heapq.heappush(self._heap, (task.running_at, next(self._seq), task.id, "1"))
        heapq.heappush(self._heap, (task.final_at, next(self._seq), task.id, "final"))
        self._wake.set()

    def clear(self) -> None:
        self._heap.clear()
        self._last_send.clear()

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
        async with httpx.AsyncClient(timeout=TIMEOUT, limits=limits) as client:
            self._client = client
            while True:
                now = time.time()
                while self._heap and self._heap[0][0] <= now:
                    _, _, task_id, phase = heapq.heappop(self._heap)
                    self._fire(task_id, phase)
                timeout = self._heap[0][0] - now if self._heap else None
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)

    def _fire(self, task_id: str, phase: str) -> None:
        task = self.store.tasks.get(task_id)
        if task is None or task.deleted_at is not None:
            return
        at = task.running_at if phase == "1" else task.final_at
        status = task.status(at)
        # "1" is skipped when the task never ran (cancelled first, or zero running time);
        # the final send only goes out for a real outcome, not after a cancel.
        if status not in (("RUNNING",) if phase == "1" else ("SUCCEEDED", "FAILED")):
            return
        try:
            body = pro_task(task, at, self.urls_at(at))
        except Exception:  # never let one bad task stop the scheduler
            log.exception("building the callback body of %s failed", task_id)
            return
        previous = self._last_send.get(task_id)
        sending = asyncio.create_task(self._send(task, PRO_STATUS[status], body, previous, self.store.generation))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)
        self._last_send[task_id] = sending
        if phase == "final":
            sending.add_done_callback(lambda _: self._last_send.pop(task_id, None))

    async def _send(self, task: Task, status: str, body: dict, previous: asyncio.Task | None, generation: int) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        if generation != self.store.generation:  # reset meanwhile: this task no longer exists
            return
        record: dict[str, Any] = {
            "time": time.time(),
            "task_id": task.id,
            "url": task.callback_url,
            "status": status,
            "answered": None,
            "error": None,
            "body": body,
        }
        try:
            # Sends are fired from run(), which holds the client; only tasks with a callback_url are scheduled.
            assert self._client is not None and task.callback_url is not None
            response = await self._client.post(task.callback_url, json=body)
            record["answered"] = response.status_code
        except Exception as exc:  # fire-and-forget: any failure is only recorded
            record["error"] = f"{type(exc).__name__}: {exc}"
        if generation == self.store.generation:  # not reset while sending
            task.callbacks.append({k: v for k, v in record.items() if k != "body"})
            self.store.callbacks_sent += 1
            self.store.callback_log.append(record)
