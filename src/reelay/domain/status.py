"""Runway's six task statuses and the only moves between them."""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    PENDING = "PENDING"
    THROTTLED = "THROTTLED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})
LIVE = frozenset(Status) - FINAL

# Forward only; a final status never changes again (the store enforces this with a
# conditional update, so two writers racing for a final status cannot both win).
ALLOWED = {
    Status.PENDING: {Status.THROTTLED, Status.RUNNING, Status.FAILED, Status.CANCELLED},
    Status.THROTTLED: {Status.PENDING, Status.RUNNING, Status.FAILED, Status.CANCELLED},
    Status.RUNNING: {Status.SUCCEEDED, Status.FAILED, Status.CANCELLED},
    Status.SUCCEEDED: set(),
    Status.FAILED: set(),
    Status.CANCELLED: set(),
}


def sources_for(target: Status) -> set[Status]:
    """The statuses from which `target` may be reached."""
    return {source for source, targets in ALLOWED.items() if target in targets}
