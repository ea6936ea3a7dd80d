"""Placement's own record of a task: where it was tried and how often every channel refused it.

Kept apart from the engine's state (the `tasks.schedule_state` column; the engine's is
`tasks.engine_state`), and read and written only by placement and the worker, through writes
fenced by the worker's claim. An engine never sees it; placement never reads the engine's."""

from __future__ import annotations

from dataclasses import dataclass

from .stored_json import JsonObject, as_object, read_bool, read_int, read_str, read_strings, without_unset


@dataclass(frozen=True)
class ScheduleState:
    # Submitted (or being submitted) on its channel: from now on it is only checked there. Saved
    # in the same write as the engine's attempt, before the create leaves.
    started: bool = False
    # Channels that refused the create in this round of failover, so the next one is tried.
    tried: tuple[str, ...] = ()
    # Rounds in which every candidate channel refused it (bounded by REELAY_MAX_FAILOVER_ROUNDS).
    rounds: int = 0
    # The last refusal, or the create whose answer was lost: what a final failure reports.
    last_error: str | None = None
    # Runs on its channel or nowhere (a channel test): never failed over nor moved elsewhere.
    pinned: bool = False

    def to_json(self) -> JsonObject:
        return without_unset(
            {
                "started": self.started,
                "tried": list(self.tried),
                "rounds": self.rounds,
                "last_error": self.last_error,
                "pinned": self.pinned or None,  # written only when set
            }
        )

    @classmethod
    def from_json(cls, data: object) -> ScheduleState:
        stored = as_object(data)
        return cls(
            started=read_bool(stored, "started"),
            tried=read_strings(stored, "tried"),
            rounds=max(read_int(stored, "rounds") or 0, 0),
            last_error=read_str(stored, "last_error"),
            pinned=read_bool(stored, "pinned"),
        )
