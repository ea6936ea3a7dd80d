"""All emulator state, in memory.

A task never runs anything: its status is a pure function of its timeline (created time plus the
phase durations fixed at creation) and the clock. That keeps 10,000+ in-flight tasks free — no
timers, no coroutines — and makes every past moment reconstructible (concurrency statistics,
callback bodies "as of" a status change).
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BEHAVIOUR: dict[str, Any] = {
    "pending_seconds": 0.2,
    "throttled_seconds": 0.0,
    "running_seconds": 1.0,
    "fail_code": None,  # e.g. "SAFETY.INPUT.TEXT": the task ends FAILED instead of SUCCEEDED
    "url_ttl_seconds": 3600.0,
    "feed_shape": "flat",  # "flat" (duomi envelope) or "newapi" (CometAPI's new-api wrapper)
    "feed_lag_seconds": 0.0,  # pro feed says task_not_exist this long after create
    "credits": 5,  # estimatedCost / cost credits, and the pro `point`
    "pro_http_200": False,  # pro errors answer HTTP 200 with the error only in `code`, as PHP resellers often do
    "openai_poll_after_ms": None,  # /v1/videos reads carry `openai-poll-after-ms: N` (null: no header, as vLLM-Omni)
}

_NUMBERS = ("pending_seconds", "throttled_seconds", "running_seconds", "url_ttl_seconds", "feed_lag_seconds")


def merge_behaviour(current: dict[str, Any], patch: Any) -> dict[str, Any]:
    """The behaviour after applying `patch`; ValueError names the first bad field."""
    if not isinstance(patch, dict):
        raise ValueError("body must be a JSON object")
    merged = dict(current)
    for name, value in patch.items():
        if name not in DEFAULT_BEHAVIOUR:
            raise ValueError(f"{name}: unknown behaviour field")
        if name in _NUMBERS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or not math.isfinite(value):
                raise ValueError(f"{name}: must be a number >= 0")
            value = float(value)
        elif name == "fail_code" and not (value is None or (isinstance(value, str) and value)):
            raise ValueError("fail_code: must be a non-empty string or null")
        elif name == "feed_shape" and value not in ("flat", "newapi"):
            raise ValueError("feed_shape: must be 'flat' or 'newapi'")
        elif name == "credits" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError("credits: must be an integer >= 0")
        elif name == "pro_http_200" and not isinstance(value, bool):
            raise ValueError("pro_http_200: must be a boolean")
        elif name == "openai_poll_after_ms" and not (
            value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
        ):
            raise ValueError("openai_poll_after_ms: must be an integer >= 0 or null")
        merged[name] = value
    return merged


# Prompt markers let one test give one task its own fate without touching shared defaults.
_MARKER = re.compile(r"\[emu:(fail|run|throttle|pending)=([^\]\s]+)\]")
_MARKER_FIELDS = {"run": "running_seconds", "throttle": "throttled_seconds", "pending": "pending_seconds"}


def marker_overrides(prompt: Any) -> dict[str, Any]:
    if not isinstance(prompt, str):
        return {}
    overrides: dict[str, Any] = {}
    for name, value in _MARKER.findall(prompt):
        if name == "fail":
            overrides["fail_code"] = value
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue  # a malformed marker is just prompt text
        if seconds >= 0 and math.isfinite(seconds):
            overrides[_MARKER_FIELDS[name]] = seconds
    return overrides


LIVE = ("PENDING", "THROTTLED", "RUNNING")


@dataclass(slots=True)
class Task:
    id: str
    dialect: str  # "official", "pro" or "openai"; each sees only its own tasks, as separate real services would
    endpoint: str  # the path it was created at
    key: str | None
    body: Any
    base_url: str  # where the creating client reached us: used for URLs in callbacks
    created_at: float
    pending_seconds: float
    throttled_seconds: float
    running_seconds: float
    fail_code: str | None
    url_ttl_seconds: float
    feed_lag_seconds: float
    credits: int
    callback_url: str | None = None
    cancelled_at: float | None = None
    deleted_at: float | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list)

    # Phase boundaries: PENDING [created, throttled_at) THROTTLED [.., running_at) RUNNING [.., final_at).
    @property
    def throttled_at(self) -> float:
        return self.created_at + self.pending_seconds

    @property
    def running_at(self) -> float:
        return self.throttled_at + self.throttled_seconds

    @property
    def final_at(self) -> float:
        return self.running_at + self.running_seconds

    @property
    def ended_at(self) -> float:
        """When the task stopped being live (in the future for a live task)."""
        return self.cancelled_at if self.cancelled_at is not None else self.final_at

    def status(self, now: float) -> str:
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return "CANCELLED"
        if now < self.throttled_at:
            return "PENDING"
        if now < self.running_at:
            return "THROTTLED"
        if now < self.final_at:
            return "RUNNING"
        return "FAILED" if self.fail_code else "SUCCEEDED"

    def progress(self, now: float) -> float:
        if self.running_seconds <= 0:
            return 0.0
        return round(min(max((now - self.running_at) / self.running_seconds, 0.0), 0.99), 3)

    def changed_at(self, now: float) -> float:
        """When the status seen at `now` began (the pro `update_time`)."""
        return {
            "PENDING": self.created_at,
            "THROTTLED": self.throttled_at,
            "RUNNING": self.running_at,
            "CANCELLED": self.ended_at,  # the cancel time: a task reads CANCELLED only once it has one
        }.get(self.status(now), self.final_at)

    def record(self, now: float) -> dict[str, Any]:
        """The internal view for /_control/tasks/{id}."""
        return {
            "id": self.id,
            "dialect": self.dialect,
            "endpoint": self.endpoint,
            "key": self.key,
            "body": self.body,
            "callback_url": self.callback_url,
            "status": self.status(now),
            "deleted": self.deleted_at is not None,
            "fail_code": self.fail_code,
            "url_ttl_seconds": self.url_ttl_seconds,
            "feed_lag_seconds": self.feed_lag_seconds,
            "credits": self.credits,
            "timeline": {
                "created_at": self.created_at,
                "pending_seconds": self.pending_seconds,
                "throttled_seconds": self.throttled_seconds,
                "running_seconds": self.running_seconds,
                "throttled_at": self.throttled_at,
                "running_at": self.running_at,
                "final_at": self.final_at,
                "cancelled_at": self.cancelled_at,
                "deleted_at": self.deleted_at,
            },
            "callbacks": self.callbacks,
        }


def _peak(intervals: list[tuple[float, float]]) -> int:
    """Most intervals [start, end) open at one instant; an end sorts before a start at the same time."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


class Store:
    def __init__(self, log_limit: int = 100_000):
        self.log_limit = log_limit
        self.reset()

    def reset(self) -> None:
        self.behaviour = dict(DEFAULT_BEHAVIOUR)
        self.tasks: dict[str, Task] = {}
        self.creates = 0
        self.creates_by_key: Counter[str] = Counter()
        self.requests = 0
        # Bounded: a bench polling 10,000 tasks every 5 s would otherwise grow without end.
        self.request_log: deque[dict[str, Any]] = deque(maxlen=self.log_limit)
        self.callback_log: deque[dict[str, Any]] = deque(maxlen=self.log_limit)
        self.callbacks_sent = 0
        self.generation = getattr(self, "generation", 0) + 1  # lets in-flight work notice a reset

    def create(
        self,
        *,
        dialect: str,
        endpoint: str,
        key: str | None,
        body: Any,
        base_url: str,
        prompt: Any,
        callback_url: str | None = None,
    ) -> Task:
        settings = {**self.behaviour, **marker_overrides(prompt)}
        task = Task(
            id=str(uuid.uuid4()),
            dialect=dialect,
            endpoint=endpoint,
            key=key,
            body=body,
            base_url=base_url,
            created_at=time.time(),
            pending_seconds=settings["pending_seconds"],
            throttled_seconds=settings["throttled_seconds"],
            running_seconds=settings["running_seconds"],
            fail_code=settings["fail_code"],
            url_ttl_seconds=settings["url_ttl_seconds"],
            feed_lag_seconds=settings["feed_lag_seconds"],
            credits=settings["credits"],
            callback_url=callback_url,
        )
        self.tasks[task.id] = task
        self.creates += 1
        self.creates_by_key[key or ""] += 1
        return task

    def get(self, task_id: str, dialect: str, key: str | None) -> Task | None:
        """A task as its owner sees it: another key's or another dialect's task reads as unknown."""
        task = self.tasks.get(task_id)
        if task is None or task.deleted_at is not None or task.dialect != dialect or task.key != key:
            return None
        return task

    def concurrency(self, now: float) -> dict[str, Any]:
        """Live counts from timelines: a task is live from accept until its final time or cancel."""
        by_key: dict[str, list[tuple[float, float]]] = {}
        everything: list[tuple[float, float]] = []
        live = 0
        for task in self.tasks.values():
            end = task.ended_at
            if end > now:
                live += 1
                end = math.inf  # still live: only the past counts toward the peak
            interval = (task.created_at, end)
            everything.append(interval)
            by_key.setdefault(task.key or "", []).append(interval)
        return {
            "max_concurrent": _peak(everything),
            "max_concurrent_by_key": {key: _peak(intervals) for key, intervals in by_key.items()},
            "live": live,
        }
