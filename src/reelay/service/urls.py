"""URLs for a task's stored results, issued afresh on every read."""

from __future__ import annotations

from reelay.domain.task import Task


def result_urls(task: Task, storage, base_url: str) -> dict[str, str]:
    return {name: storage.url(key, base_url) for name, key in task.outputs.items()}
