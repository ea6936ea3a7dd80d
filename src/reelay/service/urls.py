"""Signed URLs for a task's stored results, issued afresh on every read."""

from __future__ import annotations

from reelay.domain.task import Task
from reelay.storage.signing import UrlSigner


def result_urls(task: Task, signer: UrlSigner, base_url: str) -> dict[str, str]:
    return {name: signer.url(base_url, key) for name, key in task.outputs.items()}
