"""What every engine looks like: two steps, `start` and `check`, and a `cancel`.

The worker needs no special cases: it calls `start` once, then `check` whenever the last
update said to, until an update carries a final status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from reelay.domain.artifacts import Artifact
from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.storage.results import ResultFile


@dataclass
class EngineUpdate:
    status: Status  # PENDING (accepted, waiting), THROTTLED, RUNNING, SUCCEEDED or FAILED
    progress: float | None = None
    # Result files produced locally and probed, in order (a video, its poster, its last frame).
    results: list[ResultFile] = field(default_factory=list)
    # Results already in Reelay's storage (a result stored before a crash), in order.
    stored: tuple[Artifact, ...] = ()
    raw_video_url: str | None = None
    failure: str | None = None
    failure_code: str | None = None
    # When to call `check` next, in seconds.
    next_check_in: float = 1.0
    # Engine's own bookkeeping, persisted with the task (upstream ids, attempt markers).
    state: dict[str, Any] | None = None
    # The stored state may be completed elsewhere meanwhile (a worker that was frozen past its
    # lease records the answer to its create): read the task again before the next check.
    reread: bool = False


# Persists an engine's state (EngineUpdate.state) with the task before anything irreversible happens.
SaveState: TypeAlias = Callable[[dict[str, Any]], Awaitable[None]]


class Engine(Protocol):
    name: str

    def supports(self, request: GenerationRequest) -> bool: ...

    async def start(self, task: Task, *, slot: int | None = None, save_state: SaveState | None = None) -> EngineUpdate:
        """Begin the task. `slot` is its concurrency slot on a capped channel; `save_state`
        persists engine state before anything irreversible (an upstream submission) happens."""

    async def check(self, task: Task) -> EngineUpdate: ...

    async def cancel(self, task: Task) -> None: ...

    async def close(self) -> None: ...
