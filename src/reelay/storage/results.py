"""A task's results in Reelay's own storage: copying them in, and their URLs on every read."""

from __future__ import annotations

from pathlib import Path

from reelay.domain.task import Task

from .base import Storage
from .content_types import content_type_for

OUTPUT_NAMES = {"poster": "poster.jpg", "last_frame": "last_frame.jpg", "video": "video.mp4"}


def stored_result_keys(task_id: str) -> dict[str, str]:
    return {name: f"tasks/{task_id}/{file}" for name, file in OUTPUT_NAMES.items()}


async def store_outputs(storage, task_id: str, files: dict[str, Path]) -> dict[str, str]:
    """Store each file under tasks/<id>/ and return the storage keys by output name.

    The video goes last, so a stored video means the whole result is stored."""
    keys: dict[str, str] = {}
    for name, path in sorted(files.items(), key=lambda item: item[0] == "video"):
        key = f"tasks/{task_id}/{OUTPUT_NAMES.get(name, path.name)}"
        await storage.put_file(key, path, content_type_for(key))
        keys[name] = key
    return keys


def result_urls(task: Task, storage: Storage, base_url: str) -> dict[str, str]:
    """URLs for a task's stored results, issued afresh on every read (signed or presigned)."""
    return {name: storage.url(key, base_url) for name, key in task.outputs.items()}
