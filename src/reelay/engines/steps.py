"""What an engine said to its upstream during one step of a task, for the task's timeline.

The worker opens a `StepLog` around each step (`recording`); the upstream HTTP client adds each
exchange it makes to the log of the step it runs in, found through a context variable, so no
engine passes it along. Nothing here writes to the database: the worker batches the logs.
Only what helps to settle a dispute is kept, and never a key: the method, the URL without its
query (signed URLs carry tokens there), the status code, the latency, and short excerpts of the
JSON sent and answered.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

EXCERPT_CHARS = 1500  # of each body kept: enough for a status, a progress and an error
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]{40,}")


@dataclass(frozen=True)
class Exchange:
    """One HTTP request to an upstream and what came back (or why nothing did)."""

    method: str
    url: str
    latency_ms: float
    status: int | None = None  # None: no answer (see error)
    sent: str | None = None
    answer: str | None = None
    error: str | None = None
    bytes: int | None = None  # a download's size

    def line(self) -> str:
        outcome = str(self.status) if self.status is not None else f"no answer ({self.error})"
        return f"{self.method} {urlsplit(self.url).path} → {outcome} in {self.latency_ms:.0f} ms"

    def to_json(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if value is not None}


@dataclass
class StepLog:
    exchanges: list[Exchange] = field(default_factory=list)


_CURRENT: ContextVar[StepLog | None] = ContextVar("reelay_step_log", default=None)


@contextmanager
def recording() -> Iterator[StepLog]:
    """Collect the exchanges made in this block (and in tasks it starts)."""
    log = StepLog()
    token = _CURRENT.set(log)
    try:
        yield log
    finally:
        _CURRENT.reset(token)


def is_recording() -> bool:
    return _CURRENT.get() is not None


def note(
    method: str,
    url: str,
    started: float,
    *,
    status: int | None = None,
    sent: Any = None,
    answer: bytes | None = None,
    error: BaseException | None = None,
    size: int | None = None,
) -> None:
    """Add an exchange to the current step's log; nothing when no step is being recorded.
    `started` is the time.monotonic() the request left at."""
    log = _CURRENT.get()
    if log is None:
        return
    log.exchanges.append(
        Exchange(
            method=method,
            url=_without_query(url),
            latency_ms=round((time.monotonic() - started) * 1000, 1),
            status=status,
            sent=_excerpt_json(sent) if sent is not None else None,
            answer=_excerpt_bytes(answer) if answer else None,
            error=f"{type(error).__name__}: {error}"[:300] if error is not None else None,
            bytes=size,
        )
    )


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _excerpt_json(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return _short(text)


def _excerpt_bytes(content: bytes) -> str:
    return _short(content[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace"))


def _short(text: str) -> str:
    text = DATA_URI.sub(lambda m: m.group(0)[:40] + "…", text)  # an inline image says nothing here
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
