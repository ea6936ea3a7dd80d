"""A task as the service sees it: the request, where it is, and what it produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .artifacts import Artifact
from .request import GenerationRequest
from .schedule import ScheduleState
from .status import Status


@dataclass
class Task:
    id: str
    api_key_id: str
    request: GenerationRequest
    status: Status
    created_at: datetime
    updated_at: datetime
    progress: float = 0.0
    seed: int = 0
    failure: str | None = None
    failure_code: str | None = None
    # The stored results, in order: today a video, its poster and its last frame.
    results: tuple[Artifact, ...] = ()
    raw_video_url: str | None = None
    points: int = 0
    refunded: bool = False
    channel: str = "sandbox"  # the channel (a configured upstream or local engine) that runs it
    # The engine's own state (upstream ids, its create's attempt), as the JSON object it wrote:
    # only the engine reads its fields.
    engine_state: dict[str, Any] = field(default_factory=dict)
    # Placement's own record (started, channels tried, failover rounds), typed.
    schedule: ScheduleState = field(default_factory=ScheduleState)
    deleted: bool = False
    # The current claim: which worker leases the task, and how many claims it has had. Every
    # write a worker makes is conditional on both, so a replaced worker cannot write.
    lease_owner: str | None = None
    attempts: int = 0
    # When the worker next looks at a live task (unix seconds), as last read; None when unknown.
    next_check_at: float | None = None

    @property
    def is_final(self) -> bool:
        return self.status.is_final
