"""The callback body: the task as the receiver's dialect shows it (or the event that dialect sends,
OpenAI's `video.completed`), at the status of the change."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from reelay.domain.status import Status
from reelay.domain.task import Task

# The task as its dialect shows it, given its results' URLs by storage key (the wiring passes
# the dialects' renderer in).
TaskObject = Callable[[Task, dict[str, str]], dict[str, Any]]


def render(task: Task, event_status: Status, urls: dict[str, str], task_object: TaskObject) -> bytes:
    # A RUNNING delivery sent late still says RUNNING: each delivery reports its own change.
    at_event = (
        task
        if task.status == event_status
        else replace(
            task,
            status=event_status,
            results=() if event_status != Status.SUCCEEDED else task.results,
            failure=task.failure if event_status == Status.FAILED else None,
            failure_code=task.failure_code if event_status == Status.FAILED else None,
        )
    )
    if not event_status.is_final:
        urls = {}
    return json.dumps(task_object(at_event, urls), ensure_ascii=False, separators=(",", ":")).encode()
