"""Copying what an engine produced into Reelay's own storage."""

from __future__ import annotations

from pathlib import Path

from reelay.storage.content_types import content_type_for

OUTPUT_NAMES = {"video": "video.mp4", "poster": "poster.jpg", "last_frame": "last_frame.jpg"}


async def store_outputs(storage, task_id: str, files: dict[str, Path]) -> dict[str, str]:
    """Store each file under tasks/<id>/ and return the storage keys by output name."""
    keys: dict[str, str] = {}
    for name, path in files.items():
        key = f"tasks/{task_id}/{OUTPUT_NAMES.get(name, path.name)}"
        await storage.put_file(key, path, content_type_for(key))
        keys[name] = key
    return keys
