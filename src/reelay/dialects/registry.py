"""The dialects, each registered once, and which one shows a task."""

from __future__ import annotations

from typing import Any

from reelay.dialects import openai_v1, pro, runway_images, runway_uploads, runway_v1
from reelay.dialects.base import Dialect, dialect_of
from reelay.domain.task import Task

runway_v1.router.include_router(runway_uploads.router)  # POST /v1/uploads
runway_v1.router.include_router(runway_images.router)  # Runway's image endpoints, official dialect

DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect for dialect in (pro.DIALECT, runway_v1.DIALECT, openai_v1.DIALECT)
}
DEFAULT = runway_v1.DIALECT  # for paths no dialect owns and no route answered

__all__ = ["DEFAULT", "DIALECTS", "Dialect", "callback_object", "dialect_of", "task_object"]


def task_object(task: Task, urls: dict[str, str]) -> dict[str, Any]:
    """The task as the API it was created through shows it (its callbacks' body too)."""
    return DIALECTS[task.request.dialect].task_object(task, urls)


def callback_object(task: Task, urls: dict[str, str]) -> dict[str, Any]:
    """A callback's body: the task object, or the event its dialect sends instead."""
    dialect = DIALECTS[task.request.dialect]
    return (dialect.event_object or dialect.task_object)(task, urls)
