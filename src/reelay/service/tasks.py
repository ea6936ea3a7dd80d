"""Reading, cancelling and deleting tasks on behalf of a key."""

from __future__ import annotations

from reelay.domain import catalogue
from reelay.domain.errors import TaskNotFinished, TaskNotFound
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.store.db import storable
from reelay.store.keys import ApiKey
from reelay.store.tasks import TaskStore


class TaskReader:
    def __init__(self, tasks: TaskStore) -> None:
        self.tasks = tasks

    async def get(self, key: ApiKey, task_id: str, *, deleted: bool = False) -> Task:
        """The key's task; `deleted=True` also finds one deleted through Runway's DELETE."""
        # Another key's task answers exactly like a missing one: no existence leak.
        task = await self.tasks.get(task_id, api_key_id=key.id, deleted=deleted) if _looks_like_id(task_id) else None
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def any(self, task_id: str) -> Task:
        """Any key's task, deleted ones too: for the admin's reads."""
        task = await self.tasks.get(task_id, deleted=True) if _looks_like_id(task_id) else None
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def cancel_or_delete(self, key: ApiKey, task_id: str) -> None:
        """Runway's DELETE: cancels a live task, deletes a finished one, and either way the task
        is gone for the official dialect afterwards, as on Runway. The cancel and the deletion
        are one write; its refund and callback follow it as for any cancel."""
        task = await self.get(key, task_id)
        if not task.is_final and await self.tasks.transition(task.id, Status.CANCELLED, deleted=True):
            return
        await self.tasks.mark_deleted(task.id)

    async def delete_finished(self, key: ApiKey, task_id: str) -> Task:
        """Delete a finished task (OpenAI's DELETE, which never cancels); a live one is refused."""
        task = await self.get(key, task_id)
        if not task.is_final:
            raise TaskNotFinished(task_id)
        await self.tasks.mark_deleted(task.id)
        return task

    async def videos(
        self, key: ApiKey, *, after: str | None, limit: int, newest_first: bool
    ) -> tuple[list[Task], bool]:
        """The key's video tasks (images left out) by creation time, starting past the task
        `after` (a cursor), and whether more follow. An `after` naming no task of the key is refused."""
        if after is not None:
            await self.get(key, after, deleted=True)
        stills = tuple(model for kind in catalogue.STILL_KINDS for model in catalogue.models(kind))
        tasks = await self.tasks.page(
            key.id, after=after, limit=limit + 1, newest_first=newest_first, without_models=stills
        )
        return tasks[:limit], len(tasks) > limit


def _looks_like_id(task_id: str) -> bool:
    # NUL or a lone surrogate would fail in PostgreSQL's driver (a 500); no id holds them.
    return 0 < len(task_id) <= 64 and storable(task_id)
