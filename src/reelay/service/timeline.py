"""A task's timeline: everything that happened to it, in order, from the records each part keeps.

The worker's steps (status changes, each start and check with the upstream exchanges, result
copies, moves), every callback attempt from the outbox, and the ledger's charge and refund. A
cancel, made through the API and not by the worker, has no step: it is told by the task itself. Checks dropped to keep a long task's record bounded show as one "gap" event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store.callbacks import CallbackStore
from reelay.store.ledger import LedgerStore
from reelay.store.relay_callbacks import RelayCallbackStore
from reelay.store.steps import Step, StepStore


@dataclass(frozen=True)
class Event:
    at: float  # epoch seconds
    kind: str  # status | engine | callback | charge | refund | gap
    title: str
    detail: dict[str, Any] = field(default_factory=dict)


class Timeline:
    def __init__(
        self, steps: StepStore, callbacks: CallbackStore, ledger: LedgerStore, relays: RelayCallbackStore
    ) -> None:
        self.steps = steps
        self.callbacks = callbacks
        self.ledger = ledger
        self.relays = relays

    async def of(self, task: Task) -> list[Event]:
        """Oldest first; events at the same moment keep the order their sources gave them."""
        steps = await self.steps.for_task(task.id)
        events = [_created(task, steps), *_step_events(steps), *await self._callbacks(task), *await self._ledger(task)]
        relayed = await self.relays.find(task.id)
        if relayed is not None:  # a pro upstream's own callback (the latest one is kept)
            title = f"the upstream called back: status {relayed.status}"
            events.append(Event(relayed.received_at, "engine", title, {"step": "upstream callback", **vars(relayed)}))
        if task.status == Status.CANCELLED and not any(s.detail.get("to") == Status.CANCELLED.value for s in steps):
            events.append(_cancelled(task))
        return sorted(events, key=lambda e: e.at)

    async def _callbacks(self, task: Task) -> list[Event]:
        deliveries = await self.callbacks.list(task_id=task.id, limit=100)
        attempts = await self.callbacks.attempts([d.id for d in deliveries])
        events = []
        for delivery in deliveries:
            tried = attempts[delivery.id]
            for number, attempt in enumerate(tried, 1):
                outcome = attempt["http_status"] or f"no answer ({attempt['error']})"
                retry = attempt["next_attempt_at"]
                title = (
                    f"callback {delivery.event_status.value} #{number} → {outcome} in {attempt['duration_ms']:.0f} ms"
                )
                events.append(
                    Event(
                        attempt["attempted_at"],
                        "callback",
                        title,
                        {
                            "delivery_id": delivery.id,
                            "event": delivery.event_status.value,
                            "url": delivery.url,
                            "attempt": number,
                            "http_status": attempt["http_status"],
                            "latency_ms": round(attempt["duration_ms"], 1),
                            "error": attempt["error"],
                            "next_attempt_at": retry,
                            "state": delivery.state,
                            "sent": attempt.get("sent"),
                            "answer": attempt.get("answer"),
                        },
                    )
                )
            if not tried:
                events.append(
                    Event(
                        delivery.created_at,
                        "callback",
                        f"callback {delivery.event_status.value} queued ({delivery.state})",
                        {
                            "delivery_id": delivery.id,
                            "event": delivery.event_status.value,
                            "url": delivery.url,
                            "next_attempt_at": delivery.next_attempt_at,
                            "state": delivery.state,
                        },
                    )
                )
        return events

    async def _ledger(self, task: Task) -> list[Event]:
        events = []
        for entry in await self.ledger.for_task(task.id):
            kind = "refund" if entry.kind == "refund" else "charge"
            verb = "refunded" if kind == "refund" else "charged"
            events.append(
                Event(
                    entry.created_at,
                    kind,
                    f"{abs(entry.amount)} points {verb}",
                    {"amount": entry.amount, "model": entry.model, "note": entry.note, "entry_id": entry.id},
                )
            )
        return events


def _created(task: Task, steps: list[Step]) -> Event:
    # The channel it was routed to when created: before any move, if it moved.
    channel = next((s.detail.get("from") for s in steps if s.kind == "move"), None) or task.channel
    return Event(
        task.created_at.timestamp(),
        "status",
        f"created: {task.request.model} on {channel}",
        {"to": "PENDING", "model": task.request.model, "channel": channel, "points": task.points, "seed": task.seed},
    )


def _cancelled(task: Task) -> Event:
    """A cancel is written by the API, not the worker (which only hears of it), so no step tells it."""
    return Event(task.updated_at.timestamp(), "status", "→ CANCELLED (through the API)", {"to": "CANCELLED"})


def _step_events(steps: list[Step]) -> list[Event]:
    """Each step as an event, with a gap event where checks were dropped between two kept steps
    of the same claim."""
    events: list[Event] = []
    previous: Step | None = None
    for step in steps:
        if previous is not None and previous.attempt == step.attempt and step.seq > previous.seq + 1:
            missing = step.seq - previous.seq - 1
            events.append(
                Event(
                    (previous.at + step.at) / 2,
                    "gap",
                    f"{missing} checks not kept (a task keeps its first and latest checks)",
                    {"dropped": missing},
                )
            )
        events.append(
            Event(
                step.at,
                "status" if step.kind == "status" else "engine",
                step.summary,
                {"step": step.kind, **step.detail},
            )
        )
        previous = step
    return events
