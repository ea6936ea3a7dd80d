"""What every engine looks like: two steps, `start` and `check`, and a `cancel`.

The worker needs no special cases: it calls `start` once, then `check` whenever the last
update said to, until an update carries a final status.

An engine's state is its own: each engine kind declares a frozen dataclass for it (an
`EngineState`: `SandboxState`, `UpstreamState`) and only that engine reads its fields. The worker
hands it over as `task.engine_state`, the JSON object last stored, which the engine reads with
its state's `from_json` (tolerant of fields missing from rows older code wrote); the engine
returns its new state as `EngineUpdate.state`, its `to_json()`, which the worker stores as it is,
fenced by its claim, when it differs from what is stored. A task that moves to another channel
starts there with no engine state. Placement's own record of the task (started, channels tried,
failover rounds) is a separate, typed `ScheduleState` that engines never see.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, Self, TypeAlias

from reelay.domain.artifacts import Artifact
from reelay.domain.request import GenerationRequest
from reelay.domain.schedule import ScheduleState
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
    # The engine's new state (its EngineState's to_json()), stored with the task; None: unchanged.
    state: dict[str, Any] | None = None
    # Placement's new record of the task, stored in the same write; set by placement, never by
    # an engine. None: unchanged.
    schedule: ScheduleState | None = None
    # The stored state may be completed elsewhere meanwhile (a worker that was frozen past its
    # lease records the answer to its create): read the task again before the next check.
    reread: bool = False


class EngineState(Protocol):
    """What each engine kind declares for its own state: a frozen dataclass that round-trips
    through JSON, reading the fields it knows and defaults for those missing."""

    def to_json(self) -> dict[str, Any]: ...

    @classmethod
    def from_json(cls, data: object) -> Self: ...


# Persists an engine's state (its to_json()) with the task before anything irreversible happens.
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
