"""The sandbox engine's state: when a task started, a throttle marker's wait, the render's start."""

from __future__ import annotations

from dataclasses import dataclass

from reelay.domain.stored_json import JsonObject, as_object, read_float, without_unset


@dataclass(frozen=True)
class SandboxState:
    started_at: float | None = None
    throttle_until: float = 0.0  # a [sandbox:throttle=N] marker holds the task THROTTLED until then
    running_since: float | None = None  # the render began (the delay marker's wait counts from here)

    def to_json(self) -> JsonObject:
        return without_unset(
            {"started_at": self.started_at, "throttle_until": self.throttle_until, "running_since": self.running_since}
        )

    @classmethod
    def from_json(cls, data: object) -> SandboxState:
        stored = as_object(data)
        return cls(
            started_at=read_float(stored, "started_at"),
            throttle_until=read_float(stored, "throttle_until") or 0.0,
            running_since=read_float(stored, "running_since"),
        )
