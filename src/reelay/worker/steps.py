"""The worker's notes on each task it drives, kept in memory and written in its batches.

A task's loop never waits for these writes: a note is appended to a list, and the worker's
once-a-second batch (beside progress) writes them all in one transaction. If the database falls
behind, the buffer is capped and checks are the first to go (counted, and logged).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.steps import StepLog
from reelay.store.steps import KEEP_FIRST_CHECKS, KEEP_LATEST_CHECKS, Step, StepStore

log = logging.getLogger("reelay.worker")

MAX_BUFFERED = 20_000  # notes waiting for a write; beyond it new checks are dropped
PRUNE_EVERY = 20  # checks of a task between two prunes of its middle checks


class StepNotes:
    def __init__(self, store: StepStore) -> None:
        self.store = store
        self._pending: list[Step] = []
        self._seq: dict[str, int] = {}  # last number given to a step of each driven task
        self._checks: dict[str, int] = {}  # checks noted per task, for pruning
        self._prune: set[str] = set()
        self.dropped = 0

    def status(self, task: Task, before: Status, after: Status, **detail: Any) -> None:
        self._add(
            task, "status", f"{before.value} → {after.value}", {"from": before.value, "to": after.value, **detail}
        )

    def moved(self, task: Task, channel: str, retry_at: float | None) -> None:
        detail = {"from": task.channel, "to": channel, "retry_at": retry_at}
        self._add(task, "move", f"moved from {task.channel} to {channel}", detail)

    def stored(self, task: Task, files: int, size: int, seconds: float) -> None:
        summary = f"result copied to storage: {files} files, {size:,} bytes in {seconds * 1000:.0f} ms"
        self._add(task, "store", summary, {"files": files, "bytes": size, "latency_ms": round(seconds * 1000, 1)})

    def step(self, task: Task, started: bool, update: EngineUpdate, seen: StepLog, seconds: float) -> None:
        """A start or a check. A check that made no exchange and changed nothing (a local engine's
        tick) is not worth a row."""
        kind = "check" if started else "start"
        changed = update.status != task.status or update.failure is not None
        if kind == "check" and not seen.exchanges and not changed:
            return
        outcome = update.status.value
        if update.progress is not None and update.status == Status.RUNNING:
            outcome += f" {update.progress:.0%}"
        said = "; ".join(e.line() for e in seen.exchanges)
        summary = f"{kind} on {task.channel}: " + (f"{said}: " if said else "") + outcome
        detail: dict[str, Any] = {
            "channel": task.channel,
            "status": update.status.value,
            "progress": update.progress,
            "latency_ms": round(seconds * 1000, 1),
            "next_check_in": round(update.next_check_in, 3),
            "exchanges": [e.to_json() for e in seen.exchanges],
        }
        if update.failure:
            detail["failure"] = update.failure
            detail["failure_code"] = update.failure_code
        if kind == "check":
            if len(self._pending) >= MAX_BUFFERED:
                self.dropped += 1
                return
            count = self._checks[task.id] = self._checks.get(task.id, 0) + 1
            if count > KEEP_FIRST_CHECKS + KEEP_LATEST_CHECKS and count % PRUNE_EVERY == 0:
                self._prune.add(task.id)
        self._add(task, kind, summary, detail)

    def forget(self, task_id: str) -> None:
        """The task's loop ended here; its notes already taken are written with the next batch."""
        self._seq.pop(task_id, None)
        if self._checks.pop(task_id, 0) > KEEP_FIRST_CHECKS + KEEP_LATEST_CHECKS:
            self._prune.add(task_id)  # its last few checks since the latest prune

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        prune, self._prune = self._prune, set()
        try:
            await self.store.add_many(pending, prune)
        except Exception:
            # A timeline is worth less than the worker: these notes are lost, the worker goes on.
            self.dropped += len(pending)
            log.exception("writing %d task steps failed; they are dropped", len(pending))

    def _add(self, task: Task, kind: str, summary: str, detail: dict[str, Any]) -> None:
        seq = self._seq[task.id] = self._seq.get(task.id, 0) + 1
        self._pending.append(Step(task.id, task.attempts, seq, kind, time.time(), summary, detail))
