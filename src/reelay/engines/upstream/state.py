"""An upstream engine's state: the create it sent, and where the upstream keeps the task.

The engine alone writes `phase`: submitting (saved before the create leaves), accepted (the
upstream answered with its id), ambiguous (the answer was lost: reconcile, never resend)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from reelay.domain.stored_json import (
    JsonObject,
    as_object,
    read_bool,
    read_float,
    read_int,
    read_str,
    without_unset,
)

Phase: TypeAlias = Literal["submitting", "accepted", "ambiguous"]
PHASES: tuple[Phase, ...] = ("submitting", "accepted", "ambiguous")


@dataclass(frozen=True)
class UpstreamState:
    """The state of the `runway` and `relay` engines (they share their submission and polling)."""

    attempt_id: str | None = None  # the create in flight: an answer is recorded only for it
    phase: Phase | None = None  # None: nothing sent yet
    submitted_at: float | None = None
    slot: int | None = None  # the channel slot it holds, which picks the key it was sent with
    upstream_id: str | None = None
    accepted_at: float | None = None
    reconciled: bool = False  # its id was found by reconciling an unanswered create (relay)

    def to_json(self) -> JsonObject:
        return without_unset(
            {
                "attempt_id": self.attempt_id,
                "phase": self.phase,
                "submitted_at": self.submitted_at,
                "slot": self.slot,
                "upstream_id": self.upstream_id,
                "accepted_at": self.accepted_at,
                "reconciled": self.reconciled or None,
            }
        )

    @classmethod
    def from_json(cls, data: object) -> UpstreamState:
        stored = as_object(data)
        phase = next((known for known in PHASES if known == stored.get("phase")), None)
        return cls(
            attempt_id=read_str(stored, "attempt_id"),
            phase=phase,
            submitted_at=read_float(stored, "submitted_at"),
            slot=read_int(stored, "slot"),
            upstream_id=read_str(stored, "upstream_id"),
            accepted_at=read_float(stored, "accepted_at"),
            reconciled=read_bool(stored, "reconciled"),
        )
