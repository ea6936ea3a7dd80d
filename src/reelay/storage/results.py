"""A task's results in Reelay's own storage: copying them in, and their URLs on every read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelay.domain.artifacts import Artifact, MediaInfo
from reelay.domain.task import Task

from .base import Storage


@dataclass(frozen=True)
class ResultFile:
    """A result an engine made on local disk and probed; storing it gives it its key."""

    role: str  # domain.artifacts VIDEO, POSTER, LAST_FRAME, IMAGE
    path: Path  # its name is kept: tasks/<id>/<name>
    info: MediaInfo


def result_key(task_id: str, name: str) -> str:
    return f"tasks/{task_id}/{name}"


async def store_results(storage: Storage, task_id: str, files: Sequence[ResultFile]) -> tuple[Artifact, ...]:
    """Store each file under tasks/<id>/ and return the artifacts, in the engine's order.

    Videos go last, so a stored video means the whole result is stored."""
    for file in sorted(files, key=lambda f: f.info.kind == "video"):
        await storage.put_file(result_key(task_id, file.path.name), file.path, file.info.content_type)
    return tuple(Artifact.of(file.role, result_key(task_id, file.path.name), file.info) for file in files)


def result_urls(task: Task, storage: Storage, base_url: str) -> dict[str, str]:
    """URLs for a task's stored results by storage key, issued afresh on every read (signed or
    presigned)."""
    return {artifact.key: storage.url(artifact.key, base_url) for artifact in task.results}
